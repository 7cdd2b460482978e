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
psql -X -q -d postgres -c "DROP DATABASE crm_bench"
