#!/usr/bin/env bash
# statement_timeout and pg_cancel_backend during crm_import_run of a 300,000-row import (a
# run takes 10-20 s). crm_import_run catches query_canceled: it must mark the import failed
# with a reason about the cancel (SQLSTATE 57014), raise a WARNING and return no row; no
# contact, list member, row result or run_* work table may be left behind, and the session
# and the import stay usable (a failed import can run again). Also: pg_terminate_backend
# during a run, and statement_timeout during a dry run.
. "$(dirname "$0")/lib.sh"
db=it_run_cancel
newdb "$db" || { not_ok "create database $db"; finish; }
id=$(prepare_import "$db" Runs "$IT_CSV300K")
[ -n "$id" ] || { not_ok "prepare a 300,000-row import"; finish; }
ok "prepare a 300,000-row import (id $id)"

# Checks shared by both cases: label, psql output file, expected reason pattern.
after_failed_run() {
	local label=$1 out=$2 reason=$3
	grep -v "^NOTICE:" "$out" | sed "s/^/# $label session: /"
	eq "$label: crm_import_run returns no row" "0" "$(grep -c '^row|' "$out")"
	check "$label: crm_import_run raises a WARNING that the import failed ($reason)" \
		grep -qE "WARNING:  import $id failed: .*$reason" "$out"
	check "$label: no ERROR reaches the caller" bash -c "! grep -q 'ERROR:' '$out'"
	eq "$label: the session is still usable afterwards" "1" "$(sed -n 's/^usable=//p' "$out")"
	eq "$label: the import is marked failed with the cancel as reason and SQLSTATE 57014" \
		"failed|Failed|t|57014" \
		"$(q "$db" -c "SELECT j.state, s.tab, s.failure_reason ~* '$reason', j.failure_sqlstate
			FROM crm_imports j JOIN crm_import_status s USING (id) WHERE j.id = $id")"
	eq "$label: crm_contacts and crm_list_members are unchanged (empty)" "0|0" \
		"$(q "$db" -c "SELECT (SELECT count(*) FROM crm_contacts), (SELECT count(*) FROM crm_list_members)")"
	eq "$label: no run_* work table and no results partition is left in crm_import_staging" "job_$id" \
		"$(q "$db" -c "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
			WHERE relnamespace = 'crm_import_staging'::regnamespace AND relkind IN ('r', 'p')")"
	eq "$label: no row results" "0" "$(q "$db" -c "SELECT count(*) FROM crm_import_results($id)")"
	eq "$label: the staged rows are intact" "300001" "$(q "$db" -c "SELECT count(*) FROM crm_import_staging.job_$id")"
	eq "$label: the import is ready to run again" "" "$(q "$db" -c "SELECT problem FROM crm_import_check($id)")"
}

# 1. statement_timeout = 300ms.
out=$IT_TMP/run_timeout.out
t0=$(now)
timeout 120 psql -X -At -d "$db" -v id="$id" >"$out" 2>&1 <<-'SQL'
	SET statement_timeout = '300ms';
	SELECT 'row', * FROM crm_import_run(:id);
	RESET statement_timeout;
	SELECT 'usable=' || 1;
SQL
took=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
if lt "$took" 5; then ok "statement_timeout: the run stops promptly (${took}s)"; else not_ok "statement_timeout: the run stops promptly (< 5 s)" "took ${took}s"; fi
after_failed_run statement_timeout "$out" "canceling statement due to statement timeout"

