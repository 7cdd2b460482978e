#!/usr/bin/env bash
# Whole import versus COPY: 1,000,000 existing contacts, then a 1,000,000-row import that
# overlaps them by 50% (10% in-file duplicates), master file, primary email, secondary
# mobile, on a throwaway cluster with stock postgresql.conf. Prints the time of each phase
# and the ratio of the whole import (upload to completed) to a plain COPY of the same file.
#   bench/import_vs_copy.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
GEN=${GEN:-../shared/bench/gen_contacts.py}
WORK=$(mktemp -d /tmp/crm_bench.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
python3 "$GEN" --rows "$ROWS" --dup-rate 0 --seed 1 --out "$WORK/existing.csv"
python3 "$GEN" --rows "$ROWS" --dup-rate 0.1 --seed 2 --existing-rows "$ROWS" --overlap 0.5 --out "$WORK/incoming.csv"
chmod 644 "$WORK"/*.csv
export WORK
INNER='
set -e
psql -X -q -d postgres -c "CREATE DATABASE bench"
run() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
ms() { sed -n "s/^Time: \([0-9.]*\) ms.*/\1/p" | tail -1; }
cat > "$WORK/settings.sql" <<SQL
SELECT crm_import_suggest_mapping(:id) \\g /dev/null
SELECT crm_import_skip(:id, '"'"'notes'"'"');
SELECT crm_import_set_rules(:id, master => '"'"'file'"'"', primary_key => '"'"'email'"'"', secondary_key => '"'"'mobile'"'"');
SELECT crm_import_accept_compliance(:id, true, true);
SQL
run -c "CREATE EXTENSION crm_import" -c "SELECT crm_import_create_list($$existing$$), crm_import_create_list($$incoming$$)" \
	-c "SELECT crm_import_set_consent_terms(f, ARRAY[$$Yes$$,$$True$$,$$Ja$$,$$Sant$$,$$OptIn$$], ARRAY[$$No$$,$$False$$,$$Nei$$,$$Usant$$,$$OptOut$$]) FROM unnest(ARRAY[$$email_marketing$$,$$sms_marketing$$]) f" >/dev/null
echo "loading the existing contacts..."
run -At -c "SELECT crm_import_upload_file($$existing$$, $$$WORK/existing.csv$$) AS id \gset" -f "$WORK/settings.sql" -c "SELECT * FROM crm_import_run(:id)" -c "SELECT crm_import_discard(:id)" >/dev/null
run -At -c "SELECT count(*) || $$ existing contacts$$ FROM crm_contacts"
run -c "CHECKPOINT" -c "CREATE UNLOGGED TABLE copy_target (first_name text, last_name text, email text, mobile text, company text, city text, country text, birthday text, email_optin text, sms_optin text, notes text)"
copy_ms=$(run -At -c "\timing on" -c "COPY copy_target FROM $$$WORK/incoming.csv$$ (FORMAT csv, HEADER)" | ms)
run -c "CHECKPOINT"
start=$(date +%s%N)
up_ms=$(run -At -c "\timing on" -c "SELECT crm_import_upload_file($$incoming$$, $$$WORK/incoming.csv$$)" | ms)
id=$(run -At -c "SELECT max(id) FROM crm_imports")
set_ms=$(run -At -v id=$id -c "\timing on" -f "$WORK/settings.sql" | ms)
run -v id=$id -c "SET crm_import.progress_rows = 1" -c "\timing on" -c "SELECT * FROM crm_import_run(:id)" 2>&1 | grep -E "NOTICE|inserted|^ +[0-9]|Time"
end=$(date +%s%N)
total_ms=$(( (end - start) / 1000000 ))
echo "COPY of the incoming file: ${copy_ms} ms"
echo "upload: ${up_ms} ms; whole import (upload, settings, run): ${total_ms} ms"
python3 -c "print(\"whole import / COPY = %.1f, upload / COPY = %.2f\" % ($total_ms / $copy_ms, $up_ms / $copy_ms))"
run -At -c "SELECT format($$%s contacts, %s list members$$, (SELECT count(*) FROM crm_contacts), (SELECT count(*) FROM crm_list_members))"
'
# With PGHOST/PGPORT set the benchmark uses that cluster (the database "bench" is created in
# it); otherwise a throwaway one from pg_virtualenv.
if [ -n "${PGPORT:-}" ]; then
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" >/dev/null
	bash -c "$INNER"
else
	pg_virtualenv -v 15 bash -c "$INNER"
fi
