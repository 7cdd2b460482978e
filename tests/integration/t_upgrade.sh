#!/usr/bin/env bash
# Upgrade versus fresh install. For every upgrade script extension/crm_import--A--B.sql, each
# version A that starts an upgrade path (the oldest first) is installed (CREATE EXTENSION
# crm_import VERSION 'A'), upgraded with ALTER EXTENSION crm_import UPDATE, and compared with
# a fresh CREATE EXTENSION crm_import: same version, same member objects (pg_describe_object
# over pg_depend deptype 'e') with the same definitions (pg_get_functiondef for functions;
# columns, constraints, indexes, triggers, views, ACLs, comments, initial privileges, config
# tables and seeded rows otherwise; see ext_snapshot.sql).
# The install script of an old version A is taken from tests/integration/versions/ (a frozen
# copy of the released crm_import--A.sql, gzipped) or from PostgreSQL's extension directory.
# From 0.1.0 it also upgrades a database holding 0.1.0's rows and runs (and undoes) an import
# on it and on a fresh database: same outcome; an import 0.1.0 completed cannot be undone. With no upgrade script it checks that ALTER EXTENSION
# crm_import UPDATE on a fresh install is a no-op.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
ext_dir=${IT_EXT_DIR:-$IT_REPO/extension}
# Frozen install scripts are kept gzipped (a released file is data, never edited).
old_src=${IT_OLD_VERSIONS:-$here/versions}
old_dir=$IT_TMP/versions
mkdir -p "$old_dir"
for f in "$old_src"/crm_import--*.sql.gz; do [ -e "$f" ] && gzip -dc "$f" >"$old_dir/$(basename "${f%.gz}")"; done
for f in "$old_src"/crm_import--*.sql; do [ -e "$f" ] && cp "$f" "$old_dir/"; done
sharedir=$("$IT_BIN/pg_config" --sharedir)/extension
default=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "$sharedir/crm_import.control")

# Scripts this test copies into the extension directory are removed again at exit.
added=()
cleanup() { for f in "${added[@]}"; do rm -f "$f"; done; }
trap cleanup EXIT
provide() { # script file name -> the extension directory has it (same content as ours)
	local src=$1 dst
	dst=$sharedir/$(basename "$1")
	if [ ! -e "$dst" ]; then
		cp "$src" "$dst" && chmod 644 "$dst" && added+=("$dst")
	else
		cmp -s "$src" "$dst"
	fi
}

snapshot() { # db file
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -f "$here/ext_snapshot.sql" >"$2" 2>&1 ||
		not_ok "snapshot of the extension in database $1" "$(head -n 20 "$2")"
}
compare() { # description fresh upgraded
	if grep -q 'ERROR:' "$2" "$3"; then not_ok "$1" "a snapshot failed"; return; fi
	if diff -u "$2" "$3" >"$3.diff"; then ok "$1"; else
		not_ok "$1" "$(head -n 60 "$3.diff")"
	fi
}

newdb it_upgrade_fresh || { not_ok "CREATE EXTENSION crm_import"; finish; }
fresh=$IT_TMP/snapshot_fresh.txt
snapshot it_upgrade_fresh "$fresh"
members=$(grep -c '^function \|^table \|^view \|^schema \|^type \|^sequence ' "$fresh")
eq "fresh install is version $default (the control file's default_version)" "$default" \
	"$(q it_upgrade_fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'crm_import'")"
if [ "$members" -gt 20 ] && grep -q '^function crm_import_run(bigint,boolean)' "$fresh" && grep -q '^table crm_contacts' "$fresh"; then
	ok "snapshot of the fresh install lists its member objects ($members)"
else
	not_ok "snapshot of the fresh install lists its member objects" "$(head -n 20 "$fresh")"
fi

# The comparison itself: two fresh installs agree, and a changed definition is noticed.
newdb it_upgrade_probe || { not_ok "CREATE EXTENSION crm_import (second database)"; finish; }
snapshot it_upgrade_probe "$IT_TMP/snapshot_probe.txt"
compare "two fresh installs give identical snapshots" "$fresh" "$IT_TMP/snapshot_probe.txt"
q it_upgrade_probe -c "ALTER FUNCTION crm_import_check(bigint) SET work_mem = '1MB'" \
	-c "COMMENT ON COLUMN crm_contacts.city IS 'changed'" >/dev/null
snapshot it_upgrade_probe "$IT_TMP/snapshot_changed.txt"
changes=$(diff "$fresh" "$IT_TMP/snapshot_changed.txt" | grep -c '^>')
eq "the comparison notices a changed function definition and a changed comment" 2 "$changes"

