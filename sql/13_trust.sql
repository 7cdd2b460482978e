-- 13_trust: the trust issue's release blockers, each as the attack or accident that broke
-- 0.1.0: maintenance commands running a table owner's index expression with a superuser as
-- the outer user, cheap functions reading other roles' rows through the views, consent
-- terms swapped under a reviewed import, tablespaces chosen by the caller, a dropped role's
-- name reused, a non-UTF8 database.
\i sql/include/fresh_extension.sql
\set VERBOSITY default
\i sql/include/expect_error.sql

\i sql/include/test_roles.sql
SELECT pg_temp.test_roles(ARRAY['trust_alice', 'trust_bob', 'trust_carol'], ARRAY['trust_admin']);
GRANT CREATE ON SCHEMA public TO trust_bob;
SELECT crm_import_create_list('Tillit') IS NOT NULL AS created;

SET ROLE trust_alice;
SELECT crm_import_upload('Tillit', convert_to(E'Fornavn,E-post,Nyhetsbrev\nKari,kari@example.no,Ja\nOla,ola@example.no,Nei\n', 'UTF8'),
	'alice.csv') AS alice_import \gset
SELECT crm_import_set_consent(:alice_import, 'email_marketing', column_name => 'Nyhetsbrev');
SELECT crm_import_map(:alice_import, 'Fornavn', 'first_name');
SELECT crm_import_map(:alice_import, 'E-post', 'email');
SELECT crm_import_set_rules(:alice_import, 'file', 'email');
SELECT crm_import_save_profile(:alice_import, 'alices-profil');
RESET ROLE;

