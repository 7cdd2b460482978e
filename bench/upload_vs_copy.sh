#!/usr/bin/env bash
# Upload speed: plain COPY (FORMAT csv, HEADER) into an UNLOGGED 11-text-column table versus
# crm_import_upload_file of the same 1,000,000-row file, alternating, on a throwaway cluster
# with stock postgresql.conf. Prints each timing and the median upload/COPY ratio.
#   bench/upload_vs_copy.sh [rows] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-5}
GEN=${GEN:-../shared/bench/gen_contacts.py}
WORK=$(mktemp -d /tmp/crm_bench.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
python3 "$GEN" --rows "$ROWS" --dup-rate 0.1 --seed 2 --out "$WORK/contacts.csv"
chmod 644 "$WORK/contacts.csv"
echo "file: $(stat -c %s "$WORK/contacts.csv") bytes, $ROWS rows"
export FILE="$WORK/contacts.csv" ROUNDS
INNER='
psql -X -q -d postgres -c "CREATE DATABASE bench" 
psql -X -q -d bench -c "CREATE EXTENSION crm_import" -c "SELECT crm_import_create_list($$bench$$)" >/dev/null
psql -X -q -d bench -c "CREATE UNLOGGED TABLE copy_target (first_name text, last_name text, email text, mobile text, company text, city text, country text, birthday text, email_optin text, sms_optin text, notes text)"
for i in $(seq 1 "$ROUNDS"); do
	c=$(psql -X -q -At -d bench -c "TRUNCATE copy_target" -c "\timing on" -c "COPY copy_target FROM '"'"'$FILE'"'"' (FORMAT csv, HEADER)" | sed -n "s/^Time: \([0-9.]*\) ms.*/\1/p")
	u=$(psql -X -q -At -d bench -c "\timing on" -c "SELECT crm_import_upload_file('"'"'bench'"'"', '"'"'$FILE'"'"')" | sed -n "s/^Time: \([0-9.]*\) ms.*/\1/p")
	psql -X -q -At -d bench -c "SELECT crm_import_discard(max(id)) FROM crm_imports" >/dev/null
	echo "round $i: copy ${c} ms, upload ${u} ms, ratio $(python3 -c "print(round($u/$c, 2))")"
	echo "$c $u" >> /tmp/crm_bench_rounds.$$
done
python3 - /tmp/crm_bench_rounds.$$ <<PY
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
print("median copy %.0f ms, median upload %.0f ms, median ratio upload/copy %.2f" % (
    statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
    statistics.median(r[1] / r[0] for r in rows)))
PY
rm -f /tmp/crm_bench_rounds.$$
'
# With PGHOST/PGPORT set the benchmark uses that cluster (the database "bench" is created in
# it); otherwise a throwaway one from pg_virtualenv.
if [ -n "${PGPORT:-}" ]; then
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" >/dev/null
	bash -c "$INNER"
else
	pg_virtualenv -v 15 bash -c "$INNER"
fi
