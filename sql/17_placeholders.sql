-- Issue 14, items 4 and 5: placeholder values (null_values) read as blank cells everywhere
-- (values, keys, consent, custom fields), the upload and crm_import_check asking about
-- placeholder-looking samples; short rows (short_rows) padded or rejected, longer rows
-- whose extra fields are empty accepted; both in the summary and in saved profiles, so a
-- weekly one-call crm_import reproduces them.
\i sql/include/fresh_extension.sql
\i sql/include/expect_error.sql
SET crm_import.default_region = 'NO';
\getenv abs_srcdir PG_ABS_SRCDIR
SELECT crm_import_create_list('Placeholders');
SELECT crm_import_create_field('medlemsnr', 'text'), crm_import_create_field('skostorrelse', 'number');
CREATE FUNCTION t17_results(imp bigint) RETURNS TABLE (row_no int, outcome text, reason text) LANGUAGE sql AS $$
	SELECT r.row_no, r.outcome, r.reason FROM crm_import_results(imp) r ORDER BY 1
$$;
CREATE FUNCTION t17_options(imp bigint) RETURNS TABLE (null_values text[], short_rows text) LANGUAGE sql AS $$
	SELECT j.null_values, j.short_rows FROM crm_imports j WHERE j.id = imp
$$;

-- 1. A Norwegian member list writing -, N/A, null, NULL and ' n/a ' for "no value" in its
-- email (the key), mobile, birthday, both consent columns and two custom columns. The
-- upload says so (NOTICE), the suggestions still apply (placeholders are not values a
-- field must read), and crm_import_check asks until null_values is set.
\set f :abs_srcdir '/tests/data/placeholders_no.csv'
SELECT crm_import_upload_file('Placeholders', :'f') AS imp \gset
SELECT * FROM t17_options(:imp);
SELECT column_no, field, applied, reason FROM crm_import_suggest_mapping(:imp);
SELECT crm_import_map(:imp, 'SMS', 'sms_marketing');
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'Nyhetsbrev');
SELECT crm_import_set_consent(:imp, 'sms_marketing', column_name => 'SMS');
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_check(:imp);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'file' AND setting IN ('null values', 'short rows');
-- Told they are real values (an empty array), the check is content and the run reads them
-- as values: every row but the first is rejected, each reason naming the placeholders.
SELECT crm_import_set_options(:imp, null_values => ARRAY[]::text[]);
SELECT * FROM t17_options(:imp);
-- Without placeholders the run reads each cell with the plain column reference (no extra
-- work per cell); with them, one comparison per imported cell (below).
SELECT k.c, replace(k.ref, quote_literal(crm_import_blank_chars()), '<blanks>') AS ref FROM crm_import_run_columns((SELECT j FROM crm_imports j WHERE j.id = :imp)) k WHERE k.c <= 2;
SELECT * FROM crm_import_check(:imp);
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t17_results(:imp);
-- With null_values they are blank: in the key (Ola and Anne have no email: new contacts),
-- in consent (blank: unknown for that row), in custom fields; trimmed and in any case
-- (' n/a ', 'NULL', '  -  '). The first name '-' of the last row is blank too.
SELECT crm_import_set_options(:imp, null_values => ARRAY['-', ' N/A ', 'null', 'n/a']);
SELECT * FROM t17_options(:imp);
SELECT k.c, replace(k.ref, quote_literal(crm_import_blank_chars()), '<blanks>') AS ref FROM crm_import_run_columns((SELECT j FROM crm_imports j WHERE j.id = :imp)) k WHERE k.c <= 2;
SELECT * FROM crm_import_check(:imp);
SELECT setting, value FROM crm_import_summary(:imp)
	WHERE section = 'file' AND (setting IN ('null values', 'short rows') OR setting LIKE 'placeholder cells%');
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t17_results(:imp);
SELECT first_name, email, mobile, birthday, email_marketing, sms_marketing, custom FROM crm_contacts ORDER BY id;
SELECT crm_import_save_profile(:imp, 'medlemmer');
SELECT name, null_values, short_rows, delimiter, encoding FROM crm_import_profile_list;

