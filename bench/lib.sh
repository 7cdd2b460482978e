# Shared by the benchmarks in bench/: a scratch directory, the cluster to run on, psql on
# the benchmark's database; for import_vs_copy.sh and write_floor.sh also the data, the wizard
# settings and a database holding the existing contacts.
# Source it; the functions use the variable WORK (a directory of the generated files).
# Client programs (psql) come from PATH; bench_pg_bindir puts PG_BINDIR, by default the
# system's PostgreSQL 15, in front of it (import_vs_copy.sh and write_floor.sh): point it at a
# private installation (and PGPORT at its cluster) to run there. pg_virtualenv, used when PGPORT
# is not set, always runs the system installation (of BENCH_PG_VERSION, 15 by default).

# The generator of the contacts files (GEN, by default the shared one beside this repository).
BENCH_GEN=${GEN:-../shared/bench/gen_contacts.py}

bench_pg_bindir() {
	PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
	export PATH="$PG_BINDIR:$PATH"
}

# bench_work name: a new scratch directory WORK (/tmp/name.XXXXXX) the server can read,
# removed when the script exits.
bench_work() {
	WORK=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$WORK"
	trap 'rm -rf "$WORK"' EXIT
}

# bench_cluster script [args...]: makes the files WORK/*.csv readable to the server, then runs
# "script --inside WORK args..." on the cluster PGHOST/PGPORT point at when PGPORT is set,
# else on a throwaway pg_virtualenv cluster.
bench_cluster() {
	local script=$1
	shift
	chmod 644 "$WORK"/*.csv
	if [ -n "${PGPORT:-}" ]; then
		"$script" --inside "$WORK" "$@"
	else
		pg_virtualenv -v "${BENCH_PG_VERSION:-15}" "$script" --inside "$WORK" "$@"
	fi
}

# bench_main name generate script [args...]: the two halves of every benchmark script. Run
# as "script args...": makes WORK (bench_work name), calls "generate args..." to write the
# input files into it, runs "script --inside WORK" on a cluster (bench_cluster) followed by
# the words generate left in the array BENCH_INSIDE_ARGS, and exits. Run as "script --inside
# WORK ...": sets WORK and returns; the script reads its own further arguments.
bench_main() {
	local name=$1 generate=$2 script=$3
	shift 3
	if [ "${1:-}" = "--inside" ]; then
		WORK=$2
		return
	fi
	bench_work "$name"
	BENCH_INSIDE_ARGS=()
	"$generate" "$@"
	bench_cluster "$script" "${BENCH_INSIDE_ARGS[@]}"
	exit 0
}

# bench_db db: (re)creates database db with the extension, the database q and qf then use.
bench_db() {
	BENCH_DB=$1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
	q -c "CREATE EXTENSION crm_import"
}
# psql on the database of bench_db: unaligned, tuples only, stop on the first error.
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }
# The same with the statements from stdin: psql -c does not interpolate variables.
qf() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@" -f -; }
# The milliseconds of the last statement timed by psql's \timing in its output on stdin.
ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }

# The consent terms gen_contacts.py writes, for both consent fields.
bench_consent_terms() {
	q -c "SELECT crm_import_set_consent_terms(f, ARRAY['Yes','True','Ja','Sant','OptIn'], ARRAY['No','False','Nei','Usant','OptOut']) FROM unnest(ARRAY['email_marketing','sms_marketing']) f" >/dev/null
}

# bench_start script [rows | --inside WORK]: the start of import_vs_copy.sh and
# write_floor.sh (script, bench_main), client programs from PG_BINDIR. The input, rows
# (1,000,000 by default) each: existing contacts (--rows N --dup-rate 0 --seed 1) and the
# import (--rows N --dup-rate 0.1 --seed 2 --existing-rows N --overlap 0.5).
bench_start() {
	bench_pg_bindir
	bench_main crm_bench bench_import_files "$@"
}
bench_import_files() {
	local rows=${1:-1000000}
	python3 "$BENCH_GEN" --rows "$rows" --dup-rate 0 --seed 1 --out "$WORK/existing.csv"
	python3 "$BENCH_GEN" --rows "$rows" --dup-rate 0.1 --seed 2 --existing-rows "$rows" --overlap 0.5 --out "$WORK/incoming.csv"
}

# bench_existing_db db: (re)creates database db (bench_db) with the extension, the two lists,
# the consent terms the generator writes, and the existing contacts imported (not timed),
# vacuumed and analyzed as a CRM in steady state is. Writes $WORK/settings.sql, the
# wizard settings of both imports (psql variable id): master file, primary email,
# secondary mobile.
bench_existing_db() {
	local db=$1 existing_id
	cat > "$WORK/settings.sql" <<'SQL'
SELECT crm_import_suggest_mapping(:id) \g /dev/null
SELECT crm_import_skip(:id, 'notes');
SELECT crm_import_set_rules(:id, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT crm_import_accept_compliance(:id, true, true);
SQL
	bench_db "$db"
	q -c "SELECT crm_import_create_list('existing'), crm_import_create_list('incoming')" >/dev/null
	bench_consent_terms
	existing_id=$(echo "SELECT crm_import_upload_file('existing', :'file');" | qf -v file="$WORK/existing.csv")
	cat "$WORK/settings.sql" - <<'SQL' | qf -v id="$existing_id" >/dev/null
SELECT * FROM crm_import_run(:id);
SELECT crm_import_discard(:id);
SQL
	q -c "VACUUM ANALYZE crm_contacts, crm_list_members"
}

# The table a plain COPY of the file goes into.
BENCH_COPY_TABLE="CREATE UNLOGGED TABLE copy_target (first_name text, last_name text, email text, mobile text, company text, city text, country text, birthday text, email_optin text, sms_optin text, notes text)"
