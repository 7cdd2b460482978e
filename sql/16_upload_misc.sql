-- Issue 14 item 7, small things real use hit: a path passed as the file's text, a forced
-- wrong delimiter ending in a quoting error, and removing the large object an import came
-- from (contact files are personal data).
\i sql/include/fresh_extension.sql
\set VERBOSITY default
\i sql/include/expect_error.sql
SELECT crm_import_create_list('Misc');

-- 1. A path given as the file: refused before anything is written (it used to be staged as
-- a one-column file whose header was the path). Text and bytea alike, Unix and Windows.
SELECT count(*) AS imports_before FROM crm_imports;
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', '/home/kari/Downloads/Connections.csv')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', convert_to('C:\Users\kari\Desktop\medlemmer.TXT ', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', 'kontakter.csv')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', '/srv/exports/members')$$);
SELECT count(*) AS imports_after FROM crm_imports;
-- Not paths: a one-line file ending in a line break, a header naming a file column, a
-- single word.
SELECT crm_import_upload('Misc', E'/home/kari/a.csv\n') IS NOT NULL AS uploaded;
SELECT crm_import_upload('Misc', E'Email,/path\n') IS NOT NULL AS uploaded;
SELECT crm_import_upload('Misc', 'Email') IS NOT NULL AS uploaded;

-- 2. A comma file with quoted fields uploaded with delimiter => ';': the quoting error's hint
-- names the delimiter given and the one the first lines suggest. With the right delimiter
-- given, or a file really broken, the hint is the plain one.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', E'Name,Email,City\n"Hansen, Ola",ola@example.no,Oslo\n"Berg, Per",per@example.no,Bergen\n', delimiter => ';')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', E'Name\tEmail\n"Hansen\tOla"x\tola@example.no\n', delimiter => ',')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', E'Name;Email\n"Kari "K" Nordmann";kari@example.no\n', delimiter => ';')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Misc', E'Name,Email\n"Kari,kari@example.no\n', delimiter => ';')$$);

-- 3. crm_import_discard(import, remove_source => true) removes the large object the file
-- was uploaded from, with lo_unlink's rule for the caller. (Fixed oids keep the output
-- stable.)
SELECT lo_from_bytea(4240001, convert_to(E'Email,Name\nkari@example.no,Kari\n', 'UTF8')) AS lo \gset
SELECT crm_import_upload_lo('Misc', :lo) AS imp \gset
SELECT source, source_ref = :'lo' AS ref_is_lo, source_lo = :lo AS source_lo_is_lo FROM crm_imports WHERE id = :imp;
SELECT crm_import_discard(:imp, remove_source => true);
SELECT count(*) AS lo_left FROM pg_largeobject_metadata WHERE oid = :lo;
SELECT staging_table FROM crm_imports WHERE id = :imp;
-- Again: the object is gone already (a NOTICE, no error).
SELECT crm_import_discard(:imp, remove_source => true);
-- Without remove_source the large object stays.
SELECT lo_from_bytea(4240002, convert_to(E'Email,Name\nkari@example.no,Kari\n', 'UTF8')) AS lo \gset
SELECT crm_import_upload_lo('Misc', :lo) AS imp \gset
SELECT crm_import_discard(:imp);
SELECT count(*) AS lo_left FROM pg_largeobject_metadata WHERE oid = :lo;
SELECT pg_temp.expect_error(format('SELECT crm_import_discard(%s, remove_source => NULL)', :imp));
SELECT lo_unlink(:lo);
-- A role that may read a large object but not unlink it: refused, nothing dropped.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'misc_dora') THEN
		CREATE ROLE misc_dora NOLOGIN;
	END IF;
END
$$;
GRANT crm_import_user TO misc_dora;
GRANT USAGE ON SCHEMA public TO misc_dora;
SELECT lo_from_bytea(4240003, convert_to(E'Email,Name\nkari@example.no,Kari\n', 'UTF8')) AS lo \gset
SELECT format('GRANT SELECT ON LARGE OBJECT %s TO misc_dora', :lo) \gexec
SELECT current_user AS superuser \gset
SET ROLE misc_dora;
SELECT crm_import_create_list('Dora');
SELECT crm_import_upload_lo('Dora', :lo) AS imp \gset
SELECT replace(pg_temp.expect_error(format('SELECT crm_import_discard(%s, remove_source => true)', :imp)),
	'owner is ' || :'superuser', 'owner is (the superuser running the tests)');
RESET ROLE;
SELECT staging_table IS NOT NULL AS still_staged FROM crm_imports WHERE id = :imp;
SELECT count(*) AS lo_left FROM pg_largeobject_metadata WHERE oid = :lo;
-- Once the object is hers, she may.
SELECT format('ALTER LARGE OBJECT %s OWNER TO misc_dora', :lo) \gexec
SET ROLE misc_dora;
SELECT crm_import_discard(:imp, remove_source => true);
RESET ROLE;
SELECT count(*) AS lo_left FROM pg_largeobject_metadata WHERE oid = :lo;
-- A server file is not removed by crm_import.
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/upload_plain.csv'
SELECT crm_import_upload_file('Misc', :'f') AS imp \gset
SELECT replace(pg_temp.expect_error(format('SELECT crm_import_discard(%s, remove_source => true)', :imp)), :'abs_srcdir', '$srcdir');
-- A bytea upload keeps no source: nothing to remove.
SELECT crm_import_upload('Misc', E'Email\nkari@example.no\n') AS imp \gset
SELECT crm_import_discard(:imp, remove_source => true);
DROP OWNED BY misc_dora;
DROP ROLE misc_dora;
