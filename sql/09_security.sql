-- 09_security: who may see and change an import, direct access to the extension's tables,
-- hostile header names, and a hostile search_path.
\i sql/include/fresh_extension.sql
\set VERBOSITY default

\i sql/include/expect_error.sql

-- Test roles (cluster-wide; dropped at the end): alice and bob use the wizard, carol is
-- an import admin, mallory has no crm_import role at all.
\i sql/include/test_roles.sql
SELECT pg_temp.test_roles(ARRAY['alice', 'bob'], ARRAY['carol'], ARRAY['mallory']);

SELECT crm_import_create_list('Sikkerhet') IS NOT NULL AS created;

---------------------------------------------------------------------------------------------
-- An import is visible only to its owner (and admins)
---------------------------------------------------------------------------------------------
SET ROLE alice;
SELECT crm_import_caller() AS caller, crm_import_is_admin() AS is_admin;
SELECT crm_import_upload('Sikkerhet', convert_to(
	E'Fornavn,E-post,Nyhetsbrev\nKari,kari@example.no,Ja\nOla,ola@example.no,Nei\n', 'UTF8'), 'alice.csv') AS id \gset
SELECT list, file_name, owner, state, rows FROM crm_import_status ORDER BY id;
SELECT * FROM crm_import_preview(:id);
SELECT column_no, name, filled FROM crm_import_columns(:id);
RESET ROLE;
SELECT staging_table AS staging FROM crm_imports WHERE id = :id \gset

SET ROLE bob;
SELECT crm_import_caller() AS caller, crm_import_is_admin() AS is_admin;
-- Not listed for bob.
SELECT count(*) AS visible FROM crm_import_status;
-- Every function refuses alice's import exactly as it refuses one that does not exist
-- (42704; the id is masked so both read the same).
SELECT f AS call,
       replace(pg_temp.expect_error(format(f, :id)), :'id', 'N') AS alices_import,
       replace(pg_temp.expect_error(format(f, 999999)), '999999', 'N')
         = replace(pg_temp.expect_error(format(f, :id)), :'id', 'N') AS same_as_missing
FROM unnest(ARRAY[
	'SELECT * FROM crm_import_preview(%s)',
	'SELECT * FROM crm_import_columns(%s)',
	'SELECT crm_import_set_header(%s, false)',
	'SELECT crm_import_map(%s, ''E-post'', ''email'')',
	'SELECT crm_import_map(%s, 1, ''first_name'')',
	'SELECT crm_import_skip(%s, ''Fornavn'')',
	'SELECT crm_import_skip(%s, 1)',
	'SELECT crm_import_set_skip_unmapped(%s, true)',
	'SELECT * FROM crm_import_suggest_mapping(%s)',
	'SELECT crm_import_set_consent(%s, ''email_marketing'', value => true)',
	'SELECT crm_import_set_rules(%s, ''file'', ''email'')',
	'SELECT crm_import_accept_compliance(%s, true, true)',
	'SELECT * FROM crm_import_summary(%s)',
	'SELECT * FROM crm_import_run(%s, dry_run => true)',
	'SELECT * FROM crm_import_run(%s)',
	'SELECT * FROM crm_import_results(%s)',
	'SELECT crm_import_discard(%s)'
]) AS f;
-- No direct way around the functions: the staging table, the import tables, the contacts.
SELECT pg_temp.expect_error(format('SELECT * FROM %s', :'staging'));
SELECT pg_temp.expect_error('SELECT * FROM crm_imports');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_mappings');
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_staging.results_%s', :id));
SELECT pg_temp.expect_error('SELECT * FROM crm_import_runs');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_internal.crm_import_results(1)');
SELECT pg_temp.expect_error($$INSERT INTO crm_contacts (first_name, email) VALUES ('Bob', 'bob@example.no')$$);
SELECT pg_temp.expect_error($$UPDATE crm_contacts SET email_marketing = true$$);
SELECT pg_temp.expect_error($$DELETE FROM crm_contacts$$);
SELECT pg_temp.expect_error($$INSERT INTO crm_lists (name, created_by) VALUES ('Bobs liste', 'bob')$$);
SELECT pg_temp.expect_error($$INSERT INTO crm_fields (name, label, type) VALUES ('x', 'X', 'text')$$);
SELECT pg_temp.expect_error(format('UPDATE crm_imports SET owner = %L WHERE id = %s', 'bob', :id));
SELECT pg_temp.expect_error('CREATE TABLE crm_import_staging.mine (x int)');
-- Internal functions are not executable by wizard users (42501): not with a forged import
-- row, and crm_import_report_phase cannot fake the progress of alice's import (security
-- sweep). They ran with bob's own rights before, which did not reach alice's import either.
SELECT left(pg_temp.expect_error(format(
	'SELECT crm_import_set_mapping(jsonb_populate_record(NULL::crm_imports, %L), 1, %L)',
	jsonb_build_object('id', :id, 'owner', 'bob', 'state', 'draft', 'column_count', 3), 'email')), 5) AS set_mapping;
