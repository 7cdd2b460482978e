-- Step 1: contact lists. Run from the repository root against a database of your own:
--   psql -X -a -q -d yourdb < docs/examples/step_01.sql
-- Steps 01..07 build on each other; run them in order in one database.
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS crm_import;

-- A list for the newsletter import, and one for customers.
SELECT crm_import_create_list('Nyhetsbrev 2026') AS list_id;
SELECT crm_import_create_list('Kunder') AS list_id;
SELECT id, name, created_by FROM crm_lists ORDER BY id;

-- Names are unique (surrounding space is trimmed first) ...
SELECT crm_import_create_list('  Nyhetsbrev 2026 ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- ... and must not be blank.
SELECT crm_import_create_list('');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
