#!/usr/bin/env bash
# Soak: several sessions import overlapping files into the same CRM at the same time for a
# while, then the CRM is checked: no two contacts share an email (the primary key used), every
# import is completed or failed with a reason, and each completed import's row results add
# up to its file's data rows and to its counts.
#   bench/soak.sh [sessions] [seconds] [rows per file]
# Uses the cluster PGHOST/PGPORT point at when PGPORT is set, else a pg_virtualenv one.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
# The input: 8 files of "rows per file" rows each, sharing one universe of persons (ids
# 0..3*rows), so imports overlap heavily. Sessions and seconds go on to the run.
soak_files() {
	local rows=${3:-20000}
	for i in $(seq 1 8); do
		python3 "$BENCH_GEN" --rows "$rows" --dup-rate 0.1 --seed "$i" --existing-rows $((3 * rows)) --overlap 0.7 \
			--out "$WORK/f$i.csv"
	done
	BENCH_INSIDE_ARGS=("${1:-4}" "${2:-180}")
}
bench_main crm_soak soak_files "$0" "$@"
SESSIONS=$3
SECONDS_TOTAL=$4
bench_db crm_soak
q -c "SELECT crm_import_create_list('soak')" >/dev/null
bench_consent_terms
# A profile from one wizard run, then every session uses the one-call import.
id=$(echo "SELECT crm_import_upload_file('soak', :'file');" | qf -v file="$WORK/f1.csv")
q -c "SELECT count(*) FROM crm_import_suggest_mapping($id)" -c "SELECT crm_import_skip($id, 'notes')" \
	-c "SELECT crm_import_set_rules($id, 'file', 'email', 'mobile')" -c "SELECT crm_import_set_options($id, max_errors => '50%')" \
	-c "SELECT crm_import_save_profile($id, 'soak')" -c "SELECT crm_import_discard($id)" >/dev/null
end=$(( $(date +%s) + SECONDS_TOTAL ))
worker() {
	local n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		local f="$WORK/f$(( (RANDOM % 8) + 1 )).csv"
		echo "SELECT import_id, state FROM crm_import_from_file('soak', :'file', 'soak', gdpr => true, tcpa => true);" |
			psql -X -q -At -d crm_soak -v file="$f" -f - >> "$WORK/session$1.log" 2>&1 || true
		n=$((n + 1))
	done
	echo "$n" > "$WORK/session$1.count"
}
started=$(date +%s)
for s in $(seq 1 "$SESSIONS"); do worker "$s" & done
wait
elapsed=$(( $(date +%s) - started ))
runs=$(cat "$WORK"/session*.count | awk '{ s += $1 } END { print s }')
echo "sessions: $SESSIONS, duration: ${elapsed}s, imports started: $runs"
q -c "SELECT format('imports: %s completed, %s failed, %s other; rows imported: %s', count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state NOT IN ('completed', 'failed')), sum(rows) FILTER (WHERE state = 'completed')) FROM crm_import_status WHERE file_name <> 'f1.csv' OR id > $id"
fail=0
dups=$(q -c "SELECT count(*) FROM (SELECT email FROM crm_contacts WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1) d")
echo "contacts: $(q -c 'SELECT count(*) FROM crm_contacts'); emails held by more than one contact: $dups"
[ "$dups" -eq 0 ] || fail=1
noreason=$(q -c "SELECT count(*) FROM crm_import_status WHERE state = 'failed' AND coalesce(failure_reason, '') = ''")
echo "failed imports without a reason: $noreason"
[ "$noreason" -eq 0 ] || fail=1
bad=$(q -c "SELECT count(*) FROM crm_import_status s WHERE s.state = 'completed' AND (
	(SELECT count(*) FROM crm_import_results(s.id)) <> s.rows
	OR s.inserted + s.updated + s.unchanged + s.merged_in_file + s.rejected <> s.rows)")
echo "completed imports whose results do not add up to their rows: $bad"
[ "$bad" -eq 0 ] || fail=1
grep -h "ERROR" "$WORK"/session*.log | sort | uniq -c | head -5 || true
psql -X -q -d postgres -c "DROP DATABASE crm_soak"
if [ "$fail" -eq 0 ]; then echo "soak: all checks passed"; else echo "soak: CHECKS FAILED"; exit 1; fi
