#!/usr/bin/env bash
# Background imports (crm_import_start): start returns at once; status shows queued/running
# with growing progress from another session, then the same outcome as a synchronous run;
# LISTEN crm_import hears every state change; crm_import_cancel while queued and while
# running; pg_terminate_backend and kill -9 of the worker, and a server restart, end in
# failed with the reason, after which the import starts again without a new upload and
# completes; four imports of one file at once (crm_import.max_workers = 2) leave no
# duplicate contact; another role can neither see, wait on nor cancel an import.
. "$(dirname "$0")/lib.sh"
db=it_jobs
newdb "$db" || { not_ok "create database $db"; finish; }
log=$IT_TMP/server.log
state() { q "$db" -c "SELECT state || '|' || coalesce(failure_reason, '') FROM crm_import_status WHERE id = $1"; }
# Waits (at most $3 s) until import $1's status state is $2.
wait_state() {
	local deadline=$(($(date +%s) + $3))
	until [ "$(q "$db" -c "SELECT state FROM crm_import_status WHERE id = $1")" = "$2" ]; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}
worker_pid() { q "$db" -c "SELECT job_pid FROM crm_imports WHERE id = $1"; }

# 1. Start returns at once; progress from another session; same outcome as a synchronous run.
ref=$(prepare_import "$db" Sync "$IT_CSV300K")
sync_counts=$(q "$db" -c "SELECT concat_ws('|', inserted, updated, unchanged, merged_in_file, rejected) FROM crm_import_run($ref)")
q "$db" -c "TRUNCATE crm_contacts" >/dev/null
a=$(prepare_import "$db" Jobs "$IT_CSV300K")
listen_out=$IT_TMP/listen.out
# A listener: LISTEN, give the start time to happen, then wait for the import; psql prints
# the notifications that arrived after each statement.
psql -X -q -d "$db" >"$listen_out" 2>&1 <<-SQL &
	LISTEN crm_import;
	SELECT pg_sleep(1.5);
	SELECT state FROM crm_import_wait($a, interval '120 seconds');
	-- The worker signals listeners just after its commit becomes visible to crm_import_wait:
	-- stay a moment so the 'completed' notification is read before psql exits.
	SELECT pg_sleep(1);
	SELECT 1;
SQL
listener=$!
# Start only once the LISTEN has committed (the listener is in its pg_sleep): a fixed sleep
# lost the 'queued' notification when psql took longer to connect on a loaded machine.
for i in $(seq 1 100); do
	[ "$(q "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'SELECT pg_sleep(1.5)%'")" = 1 ] && break
	sleep 0.05
done
t0=$(now)
# Returning at once is checked by what has happened when it returns (no time limit: a loaded
# machine makes any limit flaky): the import is queued or just started, no contact written yet.
started=$(q "$db" -c "SELECT crm_import_start($a)" -c "SELECT state FROM crm_import_status WHERE id = $a" -c "SELECT count(*) FROM crm_contacts WHERE created_by_import = $a" | tr '\n' '|')
t1=$(now)
note "crm_import_start of a 300,000-row import returned in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
eq "crm_import_start returns 'queued'" "queued" "$(echo "$started" | cut -d'|' -f1)"
check "when crm_import_start returns, the import is queued or running and has written no contact ($started)" \
	test "$(echo "$started" | cut -d'|' -f2-3 | sed 's/^running|/queued|/')" = "queued|0"
samples=()
for i in $(seq 1 60); do
	s=$(q "$db" -c "SELECT state || '|' || coalesce(phase, '') || '|' || coalesce(percent::text, '') FROM crm_import_status WHERE id = $a")
	samples+=("$s")
	case "$s" in completed*|failed*) break ;; esac
	sleep 0.2
