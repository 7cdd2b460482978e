---------------------------------------------------------------------------------------------
-- Step 7 as a background job: start, wait, cancel (docs/steps/07-background.md)
---------------------------------------------------------------------------------------------
-- Internal: NOTIFY crm_import with {"import": N, "state": "..."} (delivered at commit).
-- Without a payload: any role may LISTEN on any channel, so an import id and state in it told
-- every role of every import (crm_import_status tells each role its own).
CREATE FUNCTION crm_import_notify(import bigint, state text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_notify('crm_import', '') $$;
COMMENT ON FUNCTION crm_import_notify(bigint, text) IS 'Internal: NOTIFY crm_import (no payload) that some import changed state; crm_import_status tells the listener its own';

-- Internal: starts a background worker for a queued import (C); NULL when none could start.
CREATE FUNCTION crm_import_launch_job(import bigint) RETURNS integer
	AS 'MODULE_PATHNAME', 'crm_import_launch_job' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_launch_job(bigint) IS
	'Internal: registers the background worker that will run a queued import; returns its pid, NULL (and a NOTICE) when no worker slot is free';

-- Internal: in a job worker only (C), runs crm_import_run as the role that started it.
CREATE FUNCTION crm_import_run_as(import bigint, owner oid) RETURNS void
	AS 'MODULE_PATHNAME', 'crm_import_run_as' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_run_as(bigint, oid) IS
	'Internal: in a crm_import job worker, runs crm_import_run with the role that started the import (crm_import_start''s caller) as the current user';

-- Internal: the reason a queued import whose worker is gone shows.
CREATE FUNCTION crm_import_job_gone_reason(job_pid integer, claimed boolean) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT format('the background worker (process %s) ended %s (killed, terminated, or the server restarted); no contact was changed',
	job_pid, CASE WHEN claimed THEN 'before the import finished' ELSE 'before the import started' END) $$;
COMMENT ON FUNCTION crm_import_job_gone_reason(integer, boolean) IS 'Internal: failure reason of a background import whose worker is gone';

-- Internal: records as failed the queued imports whose worker is gone, and starts workers
-- for queued imports that have none (no slot was free when they were started). Called by
-- crm_import_start (crm_import_wait starts workers too), so an import is never lost.
CREATE FUNCTION crm_import_settle_jobs() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j record;
BEGIN
	FOR j IN SELECT x.id, x.job_pid, x.job_claimed_at FROM @extschema@.crm_imports x
		WHERE x.state = 'queued' ORDER BY x.queued_at FOR UPDATE SKIP LOCKED LOOP
		IF @extschema@.crm_import_job_gone(j.job_pid) AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_attempts a
				WHERE a.import_id = j.id AND a.running) THEN
			UPDATE @extschema@.crm_imports x SET state = 'failed', finished_at = clock_timestamp(), failure_sqlstate = '57P01',
				failure_reason = @extschema@.crm_import_job_gone_reason(j.job_pid, j.job_claimed_at IS NOT NULL)
				WHERE x.id = j.id;
			PERFORM @extschema@.crm_import_notify(j.id, 'failed');
		ELSIF j.job_pid IS NULL THEN
			UPDATE @extschema@.crm_imports x SET job_pid = @extschema@.crm_import_launch_job(j.id) WHERE x.id = j.id;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION crm_import_settle_jobs() IS
	'Internal: fails queued imports whose worker is gone and starts workers for queued imports without one';

