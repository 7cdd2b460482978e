-- Step 7 as a background job: start, watch, wait, cancel. Run after step_07.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_07_background.sql
\set SHOW_CONTEXT never
SELECT max(id) AS again FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- Start returns at once: the import is queued, and a background worker runs it as you.
SELECT crm_import_start(:again);
-- From any session: state, phase, rows and percent while it is queued or running.
SELECT id, state IN ('queued', 'running') AS queued_or_running, tab, rows_total FROM crm_import_status WHERE id = :again;
-- A script waits for the end (timeout => interval '10 minutes' bounds the wait).
SELECT id, state, tab, inserted, updated, unchanged, merged_in_file, rejected, failure_reason
	FROM crm_import_wait(:again);
-- An application LISTENs instead: NOTIFY crm_import (no payload), then crm_import_status
-- on queued, running, completed and failed.

-- A started import cannot be started twice or changed; it can be cancelled.
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Nyhetsbrev 2026', :LASTOID, file_name => 'kontakter.csv') AS third \gset
SELECT lo_unlink(:LASTOID);
SELECT count(*) AS suggested FROM crm_import_suggest_mapping(:third) WHERE field IS NOT NULL;
SELECT crm_import_set_skip_unmapped(:third, true);
SELECT crm_import_set_rules(:third, master => 'existing', primary_key => 'email');
SELECT crm_import_accept_compliance(:third, gdpr => true, tcpa => true);
BEGIN;
SELECT crm_import_start(:third);
SELECT crm_import_start(:third);
ROLLBACK;
BEGIN;
SELECT crm_import_start(:third);
SELECT crm_import_cancel(:third);
COMMIT;
SELECT id, state, tab, regexp_replace(failure_reason, 'by \S+ at .*;', 'by <role> at <time>;') AS failure_reason
	FROM crm_import_status WHERE id = :third;

-- The one-call import of a weekly script, as a background job: the upload, the profile and
-- compliance now; the run by a worker once the call's transaction commits.
\lo_import data/kontakter.csv
SELECT crm_import_save_profile(:again, 'weekly-background');
SELECT import_id AS weekly, state FROM crm_import('Nyhetsbrev 2026', :LASTOID, profile => 'weekly-background',
	gdpr => true, tcpa => true, background => true) \gset
SELECT lo_unlink(:LASTOID);
\echo :state
SELECT state, tab, inserted, updated, unchanged, merged_in_file, rejected FROM crm_import_wait(:weekly);
