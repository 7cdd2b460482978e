#!/usr/bin/env bash
# pg_dump -Fc / pg_restore of a database holding crm_import data: a completed import with a
# custom field (crm_import_create_field('kundenummer', 'number') mapped from a column) and
# custom consent terms, a second completed import that updated contacts (master existing), a
# failed import and a draft one. The restored database must hold the same crm_contacts,
# crm_lists, crm_list_members, crm_fields (custom fields and consent terms included),
# crm_consent_terms, crm_imports, crm_import_mappings, crm_import_status, crm_import_results,
# summaries, staged rows and sequence positions, and must then run new imports exactly as the
# original does.
. "$(dirname "$0")/lib.sh"
src=it_dump_src
dst=it_dump_dst
newdb "$src" || { not_ok "create database $src"; finish; }

# Files: contacts with a "kundenummer" column (a number per row).
mkfile() { # name rows seed [generator options...]
	local name=$1 rows=$2 seed=$3
	shift 3
	python3 "$IT_GEN" --rows "$rows" --seed "$seed" "$@" --out "$IT_TMP/$name.raw" &&
		python3 - "$IT_TMP/$name.raw" "$IT_TMP/$name.csv" "$seed" <<-'PY'
			import csv, sys
			src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
			with open(src, newline='', encoding='utf-8') as f, open(dst, 'w', newline='', encoding='utf-8') as g:
			    r, w = csv.reader(f), csv.writer(g, lineterminator='\n')
			    w.writerow(next(r) + ['kundenummer'])
			    for i, row in enumerate(r, 1):
			        w.writerow(row + [str(seed * 100000 + i * 7)])
		PY
	chmod 644 "$IT_TMP/$name.csv"
}
mkfile first 3000 11 --dup-rate 0.05
mkfile second 1500 12 --dup-rate 0.05 --existing-rows 3000 --overlap 0.6
mkfile later 2000 13 --dup-rate 0.05 --existing-rows 3000 --overlap 0.4

# Runs a prepared import: list, file, master; kundenummer mapped to the custom field.
import_file() { # db list file master -> id
	local id
	id=$(q "$1" -v list="$2" -v file="$IT_TMP/$3.csv" <<-'SQL'
		SELECT crm_import_create_list(:'list') WHERE NOT EXISTS (SELECT 1 FROM crm_lists WHERE name = :'list') \g /dev/null
		SELECT crm_import_upload_file(:'list', :'file');
	SQL
	) || return 1
	q "$1" -v id="$id" -v master="$4" <<-'SQL' >/dev/null || return 1
		SELECT crm_import_suggest_mapping(:id);
		SELECT crm_import_map(:id, 'kundenummer', 'kundenummer');
		SELECT crm_import_skip(:id, 'notes');
		SELECT crm_import_set_rules(:id, :'master', 'email', 'mobile');
		SELECT crm_import_accept_compliance(:id, true, true);
	SQL
	echo "$id"
}

q "$src" >/dev/null <<-'SQL'
	SELECT crm_import_create_field('kundenummer', 'number', 'Kundenummer');
	SELECT crm_import_set_consent_terms('email_marketing', ARRAY['Yes','True','Ja','Sant','OptIn','Y'], ARRAY['No','False','Nei','Usant','OptOut','N']);
	SELECT crm_import_set_consent_terms('sms_marketing', ARRAY['OptIn','Yes','Ja','True','Sant'], ARRAY['OptOut','No','Nei','False','Usant']);
SQL
i1=$(import_file "$src" Kunder first file)
r1=$(q "$src" -c "SELECT inserted + updated + unchanged + merged_in_file + rejected, inserted FROM crm_import_run(${i1:-0})")
i2=$(import_file "$src" Oppfølging second existing)
r2=$(q "$src" -c "SELECT updated + unchanged, inserted FROM crm_import_run(${i2:-0})")
# A failed import (max_errors 0 and a bad e-mail address) and a draft one.
i3=$(q "$src" <<-'SQL'
	SELECT crm_import_upload('Kunder', convert_to(E'email,email_optin\nnot-an-email,Yes\nok@example.com,Yes\n', 'UTF8'), 'bad.csv');
SQL
)
q "$src" -v id="$i3" >/dev/null 2>&1 <<-'SQL'
	SELECT crm_import_suggest_mapping(:id);
	-- Suggestions no longer map a column whose samples fail the field (not-an-email): map it.
	SELECT crm_import_map(:id, 'email', 'email');
	SELECT crm_import_set_rules(:id, 'file', 'email');
	SELECT crm_import_set_options(:id, max_errors => '0');
	SELECT crm_import_accept_compliance(:id, true, true);
	SELECT * FROM crm_import_run(:id);
SQL
i4=$(import_file "$src" Utkast later file)
states=$(q "$src" -c "SELECT string_agg(state, ',' ORDER BY id) FROM crm_imports")
if [ "$states" = "completed,completed,failed,draft" ] && [ "${r1%%|*}" = 3000 ] && [ "${r1#*|}" -gt 0 ] &&
	[ "${r2%%|*}" -gt 0 ]; then
	ok "source database: two completed imports (custom field, custom consent terms), a failed and a draft one"