---------------------------------------------------------------------------------------------
-- 1. An index expression of bob's table, run by a superuser's ANALYZE (or autovacuum), acts
--    for nobody: crm_import refuses inside a security-restricted operation. In 0.1.0 it read
--    a server file, listed every import and discarded alice's, as the superuser.
---------------------------------------------------------------------------------------------
SET ROLE trust_bob;
CREATE TABLE public.bobs_table (x integer);
INSERT INTO public.bobs_table SELECT g FROM generate_series(1, 3) g;
CREATE FUNCTION public.bobs_probe(x integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF x = 1 THEN
		BEGIN
			PERFORM crm_import_upload_file('Tillit', '/etc/hostname');
			RAISE NOTICE 'probe: read a server file';
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'probe: upload_file refused: % (%)', SQLERRM, SQLSTATE;
		END;
		BEGIN
			RAISE NOTICE 'probe: sees % imports', (SELECT count(*) FROM crm_import_status);
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'probe: crm_import_status refused: % (%)', SQLERRM, SQLSTATE;
		END;
		BEGIN
			PERFORM crm_import_discard(1);
			RAISE NOTICE 'probe: discarded import 1';
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'probe: discard refused: % (%)', SQLERRM, SQLSTATE;
		END;
	END IF;
	RETURN x;
END
$$;
-- Even bob's own CREATE INDEX evaluates the expression in a security-restricted operation.
CREATE INDEX bobs_index ON public.bobs_table (public.bobs_probe(x));
RESET ROLE;
-- The superuser's maintenance commands run the expression as bob in a security-restricted
-- operation: refused, whoever the outer user is.
ANALYZE public.bobs_table;
REINDEX TABLE public.bobs_table;
SELECT count(*) AS imports, count(*) FILTER (WHERE staging_table IS NOT NULL) AS still_staged FROM crm_imports;

---------------------------------------------------------------------------------------------
-- 1b. Identity is the current user at the call: a SECURITY DEFINER function owned by bob
--     acts for bob even when the superuser runs it.
---------------------------------------------------------------------------------------------
SET ROLE trust_bob;
CREATE FUNCTION public.bobs_trojan() RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
	PERFORM crm_import_upload_file('Tillit', '/etc/hostname');
	RETURN 'read a server file';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE FUNCTION public.bobs_status_count() RETURNS bigint
LANGUAGE sql SECURITY DEFINER AS $$ SELECT count(*) FROM crm_import_status $$;
RESET ROLE;
SELECT public.bobs_trojan() AS superuser_running_bobs_function;
SELECT public.bobs_status_count() AS imports_bobs_function_sees_for_superuser;
SELECT crm_import_caller() = current_user AS superuser_is_caller_outside;

---------------------------------------------------------------------------------------------
-- 2. The views that filter by owner are leak-proof: a cheap function of bob's in WHERE is
--    evaluated only on rows bob may see.
---------------------------------------------------------------------------------------------
SET ROLE trust_bob;
CREATE FUNCTION pg_temp.peek(a text, b text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN RAISE NOTICE 'peek: % %', a, b; RETURN true; END $$;
SELECT count(*) AS bobs_rows FROM crm_import_status WHERE pg_temp.peek(file_name, owner::text);
SELECT count(*) AS bobs_profiles FROM crm_import_profile_list WHERE pg_temp.peek(name, owner::text);
SELECT relname, reloptions FROM pg_class WHERE relname IN ('crm_import_status', 'crm_import_profile_list') ORDER BY 1;
RESET ROLE;

---------------------------------------------------------------------------------------------
-- 3. Consent terms: changing them is an admin act, and an import runs with the terms its
--    summary showed when compliance was accepted.
---------------------------------------------------------------------------------------------
SET ROLE trust_bob;
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', ARRAY['Nei'], ARRAY['Ja'])$$);
RESET ROLE;
SET ROLE trust_alice;
SELECT crm_import_accept_compliance(:alice_import, true, true);
SELECT value FROM crm_import_summary(:alice_import) WHERE section = 'consent' AND setting = 'email_marketing';
RESET ROLE;
-- An admin swaps the meaning of Ja and Nei after alice's review.
SET ROLE trust_admin;
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['Nei', 'True'], ARRAY['Ja', 'False']);
RESET ROLE;
SET ROLE trust_alice;
SELECT value FROM crm_import_summary(:alice_import) WHERE section = 'consent' AND setting = 'email_marketing';
SELECT * FROM crm_import_run(:alice_import);
RESET ROLE;
SELECT email, email_marketing FROM crm_contacts ORDER BY email;
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['True', 'Yes', 'Sant', 'Ja'], ARRAY['False', 'No', 'Usant', 'Nei']);

---------------------------------------------------------------------------------------------
-- 5. Tables the upload and run create go to the database's default tablespace, not to one
--    the caller names (and may lack CREATE on).
---------------------------------------------------------------------------------------------
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE trust_elsewhere LOCATION '';
RESET allow_in_place_tablespaces;
SET ROLE trust_alice;
SET default_tablespace = trust_elsewhere;
SELECT crm_import_upload('Tillit', convert_to(E'E-post,Nyhetsbrev\nper@example.no,Ja\n', 'UTF8'), 'ts.csv') AS ts_import \gset
SELECT crm_import_map(:ts_import, 'E-post', 'email');
SELECT crm_import_set_consent(:ts_import, 'email_marketing', column_name => 'Nyhetsbrev');
SELECT crm_import_set_rules(:ts_import, 'file', 'email');
SELECT crm_import_accept_compliance(:ts_import, true, true);
SELECT inserted FROM crm_import_run(:ts_import);
RESET default_tablespace;
RESET ROLE;
SELECT count(*) AS tables_in_trust_elsewhere FROM pg_class WHERE reltablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'trust_elsewhere');
SELECT count(*) AS import_tables_in_default_tablespace FROM pg_class
	WHERE relnamespace = 'crm_import_staging'::regnamespace AND relname IN ('job_' || :ts_import, 'results_' || :ts_import)
	AND reltablespace = 0;
DROP TABLESPACE trust_elsewhere;

