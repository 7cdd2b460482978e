#!/usr/bin/env bash
# Interrupts that are not a cancel must not stop an upload or a run. PostgreSQL sets
# InterruptPending for more than cancels and terminations: client_connection_check_interval's
# timer, a procsignal barrier (DROP DATABASE of any database), pg_log_backend_memory_contexts.
# ProcessInterrupts handles those and returns; COPY goes on. crm_import's C++ loops used to
# take any pending interrupt for a user cancel (57014). Here, on the 300,000-row file:
#   (a) a run with client_connection_check_interval = '100ms' completes;
#   (b) uploads with the same setting complete;
#   (c) DROP DATABASE of other, unrelated databases during a run (from its dedupe and match
#       phase, C++ in crm_import_plan_matches, on): the run completes;
#   (d) pg_log_backend_memory_contexts of the running backend, repeatedly from the dedupe and
#       match phase on: the run completes and the contexts were logged;
#   (e) what must still stop them does: pg_cancel_backend during dedupe and match (57014, the
#       import failed), statement_timeout during an upload (57014, "statement timeout"),
#       pg_terminate_backend during an upload and during dedupe and match (FATAL, the server
#       does not restart, nothing left behind).
. "$(dirname "$0")/lib.sh"
log=$IT_TMP/server.log
match_phase="normalize done, dedupe and match"

