-- Step 5: import rules (duplicates) and run options. Run after step_04.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_05.sql
\set SHOW_CONTEXT never
SELECT max(id) AS import_id FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- The uploaded file is master; duplicates are found by email address, and by mobile number
-- when the email address finds none.
SELECT crm_import_set_rules(:import_id, master => 'file', primary_key => 'email', secondary_key => 'mobile');

-- Options: fail the run if more than 10 % of the rows would be rejected; never turn an
-- opted-out contact into an opted-in one (the default, spelled out).
SELECT crm_import_set_options(:import_id, max_errors => '10%', allow_reoptin => false);

SELECT section, setting, value FROM crm_import_summary(:import_id) WHERE section IN ('rules', 'consent');

-- Errors.
SELECT crm_import_set_rules(:import_id, master => 'crm', primary_key => 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_rules(:import_id, master => 'file', primary_key => 'phone');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_rules(:import_id, master => 'file', primary_key => 'none', secondary_key => 'mobile');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_rules(:import_id, master => 'file', primary_key => 'email', secondary_key => 'system_id');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_options(:import_id, max_errors => 'ten');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
