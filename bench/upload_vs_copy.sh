#!/usr/bin/env bash
# Upload speed: plain COPY (FORMAT csv, HEADER) into an UNLOGGED 11-text-column table versus
# crm_import_upload_file of the same file (gen_contacts.py --rows 1000000 --dup-rate 0.1
# --seed 2), and versus crm_import_upload_file(..., encoding => 'LATIN1') of the same rows
# saved in Latin-1 (converted while it streams), alternating, on stock postgresql.conf.
# Prints each round and the medians; the targets are upload <= 1.2 x COPY and the Latin-1
# upload <= 1.5 x COPY of the UTF-8 file.
#   bench/upload_vs_copy.sh [rows] [rounds]
# Uses the cluster PGHOST/PGPORT point at when PGPORT is set (psql and the server from PATH,
# e.g. a private installation), else a pg_virtualenv one of BENCH_PG_VERSION (15).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
# The input: rows rows in UTF-8 and the same in Latin-1. The rounds go on to the run.
upload_files() {
	local rows=${1:-1000000}
	python3 "$BENCH_GEN" --rows "$rows" --dup-rate 0.1 --seed 2 --out "$WORK/contacts.csv"
	# The same rows in Latin-1; the few letters it lacks (Polish Ł, ś) become L, s.
	iconv -f UTF-8 -t LATIN1//TRANSLIT "$WORK/contacts.csv" > "$WORK/contacts_latin1.csv"
	echo "file: $(stat -c %s "$WORK/contacts.csv") bytes, $rows data rows; Latin-1: $(stat -c %s "$WORK/contacts_latin1.csv") bytes"
	BENCH_INSIDE_ARGS=("${2:-5}")
}
bench_main crm_bench upload_files "$0" "$@"
ROUNDS=$3
FILE="$WORK/contacts.csv"
LATIN1_FILE="$WORK/contacts_latin1.csv"
bench_db crm_bench
q -c "SELECT crm_import_create_list('bench')" >/dev/null
q -c "$BENCH_COPY_TABLE"
: > "$WORK/rounds"
for i in $(seq 1 "$ROUNDS"); do
	c=$(printf '%s\n' "TRUNCATE copy_target;" "CHECKPOINT;" '\timing on' "COPY copy_target FROM :'file' (FORMAT csv, HEADER);" | qf -v file="$FILE" | ms)
	u=$(printf '%s\n' "CHECKPOINT;" '\timing on' "SELECT crm_import_upload_file('bench', :'file');" | qf -v file="$FILE" | ms)
	q -c "SELECT crm_import_discard(max(id)) FROM crm_imports" >/dev/null
	l=$(printf '%s\n' "CHECKPOINT;" '\timing on' "SELECT crm_import_upload_file('bench', :'file', encoding => 'LATIN1');" | qf -v file="$LATIN1_FILE" | ms)
	q -c "SELECT crm_import_discard(max(id)) FROM crm_imports" >/dev/null
	echo "round $i: COPY $c ms, crm_import_upload_file $u ms (ratio $(python3 -c "print(round($u / $c, 2))")), Latin-1 with encoding => 'LATIN1' $l ms (ratio $(python3 -c "print(round($l / $c, 2))"))"
	echo "$c $u $l" >> "$WORK/rounds"
done
python3 - "$WORK/rounds" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
m = lambda k: statistics.median(r[k] for r in rows)
print("median COPY %.0f ms, median upload %.0f ms, median Latin-1 upload %.0f ms" % (m(0), m(1), m(2)))
print("median ratio upload/COPY %.2f (target 1.2), Latin-1 upload/COPY %.2f (target 1.5)" % (
    statistics.median(r[1] / r[0] for r in rows), statistics.median(r[2] / r[0] for r in rows)))
PY
psql -X -q -d postgres -c "DROP DATABASE crm_bench"