# Waits (at most $2 seconds) until the session with application_name $1 is in run phase $3
# (pg_stat_activity shows "crm_import run N: <phase>"); prints its pid.
wait_phase() {
	local app=$1 deadline=$(($(date +%s) + $2)) phase=$3 pid
	while :; do
		pid=$(psql -X -q -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'
			AND state = 'active' AND query ~ '^crm_import run [0-9]+: ' AND query LIKE '%: $phase' LIMIT 1" 2>/dev/null)
		if [ -n "$pid" ]; then echo "$pid"; return 0; fi
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}
# The run phase backend $1 is in ("" when it is not running one).
phase_of() {
	psql -X -q -At -d postgres -c "SELECT substring(query FROM '^crm_import run [0-9]+: (.*)$') FROM pg_stat_activity
		WHERE pid = $1 AND state = 'active'" 2>/dev/null
}
# A fresh database with a prepared 300k import: sets $cdb and $cid.
fresh_import() {
	cdb=$1
	cid=""
	newdb "$cdb" || { not_ok "create database $cdb"; return 1; }
	cid=$(prepare_import "$cdb" Interrupts "$IT_CSV300K")
	[ -n "$cid" ] || { not_ok "$cdb: prepare a 300,000-row import"; return 1; }
}
# A run of import $2 in database $1 as application it_intr (start_run), settings $3, output $4,
# signalled with $5 (pg_cancel_backend, pg_terminate_backend) once it is in dedupe and match;
# its session's output is shown with label $6. Sets $pid.
signal_in_match() {
	local db=$1 id=$2 settings=$3 out=$4 signal=$5 label=$6
	start_run it_intr "$db" "$id" "$settings" "$out"
	pid=$(wait_phase it_intr 90 "$match_phase")
	[ -n "$pid" ] && q postgres -c "SELECT $signal($pid)" >/dev/null
	wait "$run_job"
	grep -v '^NOTICE:  crm_import run' "$out" | sed "s/^/# $label session: /"
}
# The checks of a run that must have completed: label, db, id, output file.
completed_run() {
	local label=$1 db=$2 id=$3 out=$4
	grep -v '^NOTICE:  crm_import run' "$out" | sed "s/^/# $label session: /"
	eq "$label: the run completes with the generator's counts" "row|$IT_DISTINCT|0|0|$IT_DUPS|0" \
		"$(grep '^row|' "$out")"
	check "$label: no WARNING or ERROR" bash -c "! grep -qE '^(WARNING|ERROR|FATAL):' '$out'"
	eq "$label: the import is completed, without a failure reason" "completed||" \
		"$(q "$db" -c "SELECT state, failure_reason, failure_sqlstate FROM crm_imports WHERE id = $id")"
}

# (a) client_connection_check_interval during a run.
if fresh_import it_intr_check; then
	out=$IT_TMP/intr_check_run.out
	start_run it_intr "$cdb" "$cid" "SET client_connection_check_interval = '100ms';" "$out"
	wait "$run_job"
	completed_run "client_connection_check_interval = 100ms" "$cdb" "$cid" "$out"
fi

# (b) client_connection_check_interval during uploads (each takes 0.5-1 s: the timer fires
# several times in each).
out=$IT_TMP/intr_check_upload.out
psql -X -At -d it_intr_check -v file="$IT_CSV300K" >"$out" 2>&1 <<-'SQL'
	SET client_connection_check_interval = '100ms';
	SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
	SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
	SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
	SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
	SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
SQL
grep -v '^id=' "$out" | sed 's/^/# upload session: /'
eq "client_connection_check_interval = 100ms: 5 of 5 uploads complete" "5" "$(grep -c '^id=[0-9]' "$out")"
ids=$(sed -n 's/^id=//p' "$out" | paste -sd,)
eq "client_connection_check_interval = 100ms: each upload staged every record" "5" \
	"$(q it_intr_check -c "SELECT count(*) FROM crm_imports WHERE id IN (${ids:-0}) AND record_count = 300001")"

# (c) DROP DATABASE of unrelated databases during a run: each emits a procsignal barrier
# that every backend absorbs at its next interrupt check.
if fresh_import it_intr_drop; then
	spares=(it_intr_spare_1 it_intr_spare_2 it_intr_spare_3 it_intr_spare_4 it_intr_spare_5 it_intr_spare_6)
	for s in "${spares[@]}"; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $s" -c "CREATE DATABASE $s" >/dev/null 2>&1
	done
	out=$IT_TMP/intr_drop_run.out
	start_run it_intr "$cdb" "$cid" "" "$out"
	pid=$(wait_phase it_intr 90 "$match_phase")
	in_match=0
	dropped=0
	if [ -n "$pid" ]; then
		for s in "${spares[@]}"; do
			[ "$(q postgres -c "SELECT state FROM pg_stat_activity WHERE pid = $pid")" = active ] || break
			[ "$(phase_of "$pid")" = "$match_phase" ] && in_match=$((in_match + 1))
			q postgres -c "DROP DATABASE $s" && dropped=$((dropped + 1))
		done
	fi
	wait "$run_job"
	note "DROP DATABASE: $dropped dropped during the run, $in_match of them begun in dedupe and match"
	if [ "$in_match" -gt 0 ]; then ok "DROP DATABASE: a database was dropped during dedupe and match"; else
		not_ok "DROP DATABASE: a database was dropped during dedupe and match" "pid ${pid:-not found}"; fi
	completed_run "DROP DATABASE of another database" "$cdb" "$cid" "$out"
	for s in "${spares[@]}"; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $s" >/dev/null 2>&1; done
fi

# (d) pg_log_backend_memory_contexts of the running backend, every 50 ms from dedupe and
# match on (at most 40 times).
if fresh_import it_intr_memlog; then
	out=$IT_TMP/intr_memlog_run.out
	logged_before=$(grep -c 'logging memory contexts of PID' "$log")
	start_run it_intr "$cdb" "$cid" "" "$out"
	pid=$(wait_phase it_intr 90 "$match_phase")
	in_match=0
	sent=0
	if [ -n "$pid" ]; then
		for _ in $(seq 1 40); do
			phase=$(phase_of "$pid")
			[ -n "$phase" ] || break
			[ "$phase" = "$match_phase" ] && in_match=$((in_match + 1))
			[ "$(q postgres -c "SELECT pg_log_backend_memory_contexts($pid)" 2>/dev/null)" = t ] || break
			sent=$((sent + 1))
			sleep 0.05
		done
	fi
	wait "$run_job"
	logged=$(($(grep -c 'logging memory contexts of PID' "$log") - logged_before))
	note "pg_log_backend_memory_contexts: $sent sent ($in_match during dedupe and match), $logged logged"
	if [ "$in_match" -gt 0 ] && [ "$logged" -gt 0 ]; then
		ok "pg_log_backend_memory_contexts: sent during dedupe and match, and logged"
	else
		not_ok "pg_log_backend_memory_contexts: sent during dedupe and match, and logged" \
			"pid ${pid:-not found}, $in_match sent in the phase, $logged logged"
	fi
	completed_run "pg_log_backend_memory_contexts" "$cdb" "$cid" "$out"
fi

# (e) A real cancel, timeout or termination still stops them, with PostgreSQL's own error.
# pg_cancel_backend during dedupe and match, with the connection check on as well.
if fresh_import it_intr_cancel; then
	out=$IT_TMP/intr_cancel_run.out
	signal_in_match "$cdb" "$cid" "SET client_connection_check_interval = '100ms';" "$out" pg_cancel_backend cancel
	eq "pg_cancel_backend during dedupe and match: no row, a WARNING that the import failed, session usable" "0|1|1" \
		"$(grep -c '^row|' "$out")|$(grep -c "^WARNING:  import $cid failed: canceling statement due to user request" "$out")|$(sed -n 's/^usable=//p' "$out")"
	eq "pg_cancel_backend during dedupe and match: the import failed with SQLSTATE 57014" \
		"failed|canceling statement due to user request|57014|0" \
		"$(q "$cdb" -c "SELECT state, failure_reason, failure_sqlstate, (SELECT count(*) FROM crm_contacts) FROM crm_imports WHERE id = $cid")"

	# statement_timeout during an upload (0.5-1 s), the connection check on as well.
	before=$(q "$cdb" -c "SELECT count(*) FROM crm_imports")
	out=$IT_TMP/intr_timeout_upload.out
	psql -X -At -d "$cdb" -v file="$IT_CSV300K" >"$out" 2>&1 <<-'SQL'
		SET client_connection_check_interval = '100ms';
		SET statement_timeout = '150ms';
		SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
		\echo 'sqlstate=':LAST_ERROR_SQLSTATE
	SQL
	sed 's/^/# timeout session: /' "$out"
	eq "statement_timeout during an upload: ERROR 57014 canceling statement due to statement timeout, no id" "57014|1|0" \
		"$(sed -n 's/^sqlstate=//p' "$out")|$(grep -c '^ERROR:  canceling statement due to statement timeout' "$out")|$(grep -c '^id=' "$out")"
	eq "statement_timeout during an upload: no import row, no staging table left" "$before|job_$cid" \
		"$(q "$cdb" -c "SELECT (SELECT count(*) FROM crm_imports), (SELECT string_agg(relname, ',') FROM pg_class
			WHERE relnamespace = 'crm_import_staging'::regnamespace AND relkind IN ('r', 'p'))")"

	# pg_terminate_backend during an upload (once it is staging rows) and during dedupe and
	# match: FATAL inside the C++ loop. The backend exits; the postmaster must not restart
	# the cluster (a crash would), and the aborted transaction leaves nothing behind.
	started=$(q postgres -c "SELECT pg_postmaster_start_time()")
	crashes=$(grep -cE 'terminated by signal|terminated by exception' "$log")
	out=$IT_TMP/intr_terminate_upload.out
	PGAPPNAME=it_intr_upload psql -X -At -d "$cdb" -v file="$IT_CSV300K" >"$out" 2>&1 <<-'SQL' &
		SET client_connection_check_interval = '100ms';
		SELECT 'id=' || crm_import_upload_file('Interrupts', :'file');
	SQL
	job=$!
	pid=$(wait_active it_intr_upload 30 0)
	terminated=""
	if [ -n "$pid" ] && prog=$(wait_staging "$pid" 200 0.01); then
		q postgres -c "SELECT pg_terminate_backend($pid)" >/dev/null && terminated="at ${prog%% *} rows"
	fi
	wait "$job"
	sed 's/^/# terminated upload session: /' "$out"
	note "upload terminated ${terminated:-never}"
	eq "pg_terminate_backend during an upload: terminated while staging, FATAL, no id" "yes|1|0" \
		"$([ -n "$terminated" ] && echo yes)|$(grep -c 'FATAL:  terminating connection due to administrator command' "$out")|$(grep -c '^id=' "$out")"

	id2=$(prepare_import "$cdb" Interrupts "$IT_CSV300K")
	out=$IT_TMP/intr_terminate_run.out
	signal_in_match "$cdb" "${id2:-0}" "SET client_connection_check_interval = '100ms';" "$out" pg_terminate_backend \
		"terminated run"
	eq "pg_terminate_backend during dedupe and match: FATAL, no row" "1|0" \
		"$(grep -c 'FATAL:  terminating connection due to administrator command' "$out")|$(grep -c '^row|' "$out")"
	wait_ready 30 >/dev/null
	eq "pg_terminate_backend: the server did not restart" "$started" "$(q postgres -c "SELECT pg_postmaster_start_time()")"
	eq "pg_terminate_backend: no server process crashed" "$crashes" "$(grep -cE 'terminated by signal|terminated by exception' "$log")"
	eq "pg_terminate_backend: no import row of the upload, the run's import is a draft, no work table left" \
		"$((before + 1))|draft|$(printf 'job_%s\n' "$cid" "${id2:-0}" | sort | paste -sd,)|0" \
		"$(q "$cdb" -c "SELECT (SELECT count(*) FROM crm_imports), (SELECT state FROM crm_imports WHERE id = ${id2:-0}),
			(SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'crm_import_staging'::regnamespace
			AND relkind IN ('r', 'p')), (SELECT count(*) FROM crm_contacts)")"
fi
finish
