# shellcheck shell=bash
# Shared helpers for tests/integration/t_*.sh (sourced). run.sh starts one throwaway
# PostgreSQL 15 cluster and exports PGHOST, PGPORT, PGUSER, IT_TMP (scratch directory the
# server can read), IT_BIN (server binaries), IT_REPO, IT_CSV300K (a 300,000-row contacts
# file), IT_DISTINCT and IT_DUPS (its distinct persons and repeated rows), IT_AS_PG (prefix
# that runs a command as the cluster's owner). Each test prints TAP-style "ok" / "not ok"
# lines and exits 1 when one of its checks failed.

set -uo pipefail
export PGDATABASE=${PGDATABASE:-postgres}
export PGCONNECT_TIMEOUT=10
IT_FAILED=0
IT_N=0

# ok "description" / not_ok "description" "diagnostic..."
ok() { IT_N=$((IT_N + 1)); echo "ok $IT_N - $1"; }
not_ok() {
	IT_N=$((IT_N + 1))
	IT_FAILED=1
	echo "not ok $IT_N - $1"
	shift
	local line
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
# check "description" condition-command... (diagnostic printed on failure from $IT_DIAG)
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc" "${IT_DIAG:-}"; fi
	IT_DIAG=""
}
# eq "description" expected actual
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}
note() { printf '%s\n' "$@" | sed 's/^/# /'; }
finish() { exit $IT_FAILED; }

# psql: unaligned, tuples only, stop on the first error. q DB [psql args...]
q() {
	local db=$1
	shift
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# A fresh database with the extension.
newdb() {
	psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null &&
		q "$1" -c "CREATE EXTENSION crm_import" >/dev/null
}

# Uploads a server file into list LIST of DB, makes the import ready to run (the bench
# settings: mapping suggested, notes skipped, OptIn/OptOut consent terms, master file, primary
# email, secondary mobile, compliance) and prints its id.
prepare_import() {
	local db=$1 list=$2 file=$3 id
	q "$db" -v list="$list" <<-'SQL' >/dev/null || return 1
		SET client_min_messages = warning;
		SELECT crm_import_create_list(:'list') WHERE NOT EXISTS (SELECT 1 FROM crm_lists WHERE name = :'list');
		SELECT crm_import_set_consent_terms(f, ARRAY['Yes','True','Ja','Sant','OptIn'], ARRAY['No','False','Nei','Usant','OptOut'])
			FROM unnest(ARRAY['email_marketing','sms_marketing']) f;
	SQL
	id=$(q "$db" -v list="$list" -v file="$file" <<<"SELECT crm_import_upload_file(:'list', :'file');") || return 1
	q "$db" -v id="$id" <<-'SQL' >/dev/null || return 1
		SELECT crm_import_suggest_mapping(:id);
		SELECT crm_import_skip(:id, 'notes');
		SELECT crm_import_set_rules(:id, 'file', 'email', 'mobile');
		SELECT crm_import_accept_compliance(:id, true, true);
	SQL
	[ -z "$(q "$db" -c "SELECT problem FROM crm_import_check($id)")" ] || return 1
	echo "$id"
}

# Seconds since the epoch, with fractions.
now() { date +%s.%N; }
# Prints 1 when a < b (floating point).
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Waits until the server accepts connections again (after a crash), at most $1 seconds.
wait_ready() {
	local deadline=$(($(date +%s) + $1))
	until pg_isready -q -d postgres; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	# pg_isready answers as soon as the postmaster accepts; make sure a session really works.
	until psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# Waits (at most $2 seconds) until a session with application_name $1 has been running its
# current statement for at least $3 seconds; prints its pid.
wait_active() {
	local app=$1 deadline=$(($(date +%s) + $2)) min=$3 pid
	while :; do
		pid=$(psql -X -q -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'
			AND state = 'active' AND clock_timestamp() - query_start >= interval '$min seconds' LIMIT 1" 2>/dev/null)
		if [ -n "$pid" ]; then echo "$pid"; return 0; fi
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Waits (at most $3 seconds) until the session with application_name $2, connected to
# database $1, writes crm_contacts (holds RowExclusiveLock on it: the run's write phase; the
# earlier phases only read it or hold SHARE ROW EXCLUSIVE); prints its pid.
wait_writing() {
	local db=$1 app=$2 deadline=$(($(date +%s) + $3)) pid
	while :; do
		pid=$(psql -X -q -At -d "$db" -c "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
			WHERE a.application_name = '$app' AND a.state = 'active' AND l.locktype = 'relation'
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND l.relation = 'crm_contacts'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted LIMIT 1" 2>/dev/null)
		if [ -n "$pid" ]; then echo "$pid"; return 0; fi
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Starts crm_import_run of import $3 in database $2 in the background, as application_name $1,
# progress reported every row, after the SQL $4 (settings, may be empty); then the session
# prints usable=1. Output in file $5; sets $run_job (the background job's pid).
start_run() {
	local app=$1 db=$2 id=$3 settings=$4 out=$5
	PGAPPNAME=$app psql -X -At -d "$db" -v id="$id" >"$out" 2>&1 <<-SQL &
		SET crm_import.progress_rows = 1;
		$settings
		SELECT 'row', * FROM crm_import_run(:id);
		SELECT 'usable=' || 1;
	SQL
	run_job=$!
}

# The pid of the session with application_name $2, connected to database $1, running an
# import: once it has run for 1 s ($3 = 1s; at most 30 s) or once it writes crm_contacts
# (otherwise; at most 60 s). Prints nothing and fails when it was not seen.
wait_run() {
	if [ "$3" = 1s ]; then
		wait_active "$2" 30 1
	else
		wait_writing "$1" "$2" 60
	fi
}

# Waits until backend $1's upload has staged rows (pg_stat_progress_copy): at most $2 looks,
# $3 seconds apart. With $4, also fewer than $4 rows and not every byte read yet (bytes_total
# is 0 for a large object: its size is not known up front), so that the upload is still
# mid-way. Prints the last progress seen ("rows bytes total", or nothing); fails when the
# backend went idle or the looks ran out first.
wait_staging() {
	local pid=$1 looks=$2 pause=$3 below=${4:-} prog=""
	for _ in $(seq 1 "$looks"); do
		prog=$(q postgres -c "SELECT tuples_processed || ' ' || bytes_processed || ' ' || bytes_total
			FROM pg_stat_progress_copy WHERE pid = $pid")
		set -- $prog
		if [ $# -eq 3 ] && [ "$1" -gt 0 ] &&
			{ [ -z "$below" ] || { [ "$1" -lt "$below" ] && { [ "$3" -eq 0 ] || [ "$2" -lt "$3" ]; }; }; }; then
			echo "$prog"
			return 0
		fi
		[ "$(q postgres -c "SELECT state FROM pg_stat_activity WHERE pid = $pid")" = active ] || break
		sleep "$pause"
	done
	echo "$prog"
	return 1
}
