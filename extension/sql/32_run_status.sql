---------------------------------------------------------------------------------------------
-- Step 7: run, results, status (the Draft / Completed / Failed tabs)
---------------------------------------------------------------------------------------------
-- Internal: records a run attempt in crm_import_runs (C: committed by a background worker).
CREATE FUNCTION crm_import_record_run(import bigint, started_by oid) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_record_run' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_record_run(bigint, oid) IS
	'Internal: commits, in a background worker''s own transaction, that this transaction runs the import (false when no worker could start)';

-- Internal: how a run attempt that did not commit ended, for its import's failure reason.
CREATE FUNCTION crm_import_dead_run_reason(started_at timestamptz, backend_pid integer)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('the run started at %s did not finish: %s; no contact was changed',
		pg_catalog.to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
		CASE WHEN pg_catalog.pg_postmaster_start_time() > started_at
			THEN 'the server restarted (crash or shutdown) while it ran'
			ELSE pg_catalog.format('its session (process %s) ended first (terminated, crashed, or the server restarted) '
				'or rolled its transaction back', backend_pid) END)
$$;
COMMENT ON FUNCTION crm_import_dead_run_reason(timestamptz, integer) IS
	'Internal: the failure reason of a run whose transaction never committed';

-- Internal: the last recorded run attempt of each import whose outcome its import row does
-- not record: running while its transaction is in progress, dead once it is not (it never
-- committed: a committed run records its transaction in crm_imports.run_xid).
CREATE VIEW crm_import_attempts AS
	SELECT r.import_id, r.run_xid, r.started_at, r.backend_pid,
		pg_catalog.pg_xact_status(r.run_xid) IS NOT DISTINCT FROM 'in progress' AS running,
		@extschema@.crm_import_dead_run_reason(r.started_at, r.backend_pid) AS reason
	FROM @extschema@.crm_imports j
	JOIN LATERAL (SELECT x.run_xid, x.started_at, x.backend_pid, x.import_id FROM @extschema@.crm_import_runs x
		WHERE x.import_id = j.id ORDER BY x.started_at DESC LIMIT 1) r ON true
	WHERE r.run_xid IS DISTINCT FROM j.run_xid;
COMMENT ON VIEW crm_import_attempts IS 'Internal: imports whose last recorded run is in progress (running) or died without recording an outcome (the reason)';
COMMENT ON COLUMN crm_import_attempts.import_id IS 'The import';
COMMENT ON COLUMN crm_import_attempts.run_xid IS 'Transaction of the run';
COMMENT ON COLUMN crm_import_attempts.started_at IS 'When the run started';
COMMENT ON COLUMN crm_import_attempts.backend_pid IS 'Backend that ran it';
COMMENT ON COLUMN crm_import_attempts.running IS 'True while its transaction is in progress';
COMMENT ON COLUMN crm_import_attempts.reason IS 'Failure reason once it is not running';

CREATE FUNCTION crm_import_run(import bigint, dry_run boolean DEFAULT false)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- Tables the run creates go where the extension's tables go, not into a tablespace the
-- caller chose (which the caller may lack CREATE on).
SET default_tablespace = '' SET temp_tablespaces = ''
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	problems text;
	recorded boolean;
	err_message text;
	err_state text;
	err_detail text;
	err_hint text;
