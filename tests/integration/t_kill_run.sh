#!/usr/bin/env bash
# kill -9 of the backend running crm_import_run of a 300,000-row import, twice: ~1 s into the
# run (normalizing), and once the run writes crm_contacts (holds RowExclusiveLock on it). The
# postmaster must go through crash recovery and come back; afterwards no contact or membership
# of the import may exist, the import must show failed with a reason saying the server
# restarted and no contact was changed (the run record committed by a background worker
# when the run started tells it from a draft), no run_* work table may be left, and running
# the import again must complete with the expected counts (or, at the least, refuse clearly).
. "$(dirname "$0")/lib.sh"
db=it_kill_run
newdb "$db" || { not_ok "create database $db"; finish; }
log=$IT_TMP/server.log

kill_run() {
	local label=$1 when=$2 id=$3 out=$IT_TMP/kill_run_$3.out run pid="" crashes
	crashes=$(grep -c 'terminated by signal 9' "$log")
	start_run it_kill "$db" "$id" "" "$out"
	run=$run_job
	pid=$(wait_run "$db" it_kill "$when")
	if [ -z "$pid" ]; then
		not_ok "$label: found the backend running the import" "$(cat "$out")"
		wait "$run"
		return 1
	fi
	note "$label: kill -9 $pid ($(grep -c '^NOTICE:  crm_import run' "$out") run phases done)"
	kill -9 "$pid"
	wait "$run"
	grep -q '^row|' "$out" && not_ok "$label: the run was killed before it finished" "$(cat "$out")"
	if wait_ready 90; then ok "$label: the server is back after crash recovery"; else
		not_ok "$label: the server is back after crash recovery (90 s)" "$(tail -n 20 "$log")"
		return 1
	fi
	eq "$label: the server log shows the backend killed and the cluster reinitialized" "$((crashes + 1))|yes" \
		"$(grep -c 'terminated by signal 9' "$log")|$(grep -q 'all server processes terminated; reinitializing' "$log" && echo yes)"
	eq "$label: no contact created or updated by the import, no list membership" "0|0|0" \
		"$(q "$db" -c "SELECT (SELECT count(*) FROM crm_contacts WHERE created_by_import = $id),
			(SELECT count(*) FROM crm_contacts WHERE updated_by_import = $id),
			(SELECT count(*) FROM crm_list_members WHERE added_by_import = $id)")"
	eq "$label: crm_contacts is still empty" "0" "$(q "$db" -c "SELECT count(*) FROM crm_contacts")"
	eq "$label: the import is 'failed' (tab Failed) with the reason: its session ended, no contact changed" \
		"failed|Failed|t|t|57P01" \
		"$(q "$db" -c "SELECT state, tab, failure_reason ~ 'process [0-9]+\) ended first \(terminated, crashed, or the server restarted\)', failure_reason LIKE '%no contact was changed',
			failure_sqlstate FROM crm_import_status WHERE id = $id")"
	note "$label: $(q "$db" -c "SELECT failure_reason FROM crm_import_status WHERE id = $id")"
	eq "$label: no run_* work table or results partition of the import is left" "" \
		"$(q "$db" -c "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'crm_import_staging'::regnamespace
			AND (relname LIKE 'run\\_${id}\\_%' OR relname = 'results_$id')")"
}

a=$(prepare_import "$db" Crash "$IT_CSV300K")
[ -n "$a" ] || { not_ok "prepare a 300,000-row import"; finish; }
kill_run "kill -9 at 1 s" 1s "$a"

# A second import, uploaded after the first crash, killed later in its run.
b=$(prepare_import "$db" Crash "$IT_CSV300K")
[ -n "$b" ] || { not_ok "prepare a second 300,000-row import"; finish; }
kill_run "kill -9 while writing contacts" writing "$b"

# Running the killed import again must import the whole file. Its staged rows are in an
# UNLOGGED table; if crash recovery emptied it, the run must refuse (not ready to run: upload
# again) rather than "complete" with no rows.
staged=$(q "$db" -c "SELECT count(*) FROM crm_import_staging.job_$b" 2>&1)
out=$IT_TMP/kill_rerun.out
psql -X -At -d "$db" -v id="$b" >"$out" 2>&1 <<<"SELECT 'row', * FROM crm_import_run(:id);"
sed 's/^/# rerun: /' "$out"
got=$(sed -n 's/^row|//p' "$out")
state=$(q "$db" -c "SELECT state || '|' || coalesce(inserted, -1) FROM crm_imports WHERE id = $b")
if [ "$got" = "$IT_DISTINCT|0|0|$IT_DUPS|0" ]; then
	ok "running the killed import again completes with the expected counts"
	eq "the rerun's contacts are all in crm_contacts" "$IT_DISTINCT" \
		"$(q "$db" -c "SELECT count(*) FROM crm_contacts WHERE created_by_import = $b")"
elif [ -z "$got" ] && grep -q 'ERROR:' "$out" && [ "${state%%|*}" != completed ]; then
	ok "running the killed import again refuses clearly (staged rows lost in the crash: $staged)"
else
	# BUG (found by this test): crash recovery resets UNLOGGED tables, so the staged rows of
	# every draft import are gone after any backend crash, yet crm_import_run "completes" the
	# import with no rows and crm_import_status shows it Completed with all counts 0.
	not_ok "running the killed import again completes with the expected counts (or refuses clearly)" \
		"expected: $IT_DISTINCT|0|0|$IT_DUPS|0 (inserted|updated|unchanged|merged_in_file|rejected)" \
		"got:      ${got:-no row} (import state|inserted: $state)" \
		"staged rows left in crm_import_staging.job_$b after crash recovery: $staged (record_count 300001)" \
		"BUG: the UNLOGGED staging table was reset by crash recovery and the run silently imported nothing"
fi
eq "the first killed import ($a) still shows failed" "failed" "$(q "$db" -c "SELECT state FROM crm_import_status WHERE id = $a")"
finish
