-- Saved profiles and the one-call import: save from a configured import, apply to a new
-- upload by header name (reporting missing and new columns), and the docs' weekly script.
\i sql/include/fresh_extension.sql
\pset footer off

SELECT crm_import_create_list('Nyhetsbrev 2026');
-- The first week: the wizard, step by step.
SELECT crm_import_upload('Nyhetsbrev 2026', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev;Notater\nOla;ola@example.no;91234567;Ja;x\nKari;kari@example.no;;Nei;y\n', 'UTF8'), 'uke1.csv') AS first \gset
SELECT count(*) FROM crm_import_suggest_mapping(:first);
SELECT crm_import_skip(:first, 'Notater');
SELECT crm_import_set_consent(:first, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:first, 'file', 'email', 'mobile');
SELECT crm_import_set_options(:first, max_errors => '10%');
SELECT crm_import_save_profile(:first, 'uke');
SELECT name, owner, columns, skip_unmapped, email_consent_value, sms_consent_value, master, primary_key, secondary_key,
	max_errors, allow_reoptin, has_header FROM crm_import_profiles;
-- Saving needs rules; names are checked.
SELECT crm_import_upload('Nyhetsbrev 2026', convert_to(E'a\n1\n', 'UTF8')) AS bare \gset
SELECT crm_import_save_profile(:bare, 'nope');
SELECT crm_import_save_profile(:first, '  ');

-- Week two: the file gained a column and lost one; the report says so.
SELECT crm_import_upload('Nyhetsbrev 2026', convert_to(E'E-post;Fornavn;Nyhetsbrev;Postnummer\nola@example.no;Ola;Nei;0150\nper@example.no;Per;Ja;5003\n', 'UTF8'), 'uke2.csv') AS second \gset
SELECT * FROM crm_import_apply_profile(:second, 'uke');
SELECT problem FROM crm_import_check(:second);
SELECT crm_import_apply_profile(:second, 'uek');

-- One call: a missing compliance confirmation refuses and leaves nothing behind.
SELECT crm_import('Nyhetsbrev 2026', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev;Notater\nPer;per@example.no;;Ja;\n', 'UTF8'), 'uke');
SELECT count(*) AS imports FROM crm_imports;
SELECT * FROM crm_import('Nyhetsbrev 2026', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev;Notater\nPer;per@example.no;;Ja;\nOla;OLA@example.no;91234567;Nei;\n', 'UTF8'), 'uke', gdpr => true, tcpa => true, file_name => 'uke3.csv');
SELECT first_name, email, mobile, email_marketing, sms_marketing FROM crm_contacts ORDER BY id;
-- A failing run inside the one call: state failed, counts NULL, the reason kept.
SELECT * FROM crm_import('Nyhetsbrev 2026', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev;Notater\nA;bad-email;;Ja;\nB;also bad;;Ja;\n', 'UTF8'), 'uke', gdpr => true, tcpa => true, file_name => 'uke4.csv');
SELECT file_name, state, tab, failure_reason FROM crm_import_status WHERE file_name = 'uke4.csv';

-- Profiles belong to their owner.
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_profile_other') THEN
		CREATE ROLE regress_profile_other;
	END IF;
END $$;
GRANT crm_import_user TO regress_profile_other;
SET ROLE regress_profile_other;
SELECT crm_import_upload('Nyhetsbrev 2026', convert_to(E'E-post\nx@example.no\n', 'UTF8')) AS other \gset
SELECT crm_import_apply_profile(:other, 'uke');
SELECT crm_import_set_rules(:other, 'file', 'email');
SELECT crm_import_save_profile(:other, 'uke');
RESET ROLE;

-- The docs' weekly script, exactly as written (psql runs from the repository root), with a
-- profile saved once from the wizard run on the same kind of file.
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Nyhetsbrev 2026', :LASTOID) AS setup \gset
SELECT lo_unlink(:LASTOID) \g /dev/null
SELECT count(*) FROM crm_import_suggest_mapping(:setup);
SELECT crm_import_skip(:setup, 'Notater');
SELECT crm_import_set_consent_terms(f, ARRAY['Yes', 'True', 'Ja', 'Sant', 'OptIn'], ARRAY['No', 'False', 'Nei', 'Usant', 'OptOut'])
	FROM unnest(ARRAY['email_marketing', 'sms_marketing']) f;
SELECT crm_import_set_rules(:setup, 'file', 'email', 'mobile');
SELECT crm_import_save_profile(:setup, 'weekly-newsletter');
SELECT crm_import_discard(:setup);
\i docs/examples/weekly_import.sql

-- Found by the psql-script sweep: a name saved with spaces around it is found with them
-- too; a NULL profile and a 201-character name are clear errors; a script can list the
-- profiles it may use.
SELECT name, owner, primary_key FROM crm_import_profile_list ORDER BY name;
SELECT crm_import_upload('Nyhetsbrev 2026', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev;Notater\nPer;per@example.no;;Ja;\n', 'UTF8')) AS padded \gset
SELECT count(*) AS found_with_spaces FROM crm_import_apply_profile(:padded, '  uke  ');
SELECT crm_import_apply_profile(:padded, NULL);
SELECT crm_import_save_profile(:padded, repeat('n', 201));
-- A completed one-call import drops its staged copy of the file (a weekly script kept one
-- per week); its status and row results stay.
SELECT file_name, state, staging_table IS NULL AS staged_copy_dropped,
	(SELECT count(*) FROM crm_import_results(j.id)) AS result_rows
FROM crm_imports j WHERE file_name = 'uke3.csv';

-- Issue 15: a profile remembers the columns its import left unmapped (skip_unmapped). A
-- Google export: 4 of its 38 columns imported, the other 34 left out. Next week's export
-- lacks the Phone 2 columns and has two Website columns: only those two are new, and the
-- missing Phone 2 columns (never imported) are not reported.
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/google_contacts_week1.csv'
SELECT crm_import_upload_file('Nyhetsbrev 2026', :'f') AS g1 \gset
SELECT crm_import_map(:g1, 'Given Name', 'first_name'), crm_import_map(:g1, 'Family Name', 'last_name'),
	crm_import_map(:g1, 'E-mail 1 - Value', 'email'), crm_import_map(:g1, 'Organization 1 - Name', 'company');
SELECT crm_import_set_skip_unmapped(:g1, true), crm_import_set_consent(:g1, 'email_marketing', unknown => true),
	crm_import_set_rules(:g1, 'file', 'email');
SELECT crm_import_save_profile(:g1, 'google');
SELECT cardinality(unmapped_columns) AS unmapped, unmapped_columns[1:3] AS first_three, columns
	FROM crm_import_profile_list WHERE name = 'google';
\set f :abs_srcdir '/tests/data/google_contacts_week2.csv'
SELECT crm_import_upload_file('Nyhetsbrev 2026', :'f') AS g2 \gset
SELECT status, count(*), string_agg(column_name, ', ' ORDER BY column_name) FILTER (WHERE status <> 'not imported') AS columns
	FROM crm_import_apply_profile(:g2, 'google') GROUP BY status ORDER BY status;
SELECT problem FROM crm_import_check(:g2);
-- The same file in the one-call import: its NOTICE names the two new columns only.
SELECT pg_catalog.pg_read_binary_file(:'f') AS g2_bytes \gset
SELECT state, inserted, rejected FROM crm_import('Nyhetsbrev 2026', :'g2_bytes'::bytea, 'google', gdpr => true, tcpa => true,
	dry_run => true);
-- Re-saved from an import without skip_unmapped, nothing is remembered: unmapped columns
-- then block the run until each is mapped or skipped.
SELECT crm_import_set_skip_unmapped(:g2, false);
SELECT crm_import_save_profile(:g2, 'google-strict');
SELECT cardinality(unmapped_columns) AS unmapped FROM crm_import_profile_list WHERE name = 'google-strict';

SET client_min_messages = warning;
DROP EXTENSION crm_import CASCADE;
DROP OWNED BY regress_profile_other;
DROP ROLE regress_profile_other;