BEGIN
	IF dry_run IS NULL THEN
		RAISE EXCEPTION 'dry_run must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT string_agg(pg_catalog.format('%s (fix: %s)', p.problem, p.fix), E';\n') INTO problems
		FROM @extschema@.crm_import_problems(job) p;
	IF problems IS NOT NULL THEN
		RAISE EXCEPTION 'import % is not ready to run', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = problems, HINT = pg_catalog.format('SELECT * FROM crm_import_check(%s) lists what is missing.', job.id);
	END IF;
	IF NOT dry_run AND current_setting('transaction_isolation') <> 'read committed' THEN
		-- The merge locks crm_contacts and then must see what imports that committed while it
		-- waited created; an older snapshot would create duplicates.
		RAISE EXCEPTION 'crm_import_run needs READ COMMITTED isolation, not %', current_setting('transaction_isolation')
			USING ERRCODE = 'invalid_transaction_state',
			HINT = 'Run it outside an explicit transaction, or in one begun with ISOLATION LEVEL READ COMMITTED.';
	END IF;
	IF NOT dry_run THEN
		-- A run that died earlier is recorded as failed first; old attempts are forgotten.
		UPDATE @extschema@.crm_imports j SET state = 'failed', failure_reason = d.reason, failure_sqlstate = '57P01',
			started_at = d.started_at, finished_at = NULL, run_xid = d.run_xid
			FROM @extschema@.crm_import_attempts d WHERE d.import_id = job.id AND NOT d.running AND j.id = job.id;
		DELETE FROM @extschema@.crm_import_runs r WHERE r.import_id = job.id
			OR (pg_catalog.pg_xact_status(r.run_xid) IS DISTINCT FROM 'in progress'
				AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_imports j WHERE j.id = r.import_id));
		-- Committed outside this transaction before any work: if this session dies, the
		-- import shows failed with the reason (crm_import_status), not its earlier state.
		recorded := @extschema@.crm_import_record_run(job.id, @extschema@.crm_import_caller_id());
		-- A statement of its own: its snapshot must be taken after the worker committed.
		IF recorded AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_runs r
					WHERE r.import_id = job.id AND r.run_xid = pg_catalog.pg_current_xact_id()) THEN
			RAISE NOTICE 'import % runs without a crash record: the background worker could not record it', job.id
				USING HINT = 'The server log of the "crm_import run recorder" worker says why.';
		END IF;
		UPDATE @extschema@.crm_imports j SET state = 'running', started_at = clock_timestamp(), finished_at = NULL,
			backend_pid = pg_backend_pid(), failure_reason = NULL, failure_sqlstate = NULL,
			run_xid = pg_catalog.pg_current_xact_id()
			WHERE j.id = job.id;
	END IF;
	BEGIN
		-- A subtransaction: on any error every contact change is undone, and the job row,
		-- written outside it, still records the failure.
		SELECT * INTO inserted, updated, unchanged, merged_in_file, rejected
			FROM @extschema@.crm_import_execute(job, dry_run);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err_message = MESSAGE_TEXT, err_state = RETURNED_SQLSTATE,
			err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		IF dry_run THEN
			RAISE;  -- nothing to record: the error as it was
		END IF;
		UPDATE @extschema@.crm_imports j SET state = 'failed', finished_at = clock_timestamp(),
			failure_reason = err_message || coalesce(' (' || nullif(err_detail, '') || ')', ''),
			failure_sqlstate = err_state, inserted = NULL, updated = NULL, unchanged = NULL, merged_in_file = NULL, rejected = NULL
			WHERE j.id = job.id;
		RAISE WARNING 'import % failed: %', job.id, err_message
			USING DETAIL = pg_catalog.concat_ws(' ', nullif(err_detail, ''),
				pg_catalog.format('SQLSTATE %s. No contact was changed.', err_state)),
			HINT = coalesce(nullif(err_hint, ''), pg_catalog.format('crm_import_status shows the import as failed; fix the cause and run crm_import_run(%s) again.', job.id));
		RETURN;
	END;
	IF dry_run THEN
		UPDATE @extschema@.crm_imports j SET results_dry_run = true WHERE j.id = job.id;
	ELSE
		UPDATE @extschema@.crm_imports j SET state = 'completed', finished_at = clock_timestamp(), results_dry_run = false, undo_saved = true,
			inserted = crm_import_run.inserted, updated = crm_import_run.updated, unchanged = crm_import_run.unchanged,
			merged_in_file = crm_import_run.merged_in_file, rejected = crm_import_run.rejected
			WHERE j.id = job.id;
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_run(bigint, boolean) IS
	'Wizard step 7: runs the import set-based (normalize, dedupe in file, match on primary then secondary key, merge, list membership) and returns the outcome counts. Refuses while crm_import_check reports problems. On failure nothing changes, the import is marked failed with the reason, a WARNING is raised and no row is returned. dry_run computes the same counts and row results without touching contacts or lists';

