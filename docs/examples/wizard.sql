-- The whole wizard in psql: the example the README runs (scripts/demo.sh) and the test
-- suite checks (sql/90_example.sql). Run from the repository root:
--   psql -d yourdb -f docs/examples/wizard.sql
\pset footer off
CREATE EXTENSION IF NOT EXISTS crm_import;

\echo '== Step 1: a contact list'
SELECT crm_import_create_list('Nyhetsbrev 2026') AS list_id;

\echo '== Step 2: upload a client-side file through a large object (any size streams)'
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Nyhetsbrev 2026', :LASTOID, file_name => 'kontakter.csv') AS import_id \gset
SELECT lo_unlink(:LASTOID) \g /dev/null
SELECT file_name, byte_size, delimiter, had_bom, record_count FROM crm_imports WHERE id = :import_id;

\echo '== Step 3: preview (first rows, header row excluded) and columns'
SELECT * FROM crm_import_preview(:import_id, max_rows => 5);
SELECT column_no, name, samples[1:2] AS samples, filled, suggested_field FROM crm_import_columns(:import_id);

\echo '== Step 4: map columns (suggestions for the Norwegian headers), skip notes, consent terms'
SELECT * FROM crm_import_suggest_mapping(:import_id);
SELECT crm_import_skip(:import_id, 'Notater');
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['Yes', 'True', 'Ja', 'Sant', 'OptIn'], ARRAY['No', 'False', 'Nei', 'Usant', 'OptOut']);
SELECT crm_import_set_consent_terms('sms_marketing', ARRAY['Yes', 'True', 'Ja', 'Sant', 'OptIn'], ARRAY['No', 'False', 'Nei', 'Usant', 'OptOut']);

\echo '== Step 5: rules'
SELECT crm_import_set_rules(:import_id, master => 'file', primary_key => 'email', secondary_key => 'mobile');

\echo '== Step 6: compliance'
SELECT crm_import_accept_compliance(:import_id, gdpr => true, tcpa => true);

\echo '== Step 7: review and import'
SELECT * FROM crm_import_check(:import_id);
SELECT section, setting, value FROM crm_import_summary(:import_id) WHERE setting NOT IN ('sha256', 'source', 'GDPR and TCPA');
SELECT * FROM crm_import_run(:import_id);
SELECT id, list, file_name, state, tab, rows, inserted, updated, unchanged, merged_in_file, rejected, failure_reason
	FROM crm_import_status WHERE id = :import_id;
SELECT outcome, count(*) FROM crm_import_results(:import_id) GROUP BY outcome ORDER BY outcome;
SELECT row_no, line_no, outcome, contact_id, matched_by, reason FROM crm_import_results(:import_id)
	WHERE outcome IN ('rejected', 'merged_in_file') ORDER BY row_no LIMIT 5;
SELECT id, first_name, last_name, email, mobile, city, to_char(birthday, 'YYYY-MM-DD') AS birthday, email_marketing, sms_marketing
	FROM crm_contacts ORDER BY id LIMIT 5;
