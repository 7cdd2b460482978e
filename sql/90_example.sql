-- The psql example of the README and docs (docs/examples/wizard.sql), run exactly as
-- written, so neither can go stale. pg_regress runs psql from the repository root.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS crm_import CASCADE;
RESET client_min_messages;
\i docs/examples/wizard.sql