SELECT pg_temp.expect_error(format('SELECT crm_import_report_phase(%s, %L)', :id, 'write contacts (fake)')) AS report_phase;
SELECT left(pg_temp.expect_error(format(
	'SELECT * FROM crm_import_execute(jsonb_populate_record(NULL::crm_imports, %L), true)',
	jsonb_build_object('id', :id, 'owner', 'bob', 'state', 'draft', 'column_count', 3, 'staging_table', :'staging',
	                   'has_header', true, 'record_count', 3, 'skip_unmapped', true, 'master', 'file',
	                   'primary_key', 'none'))), 5) AS execute;
RESET ROLE;

-- Alice cannot bypass the functions either, not even for her own import.
SET ROLE alice;
SELECT pg_temp.expect_error(format('SELECT * FROM %s', :'staging'));
SELECT pg_temp.expect_error($$INSERT INTO crm_contacts (first_name, email) VALUES ('Alice', 'alice@example.no')$$);
SELECT pg_temp.expect_error('SELECT * FROM crm_imports');
-- Her import is untouched by bob's attempts.
SELECT state, rows FROM crm_import_status WHERE id = :id;
SELECT count(*) AS mapped FROM crm_import_columns(:id) WHERE mapped_to IS NOT NULL;
SELECT count(*) AS preview_rows FROM crm_import_preview(:id);
RESET ROLE;

-- A member of crm_import_admin sees and may work with every import.
SET ROLE carol;
SELECT crm_import_caller() AS caller, crm_import_is_admin() AS is_admin;
SELECT list, file_name, owner, state FROM crm_import_status ORDER BY id;
SELECT count(*) AS preview_rows FROM crm_import_preview(:id);
SELECT column_no, name FROM crm_import_columns(:id);
-- ... but no direct table access either.
SELECT pg_temp.expect_error(format('SELECT * FROM %s', :'staging'));
RESET ROLE;

-- A role without crm_import_user cannot use the wizard at all.
SET ROLE mallory;
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('Mallorys liste')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Sikkerhet', convert_to(E'a\n1\n', 'UTF8'))$$);
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s)', :id));
SELECT pg_temp.expect_error('SELECT * FROM crm_import_status');
SELECT pg_temp.expect_error('SELECT * FROM crm_contacts');
RESET ROLE;

-- The run's internal writers take table names and queries: no wizard user may call them,
-- and even a role given EXECUTE needs the table privileges (the writer checks INSERT, the
-- query runs as the caller).
SET ROLE alice;
SELECT pg_temp.expect_error($$SELECT crm_import_bulk_insert('crm_contacts', '{email}', 'SELECT ''x@example.no''')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_plan_matches('crm_contacts', 'crm_contacts', 'crm_contacts', 'email', NULL, NULL)$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION crm_import_bulk_insert(regclass, text[], text) TO mallory;
SET ROLE mallory;
SELECT pg_temp.expect_error($$SELECT crm_import_bulk_insert('crm_contacts', '{email}', 'SELECT ''x@example.no''')$$);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION crm_import_bulk_insert(regclass, text[], text) FROM mallory;
SELECT count(*) AS contacts_written_by_them FROM crm_contacts WHERE email = 'x@example.no';

-- The caller is the current user at the call, as for COPY: inside a SECURITY DEFINER
-- function owned by bob, a call acts for bob, whoever runs the function, so alice's
-- import is not bob's to see (and a superuser running bob's function lends bob nothing).
CREATE FUNCTION public.bobs_preview(import bigint) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_catalog AS $$ SELECT count(*) FROM crm_import_preview(import) $$;
ALTER FUNCTION public.bobs_preview(bigint) OWNER TO bob;
SET ROLE alice;
SELECT public.bobs_preview(:id) AS rows_seen_by_alice_through_bobs_function;
RESET ROLE;
DROP FUNCTION public.bobs_preview(bigint);