done
note "status samples: ${samples[*]}"
running=$(printf '%s\n' "${samples[@]}" | grep -c '^running|')
check "status shows running with a phase while the worker runs ($running samples)" test "$running" -ge 2
phases=$(printf '%s\n' "${samples[@]}" | grep '^running|' | cut -d'|' -f2 | sort -u | wc -l)
check "the phase changes while it runs ($phases phases seen)" test "$phases" -ge 2
grow=$(printf '%s\n' "${samples[@]}" | grep '^running|' | cut -d'|' -f3 | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { print bad ? "no" : "yes" }')
eq "the percent never goes back" "yes" "$grow"
eq "crm_import_wait returns the completed status row" "completed|Completed|$sync_counts" \
	"$(q "$db" -c "SELECT concat_ws('|', state, tab, inserted, updated, unchanged, merged_in_file, rejected) FROM crm_import_wait($a, interval '60 seconds')")"
eq "the same contacts as the synchronous run (count of distinct emails)" "$IT_DISTINCT" \
	"$(q "$db" -c "SELECT count(*) FROM crm_contacts WHERE created_by_import = $a")"
wait "$listener"
# The notification names no import (any role may listen): three of them, empty payloads.
notes=$(grep -c 'Asynchronous notification "crm_import" received' "$listen_out")
eq "LISTEN crm_import heard three state changes (queued, running, completed)" "3" "$notes"
eq "the notifications carry no import id or state" "0" "$(grep -c 'with payload "[^"]' "$listen_out")"

note "section 1 done at $(date +%T)"
# 2. Cancel while queued (the worker holds no slot yet: the start is not committed).
b=$(prepare_import "$db" Cancel "$IT_CSV300K")
eq "cancel while queued (start and cancel in one transaction)" "cancelled" \
	"$(q "$db" -c "BEGIN" -c "SELECT crm_import_start($b)" -c "SELECT crm_import_cancel($b)" -c "COMMIT" | tail -n 1)"
q "$db" -c "SELECT pg_sleep(0.5)" >/dev/null
check "cancelled while queued: failed, 'cancelled by <role> at <time>'" \
	grep -q '^failed|cancelled by [a-z_]* at .*; no contact was changed$' <<<"$(state "$b")"

# 3. Cancel while running, in each phase.
for phase in normalize "dedupe and match" "write contacts"; do
	q "$db" -c "SELECT crm_import_start($b)" >/dev/null
	deadline=$(($(date +%s) + 30))
	until [ "$(q "$db" -c "SELECT phase FROM crm_import_status WHERE id = $b")" = "$phase" ] || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.02; done
	seen=$(q "$db" -c "SELECT state || '|' || coalesce(phase, '') FROM crm_import_status WHERE id = $b")
	got=$(q "$db" -c "SELECT crm_import_cancel($b)")
	after=$(state "$b")
	if [ "$got" = cancelled ] && grep -q '^failed|cancelled by' <<<"$after"; then
		ok "cancel while running ($seen): failed, cancelled by the role"
	else
		not_ok "cancel while running ($phase)" "seen: $seen" "cancel: $got" "after: $after"
	fi
	eq "cancel during $phase: no contact of the import" "0" "$(q "$db" -c "SELECT count(*) FROM crm_contacts WHERE created_by_import = $b")"
done

note "sections 2-3 done at $(date +%T)"
# 4. pg_terminate_backend of the worker.
q "$db" -c "SELECT crm_import_start($b)" >/dev/null
wait_state "$b" running 30
q postgres -c "SELECT pg_terminate_backend($(worker_pid "$b"))" >/dev/null
sleep 0.5
check "worker terminated: failed, the worker or its run ended, no contact changed" \
	grep -Eq '^failed\|.*(background worker \(process [0-9]+\) ended|did not finish).*no contact was changed$' <<<"$(state "$b")"
note "$(state "$b")"

# 5. kill -9 of the worker, then a server restart: failed with the reason; started again
#    without a new upload, it completes.
q "$db" -c "SELECT crm_import_start($b)" >/dev/null
wait_state "$b" running 30
kill -9 "$(worker_pid "$b")"
wait_ready 90 || not_ok "the server is back after the worker's kill -9"
check "worker killed: failed with the reason" grep -q '^failed|.*no contact was changed$' <<<"$(state "$b")"
q "$db" -c "SELECT crm_import_start($b)" >/dev/null
wait_state "$b" running 30
$IT_AS_PG "$IT_BIN/pg_ctl" -D "$IT_TMP/data" -l "$log" -m immediate -w restart >/dev/null 2>&1
wait_ready 90 || not_ok "the server is back after the restart"
after=$(state "$b")
check "server restarted mid-run: failed with the reason ($after)" grep -q '^failed|.*no contact was changed$' <<<"$after"
eq "the staged rows survived the crash and the restart" "300001" "$(q "$db" -c "SELECT count(*) FROM crm_import_staging.job_$b")"
q "$db" -c "SELECT crm_import_start($b)" >/dev/null
eq "started again without a new upload, it completes" "completed" \
	"$(q "$db" -c "SELECT state FROM crm_import_wait($b, interval '120 seconds')")"

note "sections 4-5 done at $(date +%T)"
# 6. Four imports of one 50,000-row file at once, two workers at a time.
q "$db" -c "TRUNCATE crm_contacts" >/dev/null
python3 "$IT_GEN" --rows 50000 --dup-rate 0.1 --seed 11 --out "$IT_TMP/jobs_50k.csv" >/dev/null && chmod 644 "$IT_TMP/jobs_50k.csv"
ids=()
for i in 1 2 3 4; do ids+=("$(prepare_import "$db" "Four $i" "$IT_TMP/jobs_50k.csv")"); done
for id in "${ids[@]}"; do q "$db" -c "SELECT crm_import_start($id)" >/dev/null; done
most=0
for i in $(seq 1 400); do
	n=$(q "$db" -c "SELECT count(*) FROM crm_import_status WHERE state = 'running'")
	[ "$n" -gt "$most" ] && most=$n
	[ "$(q "$db" -c "SELECT count(*) FROM crm_import_status WHERE state IN ('queued', 'running')")" = 0 ] && break
	sleep 0.1
done
check "at most crm_import.max_workers (2) run at once (saw $most)" test "$most" -le 2
eq "four background imports: every one completed" "4" \
	"$(q "$db" -c "SELECT count(*) FROM crm_import_status WHERE id IN ($(IFS=,; echo "${ids[*]}")) AND state = 'completed'")"
eq "no contact with a duplicate email or mobile" "0|0" \
	"$(q "$db" -c "SELECT (SELECT count(*) FROM (SELECT email FROM crm_contacts WHERE email IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x)
		|| '|' || (SELECT count(*) FROM (SELECT mobile FROM crm_contacts WHERE mobile IS NOT NULL GROUP BY 1 HAVING count(*) > 1) y)")"

note "section 6 done at $(date +%T)"
# 7. Another role sees nothing, and can neither wait on nor cancel the import.
q "$db" -c "DROP ROLE IF EXISTS it_jobs_other" -c "CREATE ROLE it_jobs_other" -c "GRANT crm_import_user TO it_jobs_other" >/dev/null
eq "another role does not see the import" "0" \
	"$(q "$db" -c "SET ROLE it_jobs_other" -c "SELECT count(*) FROM crm_import_status WHERE id = $a")"
for f in "crm_import_wait($a)" "crm_import_cancel($a)" "crm_import_start($a)"; do
	check "another role: $f says the import does not exist" \
		grep -q "import $a does not exist" <<<"$(psql -X -q -At -d "$db" -c "SET ROLE it_jobs_other" -c "SELECT * FROM $f" 2>&1)"
done
finish
