# Shared by bench/import_vs_copy.sh and bench/write_floor.sh: the benchmark's data, the
# cluster to run on, the wizard settings, and a database holding the existing contacts.
# Source it; the functions use the variable WORK (a directory of the generated files).
# Client programs (psql) come from PG_BINDIR, by default the system's PostgreSQL 15; point it
# at a private installation (and PGPORT at its cluster) to run there. pg_virtualenv, used
# when PGPORT is not set, always runs the system installation.
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PATH="$PG_BINDIR:$PATH"

# bench_start script rows: generates the issue's files into a new WORK directory, then
# runs "script --inside WORK" on the cluster PGHOST/PGPORT point at when PGPORT is set,
# else on a throwaway pg_virtualenv cluster. Existing contacts: --rows N --dup-rate 0
# --seed 1; the import: --rows N --dup-rate 0.1 --seed 2 --existing-rows N --overlap 0.5.
bench_start() {
	local script=$1 rows=$2 gen=${GEN:-../shared/bench/gen_contacts.py}
	WORK=$(mktemp -d /tmp/crm_bench.XXXXXX)
	chmod 755 "$WORK"
	trap 'rm -rf "$WORK"' EXIT
	python3 "$gen" --rows "$rows" --dup-rate 0 --seed 1 --out "$WORK/existing.csv"
	python3 "$gen" --rows "$rows" --dup-rate 0.1 --seed 2 --existing-rows "$rows" --overlap 0.5 --out "$WORK/incoming.csv"
	chmod 644 "$WORK"/*.csv
	if [ -n "${PGPORT:-}" ]; then
		"$script" --inside "$WORK"
	else
		pg_virtualenv -v 15 "$script" --inside "$WORK"
	fi
}

# bench_existing_db db: (re)creates database db with the extension, the two lists, the
# consent terms the generator writes, and the existing contacts imported (not timed),
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
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION crm_import" \
		-c "SELECT crm_import_create_list('existing'), crm_import_create_list('incoming')" \
		-c "SELECT crm_import_set_consent_terms(f, ARRAY['Yes','True','Ja','Sant','OptIn'], ARRAY['No','False','Nei','Usant','OptOut']) FROM unnest(ARRAY['email_marketing','sms_marketing']) f" >/dev/null
	existing_id=$(echo "SELECT crm_import_upload_file('existing', :'file');" |
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v file="$WORK/existing.csv" -f -)
	cat "$WORK/settings.sql" - <<'SQL' | psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v id="$existing_id" -f - >/dev/null
SELECT * FROM crm_import_run(:id);
SELECT crm_import_discard(:id);
SQL
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "VACUUM ANALYZE crm_contacts, crm_list_members"
}

# The table a plain COPY of the file goes into.
BENCH_COPY_TABLE="CREATE UNLOGGED TABLE copy_target (first_name text, last_name text, email text, mobile text, company text, city text, country text, birthday text, email_optin text, sms_optin text, notes text)"