---------------------------------------------------------------------------------------------
-- Header names and values shaped like SQL injection are data
---------------------------------------------------------------------------------------------
SET ROLE alice;
SELECT crm_import_upload('Sikkerhet', convert_to(
	'"x""); DROP TABLE crm_contacts; --",a''b,%s,select,"Robert''); DROP TABLE crm_lists;--",E-post,$1' || E'\n' ||
	'"O''Brien","1; DELETE FROM crm_contacts",%I,"""quoted""","\x00",kari@example.no,$$' || E'\n', 'UTF8'),
	'injection.csv') AS inj \gset
SELECT column_no, name, samples FROM crm_import_columns(:inj);
SELECT * FROM crm_import_preview(:inj);
-- Columns are addressed by these names.
SELECT crm_import_map(:inj, 'x"); DROP TABLE crm_contacts; --', 'first_name');
SELECT crm_import_map(:inj, 'a''b', 'last_name');
SELECT crm_import_map(:inj, '%s', 'company');
SELECT crm_import_map(:inj, 'select', 'city');
SELECT crm_import_skip(:inj, 'Robert''); DROP TABLE crm_lists;--');
SELECT crm_import_map(:inj, 'E-post', 'email');
SELECT crm_import_skip(:inj, '$1');
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :inj, 'x"); DROP TABLE crm_contacts; -', 'country'));
SELECT column_no, name, mapped_to FROM crm_import_columns(:inj);
-- The import runs and stores the values verbatim.
SELECT crm_import_set_consent(:inj, 'email_marketing', value => false);
SELECT crm_import_set_rules(:inj, 'file', 'email');
SELECT crm_import_accept_compliance(:inj, true, true);
SELECT * FROM crm_import_run(:inj);
SELECT first_name, last_name, company, city, email, email_marketing FROM crm_contacts;
-- A completed import is final for its owner too.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, false)', :inj));
SELECT count(*) AS preview_rows FROM crm_import_preview(:inj);
RESET ROLE;
SELECT to_regclass('crm_contacts') IS NOT NULL AS contacts_table, to_regclass('crm_lists') IS NOT NULL AS lists_table,
       (SELECT count(*) FROM crm_lists) AS lists;

