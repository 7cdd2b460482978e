-- Step 7: review and import. Run after step_06.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_07.sql
\set SHOW_CONTEXT never
SELECT max(id) AS import_id FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- Nothing missing?
SELECT * FROM crm_import_check(:import_id);

-- The review page: every setting chosen.
SELECT * FROM crm_import_summary(:import_id) WHERE setting NOT IN ('sha256', 'source', 'GDPR and TCPA');

-- What would happen, without touching contacts or lists.
SELECT * FROM crm_import_run(:import_id, dry_run => true);

-- The import.
SELECT * FROM crm_import_run(:import_id);

SELECT id, list, file_name, state, tab, rows, inserted, updated, unchanged, merged_in_file, rejected, failure_reason
	FROM crm_import_status ORDER BY id;

-- Row-level outcome: one row per data row of the file.
SELECT outcome, count(*) FROM crm_import_results(:import_id) GROUP BY outcome ORDER BY outcome;
SELECT * FROM crm_import_results(:import_id) WHERE outcome <> 'inserted' ORDER BY row_no;

-- The contacts, normalized: email lower-cased, mobile in E.164, dates from 20.04.1968 too.
SELECT id, first_name, last_name, email, mobile, city, birthday, email_marketing, sms_marketing, custom
	FROM crm_contacts ORDER BY id LIMIT 8;
SELECT l.name, count(*) AS members FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id GROUP BY l.name;

-- A completed import is final.
SELECT * FROM crm_import_run(:import_id);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- The staged file rows are no longer needed; the import, its settings and results stay.
SELECT crm_import_discard(:import_id);
SELECT count(*) AS result_rows FROM crm_import_results(:import_id);

-- The same file again, existing data as master: a dry run shows every contact is found.
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Nyhetsbrev 2026', :LASTOID, file_name => 'kontakter.csv') AS again \gset
SELECT lo_unlink(:LASTOID);
SELECT count(*) AS suggested FROM crm_import_suggest_mapping(:again) WHERE field IS NOT NULL;
SELECT crm_import_set_skip_unmapped(:again, true);
SELECT crm_import_set_rules(:again, master => 'existing', primary_key => 'email');
SELECT crm_import_accept_compliance(:again, gdpr => true, tcpa => true);
-- This time "Land" is mapped (it was skipped the first time, so no contact has a country yet).
SELECT column_no, name, mapped_to FROM crm_import_columns(:again) WHERE column_no IN (7, 11);
SELECT count(*) AS contacts_without_country FROM crm_contacts WHERE country IS NULL;
SELECT * FROM crm_import_run(:again, dry_run => true);
SELECT outcome, matched_by, count(*) FROM crm_import_results(:again) GROUP BY 1, 2 ORDER BY 1, 2;
SELECT id, state, tab FROM crm_import_status WHERE id = :again;
