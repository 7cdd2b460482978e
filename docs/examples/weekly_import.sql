-- A weekly BI import in one call: the file comes from the client (\lo_import), the settings
-- from the profile "weekly-newsletter" saved once with crm_import_save_profile. Run from the
-- directory holding the file:  psql -d yourdb -v ON_ERROR_STOP=1 -f weekly_import.sql
\pset footer off
\lo_import data/kontakter.csv
SELECT import_id, state, inserted, updated, unchanged, merged_in_file, rejected
	FROM crm_import('Nyhetsbrev 2026', :LASTOID, profile => 'weekly-newsletter',
		gdpr => true, tcpa => true, file_name => 'kontakter.csv') \gset
SELECT lo_unlink(:LASTOID) \g /dev/null
\echo import :import_id :state: :inserted inserted, :updated updated, :unchanged unchanged, :merged_in_file merged in file, :rejected rejected
SELECT id, state, tab, rows, failure_reason FROM crm_import_status WHERE id = :import_id;
SELECT row_no, line_no, reason FROM crm_import_results(:import_id) WHERE outcome = 'rejected' ORDER BY row_no;