# 2 and 3. pg_cancel_backend from another session: ~1 s into the run (normalizing, parallel
# workers), and once the run writes crm_contacts (it holds RowExclusiveLock on it: the write
# phase, after the match took SHARE ROW EXCLUSIVE).
cancel_run() {
	local label=$1 when=$2 out=$IT_TMP/run_cancel_$2.out run pid cancel_at="" took
	start_run it_run "$db" "$id" "" "$out"
	run=$run_job
	pid=$(wait_run "$db" it_run "$when")
	if [ -n "${pid:-}" ]; then
		cancel_at=$(now)
		q postgres -c "SELECT pg_cancel_backend($pid)" >/dev/null
	fi
	wait "$run"
	took=$(awk -v a="$(now)" -v b="${cancel_at:-0}" 'BEGIN { printf "%.1f", a - b }')
	if [ -n "$cancel_at" ] && lt "$took" 5; then
		ok "$label: the run stops promptly (${took}s after the cancel)"
	else
		not_ok "$label: the run stops promptly (< 5 s after the cancel)" "pid ${pid:-not found}, ${took}s"
	fi
	after_failed_run "$label" "$out" "canceling statement due to user request"
}
cancel_run "pg_cancel_backend at 1 s" 1s
cancel_run "pg_cancel_backend while writing contacts" writing

# 4. pg_terminate_backend ~1 s into the run: a FATAL cannot be caught, so the whole
# transaction goes, the 'running' state with it; the run record committed when it started
# makes crm_import_status show it failed with a reason that names the ended session (not the
# previous cancel's reason); nothing written, no work table left; the staged rows stay.
out=$IT_TMP/run_terminate.out
PGAPPNAME=it_run psql -X -At -d "$db" -v id="$id" >"$out" 2>&1 <<<"SELECT 'row', * FROM crm_import_run(:id);" &
run=$!
pid=$(wait_active it_run 30 1)
[ -n "$pid" ] && q postgres -c "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$run"
sed 's/^/# pg_terminate_backend session: /' "$out"
check "pg_terminate_backend: the session was terminated" grep -q 'terminating connection due to administrator command' "$out"
eq "pg_terminate_backend: crm_import_status shows failed, the session ended, no contact changed" \
	"failed|Failed|t|t" \
	"$(q "$db" -c "SELECT state, tab, failure_reason LIKE '%(process $pid) ended first (terminated, crashed, or the server restarted)%',
		failure_reason LIKE '%no contact was changed' FROM crm_import_status WHERE id = $id")"
eq "pg_terminate_backend: no contact, no list member, only the staging table, staged rows intact" \
	"0|0|job_$id|300001" \
	"$(q "$db" -c "SELECT (SELECT count(*) FROM crm_contacts), (SELECT count(*) FROM crm_list_members),
		(SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'crm_import_staging'::regnamespace AND relkind IN ('r', 'p')),
		(SELECT count(*) FROM crm_import_staging.job_$id)")"

# 5. A dry run stopped by statement_timeout raises the cancel as an ERROR (a dry run changes
# nothing, so there is no state to keep) and leaves the import as it was.
out=$IT_TMP/dry_timeout.out
psql -X -At -d "$db" -v id="$id" >"$out" 2>&1 <<-'SQL'
	SET statement_timeout = '300ms';
	SELECT 'row', * FROM crm_import_run(:id, dry_run => true);
	\echo 'sqlstate=':LAST_ERROR_SQLSTATE
SQL
sed 's/^/# dry run session: /' "$out"
eq "dry run under statement_timeout: ERROR with SQLSTATE 57014, no row" "57014|0" \
	"$(sed -n 's/^sqlstate=//p' "$out")|$(grep -c '^row|' "$out")"
eq "dry run under statement_timeout: the import and its work tables are as before" "failed|job_$id" \
	"$(q "$db" -c "SELECT (SELECT state FROM crm_imports WHERE id = $id), (SELECT string_agg(relname, ',') FROM pg_class
		WHERE relnamespace = 'crm_import_staging'::regnamespace AND relkind IN ('r', 'p'))")"

# The failed import runs to completion afterwards, with the counts the generator reports.
eq "after the cancels the import runs to completion with the expected counts" \
	"$IT_DISTINCT|0|0|$IT_DUPS|0" "$(q "$db" -c "SELECT * FROM crm_import_run($id)")"
eq "the completed import is listed as Completed, without a failure reason" "completed|Completed|" \
	"$(q "$db" -c "SELECT state, tab, failure_reason FROM crm_import_status WHERE id = $id")"
finish
