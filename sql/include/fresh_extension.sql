-- Shared by the pg_regress files: each starts from a fresh crm_import.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS crm_import CASCADE;
CREATE EXTENSION crm_import;
RESET client_min_messages;
