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

SET client_min_messages = warning;
DROP EXTENSION crm_import CASCADE;
DROP OWNED BY regress_profile_other;
DROP ROLE regress_profile_other;

