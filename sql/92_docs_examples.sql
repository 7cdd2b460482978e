-- The worked examples of docs/steps/*.md and docs/troubleshooting.md, run as written in
-- one database (each step continues the previous one), so the pages cannot go stale.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS crm_import CASCADE;
RESET client_min_messages;
\set VERBOSITY default
\i docs/examples/step_01.sql
\i docs/examples/step_02.sql
\i docs/examples/step_03.sql
\i docs/examples/step_04.sql
\i docs/examples/step_05.sql
\i docs/examples/step_06.sql
\i docs/examples/step_07.sql
\i docs/examples/troubleshooting.sql
\i docs/examples/step_07_background.sql
\i docs/examples/step_08.sql
\i docs/examples/troubleshooting_exports.sql
