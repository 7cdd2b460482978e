#!/usr/bin/env bash
# The run's phases, repeated: the existing contacts are loaded once (not timed) into a
# template database; each repetition copies it, uploads the import file, applies the
# benchmark's settings, checkpoints, and times crm_import_run with its phases printed
# (crm_import.progress_rows = 1). Repetitions on one database state make A/B comparisons of
# two builds (each on its own cluster: PGPORT, PG_BINDIR) less noisy than whole benchmarks.
#   bench/run_phases.sh [rows] [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
if [ "${1:-}" != "--inside" ]; then
	REPEAT=${2:-3} bench_start "$0" "${1:-1000000}"
	exit 0
fi
WORK=$2
echo "loading the existing contacts (not timed)..."
bench_existing_db crm_bench
psql -X -q -At -d crm_bench -c "CHECKPOINT"
for i in $(seq 1 "${REPEAT:-3}"); do
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS crm_bench_run" -c "CREATE DATABASE crm_bench_run TEMPLATE crm_bench"
	id=$(echo "SELECT crm_import_upload_file('incoming', :'file');" |
		psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench_run -v file="$WORK/incoming.csv" -f -)
	psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench_run -v id="$id" -f "$WORK/settings.sql" >/dev/null
	psql -X -q -d crm_bench_run -c "CHECKPOINT"
	sync
	echo "run $i:"
	printf '%s\n' "SET crm_import.progress_rows = 1;" '\timing on' "SELECT * FROM crm_import_run(:id);" |
		psql -X -q -At -v ON_ERROR_STOP=1 -d crm_bench_run -v id="$id" -f - 2>&1 | sed 's/^psql:<stdin>:[0-9]*: //; s/^/  /'
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS crm_bench_run"