---------------------------------------------------------------------------------------------
-- 6. Owned by role OID: a role created later under a dropped role's name is a stranger; the
--    dropped role's imports and profiles are the admins'.
---------------------------------------------------------------------------------------------
SET ROLE trust_carol;
SELECT crm_import_upload('Tillit', convert_to(E'E-post\ncarol@example.no\n', 'UTF8'), 'carol.csv') AS carol_import \gset
SELECT crm_import_map(:carol_import, 'E-post', 'email');
SELECT crm_import_set_rules(:carol_import, 'file', 'email');
SELECT crm_import_save_profile(:carol_import, 'carols-profil');
RESET ROLE;
DROP ROLE trust_carol;
CREATE ROLE trust_carol NOLOGIN;
GRANT crm_import_user TO trust_carol;
SET ROLE trust_carol;
SELECT count(*) AS imports_new_carol_sees FROM crm_import_status;
SELECT count(*) AS profiles_new_carol_sees FROM crm_import_profile_list;
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s)', :carol_import));
SELECT crm_import_upload('Tillit', convert_to(E'E-post\nny@example.no\n', 'UTF8'), 'new-carol.csv') AS new_carol_import \gset
SELECT crm_import_map(:new_carol_import, 'E-post', 'email');
SELECT crm_import_set_rules(:new_carol_import, 'file', 'email');
SELECT pg_temp.expect_error(format($$SELECT crm_import_save_profile(%s, 'carols-profil')$$, :new_carol_import));
RESET ROLE;
SET ROLE trust_admin;
SELECT file_name, owner FROM crm_import_status WHERE id = :carol_import;
SELECT name, owner FROM crm_import_profile_list WHERE name = 'carols-profil';
RESET ROLE;

---------------------------------------------------------------------------------------------
-- 8. A database in another encoding than UTF8 is refused at CREATE EXTENSION: staged
--    values are UTF-8 and would be stored as corrupt text there.
---------------------------------------------------------------------------------------------
SET client_min_messages = warning;
DROP DATABASE IF EXISTS crm_import_trust_latin1;
RESET client_min_messages;
SELECT current_database() AS regress_db \gset
CREATE DATABASE crm_import_trust_latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C';
\c crm_import_trust_latin1
CREATE EXTENSION crm_import;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'crm_import';
\c :regress_db
DROP DATABASE crm_import_trust_latin1;

---------------------------------------------------------------------------------------------
-- Grants come from the explicit lists of 90_privileges.sql: what crm_import_user and PUBLIC
-- may execute, and that every wizard function is a C entry point over an implementation in
-- crm_import_internal that nobody but the owner may execute.
---------------------------------------------------------------------------------------------
SELECT p.proname, count(*) AS signatures,
	bool_and(has_function_privilege('public', p.oid, 'EXECUTE')) AS public_may,
	bool_and(p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AND p.prosrc = 'crm_import_entry') AS entry_point
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'crm_import')
WHERE has_function_privilege('crm_import_user', p.oid, 'EXECUTE')
GROUP BY p.proname ORDER BY p.proname;
SELECT count(*) AS implementations, count(*) FILTER (WHERE p.prosecdef) AS security_definer,
	count(*) FILTER (WHERE has_function_privilege('crm_import_user', p.oid, 'EXECUTE')
		OR has_function_privilege('crm_import_admin', p.oid, 'EXECUTE')) AS executable_by_wizard_roles,
	has_schema_privilege('crm_import_user', 'crm_import_internal', 'USAGE') AS schema_usage
FROM pg_proc p WHERE p.pronamespace = 'crm_import_internal'::regnamespace;

---------------------------------------------------------------------------------------------
-- Clean up
---------------------------------------------------------------------------------------------
DROP TABLE public.bobs_table;
\i sql/include/test_roles.sql
SELECT pg_temp.drop_test_roles(ARRAY['trust_alice', 'trust_bob', 'trust_admin', 'trust_carol']);