-- 2. The same file next week through the one-call import with the profile: the placeholders
-- are read as blank again (without the profile's null_values the check would refuse it),
-- and the existing contacts are matched on their emails.
SELECT import_id AS imp2, state, inserted, updated, unchanged, rejected
	FROM crm_import_from_file('Placeholders', :'f', 'medlemmer', gdpr => true, tcpa => true) \gset
SELECT :'state' AS state, :inserted AS inserted, :updated AS updated, :unchanged AS unchanged, :rejected AS rejected;
SELECT * FROM t17_options(:imp2);
SELECT count(*) AS contacts FROM crm_contacts;
-- A profile saved before null_values was set: the check asks again, and the one-call
-- import refuses with the question, not with rows rejected for '-'.
UPDATE crm_import_profiles SET null_values = NULL WHERE name = 'medlemmer';
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_from_file(%L, %L, %L, gdpr => true, tcpa => true, dry_run => true)',
	'Placeholders', :'f', 'medlemmer'));

-- Not only the samples: a placeholder below five distinct values is found in the first
-- 10,000 rows (the '-' of row 7 in the email column); in a longer file the counts say so.
SELECT crm_import_upload('Placeholders', convert_to('Email;Name' || E'\n' || (SELECT string_agg(
	CASE WHEN i = 7 THEN '-' ELSE format('p%s@example.com', i) END || ';' || CASE WHEN i % 1000 = 0 THEN 'N/A' ELSE 'Navn ' || i END,
	E'\n' ORDER BY i) FROM generate_series(1, 10050) i), 'UTF8')) AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT * FROM crm_import_check(:imp) WHERE problem LIKE 'values that look%';
SELECT crm_import_discard(:imp);

-- The country column too: 'NA' there is Namibia unless it is a placeholder, and a country
-- missing from a short row is the import's region.
SELECT crm_import_upload('Placeholders', convert_to(E'Email;Mobile;Country\nna1@example.org;912 34 567;NA\n'
	'na2@example.org;913 45 678\nna3@example.org;070 123 45 67;SE\n', 'UTF8')) AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Mobile', 'mobile'), crm_import_map(:imp, 'Country', 'country');
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true), crm_import_set_consent(:imp, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_check(:imp);
-- As a real value, NA is Namibia: the Norwegian number is not valid there (noted).
SELECT crm_import_set_options(:imp, null_values => ARRAY[]::text[]);
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t17_results(:imp);
SELECT crm_import_set_options(:imp, null_values => ARRAY['NA']);
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t17_results(:imp);
SELECT email, mobile, country FROM crm_contacts WHERE email LIKE 'na_@example.org' ORDER BY 1;

-- 3. Options refused with a hint: a blank or NULL placeholder, too many, too long, a bad
-- short_rows value; NULL keeps the setting.
SELECT crm_import_upload('Placeholders', convert_to(E'Email\na@example.com\n', 'UTF8')) AS imp \gset
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, null_values => ARRAY[%L, %L])', :imp, '-', '  '));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, null_values => ARRAY[%L, NULL])', :imp, 'N/A'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, null_values => %L)', :imp,
	(SELECT array_agg('x' || i) FROM generate_series(1, 51) i)));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, null_values => ARRAY[%L])', :imp, repeat('x', 101)));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, short_rows => %L)', :imp, 'ignore'));
SELECT crm_import_set_options(:imp, null_values => ARRAY['-'], short_rows => 'REJECT');
SELECT crm_import_set_options(:imp, max_errors => '5');
SELECT * FROM t17_options(:imp);
SELECT crm_import_discard(:imp);