else
	not_ok "source database: two completed imports, a failed and a draft one" "states: $states; run 1: $r1; run 2: $r2"
fi
eq "contacts carry the custom field kundenummer" "yes" \
	"$(q "$src" -c "SELECT CASE WHEN count(*) > 1000 THEN 'yes' ELSE count(*)::text END FROM crm_contacts WHERE custom ? 'kundenummer'")"

# Dump and restore.
dump=$IT_TMP/crm.dump
if pg_dump -Fc -d "$src" -f "$dump" 2>"$IT_TMP/pg_dump.err"; then ok "pg_dump -Fc succeeds"; else
	not_ok "pg_dump -Fc succeeds" "$(cat "$IT_TMP/pg_dump.err")"; fi
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst" >/dev/null
if pg_restore --exit-on-error -d "$dst" "$dump" 2>"$IT_TMP/pg_restore.err" && [ ! -s "$IT_TMP/pg_restore.err" ]; then
	ok "pg_restore into a new database succeeds without errors or warnings"
else
	not_ok "pg_restore into a new database succeeds without errors or warnings" "$(head -c 3000 "$IT_TMP/pg_restore.err")"
fi

# The same query on both databases must give the same rows: md5 of the ordered row texts.
digest() { # db query
	q "$1" -c "SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '-')
		FROM ($2) t" 2>&1
}
same() { # description query
	local a b
	a=$(digest "$src" "$2")
	b=$(digest "$dst" "$2")
	if [ "$a" = "$b" ] && [ "${a%% rows*}" != 0 ] && [[ "$a" != *ERROR* ]]; then ok "restored $1 equal ($a)"; else
		not_ok "restored $1 equal" "source:   $a" "restored: $b" "query: $2"; fi
}
same crm_contacts "SELECT * FROM crm_contacts"
same crm_lists "SELECT * FROM crm_lists"
same crm_list_members "SELECT * FROM crm_list_members"
# Seeded predefined fields get their created_at from CREATE EXTENSION; everything else counts.
same "crm_fields (consent terms and custom fields)" \
	"SELECT name, label, type, custom, opt_in_terms, opt_out_terms, created_by, CASE WHEN custom THEN created_at END FROM crm_fields"
same crm_consent_terms "SELECT * FROM crm_consent_terms"
same crm_imports "SELECT * FROM crm_imports"
same crm_import_mappings "SELECT * FROM crm_import_mappings"
same crm_import_status "SELECT * FROM crm_import_status"
for id in $i1 $i2 $i4; do
	same "crm_import_summary($id)" "SELECT * FROM crm_import_summary($id)"
done
for id in $i1 $i2; do
	same "crm_import_results($id)" "SELECT * FROM crm_import_results($id)"
done
same "preview of the draft import (staged rows)" "SELECT * FROM crm_import_preview($i4)"
same "staged rows of the draft import" "SELECT * FROM crm_import_staging.job_$i4"
same "sequence positions" "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
eq "restored consent terms are the custom ones" "{Yes,True,Ja,Sant,OptIn,Y}|{OptOut,No,Nei,False,Usant}" \
	"$(q "$dst" -c "SELECT (SELECT opt_in_terms FROM crm_fields WHERE name = 'email_marketing'),
		(SELECT opt_out_terms FROM crm_fields WHERE name = 'sms_marketing')")"
eq "the restored extension is the same version" "$(q "$src" -c "SELECT extversion FROM pg_extension WHERE extname = 'crm_import'")" \
	"$(q "$dst" -c "SELECT extversion FROM pg_extension WHERE extname = 'crm_import'")"

# The restored database works on: the restored draft runs, and a new import uploads and runs,
# with the same outcome as on the original (ids, counts, contacts, row results).
for db in "$src" "$dst"; do
	q "$db" -c "SELECT * FROM crm_import_run($i4)" >"$IT_TMP/after_$db.out" 2>&1
	n=$(import_file "$db" Ny later existing)
	q "$db" -c "SELECT $n, * FROM crm_import_run(${n:-0})" >>"$IT_TMP/after_$db.out" 2>&1
done
eq "after the restore, the draft and a new import run exactly as on the original" \
	"$(cat "$IT_TMP/after_$src.out")" "$(cat "$IT_TMP/after_$dst.out")"
check "... and they complete" [ "$(q "$dst" -c "SELECT string_agg(state, ',' ORDER BY id) FROM crm_imports")" = "completed,completed,failed,completed,completed" ]
contacts="SELECT id, first_name, last_name, email, mobile, company, address, postal_code, city, country, birthday,
	email_marketing, sms_marketing, custom, email_marketing_import, sms_marketing_import, created_by_import, updated_by_import
	FROM crm_contacts"
same "contacts after the new imports (timestamps aside)" "$contacts"
same "list members after the new imports (timestamps aside)" "SELECT list_id, contact_id, added_by_import FROM crm_list_members"
same "row results of the new import" "SELECT * FROM crm_import_results((SELECT max(id) FROM crm_imports))"
finish