# 0.1.0 -> 0.2.0 with data: rows as 0.1.0 wrote them (written directly: 0.1.0's SQL refuses
# to stage files with this library) survive the upgrade in 0.2.0's form, and an import then
# runs on the upgraded database exactly as on a fresh one.
upgrade_with_data() {
	local label=$1 up=it_upgrade_data fresh_db=it_upgrade_data_fresh out
	psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $up" -c "CREATE DATABASE $up" \
		-c "DROP ROLE IF EXISTS it_upgrade_gone" -c "CREATE ROLE it_upgrade_gone" >/dev/null
	q "$up" >/dev/null <<-'SQL' || { not_ok "$label with data: 0.1.0 rows written"; return; }
		CREATE EXTENSION crm_import VERSION '0.1.0';
		INSERT INTO crm_lists (name, created_by) VALUES ('Upgrade', 'postgres');
		INSERT INTO crm_imports (owner, list_id, file_name, source, state, gdpr_accepted, tcpa_accepted, inserted)
			VALUES (current_user, 1, 'done.csv', 'bytea', 'completed', true, true, 2),
			       ('it_upgrade_gone', 1, 'gone.csv', 'bytea', 'draft', true, true, NULL);
		CREATE TABLE crm_import_staging.results_1 PARTITION OF crm_import_row_results FOR VALUES IN (1);
		INSERT INTO crm_import_row_results VALUES (1, 1, 2, 'inserted', NULL, NULL, NULL), (1, 2, 3, 'rejected', NULL, NULL, 'bad');
		INSERT INTO crm_import_profiles (name, owner, columns, skip_unmapped) VALUES ('weekly', current_user, '{}', false);
	SQL
	psql -X -q -d postgres -c "DROP ROLE it_upgrade_gone" >/dev/null
	if ! out=$(q "$up" -c "ALTER EXTENSION crm_import UPDATE" 2>&1); then
		not_ok "$label with data: ALTER EXTENSION crm_import UPDATE" "$out"
		return
	fi
	eq "$label with data: owners by OID (a dropped owner's import is nobody's), reviewed draft keeps its consent terms" \
		"done.csv|t|f|f|gone.csv|f|t|t" \
		"$(q "$up" -c "SELECT string_agg(concat_ws('|', file_name, owner_id = (SELECT oid FROM pg_roles WHERE rolname = current_user),
			consent_terms IS NOT NULL, owner_id = 0), '|' ORDER BY id) FROM crm_imports")"
	eq "$label with data: row results of the old partition are read through crm_import_results" "1|inserted|2|rejected" \
		"$(q "$up" -c "SELECT string_agg(row_no || '|' || outcome, '|' ORDER BY row_no) FROM crm_import_results(1)")"
	eq "$label with data: the dropped owner's import shows as dropped, the profile keeps its owner" \
		"it_upgrade_gone (dropped)|weekly|$(q postgres -c 'SELECT current_user')" \
		"$(q "$up" -c "SELECT (SELECT owner FROM crm_import_status WHERE id = 2) || '|' || (SELECT name || '|' || owner FROM crm_import_profile_list)")"
	eq "$label with data: an import completed by 0.1.0 cannot be undone (it kept no undo data)" \
		"55000|import 1 cannot be undone: it ran before crm_import kept undo data|true" \
		"$(q "$up" -c "CREATE FUNCTION pg_temp.e() RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM * FROM crm_import_undo(1); RETURN 'no error';
			EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || '|' || SQLERRM; END \$\$" \
			-c "SELECT pg_temp.e() || '|' || (SELECT (undo_until IS NULL)::text FROM crm_import_status WHERE id = 1)")"
	newdb "$fresh_db" || { not_ok "$label with data: fresh database"; return; }
	local db_ out_up out_fresh
	for db_ in "$up" "$fresh_db"; do
		q "$db_" >"$IT_TMP/upgrade_run_$db_.txt" 2>&1 <<-'SQL'
			SELECT crm_import_create_list('Run after upgrade') IS NOT NULL;
			SELECT crm_import_upload('Run after upgrade', convert_to(E'email,first_name,optin\nola@example.no,Ola,Ja\nkari@example.no,Kari,Nei\nOLA@example.no,Ola N,Ja\n', 'UTF8'), 'after.csv') AS id \gset
			SELECT count(*) FROM crm_import_suggest_mapping(:id);
			SELECT crm_import_set_consent(:id, 'email_marketing', column_name => 'optin');
			SELECT crm_import_set_rules(:id, 'file', 'email');
			SELECT crm_import_accept_compliance(:id, true, true);
			SELECT inserted, updated, unchanged, merged_in_file, rejected FROM crm_import_run(:id);
			SELECT email, first_name, email_marketing FROM crm_contacts WHERE created_by_import = :id ORDER BY email;
			SELECT row_no, outcome, matched_by, reason FROM crm_import_results(:id);
			SELECT * FROM crm_import_undo(:id);
			SELECT count(*) FROM crm_contacts WHERE created_by_import = :id;
		SQL
	done
	out_up=$(cat "$IT_TMP/upgrade_run_$up.txt")
	out_fresh=$(cat "$IT_TMP/upgrade_run_$fresh_db.txt")
	if [ "$out_up" = "$out_fresh" ] && grep -q '^2|0|0|1|0$' "$IT_TMP/upgrade_run_$up.txt"; then
		ok "$label with data: an import runs on the upgraded database exactly as on a fresh one"
	else
		not_ok "$label with data: an import runs on the upgraded database exactly as on a fresh one" \
			"upgraded: $out_up" "fresh: $out_fresh"
	fi
}