-- 4. An Outlook export (22 columns, every field quoted, CRLF) ends rows at their last
-- non-empty field: rows of 11 and 16 fields. One row has two empty fields too many (24),
-- one a non-empty 23rd field.
\set f :abs_srcdir '/tests/data/outlook_short_rows.csv'
SELECT crm_import_upload_file('Placeholders', :'f') AS imp \gset
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'file' AND setting ~ 'field|short rows|columns';
SELECT crm_import_map(:imp, 'First Name', 'first_name'), crm_import_map(:imp, 'Last Name', 'last_name'),
	crm_import_map(:imp, 'E-mail Address', 'email'), crm_import_map(:imp, 'Mobile Phone', 'mobile');
SELECT crm_import_set_skip_unmapped(:imp, true);
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_consent(:imp, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_check(:imp);
-- Default 'pad': the short rows are imported and their notes say so; the 24-field row with
-- empty extras is imported; the 23-field row with 'Oslo' past the header is rejected.
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t17_results(:imp);
-- 'reject' keeps the old rule for short rows; the row with empty extras stays imported.
SELECT crm_import_set_options(:imp, short_rows => 'reject');
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'file' AND setting = 'short rows';
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM t17_results(:imp);
SELECT crm_import_set_options(:imp, short_rows => 'pad');
SELECT * FROM crm_import_run(:imp);
SELECT first_name, last_name, email, mobile FROM crm_contacts WHERE email LIKE '%.%@%' OR email LIKE '%@example.com' ORDER BY id;
-- Saved with short_rows => 'reject' and a given delimiter, the profile reproduces both.
SELECT crm_import_upload_file('Placeholders', :'f', ',') AS imp \gset
SELECT crm_import_map(:imp, 'First Name', 'first_name'), crm_import_map(:imp, 'E-mail Address', 'email');
SELECT crm_import_set_skip_unmapped(:imp, true);
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_set_options(:imp, short_rows => 'reject', null_values => ARRAY[]::text[]);
SELECT crm_import_save_profile(:imp, 'outlook');
SELECT name, null_values, short_rows, delimiter FROM crm_import_profile_list WHERE name = 'outlook';
SELECT import_id AS imp3, state, rejected FROM crm_import_from_file('Placeholders', :'f', 'outlook',
	gdpr => true, tcpa => true, dry_run => true) \gset
SELECT :'state' AS state, :rejected AS rejected;
SELECT j.delimiter, j.delimiter_detected, j.short_rows, j.null_values FROM crm_imports j WHERE j.id = :imp3;
SELECT setting, value FROM crm_import_summary(:imp3) WHERE section = 'file' AND setting IN ('delimiter', 'null values', 'short rows');

-- Every row short under short_rows => 'reject': the run fails, and the hint names the option.
SELECT crm_import_upload('Placeholders', convert_to(E'Email,Name,Notes\nshort1@example.org\nshort2@example.org,Kari\n', 'UTF8')) AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email'), crm_import_map(:imp, 'Name', 'first_name'), crm_import_skip(:imp, 'Notes');
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT crm_import_set_options(:imp, short_rows => 'reject');
SELECT * FROM crm_import_run(:imp);
SELECT state, failure_reason FROM crm_import_status WHERE id = :imp;

-- A MySQL export writes its zero date 0000-00-00 for a missing birthday: a placeholder,
-- reported with the call that reads it as blank (not a row rejected for an invalid date).
SELECT crm_import_upload('Placeholders', convert_to(E'email,first_name,birthday\nola@example.org,Ola,0000-00-00\nkari@example.org,Kari,1990-03-04\nper@example.org,Per,0000-00-00 00:00:00\n', 'UTF8')) AS mysql \gset
SELECT column_no, field, applied FROM crm_import_suggest_mapping(:mysql) ORDER BY column_no;
SELECT problem, fix FROM crm_import_check(:mysql) WHERE problem LIKE '%placeholder%';
SELECT crm_import_discard(:mysql);
