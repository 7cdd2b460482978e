-- Step 6: compliance. Run after step_05.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_06.sql
\set SHOW_CONTEXT never
SELECT max(id) AS import_id FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- Both boxes must be ticked.
SELECT crm_import_accept_compliance(:import_id, gdpr => true, tcpa => false);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

SELECT crm_import_accept_compliance(:import_id, gdpr => true, tcpa => true);

-- Who confirmed, and when, is recorded with the import.
SELECT compliance_accepted_by, compliance_accepted_at > now() - interval '1 minute' AS just_now
	FROM crm_import_status WHERE id = :import_id;
