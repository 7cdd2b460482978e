#!/usr/bin/env bash
# The write floor of bench/import_vs_copy.sh: the least time PostgreSQL's own tools need to
# write the import's end state, with nothing left to compute.
#   bench/write_floor.sh [rows]
# Same data as import_vs_copy.sh. Runs the import once (not timed) to get its end state:
# the final rows of the updated contacts, the new contacts, the list memberships and the
# row results. Then, on a fresh database holding only the existing contacts (vacuumed,
# analyzed, checkpointed, as import_vs_copy.sh has them), it times a plain COPY of the
# file into an UNLOGGED table and, in one transaction as the run writes them, one UPDATE
# joined with the precomputed final rows (loaded beforehand, not timed) and COPY of the
# new contacts, the memberships and the row results.
# Uses the cluster PGHOST/PGPORT point at when PGPORT is set, else a pg_virtualenv one.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_start "$0" "$@"
echo "the import, to get its end state (not timed)..."
bench_existing_db crm_floor
id=$(echo "SELECT crm_import_upload_file('incoming', :'file');" | qf -v file="$WORK/incoming.csv")
cat "$WORK/settings.sql" - <<'SQL' | qf -v id="$id" >/dev/null
SELECT * FROM crm_import_run(:id);
SQL
q <<SQL
\\copy (SELECT * FROM crm_contacts WHERE updated_by_import = $id AND created_by_import IS DISTINCT FROM $id) TO '$WORK/floor_updated.csv' (FORMAT csv)
\\copy (SELECT * FROM crm_contacts WHERE created_by_import = $id) TO '$WORK/floor_new.csv' (FORMAT csv)
\\copy (SELECT * FROM crm_list_members WHERE added_by_import = $id) TO '$WORK/floor_members.csv' (FORMAT csv)
\\copy (SELECT * FROM crm_import_results($id)) TO '$WORK/floor_results.csv' (FORMAT csv)
SQL
echo "the existing contacts again, then the timed writes..."
bench_existing_db crm_floor
set_all=$(q -c "SELECT string_agg(format('%I = u.%I', attname, attname), ', ') FROM pg_attribute WHERE attrelid = 'crm_contacts'::regclass AND attnum > 1 AND NOT attisdropped")
q -c "CREATE UNLOGGED TABLE floor_updated AS SELECT * FROM crm_contacts LIMIT 0" \
	-c "\\copy floor_updated FROM '$WORK/floor_updated.csv' (FORMAT csv)" -c "ANALYZE floor_updated" \
	-c "$BENCH_COPY_TABLE" -c "CHECKPOINT"
copy_ms=$(printf '%s\n' '\timing on' "COPY copy_target FROM :'file' (FORMAT csv, HEADER);" | qf -v file="$WORK/incoming.csv" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
q -c "CHECKPOINT"
floor=$(q <<SQL
\\timing on
BEGIN;
UPDATE crm_contacts c SET $set_all FROM floor_updated u WHERE c.id = u.id;
\\copy crm_contacts FROM '$WORK/floor_new.csv' (FORMAT csv)
\\copy crm_list_members FROM '$WORK/floor_members.csv' (FORMAT csv)
-- Row results are one table per import since 0.2.0 (row_no, line_no, outcome, contact_id, matched_by, reason).
CREATE TABLE crm_import_staging.floor_results (row_no integer, line_no bigint, outcome text, contact_id bigint, matched_by text, reason text);
\\copy crm_import_staging.floor_results FROM '$WORK/floor_results.csv' (FORMAT csv)
COMMIT;
SQL
)
echo "$floor" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split()]
names = ['begin', 'UPDATE of the matched contacts', 'COPY of the new contacts', 'COPY of the list memberships', 'results partition', 'COPY of the row results', 'commit']
print('COPY of the incoming file into an UNLOGGED table: %.0f ms' % $copy_ms)
for n, v in zip(names, t):
    if v >= 10: print('  %s: %.0f ms' % (n, v))
print('write floor: %.0f ms = %.1f x COPY' % (sum(t), sum(t) / $copy_ms))
"
psql -X -q -d postgres -c "DROP DATABASE crm_floor"