-- Internal: one step of a job worker's wait, in a transaction of its own. 'gone' when the
-- import is no longer queued for this worker (rolled back, cancelled), 'wait' while older
-- queued imports wait or every slot (crm_import.max_workers, advisory locks held for the
-- worker's life) is taken, 'go' once a slot is this worker's: the import is claimed.
CREATE FUNCTION crm_import_job_step(import bigint) RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job record;
	slots integer := coalesce(nullif(current_setting('crm_import.max_workers', true), ''), '2')::integer;
	staging text;
BEGIN
	-- Blocks until the transaction that started the import ends.
	SELECT x.state, x.queued_at, x.job_pid, coalesce(x.queued_by, x.owner_id) AS starter INTO job
		FROM @extschema@.crm_imports x WHERE x.id = import FOR UPDATE;
	IF NOT FOUND OR job.state <> 'queued' THEN
		RETURN 'gone';
	ELSIF job.job_pid IS NULL THEN
		-- Queued when no worker could start: this one (started by crm_import_wait or a later
		-- crm_import_start) adopts it.
		UPDATE @extschema@.crm_imports x SET job_pid = pg_backend_pid() WHERE x.id = import;
	ELSIF job.job_pid <> pg_backend_pid() THEN
		RETURN 'gone';
	END IF;
	-- The run acts as the role that started it (crm_import_start's caller).
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = job.starter) THEN
		UPDATE @extschema@.crm_imports x SET state = 'failed', finished_at = clock_timestamp(), failure_sqlstate = '42704',
			failure_reason = 'the role that started the import no longer exists; no contact was changed' WHERE x.id = import;
		PERFORM @extschema@.crm_import_notify(import, 'failed');
		RETURN 'gone';
	END IF;
	-- Start order: an older queued import whose worker waits goes first.
	IF EXISTS (SELECT 1 FROM @extschema@.crm_imports o WHERE o.state = 'queued' AND o.job_claimed_at IS NULL
			AND (o.queued_at, o.id) < (job.queued_at, import) AND NOT @extschema@.crm_import_job_gone(o.job_pid)
			AND o.job_pid IS NOT NULL) THEN
		RETURN 'wait';
	END IF;
	FOR slot IN 1..slots LOOP
		IF pg_try_advisory_lock(hashtext('crm_import job slot'), slot) THEN
			-- The staged rows must survive a crash, so that a failed background import can
			-- start again without a new upload: the unlogged staging table becomes logged,
			-- committed before the run (written once more with WAL here rather than at
			-- upload, where it would slow every upload, or at start, which returns at once).
			SELECT x.staging_table INTO staging FROM @extschema@.crm_imports x WHERE x.id = import;
			IF (SELECT c.relpersistence FROM pg_class c WHERE c.oid = staging::regclass) = 'u' THEN
				EXECUTE format('ALTER TABLE %s SET LOGGED', staging);
			END IF;
			UPDATE @extschema@.crm_imports x SET job_claimed_at = clock_timestamp() WHERE x.id = import;
			PERFORM @extschema@.crm_import_notify(import, 'running');
			RETURN 'go';
		END IF;
	END LOOP;
	RETURN 'wait';
END
$$;
COMMENT ON FUNCTION crm_import_job_step(bigint) IS
	'Internal: a job worker''s wait for its import and a slot: gone, wait or go';

CREATE FUNCTION crm_import_start(import bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports;
	problems text;
BEGIN
	PERFORM @extschema@.crm_import_settle_jobs();
	job := @extschema@.crm_import_job(import, true);
	IF job.state = 'queued' THEN
		RAISE EXCEPTION 'import % is already started', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = format('SELECT * FROM crm_import_wait(%s) waits for it; crm_import_cancel(%s) stops it.', job.id, job.id);
	END IF;
	-- The same readiness as crm_import_run, with the same errors.
	SELECT string_agg(format('%s (fix: %s)', p.problem, p.fix), E';\n') INTO problems
		FROM @extschema@.crm_import_problems(job) p;
	IF problems IS NOT NULL THEN
		RAISE EXCEPTION 'import % is not ready to run', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = problems, HINT = format('SELECT * FROM crm_import_check(%s) lists what is missing.', job.id);
	END IF;
	-- Earlier attempts (a run that died) are settled: the new job starts with none.
	DELETE FROM @extschema@.crm_import_runs r WHERE r.import_id = job.id;
	UPDATE @extschema@.crm_imports j SET state = 'queued', queued_at = clock_timestamp(),
		queued_by = @extschema@.crm_import_caller_id(), job_pid = NULL, job_claimed_at = NULL,
		failure_reason = NULL, failure_sqlstate = NULL, started_at = NULL, finished_at = NULL
		WHERE j.id = job.id;
	UPDATE @extschema@.crm_imports j SET job_pid = @extschema@.crm_import_launch_job(job.id) WHERE j.id = job.id;
	PERFORM @extschema@.crm_import_notify(job.id, 'queued');
	RETURN 'queued';
END
$$;
COMMENT ON FUNCTION crm_import_start(bigint) IS
	'Wizard step 7 as a background job: checks readiness as crm_import_run does, queues the import and returns at once; a background worker runs it as the role that started it, as crm_import_run would (crm_import.max_workers at once, in start order). crm_import_status shows its progress; crm_import_wait waits for it; NOTIFY crm_import (no payload) reports each state change';

CREATE FUNCTION crm_import_wait(import bigint, timeout interval DEFAULT NULL)
RETURNS TABLE (id bigint, state text, tab text, phase text, rows_done bigint, rows_total bigint, percent numeric,
	inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint, failure_reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	deadline timestamptz := clock_timestamp() + timeout;
	s record;
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'crm_import_wait needs READ COMMITTED isolation, not %', current_setting('transaction_isolation')
			USING ERRCODE = 'invalid_transaction_state',
			HINT = 'Its snapshot would never see the import finish: call it outside an explicit transaction.';
	END IF;
	IF (SELECT x.xmin::text FROM @extschema@.crm_imports x WHERE x.id = job.id) = pg_current_xact_id_if_assigned()::text THEN
		RAISE EXCEPTION 'import % was started or changed in this transaction', job.id
			USING ERRCODE = 'invalid_transaction_state',
			HINT = 'Its worker waits for this transaction to commit: COMMIT, then call crm_import_wait.';
	END IF;
	-- Imports queued when no worker slot was free get a worker now. Nothing here locks a row:
	-- this function's transaction lasts as long as the wait, and workers lock their import.
	PERFORM @extschema@.crm_import_launch_job(x.id) FROM @extschema@.crm_imports x
		WHERE x.state = 'queued' AND x.job_pid IS NULL ORDER BY x.queued_at;
	LOOP
		SELECT * INTO s FROM @extschema@.crm_import_status v WHERE v.id = job.id;
		EXIT WHEN s.state NOT IN ('queued', 'running') OR clock_timestamp() >= deadline;
		PERFORM pg_sleep(0.1);
	END LOOP;
	RETURN QUERY SELECT s.id, s.state, s.tab, s.phase, s.rows_done, s.rows_total, s.percent, s.inserted, s.updated,
		s.unchanged, s.merged_in_file, s.rejected, s.failure_reason;
END
$$;
COMMENT ON FUNCTION crm_import_wait(bigint, interval) IS
	'Blocks until the import is completed or failed (or timeout passes; NULL: no limit) and returns its status row';

CREATE FUNCTION crm_import_cancel(import bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	locked @extschema@.crm_imports;
	reason text := format('cancelled by %s at %s; no contact was changed', @extschema@.crm_import_caller(),
		to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS TZ'));
	target integer;
	deadline timestamptz := clock_timestamp() + interval '30 seconds';
BEGIN
	-- A queued import not yet claimed by its worker: cancelled here (a run holds the row
	-- locked for its whole transaction, hence SKIP LOCKED).
	SELECT * INTO locked FROM @extschema@.crm_imports j WHERE j.id = job.id FOR UPDATE SKIP LOCKED;
	IF locked.id IS NOT NULL AND locked.state = 'queued' AND locked.job_claimed_at IS NULL THEN
		UPDATE @extschema@.crm_imports j SET state = 'failed', failure_reason = reason, failure_sqlstate = '57014',
			finished_at = clock_timestamp() WHERE j.id = job.id;
		PERFORM @extschema@.crm_import_notify(job.id, 'failed');
		RETURN 'cancelled';
	END IF;
	-- A run in progress, background or not: cancel its statement, wait for it to end, then
	-- say who cancelled it.
	SELECT CASE WHEN j.state = 'queued' AND j.job_claimed_at IS NOT NULL THEN j.job_pid END INTO target
		FROM @extschema@.crm_imports j WHERE j.id = job.id;
	IF target IS NULL THEN
		SELECT a.backend_pid INTO target FROM @extschema@.crm_import_attempts a WHERE a.import_id = job.id AND a.running;
	END IF;
	IF target IS NULL THEN
		RAISE EXCEPTION 'import % is not queued or running', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = format('Its state is %s.', (SELECT v.state FROM @extschema@.crm_import_status v WHERE v.id = job.id)),
			HINT = 'Only a queued or running import can be cancelled.';
	END IF;
	PERFORM pg_cancel_backend(target);
	LOOP
		SELECT * INTO locked FROM @extschema@.crm_imports j WHERE j.id = job.id FOR UPDATE SKIP LOCKED;
		EXIT WHEN locked.id IS NOT NULL AND (locked.state <> 'queued' OR @extschema@.crm_import_job_gone(locked.job_pid));
		IF clock_timestamp() > deadline THEN
			RAISE NOTICE 'import % was cancelled; its session has not ended the run yet', job.id;
			RETURN 'cancelling';
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	UPDATE @extschema@.crm_imports j SET state = 'failed', failure_reason = reason, failure_sqlstate = '57014',
		finished_at = clock_timestamp() WHERE j.id = job.id AND j.state IN ('failed', 'queued');
	PERFORM @extschema@.crm_import_notify(job.id, 'failed');
	RETURN 'cancelled';
END
$$;
COMMENT ON FUNCTION crm_import_cancel(bigint) IS
	'Stops a queued or running import (background or not): nothing is changed, the import is failed with "cancelled by <role> at <time>"';