---------------------------------------------------------------------------------------------
-- A hostile search_path does not hijack the functions
---------------------------------------------------------------------------------------------
-- Alice owns a schema full of look-alikes of what the extension uses; each one raises if it
-- is ever called.
CREATE SCHEMA evil AUTHORIZATION alice;
SET ROLE alice;
CREATE FUNCTION evil.trap(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'evil.% was called', what;
END
$$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('lower'); RETURN $1; END $$;
CREATE FUNCTION evil.upper(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('upper'); RETURN $1; END $$;
CREATE FUNCTION evil.btrim(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('btrim'); RETURN $1; END $$;
CREATE FUNCTION evil.length(text) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('length'); RETURN 0; END $$;
CREATE FUNCTION evil.format(text, VARIADIC text[]) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('format'); RETURN $1; END $$;
CREATE FUNCTION evil.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('array_to_string'); RETURN ''; END $$;
CREATE FUNCTION evil.generate_series(integer, integer) RETURNS SETOF integer LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('generate_series'); END $$;
CREATE FUNCTION evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('unnest'); END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('now'); RETURN NULL; END $$;
CREATE FUNCTION evil.crm_import_caller() RETURNS name LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('crm_import_caller'); RETURN 'carol'; END $$;
CREATE FUNCTION evil.crm_import_is_admin() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('crm_import_is_admin'); RETURN true; END $$;
CREATE FUNCTION evil.crm_import_job(bigint, boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('crm_import_job'); END $$;
CREATE FUNCTION evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('= (text)'); RETURN true; END $$;
CREATE FUNCTION evil.int8_eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('= (bigint)'); RETURN true; END $$;
CREATE FUNCTION evil.int4_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('= (integer)'); RETURN true; END $$;
CREATE FUNCTION evil.int4_ge(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('>= (integer)'); RETURN true; END $$;
CREATE FUNCTION evil.int4_lt(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('< (integer)'); RETURN true; END $$;
CREATE FUNCTION evil.text_cat(text, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap('|| (text)'); RETURN $1; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8_eq);
CREATE OPERATOR evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.int4_eq);
CREATE OPERATOR evil.>= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.int4_ge);
CREATE OPERATOR evil.< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.int4_lt);
CREATE OPERATOR evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_cat);
CREATE TABLE evil.crm_imports (id bigint, owner name);
CREATE TABLE evil.crm_lists (id bigint, name text);
-- The traps work when reached through the search_path.
SET search_path = evil, pg_catalog, public;
SELECT pg_temp.expect_error($$SELECT lower('X')$$) AS trap_lower;
SELECT pg_temp.expect_error($$SELECT 'a'::text = 'a'::text$$) AS trap_eq;

-- The wizard's functions still work and never call them: with evil first (pg_catalog
-- implicitly searched before it) ...
SET search_path = evil, public;
SELECT crm_import_create_list('Ond sti') IS NOT NULL AS list_created;
SELECT crm_import_upload('Ond sti', convert_to(E'Navn,E-post\nKari,kari@example.no\nOla,ola@example.no\n', 'UTF8'), 'evil1.csv') AS e1 \gset
SELECT * FROM crm_import_preview(:e1);
SELECT * FROM crm_import_columns(:e1);
SELECT crm_import_set_header(:e1, false);
SELECT * FROM crm_import_preview(:e1, 1);
SELECT crm_import_set_header(:e1, true);
SELECT crm_import_map(:e1, 'E-post', 'email');
SELECT crm_import_map(:e1, 1, 'first_name');
SELECT list, file_name, owner, state, rows FROM public.crm_import_status ORDER BY id;
-- ... and with evil ahead of pg_catalog itself.
SET search_path = evil, pg_catalog, public;
SELECT crm_import_create_list('Ond sti 2') IS NOT NULL AS list_created;
SELECT crm_import_upload('Ond sti 2', convert_to(E'Navn;E-post\nKari;kari@example.no\n', 'UTF8'), 'evil2.csv') AS e2 \gset
SELECT lo_from_bytea(0, convert_to(E'Navn,E-post\nOla,ola@example.no\n', 'UTF8')) AS evil_lo \gset
SELECT crm_import_upload_lo('Ond sti 2', :evil_lo, 'evil3.csv') AS e3 \gset
SELECT lo_unlink(:evil_lo);
SELECT * FROM crm_import_preview(:e2);
SELECT * FROM crm_import_preview(:e3);
SELECT * FROM crm_import_columns(:e2);
SELECT crm_import_set_header(:e2, false);
SELECT crm_import_set_header(:e2, true);
SELECT crm_import_map(:e2, 'E-post', 'email');
SELECT crm_import_skip(:e2, 'Navn');
SELECT column_no, name, mapped_to FROM crm_import_columns(:e2);
-- Errors come from the extension, not from a trap.
SELECT pg_temp.expect_error('SELECT * FROM crm_import_preview(999999)');
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Ond stii', convert_to(E'a\n1\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('Ond sti')$$);
SELECT file_name, owner, state, rows FROM public.crm_import_status ORDER BY id;
RESET search_path;
RESET ROLE;
-- A superuser with the hostile search_path is not hijacked either.
SET search_path = evil, pg_catalog, public;
SELECT crm_import_upload('Ond sti', convert_to(E'a,b\n1,2\n', 'UTF8')) AS e4 \gset
SELECT * FROM crm_import_preview(:e4);
SELECT column_no, name, samples, filled FROM crm_import_columns(:e4);
RESET search_path;
SELECT count(*) AS evil_tables_untouched FROM evil.crm_imports;

