#!/usr/bin/env bash
# Whole import versus COPY: 1,000,000 existing contacts (gen_contacts.py --rows 1000000
# --dup-rate 0 --seed 1), then a 1,000,000-row import (--dup-rate 0.1 --seed 2
# --existing-rows 1000000 --overlap 0.5) with master file, primary email, secondary mobile,
# on stock postgresql.conf. Prints each run phase and the ratio of the whole import (upload
# to completed) to a plain COPY of the same file into an UNLOGGED table.
#   bench/import_vs_copy.sh [rows]
# Uses the cluster PGHOST/PGPORT point at when PGPORT is set, else a pg_virtualenv one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--inside" ]; then
	ROWS=${1:-1000000}
	GEN=${GEN:-../shared/bench/gen_contacts.py}
	WORK=$(mktemp -d /tmp/crm_bench.XXXXXX)
	chmod 755 "$WORK"
	trap 'rm -rf "$WORK"' EXIT
	python3 "$GEN" --rows "$ROWS" --dup-rate 0 --seed 1 --out "$WORK/existing.csv"
	python3 "$GEN" --rows "$ROWS" --dup-rate 0.1 --seed 2 --existing-rows "$ROWS" --overlap 0.5 --out "$WORK/incoming.csv"
	chmod 644 "$WORK"/*.csv
	if [ -n "${PGPORT:-}" ]; then
		"$0" --inside "$WORK"
	else
		pg_virtualenv -v 15 "$0" --inside "$WORK"
	fi
	exit 0
fi
WORK=$2
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS crm_bench" -c "CREATE DATABASE crm_bench"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench "$@"; }
ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
# psql -c does not interpolate variables: statements that use them go through stdin.
qf() { psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench "$@" -f -; }
cat > "$WORK/settings.sql" <<'SQL'
SELECT crm_import_suggest_mapping(:id) \g /dev/null
SELECT crm_import_skip(:id, 'notes');
SELECT crm_import_set_rules(:id, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT crm_import_accept_compliance(:id, true, true);
SQL
q -c "CREATE EXTENSION crm_import" -c "SELECT crm_import_create_list('existing'), crm_import_create_list('incoming')" \
	-c "SELECT crm_import_set_consent_terms(f, ARRAY['Yes','True','Ja','Sant','OptIn'], ARRAY['No','False','Nei','Usant','OptOut']) FROM unnest(ARRAY['email_marketing','sms_marketing']) f" >/dev/null
echo "loading the existing contacts (not timed)..."
id=$(echo "SELECT crm_import_upload_file('existing', :'file');" | qf -v file="$WORK/existing.csv")
cat "$WORK/settings.sql" - <<'SQL' | qf -v id="$id" >/dev/null
SELECT * FROM crm_import_run(:id);
SELECT crm_import_discard(:id);
SQL
# A CRM in steady state has been vacuumed and analyzed (autovacuum would have done it).
q -c "VACUUM ANALYZE crm_contacts, crm_list_members"
q -c "SELECT count(*) || ' existing contacts' FROM crm_contacts"
# The state before the import, for the write floor below.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS crm_bench_before" -c "CREATE DATABASE crm_bench_before TEMPLATE crm_bench"
q -c "CHECKPOINT" -c "CREATE UNLOGGED TABLE copy_target (first_name text, last_name text, email text, mobile text, company text, city text, country text, birthday text, email_optin text, sms_optin text, notes text)"
copy_ms=$(printf '%s\n' '\timing on' "COPY copy_target FROM :'file' (FORMAT csv, HEADER);" | qf -v file="$WORK/incoming.csv" | ms)
q -c "CHECKPOINT"
start=$(date +%s%N)
out=$(printf '%s\n' '\timing on' "SELECT crm_import_upload_file('incoming', :'file');" | qf -v file="$WORK/incoming.csv")
id=$(echo "$out" | head -1)
up_ms=$(echo "$out" | ms)
qf -v id="$id" < "$WORK/settings.sql" >/dev/null
printf '%s\n' "SET crm_import.progress_rows = 1;" '\timing on' "SELECT * FROM crm_import_run(:id);" | qf -v id="$id" 2>&1 | sed 's/^/  /'
end=$(date +%s%N)
total_ms=$(( (end - start) / 1000000 ))
echo "COPY of the incoming file into an UNLOGGED table: ${copy_ms} ms"
echo "upload: ${up_ms} ms; whole import (upload, settings, run): ${total_ms} ms"
python3 -c "print('whole import / COPY = %.1f; upload / COPY = %.2f' % ($total_ms / $copy_ms, $up_ms / $copy_ms))"
q -c "SELECT format('%s contacts, %s list members', (SELECT count(*) FROM crm_contacts), (SELECT count(*) FROM crm_list_members))"

# The write floor: the import's end state written onto the state before it by the fastest
# means PostgreSQL has, with nothing to compute: one UPDATE joined with the updated contacts'
# final rows (loaded beforehand, not timed), then COPY of the new contacts, the list
# memberships and the row results, in one transaction as the run writes them. No import
# that produces this end state can write it faster on this server and these settings.
echo "write floor: the same end state written by UPDATE and COPY of precomputed rows..."
q <<SQL
\copy (SELECT * FROM crm_contacts WHERE updated_by_import = $id AND created_by_import IS DISTINCT FROM $id) TO '$WORK/floor_updated.csv' (FORMAT csv)
\copy (SELECT * FROM crm_contacts WHERE created_by_import = $id) TO '$WORK/floor_new.csv' (FORMAT csv)
\copy (SELECT * FROM crm_list_members WHERE added_by_import = $id) TO '$WORK/floor_members.csv' (FORMAT csv)
\copy (SELECT * FROM crm_import_row_results WHERE import_id = $id) TO '$WORK/floor_results.csv' (FORMAT csv)
SQL
psql -X -q -d postgres -c "DROP DATABASE crm_bench"
qb() { psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench_before "$@"; }
set_all=$(qb -c "SELECT string_agg(format('%I = u.%I', attname, attname), ', ') FROM pg_attribute WHERE attrelid = 'crm_contacts'::regclass AND attnum > 1 AND NOT attisdropped")
qb -c "CREATE UNLOGGED TABLE floor_updated AS SELECT * FROM crm_contacts LIMIT 0" \
	-c "\\copy floor_updated FROM '$WORK/floor_updated.csv' (FORMAT csv)" -c "ANALYZE floor_updated" -c "CHECKPOINT"
floor=$(qb <<SQL
\timing on
BEGIN;
UPDATE crm_contacts c SET $set_all FROM floor_updated u WHERE c.id = u.id;
\copy crm_contacts FROM '$WORK/floor_new.csv' (FORMAT csv)
\copy crm_list_members FROM '$WORK/floor_members.csv' (FORMAT csv)
CREATE TABLE crm_import_staging.floor_results PARTITION OF crm_import_row_results FOR VALUES IN ($id);
\copy crm_import_row_results FROM '$WORK/floor_results.csv' (FORMAT csv)
COMMIT;
SQL
)
echo "$floor" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split()]
names = ['begin', 'update of the matched contacts', 'COPY of the new contacts', 'COPY of the list memberships', 'results partition', 'COPY of the row results', 'commit']
for n, v in zip(names, t):
    if v >= 10: print('  %s: %.0f ms' % (n, v))
print('write floor: %.0f ms = %.1f x COPY; with the upload: %.1f x COPY' % (sum(t), sum(t) / $copy_ms, (sum(t) + $up_ms) / $copy_ms))
"
psql -X -q -d postgres -c "DROP DATABASE crm_bench_before"
