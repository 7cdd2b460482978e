#!/usr/bin/env bash
# Whole import versus COPY: 1,000,000 existing contacts (gen_contacts.py --rows 1000000
# --dup-rate 0 --seed 1), then a 1,000,000-row import (--dup-rate 0.1 --seed 2
# --existing-rows 1000000 --overlap 0.5) with master file, primary email, secondary mobile,
# on stock postgresql.conf. Prints each run phase and the ratio of the whole import (upload
# to completed) to a plain COPY of the same file into an UNLOGGED table. Then undoes the
# import (crm_import_undo, timed, phases printed) and compares crm_contacts and
# crm_list_members with a copy taken before the import: the only differences allowed are
# the fields the undo reports as kept (an opt-out is never undone). BENCH_UNDO=0 skips it.
#   bench/import_vs_copy.sh [rows]
# Uses the cluster PGHOST/PGPORT point at when PGPORT is set, else a pg_virtualenv one;
# client programs from PG_BINDIR (default /usr/lib/postgresql/15/bin, see lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_start "$0" "$@"
echo "loading the existing contacts (not timed)..."
bench_existing_db crm_bench
q -c "SELECT count(*) || ' existing contacts' FROM crm_contacts"
undo=${BENCH_UNDO:-1}
if [ "$undo" = 1 ]; then
	q -c "CREATE UNLOGGED TABLE bench_contacts AS SELECT * FROM crm_contacts" \
		-c "CREATE UNLOGGED TABLE bench_members AS SELECT * FROM crm_list_members"
fi
q -c "CHECKPOINT" -c "$BENCH_COPY_TABLE"
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
if [ "$undo" = 1 ]; then
	q -c "SELECT format('undo data: %s rows, %s', count(*), pg_size_pretty(pg_total_relation_size('crm_import_undo_contacts'))) FROM crm_import_undo_contacts"
	q -c "CHECKPOINT"
	echo "undo of the import:"
	printf '%s\n' "SET crm_import.progress_rows = 1;" '\timing on' "SELECT * FROM crm_import_undo(:id);" | qf -v id="$id" 2>&1 | sed 's/^/  /'
	q -c "SELECT format('%s contacts, %s list members', (SELECT count(*) FROM crm_contacts), (SELECT count(*) FROM crm_list_members))"
	qf -v id="$id" <<-'SQL'
		WITH diff AS (
			SELECT a.id FROM (SELECT * FROM crm_contacts EXCEPT ALL SELECT * FROM bench_contacts) a
			UNION SELECT b.id FROM (SELECT * FROM bench_contacts EXCEPT ALL SELECT * FROM crm_contacts) b
		), kept AS (SELECT * FROM crm_import_undo_conflicts(:id))
		SELECT format('after the undo: %s contacts differ from before the import, %s of them not reported by crm_import_undo_conflicts (kept: %s); %s list memberships differ',
			(SELECT count(*) FROM diff), (SELECT count(*) FROM diff WHERE id NOT IN (SELECT contact_id FROM kept)),
			coalesce((SELECT string_agg(format('%s %s', n, outcome), ', ') FROM (SELECT outcome, count(*) AS n FROM kept GROUP BY 1) k), 'nothing'),
			(SELECT count(*) FROM ((SELECT * FROM crm_list_members EXCEPT ALL SELECT * FROM bench_members)
				UNION ALL (SELECT * FROM bench_members EXCEPT ALL SELECT * FROM crm_list_members)) y));
	SQL
fi
psql -X -q -d postgres -c "DROP DATABASE crm_bench"
