---------------------------------------------------------------------------------------------
-- Step 7: run, results, status (the Draft / Completed / Failed tabs)
---------------------------------------------------------------------------------------------
-- Internal: records a run attempt in crm_import_runs (C: committed by a background worker).
CREATE FUNCTION crm_import_record_run(import bigint, started_by oid, progress_handle bigint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_record_run' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_record_run(bigint, oid, bigint) IS
	'Internal: commits, in a background worker''s own transaction, that this transaction runs the import (false when no worker could start)';

-- Internal: run progress in shared memory (C, src/functions/progress.cpp).
CREATE FUNCTION crm_import_progress_begin(import bigint, total bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'crm_import_progress_begin' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_progress_begin(bigint, bigint) IS
	'Internal: starts publishing this backend''s run progress for the import; returns the shared memory handle';
CREATE FUNCTION crm_import_progress_phase(phase text) RETURNS void
	AS 'MODULE_PATHNAME', 'crm_import_progress_phase' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm_import_progress_phase(text) IS 'Internal: publishes the phase the run enters (its rows count from 0)';
CREATE FUNCTION crm_import_progress_read(handle bigint, import bigint,
	OUT phase text, OUT rows_done bigint, OUT rows_total bigint, OUT updated_at timestamptz)
	AS 'MODULE_PATHNAME', 'crm_import_progress_read' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm_import_progress_read(bigint, bigint) IS
	'Internal: the phase and rows a run publishes (NULLs once it ended)';

-- Internal: a percentage from a phase and its rows: each phase has its share of the run.
CREATE FUNCTION crm_import_progress_percent(phase text, rows_done bigint, rows_total bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT round(s.base + s.share * least(1.0, coalesce(rows_done, 0)::numeric / greatest(rows_total, 1)), 1)
	FROM (SELECT CASE phase WHEN 'normalize' THEN 0 WHEN 'dedupe and match' THEN 20 WHEN 'merge' THEN 40
			WHEN 'write contacts' THEN 50 WHEN 'row results' THEN 90 WHEN 'finishing' THEN 99 ELSE 0 END AS base,
		CASE phase WHEN 'normalize' THEN 20 WHEN 'dedupe and match' THEN 20 WHEN 'merge' THEN 10
			WHEN 'write contacts' THEN 40 WHEN 'row results' THEN 9 ELSE 0 END AS share) s
$$;
COMMENT ON FUNCTION crm_import_progress_percent(text, bigint, bigint) IS 'Internal: percent done of a run from its phase and rows';

-- Internal: whether a process exists (C: kill(pid, 0)).
CREATE FUNCTION crm_import_process_exists(pid integer) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_process_exists' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_process_exists(integer) IS 'Internal: true when a process with this pid exists';

-- Internal: true when the background worker of a queued import is gone (killed, terminated,
-- server restarted): its import will never run and is shown failed. A worker that has just
-- started is not in pg_stat_activity yet: its process exists and no other backend has its pid.
CREATE FUNCTION crm_import_job_gone(job_pid integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT job_pid IS NOT NULL AND (NOT @extschema@.crm_import_process_exists(job_pid)
	OR EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = job_pid AND a.backend_type IS DISTINCT FROM 'crm_import job')) $$;
COMMENT ON FUNCTION crm_import_job_gone(integer) IS 'Internal: the background worker with this pid no longer runs';

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
-- not record: running while its transaction is in progress, dead once it ended without
-- committing (a committed run records its transaction in crm_imports.run_xid). A run that
-- committed after this query's snapshot was taken is still running as far as the snapshot
-- knows: pg_xact_status reads the transaction's state now, not as of the snapshot, and a
-- run finishing between the two showed as failed ("did not finish") for a moment.
CREATE VIEW crm_import_attempts AS
	SELECT r.import_id, r.run_xid, r.started_at, r.backend_pid,
		coalesce(pg_catalog.pg_xact_status(r.run_xid) IN ('in progress', 'committed'), false) AS running,
		@extschema@.crm_import_dead_run_reason(r.started_at, r.backend_pid) AS reason, r.progress_handle
	FROM @extschema@.crm_imports j
	JOIN LATERAL (SELECT x.run_xid, x.started_at, x.backend_pid, x.import_id, x.progress_handle FROM @extschema@.crm_import_runs x
		WHERE x.import_id = j.id ORDER BY x.started_at DESC LIMIT 1) r ON true
	WHERE r.run_xid IS DISTINCT FROM j.run_xid;
COMMENT ON VIEW crm_import_attempts IS 'Internal: imports whose last recorded run is in progress (running) or died without recording an outcome (the reason)';
COMMENT ON COLUMN crm_import_attempts.import_id IS 'The import';
COMMENT ON COLUMN crm_import_attempts.run_xid IS 'Transaction of the run';
COMMENT ON COLUMN crm_import_attempts.started_at IS 'When the run started';
COMMENT ON COLUMN crm_import_attempts.backend_pid IS 'Backend that ran it';
COMMENT ON COLUMN crm_import_attempts.running IS 'True while its transaction is in progress, or committed after the reading query''s snapshot';
COMMENT ON COLUMN crm_import_attempts.reason IS 'Failure reason once it is not running';
COMMENT ON COLUMN crm_import_attempts.progress_handle IS 'Where the run publishes its progress';

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
	progress_handle bigint;
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
		UPDATE @extschema@.crm_imports j SET state = 'running', started_at = clock_timestamp(), finished_at = NULL,
			backend_pid = pg_backend_pid(), failure_reason = NULL, failure_sqlstate = NULL,
			run_xid = pg_catalog.pg_current_xact_id()
			WHERE j.id = job.id;
	END IF;
	BEGIN
		-- A subtransaction: on any error every contact change is undone, and the job row,
		-- written outside it, still records the failure (a cancel while the run record is
		-- being written included).
		IF NOT dry_run THEN
			-- Committed outside this transaction before any work: if this session dies, the
			-- import shows failed with the reason (crm_import_status), not its earlier state.
			progress_handle := @extschema@.crm_import_progress_begin(job.id,
				@extschema@.crm_import_data_rows(job));
			recorded := @extschema@.crm_import_record_run(job.id, @extschema@.crm_import_caller_id(), progress_handle);
			-- A statement of its own: its snapshot must be taken after the worker committed.
			IF recorded AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_runs r
						WHERE r.import_id = job.id AND r.run_xid = pg_catalog.pg_current_xact_id()) THEN
				RAISE NOTICE 'import % runs without a crash record: the background worker could not record it', job.id
					USING HINT = 'The server log of the "crm_import run recorder" worker says why.';
			END IF;
		END IF;
		SELECT * INTO inserted, updated, unchanged, merged_in_file, rejected
			FROM @extschema@.crm_import_execute(job, dry_run);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err_message = MESSAGE_TEXT, err_state = RETURNED_SQLSTATE,
			err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		IF dry_run THEN
			RAISE;  -- nothing to record: the error as it was
		END IF;
		-- Row results of an earlier dry run would read as this run's: they go. (The run
		-- dropped them itself, but in the subtransaction just rolled back.)
		IF pg_catalog.to_regclass(pg_catalog.format('crm_import_staging.%I', 'results_' || job.id)) IS NOT NULL THEN
			EXECUTE pg_catalog.format('DROP TABLE crm_import_staging.%I', 'results_' || job.id);
		END IF;
		UPDATE @extschema@.crm_imports j SET state = 'failed', finished_at = clock_timestamp(),
			failure_reason = err_message || coalesce(' (' || nullif(err_detail, '') || ')', ''),
			failure_sqlstate = err_state, inserted = NULL, updated = NULL, unchanged = NULL, merged_in_file = NULL, rejected = NULL,
			results_dry_run = NULL
			WHERE j.id = job.id;
		RAISE WARNING 'import % failed: %', job.id, err_message
			USING DETAIL = pg_catalog.concat_ws(' ', nullif(err_detail, ''),
				pg_catalog.format('SQLSTATE %s. No contact was changed.', err_state)),
			HINT = coalesce(nullif(err_hint, ''), pg_catalog.format('crm_import_status shows the import as failed; fix the cause and run crm_import_run(%s) again.', job.id));
		PERFORM @extschema@.crm_import_notify(job.id, 'failed');
		RETURN;
	END;
	IF dry_run THEN
		UPDATE @extschema@.crm_imports j SET results_dry_run = true WHERE j.id = job.id;
	ELSE
		UPDATE @extschema@.crm_imports j SET state = 'completed', finished_at = clock_timestamp(), results_dry_run = false, undo_saved = true,
			inserted = crm_import_run.inserted, updated = crm_import_run.updated, unchanged = crm_import_run.unchanged,
			merged_in_file = crm_import_run.merged_in_file, rejected = crm_import_run.rejected
			WHERE j.id = job.id;
		PERFORM @extschema@.crm_import_notify(job.id, 'completed');
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
	ELSIF job.state = 'failed' THEN
		RAISE NOTICE 'import % has no row results: its run failed (%) and changed nothing', job.id, job.failure_reason
			USING HINT = pg_catalog.format('SELECT * FROM crm_import_run(%s, dry_run => true) gives row results without importing.', job.id);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_results(bigint) IS
	'Row-level outcome of the last run (or dry run) of an import: one row per data row with outcome (inserted, updated, unchanged, merged_in_file, rejected), contact, key that matched, and reason';

CREATE FUNCTION crm_import_discard(import bigint, remove_source boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	lo oid;
	lo_owner oid;
BEGIN
	IF remove_source IS NULL THEN
		RAISE EXCEPTION 'remove_source must be true or false' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'remove_source => true also removes the large object the file was uploaded from.';
	END IF;
	-- Contact files are personal data: the large object a file was uploaded from can go with
	-- the staged rows. Checked before anything is dropped, with lo_unlink's rule for the
	-- caller (not for the extension owner this runs as): the object's owner, a member of
	-- its owning role, or a superuser.
	IF remove_source THEN
		IF job.source = 'server_file' THEN
			RAISE EXCEPTION 'import % was uploaded from the server file %, which crm_import does not remove', job.id, job.source_ref
				USING ERRCODE = 'feature_not_supported',
				HINT = pg_catalog.format('Remove the file on the database server, and call crm_import_discard(%s) without remove_source.', job.id);
		END IF;
		IF job.source = 'large_object' THEN
			lo := coalesce(job.source_lo, job.source_ref::oid);
			SELECT m.lomowner INTO lo_owner FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = lo;
			IF NOT FOUND THEN
				RAISE NOTICE 'large object % (the source of import %) was already removed', lo, job.id;
				lo := NULL;
			ELSIF (SELECT pg_catalog.lo_lseek64(pg_catalog.lo_open(lo, 262144), 0, 2)) <> job.byte_size
					OR (lo_owner IS DISTINCT FROM coalesce(job.source_lo_owner, lo_owner)
						AND pg_catalog.encode(pg_catalog.sha256(pg_catalog.lo_get(lo)), 'hex') IS DISTINCT FROM job.sha256) THEN
				-- The object was removed and its oid reused (another size, or another owner and
				-- other bytes): someone else's now.
				RAISE NOTICE 'large object % is no longer the source of import % (its owner or size changed): not removed', lo, job.id;
				lo := NULL;
			ELSIF NOT (current_setting('lo_compat_privileges')::boolean
					OR pg_catalog.pg_has_role(@extschema@.crm_import_caller_id(), lo_owner, 'USAGE')) THEN
				RAISE EXCEPTION 'permission denied to remove large object %', lo USING ERRCODE = 'insufficient_privilege',
					DETAIL = pg_catalog.format('Its owner is %s; lo_unlink lets only the owner (and members of its role, and superusers) remove it.',
						coalesce((SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.oid = lo_owner), lo_owner::text)),
					HINT = pg_catalog.format('Ask its owner to remove it (SELECT lo_unlink(%s)), or call crm_import_discard(%s) without remove_source.', lo, job.id);
			END IF;
		END IF;
	END IF;
	-- Right after the check, before anything that can wait (the DROP TABLE): the object
	-- checked is the one removed.
	IF lo IS NOT NULL THEN
		PERFORM pg_catalog.lo_unlink(lo);
	END IF;
	-- Dropping the per-import table is cheap and leaves no bloat behind.
	IF job.staging_table IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP TABLE IF EXISTS %s', job.staging_table);
		UPDATE @extschema@.crm_imports j SET staging_table = NULL WHERE j.id = job.id;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_discard(bigint, boolean) IS
	'Drops the staged file rows of an import (a DROP TABLE, not a DELETE); the import, its settings and results stay. remove_source => true also removes the large object a crm_import_upload_lo file came from (contact files are personal data), when the caller may lo_unlink it';

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