shopt -s nullglob
scripts=("$ext_dir"/crm_import--*--*.sql)
if [ ${#scripts[@]} -eq 0 ]; then
	# One version: the update must find nothing to do and change nothing.
	newdb it_upgrade_noop
	msg=$(psql -X -q -At -v ON_ERROR_STOP=1 -d it_upgrade_noop -c "ALTER EXTENSION crm_import UPDATE" 2>&1)
	rc=$?
	snapshot it_upgrade_noop "$IT_TMP/snapshot_noop.txt"
	if [ $rc -eq 0 ] && diff -q "$fresh" "$IT_TMP/snapshot_noop.txt" >/dev/null; then
		ok "upgrade paths: skipped: no upgrade scripts (only version $default); ALTER EXTENSION crm_import UPDATE on a fresh install is a no-op"
		note "$msg"
		note "when extension/crm_import--$default--NEXT.sql exists, keep the released install script as"
		note "tests/integration/versions/crm_import--$default.sql: this test then installs $default, upgrades it and compares."
	else
		not_ok "ALTER EXTENSION crm_import UPDATE on a fresh install is a no-op" "$msg" \
			"$(diff -u "$fresh" "$IT_TMP/snapshot_noop.txt" | head -n 40)"
	fi
	finish
fi

# Upgrade scripts: every one must be installed as in the repository.
froms=()
tos=()
for s in "${scripts[@]}"; do
	v=${s##*/crm_import--}
	v=${v%.sql}
	froms+=("${v%%--*}")
	tos+=("${v#*--}")
	if provide "$s"; then ok "upgrade script $(basename "$s") is installed"; else
		not_ok "upgrade script $(basename "$s") is installed as in the repository" "run make install"; fi
done
# Versions an upgrade starts from that no script leads to: the oldest ones.
starts=$(for f in "${froms[@]}"; do
	skip=0
	for t in "${tos[@]}"; do [ "$f" = "$t" ] && skip=1; done
	[ $skip = 0 ] && echo "$f"
done | sort -uV)
# Other versions with a frozen install script are worth checking too.
for f in "$old_dir"/crm_import--*.sql; do
	v=${f##*/crm_import--}
	v=${v%.sql}
	[[ "$v" == *--* ]] || starts=$(printf '%s\n%s\n' "$starts" "$v")
done
starts=$(printf '%s\n' "$starts" | grep -v "^$default\$" | grep -v '^$' | sort -uV)
for v in $starts; do
	label="upgrade from $v to $default"
	if [ -f "$old_dir/crm_import--$v.sql" ]; then
		provide "$old_dir/crm_import--$v.sql" || { not_ok "$label: the installed crm_import--$v.sql differs from $old_dir's"; continue; }
	elif [ ! -f "$sharedir/crm_import--$v.sql" ]; then
		not_ok "$label: install script crm_import--$v.sql found" \
			"Neither $old_dir/crm_import--$v.sql nor $sharedir/crm_import--$v.sql exists." \
			"Keep the released install script of $v there (built by make at the release tag)."
		continue
	fi
	db=it_upgrade_from_$(echo "$v" | tr -c 'a-zA-Z0-9\n' _)
	psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	if ! out=$(q "$db" -v v="$v" 2>&1 <<<"CREATE EXTENSION crm_import VERSION :'v';"); then
		not_ok "$label: CREATE EXTENSION crm_import VERSION '$v'" "$out"
		continue
	fi
	if ! out=$(q "$db" -c "ALTER EXTENSION crm_import UPDATE" 2>&1); then
		not_ok "$label: ALTER EXTENSION crm_import UPDATE" "$out"
		continue
	fi
	eq "$label: version after ALTER EXTENSION crm_import UPDATE" "$default" \
		"$(q "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'crm_import'")"
	snapshot "$db" "$IT_TMP/snapshot_$v.txt"
	compare "$label: same member objects and definitions as a fresh install" "$fresh" "$IT_TMP/snapshot_$v.txt"
	[ "$v" = 0.1.0 ] && upgrade_with_data "$label"
done
finish
