-- Issue 15, the run: options on the import (date order, region, invalid values, rows
-- without a key), date columns read in their detected order, a row's country deciding its
-- phone region, unknown consent, skipped values, every problem of a row, and a run that
-- rejects every row failing.
\i sql/include/fresh_extension.sql
\i sql/include/expect_error.sql
SET crm_import.default_region = 'NO';
SELECT crm_import_create_list('Options');
CREATE FUNCTION t_upload(body text) RETURNS bigint LANGUAGE sql AS $$
	SELECT crm_import_upload('Options', convert_to(body, 'UTF8'))
$$;
CREATE FUNCTION t_results(imp bigint) RETURNS TABLE (row_no int, outcome text, reason text) LANGUAGE sql AS $$
	SELECT r.row_no, r.outcome, r.reason FROM crm_import_results(imp) r ORDER BY 1
$$;
CREATE FUNCTION t_settings(imp bigint) RETURNS TABLE (date_order text, default_region text, invalid_values text,
	rows_without_key text) LANGUAGE sql AS $$
	SELECT j.date_order, j.default_region, j.invalid_values, j.rows_without_key FROM crm_imports j WHERE j.id = imp
$$;

-- 1. Options: defaults, each set and kept by NULL, cleared, and refused with a hint.
SELECT t_upload(E'Email,Phone,Born\na@example.com,91234567,31.01.1990\n') AS imp \gset
SELECT * FROM t_settings(:imp);
SELECT crm_import_set_options(:imp, date_order => 'mdy', default_region => 'se', invalid_values => 'skip_value',
	rows_without_key => 'reject');
SELECT * FROM t_settings(:imp);
SELECT crm_import_set_options(:imp, max_errors => '5');
SELECT * FROM t_settings(:imp);
SELECT crm_import_set_options(:imp, date_order => 'detect', default_region => 'session');
SELECT * FROM t_settings(:imp);
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, date_order => %L)', :imp, 'DDMMYYYY'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, default_region => %L)', :imp, 'UK'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, invalid_values => %L)', :imp, 'ignore'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, rows_without_key => %L)', :imp, 'skip'));
SELECT crm_import_discard(:imp);

-- 2. Date order. Detected per column from its values: one day above 12 decides it.
SELECT t_upload(E'Email,Born,Renewal\na@example.com,31/01/1990,02/03/2025\nb@example.com,05/06/1985,04/05/2025\n') AS imp \gset
SELECT crm_import_create_field('renewal', 'date');
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Born', 'birthday'), crm_import_map(:imp, 'Renewal', 'renewal');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'values';
-- Undecided columns follow the region: month first for US numbers.
SELECT crm_import_set_options(:imp, default_region => 'US');
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'values';
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT c.email, c.birthday, c.custom FROM crm_contacts c ORDER BY 1;
SELECT crm_import_set_options(:imp, default_region => 'session');
SELECT * FROM crm_import_run(:imp);
SELECT c.email, c.birthday, c.custom FROM crm_contacts c ORDER BY 1;

-- Contradictory values block the run, naming the column and values, until the order is set.
SELECT t_upload(E'Email,Born\nc@example.com,31/01/1990\nd@example.com,01/31/1990\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Born', 'birthday');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_check(:imp);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'values' AND setting LIKE 'column%';
SELECT crm_import_set_options(:imp, date_order => 'DMY');
SELECT * FROM crm_import_check(:imp);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'values';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);

-- Birthdays: in the future or more than 130 years ago are rejected with the reason.
SELECT t_upload(E'Email,Born\ne@example.com,01.01.2999\nf@example.com,01.01.1800\ng@example.com,17.05.1990\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Born', 'birthday');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);

