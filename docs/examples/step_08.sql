-- Step 8: undo an import. Run after step_07.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_08.sql
\set SHOW_CONTEXT never

-- The file once more, for a new list, with first and last name swapped by mistake and the
-- file as master.
SELECT crm_import_create_list('Sommerfest 2026');
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Sommerfest 2026', :LASTOID, file_name => 'kontakter.csv') AS wrong \gset
SELECT lo_unlink(:LASTOID);
SELECT count(*) AS suggested FROM crm_import_suggest_mapping(:wrong) WHERE field IS NOT NULL;
SELECT crm_import_skip(:wrong, 'Fornavn');
SELECT crm_import_map(:wrong, 'Etternavn', 'first_name');
SELECT crm_import_map(:wrong, 'Fornavn', 'last_name');
SELECT crm_import_set_skip_unmapped(:wrong, true);
SELECT crm_import_set_rules(:wrong, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT crm_import_accept_compliance(:wrong, gdpr => true, tcpa => true);
SELECT * FROM crm_import_run(:wrong);
SELECT id, first_name, last_name, email, updated_by_import FROM crm_contacts ORDER BY id LIMIT 3;
SELECT l.name, count(*) AS members FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id GROUP BY l.name ORDER BY 1;

-- Meanwhile someone corrects one contact by hand.
UPDATE crm_contacts SET first_name = 'Tor Øystein', updated_at = clock_timestamp() WHERE id = 1;

-- Until when it can be undone (crm_import.undo_retention after it finished).
SELECT id, state, tab, undo_until - finished_at AS undo_for FROM crm_import_status WHERE id = :wrong;

-- What an undo would do, and what it would keep, without changing anything.
SELECT * FROM crm_import_undo(:wrong, dry_run => true);
SELECT * FROM crm_import_undo_conflicts(:wrong);

-- The undo.
SELECT * FROM crm_import_undo(:wrong);
SELECT id, first_name, last_name, email, updated_by_import FROM crm_contacts ORDER BY id LIMIT 3;
SELECT l.name, count(*) AS members FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id GROUP BY l.name ORDER BY 1;
SELECT contact_id, field, import_value, current_value, outcome FROM crm_import_undo_conflicts(:wrong);
SELECT id, state, tab, undone_by IS NOT NULL AS undone, undo_contacts_deleted, undo_contacts_restored,
	undo_memberships_removed, undo_fields_kept, undo_contacts_kept
	FROM crm_import_status WHERE id = :wrong;

-- An import is undone once; an undone import is final (the DETAIL, left out here, says who
-- undid it and when).
\set VERBOSITY terse
SELECT * FROM crm_import_undo(:wrong);
\set VERBOSITY default
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- A draft has nothing to undo.
SELECT max(id) AS draft FROM crm_import_status WHERE state = 'draft' \gset
SELECT * FROM crm_import_undo(:draft);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Admins purge undo data older than the retention (run it daily, e.g. from pg_cron).
SHOW crm_import.undo_retention;
SELECT * FROM crm_import_purge_undo();