CREATE FUNCTION crm_import_results(import bigint)
RETURNS TABLE (row_no integer, line_no bigint, outcome text, contact_id bigint, matched_by text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('crm_import_staging.%I', 'results_' || job.id)) IS NOT NULL THEN
		RETURN QUERY EXECUTE pg_catalog.format('SELECT r.row_no, r.line_no, r.outcome, r.contact_id, r.matched_by, r.reason '
			'FROM crm_import_staging.%I r ORDER BY r.row_no', 'results_' || job.id);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_results(bigint) IS
	'Row-level outcome of the last run (or dry run) of an import: one row per data row with outcome (inserted, updated, unchanged, merged_in_file, rejected), contact, key that matched, and reason';

CREATE FUNCTION crm_import_discard(import bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	-- Dropping the per-import table is cheap and leaves no bloat behind.
	IF job.staging_table IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP TABLE IF EXISTS %s', job.staging_table);
		UPDATE @extschema@.crm_imports j SET staging_table = NULL WHERE j.id = job.id;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_discard(bigint) IS
	'Drops the staged file rows of an import (a DROP TABLE, not a DELETE); the import, its settings and results stay';

-- The runs in progress that the caller may see: recorded attempts whose transaction is still
-- in progress (crm_import_attempts). A run marks its import 'running' inside its own
-- transaction, which no other session sees until it ends; the attempt record, committed by
-- a background worker when the run starts, is what they see.
CREATE FUNCTION crm_import_running()
RETURNS TABLE (import_id bigint, since timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT x.import_id, x.started_at
	FROM @extschema@.crm_import_attempts x JOIN @extschema@.crm_imports j ON j.id = x.import_id
	WHERE x.running AND @extschema@.crm_import_owned(j.owner, j.owner_id)
$$;
COMMENT ON FUNCTION crm_import_running() IS
	'Runs in progress in any session among the imports the caller may see: import id and statement start (used by crm_import_status)';

-- security_barrier: the owner filter runs before any condition of the caller's query, so a
-- cheap function of the caller's in WHERE never sees another role's rows. A run whose
-- transaction died (crm_import_attempts) shows as failed with the reason.
CREATE VIEW crm_import_status WITH (security_barrier) AS
	SELECT j.id, l.name AS list, j.file_name,
		coalesce((SELECT a.rolname FROM pg_catalog.pg_authid a WHERE a.oid = j.owner_id AND a.rolname = j.owner),
			j.owner OPERATOR(pg_catalog.||) ' (dropped)')::name AS owner,
		CASE WHEN d.running THEN 'running' WHEN d.import_id IS NOT NULL THEN 'failed' ELSE j.state END AS state,
		CASE WHEN d.import_id IS NOT NULL AND NOT d.running THEN 'Failed'
			ELSE CASE j.state WHEN 'completed' THEN 'Completed' WHEN 'failed' THEN 'Failed' WHEN 'undone' THEN 'Undone'
				ELSE 'Draft' END END AS tab,
		j.record_count OPERATOR(pg_catalog.-) CASE WHEN j.has_header THEN 1 ELSE 0 END AS rows,
		j.inserted, j.updated, j.unchanged, j.merged_in_file, j.rejected,
		CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN d.reason ELSE j.failure_reason END AS failure_reason,
		j.created_at, coalesce(d.started_at, j.started_at) AS started_at,
		CASE WHEN d.import_id IS NOT NULL THEN NULL ELSE j.finished_at END AS finished_at,
		CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN '57P01' ELSE j.failure_sqlstate END AS failure_sqlstate,
		j.results_dry_run, j.byte_size, j.sha256, j.delimiter, j.had_bom, j.has_header,
		j.compliance_accepted_by, j.compliance_accepted_at,
		-- Until when crm_import_undo accepts it: completed, undo data kept and not purged.
		CASE WHEN j.state OPERATOR(pg_catalog.=) 'completed' AND d.import_id IS NULL AND j.undo_saved AND j.undo_purged_at IS NULL
			THEN j.finished_at OPERATOR(pg_catalog.+) coalesce(pg_catalog.current_setting('crm_import.undo_retention', true),
				'30 days')::interval END AS undo_until,
		j.undone_at, j.undone_by, j.undo_contacts_deleted, j.undo_contacts_restored, j.undo_memberships_removed,
		j.undo_fields_kept, j.undo_contacts_kept
	FROM @extschema@.crm_imports j JOIN @extschema@.crm_lists l ON l.id OPERATOR(pg_catalog.=) j.list_id
	LEFT JOIN @extschema@.crm_import_attempts d ON d.import_id OPERATOR(pg_catalog.=) j.id
	WHERE @extschema@.crm_import_owned(j.owner, j.owner_id);
COMMENT ON VIEW crm_import_status IS
	'Imports the caller may see (its own; all for crm_import_admin) with state, wizard tab (Draft, Completed, Failed, Undone), row counts, failure reason, and undo';
COMMENT ON COLUMN crm_import_status.id IS 'Import id';
COMMENT ON COLUMN crm_import_status.list IS 'Target contact list';
COMMENT ON COLUMN crm_import_status.file_name IS 'File name given at upload';
COMMENT ON COLUMN crm_import_status.owner IS 'Role that uploaded the file ("name (dropped)" once that role is gone: only admins see such imports)';
COMMENT ON COLUMN crm_import_status.state IS 'draft, running (a run in progress in any session), completed, failed or undone';
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
COMMENT ON COLUMN crm_import_status.had_bom IS 'The file began with a UTF-8 byte-order mark (skipped)';
COMMENT ON COLUMN crm_import_status.has_header IS 'The first record holds column headers';
COMMENT ON COLUMN crm_import_status.compliance_accepted_by IS 'Role that confirmed GDPR and TCPA compliance';
COMMENT ON COLUMN crm_import_status.compliance_accepted_at IS 'When compliance was confirmed';
COMMENT ON COLUMN crm_import_status.undo_until IS 'Until when crm_import_undo can undo the import (finished_at + crm_import.undo_retention); NULL when it cannot (not completed, undone, run before undo data was kept, or purged)';
COMMENT ON COLUMN crm_import_status.undone_at IS 'When the import was undone';
COMMENT ON COLUMN crm_import_status.undone_by IS 'Role that undid it';
COMMENT ON COLUMN crm_import_status.undo_contacts_deleted IS 'Undo: contacts the import created that were deleted';
COMMENT ON COLUMN crm_import_status.undo_contacts_restored IS 'Undo: contacts the import updated that got previous values back';
COMMENT ON COLUMN crm_import_status.undo_memberships_removed IS 'Undo: list memberships the import added that were removed';
COMMENT ON COLUMN crm_import_status.undo_fields_kept IS 'Undo: fields kept because they changed since the import (crm_import_undo_conflicts lists them)';
COMMENT ON COLUMN crm_import_status.undo_contacts_kept IS 'Undo: created contacts kept because they changed since the import';
GRANT SELECT ON crm_import_status TO crm_import_user;

CREATE VIEW crm_import_progress AS
	SELECT a.pid, a.usename AS role,
		CASE WHEN p.pid IS NOT NULL THEN 'upload' ELSE 'run' END AS step,
		(substring(a.query FROM '^crm_import run ([0-9]+):'))::bigint AS import_id,
		CASE WHEN p.pid IS NOT NULL THEN 'staging the file'
			ELSE substring(a.query FROM '^crm_import run [0-9]+: (.*)$') END AS phase,
		p.bytes_processed, p.bytes_total, p.tuples_processed AS records_staged,
		pg_catalog.now() OPERATOR(pg_catalog.-) a.query_start AS running_for
	FROM pg_catalog.pg_stat_activity a
	LEFT JOIN pg_catalog.pg_stat_progress_copy p ON p.pid OPERATOR(pg_catalog.=) a.pid
		AND a.query ~* 'crm_import_upload'
	-- An idle backend keeps the text of its last run: only active ones are running.
	WHERE (a.state OPERATOR(pg_catalog.=) 'active' AND a.query ~ '^crm_import run [0-9]+:') OR p.pid IS NOT NULL;
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