---------------------------------------------------------------------------------------------
-- Overloads planted in the extension's own schema are refused, not called
---------------------------------------------------------------------------------------------
-- A role that may CREATE in schema public (the default in databases upgraded from
-- PostgreSQL 14 or older) adds overloads of the extension's functions. The security sweep
-- made mallory superuser through alice's next import this way: a crm_import_last(text)
-- beat the polymorphic crm_import_last(anyelement), and crm_import_bulk_insert(text, ...)
-- beat (regclass, ...) for an untyped literal, both called as the extension's owner. The
-- calls now pass exact types (the aggregate is one per type), and any function named like
-- one of the extension's but not part of it stops every import with 42723.
GRANT CREATE ON SCHEMA public TO mallory;
SET ROLE mallory;
CREATE FUNCTION public.evil_sfunc(s anyelement, v anyelement) RETURNS anyelement LANGUAGE plpgsql AS
	$$BEGIN EXECUTE 'ALTER ROLE mallory SUPERUSER'; RETURN coalesce(v, s); END$$;
CREATE AGGREGATE public.crm_import_last(anyelement) (sfunc = public.evil_sfunc, stype = anyelement);
CREATE FUNCTION public.crm_import_bulk_insert(target text, columns text[], query text) RETURNS bigint
	LANGUAGE plpgsql AS $$BEGIN EXECUTE 'ALTER ROLE mallory SUPERUSER'; RETURN 0; END$$;
RESET ROLE;
SET ROLE alice;
SELECT crm_import_upload('Sikkerhet', convert_to(E'email,first\nx@example.no,A\nx@example.no,B\n', 'UTF8')) AS planted \gset
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :planted, 'email', 'email'));
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'mallory';
-- Once they are gone, the import goes on.
DROP AGGREGATE public.crm_import_last(anyelement);
DROP FUNCTION public.crm_import_bulk_insert(text, text[], text);
DROP FUNCTION public.evil_sfunc(anyelement, anyelement);
REVOKE CREATE ON SCHEMA public FROM mallory;
SET ROLE alice;
SELECT crm_import_map(:planted, 'email', 'email');
SELECT crm_import_map(:planted, 'first', 'first_name');
SELECT crm_import_set_consent(:planted, 'email_marketing', value => true);
SELECT crm_import_set_rules(:planted, 'file', 'email');
SELECT crm_import_accept_compliance(:planted, true, true);
SELECT * FROM crm_import_run(:planted);
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'mallory';

-- An admin who replaces a user's profile leaves it the user's (it became carol's, and
-- alice could then neither apply nor save it: security sweep).
SET ROLE alice;
SELECT crm_import_save_profile(:planted, 'Alice ukentlig');
RESET ROLE;
SET ROLE carol;
SELECT crm_import_save_profile(:planted, 'Alice ukentlig');
RESET ROLE;
SELECT name, owner FROM crm_import_profiles WHERE name = 'Alice ukentlig';
SET ROLE alice;
SELECT crm_import_upload('Sikkerhet', convert_to(E'email,first\ny@example.no,Y\n', 'UTF8')) AS again \gset
SELECT * FROM crm_import_apply_profile(:again, 'Alice ukentlig');
SELECT crm_import_save_profile(:again, 'Alice ukentlig');
RESET ROLE;

---------------------------------------------------------------------------------------------
-- Clean up
---------------------------------------------------------------------------------------------
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
SELECT pg_temp.drop_test_roles(ARRAY['alice', 'bob', 'carol', 'mallory']);
SELECT count(*) AS test_roles_left FROM pg_roles WHERE rolname IN ('alice', 'bob', 'carol', 'mallory');