-- 3. Region: the import's own, and per row from a country column (code or name); a valid
-- number that is no mobile number is imported with a note.
SELECT t_upload(E'Email,Mobile,Country\nh@example.com,070-123 45 67,Sverige\ni@example.com,070-123 45 68,SE\nj@example.com,912 34 567,\nk@example.com,22 33 44 55,Norway\nl@example.com,800 12 345,NO\nm@example.com,(201) 555-0123,United States\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile'), crm_import_map(:imp, 'Country', 'country');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'values';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT c.email, c.mobile, c.country FROM crm_contacts c WHERE c.mobile IS NOT NULL ORDER BY 1;
-- Without a country column, the import's region reads every number.
SELECT t_upload(E'Email,Mobile\nn@example.com,070-123 45 69\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT crm_import_set_options(:imp, default_region => 'SE');
SELECT * FROM crm_import_run(:imp);
SELECT c.email, c.mobile FROM crm_contacts c WHERE c.email = 'n@example.com';

-- 4. Unknown consent: no longer required; new contacts get none, existing keep theirs; a
-- blank cell in a consent column is unknown for its row.
UPDATE crm_contacts SET email_marketing = true, sms_marketing = false WHERE email = 'a@example.com';
SELECT t_upload(E'Email,Mobile\na@example.com,91234568\no@example.com,91234569\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT problem FROM crm_import_check(:imp);
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_consent(:imp, 'sms_marketing', unknown => true);
SELECT problem FROM crm_import_check(:imp);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'consent';
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, value => true, unknown => true)', :imp, 'sms_marketing'));
SELECT * FROM crm_import_run(:imp);
SELECT c.email, c.email_marketing, c.sms_marketing FROM crm_contacts c WHERE c.email IN ('a@example.com', 'o@example.com') ORDER BY 1;
-- A later import with real values sets it; blank cells leave it as it is.
SELECT t_upload(E'Email,News\na@example.com,\no@example.com,Yes\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'News');
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp);
SELECT c.email, c.email_marketing, c.sms_marketing FROM crm_contacts c WHERE c.email IN ('a@example.com', 'o@example.com') ORDER BY 1;
-- Master existing keeps an opt-out and says so, as master file does.
UPDATE crm_contacts SET email_marketing = false WHERE email = 'a@example.com';
SELECT t_upload(E'Email,News\na@example.com,Yes\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'News');
SELECT crm_import_set_rules(:imp, 'existing', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);

-- 5. Invalid values: every problem of a row is listed; skip_value leaves a non-key value
-- out with a note, while a bad key value still rejects the row.
SELECT t_upload(E'Email,Born,Mobile\np@example.com,32.13.1990,123\nnot-an-email,01.02.1990,91234570\nq@example.com,01.02.1990,91234571\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Born', 'birthday'), crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t_results(:imp);
SELECT crm_import_set_options(:imp, invalid_values => 'skip_value');
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'rules';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT c.email, c.birthday, c.mobile FROM crm_contacts c WHERE c.email IN ('p@example.com', 'q@example.com') ORDER BY 1;

-- 6. Rows without a key: inserted (the default, with a note) or rejected.
SELECT t_upload(E'Email,Mobile,Name\n,,Nobody\nr@example.com,,Someone\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile'), crm_import_map(:imp, 'Name', 'first_name');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email', 'mobile');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t_results(:imp);
SELECT crm_import_set_options(:imp, rows_without_key => 'reject');
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);

-- 7. A run that rejects every data row fails, even without max_errors.
SELECT t_upload(E'Email,Born\nbad-1,01.01.1990\nbad-2,99.99.1990\nbad-3,01.01.1990\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Born', 'birthday');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM crm_import_run(:imp);
SELECT state, failure_reason FROM crm_imports WHERE id = :imp;

-- Profiles keep the options and apply them.
SELECT t_upload(E'Email,Mobile\ns@example.com,070-123 45 70\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_set_options(:imp, date_order => 'YMD', default_region => 'SE', invalid_values => 'skip_value', rows_without_key => 'reject');
SELECT crm_import_save_profile(:imp, 'options');
SELECT date_order, default_region, invalid_values, rows_without_key, email_consent_unknown, sms_consent_unknown
	FROM crm_import_profile_list WHERE name = 'options';
SELECT import_id > 0 AS imported, state, inserted FROM crm_import('Options', convert_to(E'Email,Mobile\nt@example.com,070-123 45 71\n', 'UTF8'),
	'options', gdpr => true, tcpa => true);
SELECT j.date_order, j.default_region, j.invalid_values, j.rows_without_key, j.email_consent_unknown, j.sms_consent_unknown
	FROM crm_imports j ORDER BY j.id DESC LIMIT 1;
SELECT c.email, c.mobile, c.sms_marketing FROM crm_contacts c WHERE c.email = 't@example.com';

-- A number not valid in the row's country is read in the import's region, with a note.
SELECT t_upload(E'Email,Mobile,Country\nu@example.com,969 14 014,Sverige\n') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile'), crm_import_map(:imp, 'Country', 'country');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT c.email, c.mobile FROM crm_contacts c WHERE c.email = 'u@example.com';
SELECT crm_import_country_region(x) FROM unnest(ARRAY['se', ' Norge ', 'United Kingdom', 'UK', 'Atlantis', 'XX']) x;
