---------------------------------------------------------------------------------------------
-- Monitoring: the Draft / Completed / Failed tabs (crm_import_status) and live progress
---------------------------------------------------------------------------------------------
-- The progress a run in progress publishes (shared memory), for the caller's imports only;
-- NULLs for others and when no run is in progress. A wizard function (the status view calls
-- it as the querying role).
CREATE FUNCTION crm_import_progress(import bigint,
	OUT phase text, OUT rows_done bigint, OUT rows_total bigint, OUT percent numeric, OUT updated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owned boolean := (SELECT @extschema@.crm_import_owned(j.owner, j.owner_id) FROM @extschema@.crm_imports j WHERE j.id = import);
	p record;
BEGIN
	IF owned THEN
		SELECT r.* INTO p FROM @extschema@.crm_import_attempts a,
			LATERAL @extschema@.crm_import_progress_read(a.progress_handle, a.import_id) r
			WHERE a.import_id = import AND a.running;
		phase := p.phase;
		rows_done := p.rows_done;
		rows_total := p.rows_total;
		percent := @extschema@.crm_import_progress_percent(p.phase, p.rows_done, p.rows_total);
		updated_at := p.updated_at;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_progress(bigint) IS
	'The phase, rows done and total, and percent of a run in progress of one of the caller''s imports (NULLs otherwise)';
-- The view below must call the entry point, not the implementation (a view keeps the
-- function it was created with): make it one now.
SELECT @extschema@.crm_import_entry_points();

-- security_barrier: the owner filter runs before any condition of the caller's query, so a
-- cheap function of the caller's in WHERE never sees another role's rows. A run whose
-- transaction died (crm_import_attempts), or a background import whose worker is gone,
-- shows as failed with the reason; a running one shows its progress.
CREATE VIEW crm_import_status WITH (security_barrier) AS
	SELECT x.id, x.list, x.file_name, x.owner, x.state,
		CASE x.state WHEN 'completed' THEN 'Completed' WHEN 'failed' THEN 'Failed' WHEN 'undone' THEN 'Undone' ELSE 'Draft' END AS tab,
		x.rows, x.inserted, x.updated, x.unchanged, x.merged_in_file, x.rejected,
		x.failure_reason, x.created_at, x.started_at, x.finished_at, x.failure_sqlstate,
		x.results_dry_run, x.byte_size, x.sha256, x.delimiter, x.had_bom, x.has_header,
		x.compliance_accepted_by, x.compliance_accepted_at,
		CASE WHEN x.state = 'queued' THEN 'waiting for a worker' WHEN x.state = 'running' THEN pr.phase END AS phase,
		CASE WHEN x.state = 'running' THEN pr.rows_done END AS rows_done,
		CASE WHEN x.state IN ('queued', 'running') THEN x.rows END AS rows_total,
		CASE WHEN x.state = 'queued' THEN 0 WHEN x.state = 'running' THEN coalesce(pr.percent, 0) END AS percent,
		x.queued_at, x.source_encoding,
		-- Until when crm_import_undo accepts it: completed, undo data kept and not purged.
		CASE WHEN x.state = 'completed' AND x.undo_saved AND x.undo_purged_at IS NULL
			THEN x.finished_at + coalesce(current_setting('crm_import.undo_retention', true), '30 days')::interval END AS undo_until,
		x.undone_at, x.undone_by, x.undo_contacts_deleted, x.undo_contacts_restored, x.undo_memberships_removed,
		x.undo_fields_kept, x.undo_contacts_kept
	FROM (
		SELECT j.id, l.name AS list, j.file_name,
			coalesce((SELECT a.rolname FROM pg_catalog.pg_authid a WHERE a.oid = j.owner_id AND a.rolname = j.owner),
				j.owner || ' (dropped)')::name AS owner,
			CASE WHEN d.running THEN 'running' WHEN d.import_id IS NOT NULL THEN 'failed'
				WHEN j.state = 'queued' AND @extschema@.crm_import_job_gone(j.job_pid) THEN 'failed'
				WHEN j.state = 'queued' AND j.job_claimed_at IS NOT NULL THEN 'running'
				ELSE j.state END AS state,
			@extschema@.crm_import_data_rows(j) AS rows,
			j.inserted, j.updated, j.unchanged, j.merged_in_file, j.rejected,
			CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN d.reason
				WHEN j.state = 'queued' AND @extschema@.crm_import_job_gone(j.job_pid)
					THEN @extschema@.crm_import_job_gone_reason(j.job_pid, j.job_claimed_at IS NOT NULL)
				ELSE j.failure_reason END AS failure_reason,
			j.created_at, coalesce(d.started_at, j.job_claimed_at, j.started_at) AS started_at,
			CASE WHEN d.import_id IS NOT NULL OR j.state = 'queued' THEN NULL ELSE j.finished_at END AS finished_at,
			CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN '57P01'
				WHEN j.state = 'queued' AND @extschema@.crm_import_job_gone(j.job_pid) THEN '57P01'
				ELSE j.failure_sqlstate END AS failure_sqlstate,
			j.results_dry_run, j.byte_size, j.sha256, j.delimiter, j.had_bom, j.has_header,
			j.compliance_accepted_by, j.compliance_accepted_at, j.queued_at, j.source_encoding,
			j.undo_saved, j.undo_purged_at, j.undone_at, j.undone_by, j.undo_contacts_deleted, j.undo_contacts_restored,
			j.undo_memberships_removed, j.undo_fields_kept, j.undo_contacts_kept
		FROM @extschema@.crm_imports j JOIN @extschema@.crm_lists l ON l.id = j.list_id
		LEFT JOIN @extschema@.crm_import_attempts d ON d.import_id = j.id
		WHERE @extschema@.crm_import_owned(j.owner, j.owner_id)
	) x
	LEFT JOIN LATERAL @extschema@.crm_import_progress(x.id) pr ON x.state = 'running';
COMMENT ON VIEW crm_import_status IS
	'Imports the caller may see (its own; all for crm_import_admin) with state, wizard tab (Draft, Completed, Failed), row counts and failure reason';
COMMENT ON COLUMN crm_import_status.id IS 'Import id';
COMMENT ON COLUMN crm_import_status.list IS 'Target contact list';
COMMENT ON COLUMN crm_import_status.file_name IS 'File name given at upload';
COMMENT ON COLUMN crm_import_status.owner IS 'Role that uploaded the file ("name (dropped)" once that role is gone: only admins see such imports)';
COMMENT ON COLUMN crm_import_status.state IS 'draft, queued (a background import waiting for a worker), running (a run in progress in any session), completed or failed';
COMMENT ON COLUMN crm_import_status.tab IS 'Wizard tab: Draft until finished, then Completed or Failed; Undone once crm_import_undo gave it back (its counts no longer describe the CRM)';
COMMENT ON COLUMN crm_import_status.rows IS 'Data rows in the file (header excluded)';
COMMENT ON COLUMN crm_import_status.inserted IS 'Rows that created a contact';
COMMENT ON COLUMN crm_import_status.updated IS 'Rows that changed an existing contact';
COMMENT ON COLUMN crm_import_status.unchanged IS 'Rows that matched a contact without changing it';
COMMENT ON COLUMN crm_import_status.merged_in_file IS 'Rows merged into an earlier row of the file';
COMMENT ON COLUMN crm_import_status.rejected IS 'Rows rejected';
COMMENT ON COLUMN crm_import_status.failure_reason IS 'Why the import failed';
COMMENT ON COLUMN crm_import_status.created_at IS 'Upload time';
COMMENT ON COLUMN crm_import_status.started_at IS 'Run start';
COMMENT ON COLUMN crm_import_status.finished_at IS 'Run end';
COMMENT ON COLUMN crm_import_status.failure_sqlstate IS 'SQLSTATE of the failure';
COMMENT ON COLUMN crm_import_status.results_dry_run IS 'True when crm_import_results holds a dry run''s outcome';
COMMENT ON COLUMN crm_import_status.byte_size IS 'File size in bytes';
COMMENT ON COLUMN crm_import_status.sha256 IS 'SHA-256 of the file, hex';
COMMENT ON COLUMN crm_import_status.delimiter IS 'Delimiter used';
COMMENT ON COLUMN crm_import_status.had_bom IS 'The file began with a byte-order mark (skipped): UTF-8, or UTF-16/UTF-32, whose mark chose the encoding';
COMMENT ON COLUMN crm_import_status.has_header IS 'The first record holds column headers';
COMMENT ON COLUMN crm_import_status.compliance_accepted_by IS 'Role that confirmed GDPR and TCPA compliance';
COMMENT ON COLUMN crm_import_status.compliance_accepted_at IS 'When compliance was confirmed';
COMMENT ON COLUMN crm_import_status.phase IS 'Queued or running: the phase (waiting for a worker, normalize, dedupe and match, merge, write contacts, row results)';
COMMENT ON COLUMN crm_import_status.rows_done IS 'Running: rows processed in the current phase';
COMMENT ON COLUMN crm_import_status.rows_total IS 'Queued or running: data rows of the file';
COMMENT ON COLUMN crm_import_status.percent IS 'Queued or running: estimated percent done';
COMMENT ON COLUMN crm_import_status.queued_at IS 'When crm_import_start queued it (background imports)';
COMMENT ON COLUMN crm_import_status.undo_until IS 'Until when crm_import_undo can undo the import (finished_at + crm_import.undo_retention); NULL when it cannot (not completed, undone, run before undo data was kept, or purged)';
COMMENT ON COLUMN crm_import_status.undone_at IS 'When the import was undone';
COMMENT ON COLUMN crm_import_status.undone_by IS 'Role that undid it';
COMMENT ON COLUMN crm_import_status.undo_contacts_deleted IS 'Undo: contacts the import created that were deleted';
COMMENT ON COLUMN crm_import_status.undo_contacts_restored IS 'Undo: contacts the import updated that got previous values back';
COMMENT ON COLUMN crm_import_status.undo_memberships_removed IS 'Undo: list memberships the import added that were removed';
COMMENT ON COLUMN crm_import_status.undo_fields_kept IS 'Undo: fields kept because they changed since the import (crm_import_undo_conflicts lists them)';
COMMENT ON COLUMN crm_import_status.undo_contacts_kept IS 'Undo: created contacts kept because they changed since the import';
COMMENT ON COLUMN crm_import_status.source_encoding IS 'Encoding the file was read in (UTF-8, or the one it was converted from: windows-1252, IBM865, UTF-16LE, ...); NULL for files uploaded before version 0.2.0';
GRANT SELECT ON crm_import_status TO crm_import_user;

CREATE VIEW crm_import_progress AS
	SELECT a.pid, a.usename AS role,
		CASE WHEN p.pid IS NOT NULL THEN 'upload' ELSE 'run' END AS step,
		(@extschema@.crm_import_run_activity_part(a.query, 'import'))::bigint AS import_id,
		CASE WHEN p.pid IS NOT NULL THEN 'staging the file'
			ELSE @extschema@.crm_import_run_activity_part(a.query, 'phase') END AS phase,
		p.bytes_processed, p.bytes_total, p.tuples_processed AS records_staged,
		pg_catalog.now() OPERATOR(pg_catalog.-) a.query_start AS running_for
	FROM pg_catalog.pg_stat_activity a
	LEFT JOIN pg_catalog.pg_stat_progress_copy p ON p.pid OPERATOR(pg_catalog.=) a.pid
		AND a.query ~* 'crm_import_upload'
	-- An idle backend keeps the text of its last run: only active ones are running.
	WHERE (a.state OPERATOR(pg_catalog.=) 'active' AND @extschema@.crm_import_run_activity_part(a.query, 'import') IS NOT NULL)
		OR p.pid IS NOT NULL;
COMMENT ON VIEW crm_import_progress IS
	'Uploads and runs in progress in any session: uploads from pg_stat_progress_copy (bytes and records staged), runs by phase from pg_stat_activity. Other roles'' sessions show only what pg_stat_activity lets the viewer see (pg_read_all_stats)';
COMMENT ON COLUMN crm_import_progress.pid IS 'Backend running the step';
COMMENT ON COLUMN crm_import_progress.role IS 'Role of that backend';
COMMENT ON COLUMN crm_import_progress.step IS 'upload or run';
COMMENT ON COLUMN crm_import_progress.import_id IS 'Import being run (uploads get their id when they finish)';
COMMENT ON COLUMN crm_import_progress.phase IS 'Phase of the run, e.g. "normalize done, dedupe and match"';
COMMENT ON COLUMN crm_import_progress.bytes_processed IS 'Upload: bytes read so far';
COMMENT ON COLUMN crm_import_progress.bytes_total IS 'Upload: file size when known';
COMMENT ON COLUMN crm_import_progress.records_staged IS 'Upload: records staged so far';
COMMENT ON COLUMN crm_import_progress.running_for IS 'Time since the statement started';
GRANT SELECT ON crm_import_progress TO crm_import_user;

-- Every crm_import function is for crm_import_user (and admins), not PUBLIC; the pure
-- normalizers stay callable by everyone.
