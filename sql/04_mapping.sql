-- Step 4: column mapping, custom fields, consent and readiness (crm_import_check).
\i sql/include/fresh_extension.sql

-- Runs a statement and shows its error as SQLSTATE: message | detail | hint (no CONTEXT).
\i sql/include/expect_error.sql

-- The current mapping of an import, column by column.
CREATE OR REPLACE FUNCTION t_map(imp bigint) RETURNS TABLE (column_no int, name text, mapped_to text)
LANGUAGE sql AS $$ SELECT c.column_no, c.name, c.mapped_to FROM crm_import_columns(imp) c ORDER BY 1 $$;

SELECT crm_import_create_list('Mapping');

---------------------------------------------------------------------------------------------
-- Import 1: an English header
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Mapping', convert_to(
	E'First name,Last name,E-post,Mobil,Firma,Newsletter,Notes\n'
	 'Ola,Nordmann,ola@example.com,91234567,Acme,Yes,vip\n'
	 'Kari,Nordmann,kari@example.com,+47 912 34 568,,No,\n', 'UTF8'), 'english.csv') AS imp \gset
SELECT :imp AS import_id;

-- By name and by number.
SELECT crm_import_map(:imp, 'First name', 'first_name');
SELECT crm_import_map(:imp, 2, 'last_name');
SELECT * FROM t_map(:imp);

-- Unknown column: 42703, the detail lists the columns, a did-you-mean hint on a typo.
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp, 'Epost', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp, 'Telephone number', 'mobile'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %s, %L)', :imp, 8, 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %s, %L)', :imp, 0, 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_skip(%s, %L)', :imp, 'Notez'));
SELECT pg_temp.expect_error(format('SELECT crm_import_skip(%s, %s)', :imp, 9));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, NULL)', :imp, 'E-post'));

-- Column names match ignoring case and surrounding space.
SELECT crm_import_map(:imp, '  e-POST ', 'email');
SELECT * FROM t_map(:imp) WHERE column_no = 3;

-- Unknown field: 42704 with did-you-mean; a field can be given by its label (any case).
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp, 'Mobil', 'emial'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp, 'Mobil', 'telephone'));
SELECT crm_import_map(:imp, 'Mobil', 'Mobile number');
SELECT crm_import_map(:imp, 'First name', 'First name');
SELECT crm_import_map(:imp, 'Firma', 'COMPANY');
SELECT * FROM t_map(:imp);

-- One field, two columns: 42710 naming the column that already has it; nothing changes.
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp, 'Firma', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %s, %L)', :imp, 7, 'first_name'));
-- Mapping the same column to the field it already has is fine.
SELECT crm_import_map(:imp, 'E-post', 'email');
SELECT * FROM t_map(:imp);

-- Remapping a column moves its field; the old field is free for another column.
SELECT crm_import_map(:imp, 'Firma', 'city');
SELECT crm_import_map(:imp, 'Notes', 'company');
SELECT crm_import_map(:imp, 'Notes', 'address');
SELECT crm_import_map(:imp, 'Firma', 'company');
SELECT * FROM t_map(:imp);

-- Skip by name and by number ("do not import this column").
SELECT crm_import_skip(:imp, 'notes');
SELECT crm_import_skip(:imp, 6);
SELECT * FROM t_map(:imp);
SELECT column_no, field FROM crm_import_mappings WHERE import_id = :imp ORDER BY column_no;

-- A skipped column can be mapped again.
SELECT crm_import_map(:imp, 6, 'email_marketing');
SELECT * FROM t_map(:imp) WHERE column_no = 6;
SELECT crm_import_skip(:imp, 'Newsletter');

---------------------------------------------------------------------------------------------
-- crm_import_check: exactly the blocking problems, each with its fix
---------------------------------------------------------------------------------------------
SELECT * FROM crm_import_check(:imp);

-- Consent: a column or a value, exactly one; only the two consent fields.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L)', :imp, 'email_marketing'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, column_name => %L, value => true)', :imp, 'email_marketing', 'Newsletter'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, value => true)', :imp, 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, value => true)', :imp, 'first_name'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, NULL, value => true)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, column_name => %L)', :imp, 'email_marketing', 'Nyhetsbrev'));

-- Email consent from a column: the email problem goes, the SMS one stays.
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'Newsletter');
SELECT * FROM t_map(:imp) WHERE column_no = 6;
SELECT problem FROM crm_import_check(:imp);
-- SMS consent for the whole import.
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT email_consent_value, sms_consent_value FROM crm_imports WHERE id = :imp;
SELECT problem FROM crm_import_check(:imp);
-- A value for the whole import replaces the consent column (which becomes "do not import") ...
SELECT crm_import_set_consent(:imp, 'email_marketing', value => true);
SELECT * FROM t_map(:imp) WHERE column_no = 6;
SELECT email_consent_value, sms_consent_value FROM crm_imports WHERE id = :imp;
-- ... and a column replaces the value again.
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'newsletter');
SELECT * FROM t_map(:imp) WHERE column_no = 6;
SELECT email_consent_value, sms_consent_value FROM crm_imports WHERE id = :imp;
-- Mapping a consent column with crm_import_map also replaces a whole-import value.
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => true);
SELECT crm_import_map(:imp, 'Notes', 'sms_marketing');
SELECT email_consent_value, sms_consent_value FROM crm_imports WHERE id = :imp;
SELECT crm_import_skip(:imp, 'Notes');
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);

-- Unmapped columns (none now) and the checkbox.
SELECT problem FROM crm_import_check(:imp);
SELECT crm_import_upload('Mapping', convert_to(E'a,b,c\n1,2,x@example.com\n', 'UTF8'), 'abc.csv') AS imp2 \gset
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_map(:imp2, 'c', 'email');
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_set_skip_unmapped(:imp2, true);
SELECT skip_unmapped FROM crm_imports WHERE id = :imp2;
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_set_skip_unmapped(:imp2, false);
SELECT problem FROM crm_import_check(:imp2);
SELECT pg_temp.expect_error(format('SELECT crm_import_set_skip_unmapped(%s, NULL)', :imp2));
SELECT crm_import_skip(:imp2, 1);
SELECT crm_import_skip(:imp2, 'b');
-- Rules: a primary key that is not mapped, and a missing mobile consent.
SELECT crm_import_set_rules(:imp2, 'file', 'mobile');
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_set_consent(:imp2, 'email_marketing', value => true);
SELECT crm_import_map(:imp2, 'b', 'mobile');
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_set_consent(:imp2, 'sms_marketing', value => true);
SELECT * FROM crm_import_check(:imp2);
SELECT crm_import_accept_compliance(:imp2, true, true);
-- Ready: no problems.
SELECT count(*) AS problems FROM crm_import_check(:imp2);
-- Primary key none needs no mapped key.
SELECT crm_import_set_rules(:imp2, 'existing', 'none');
SELECT count(*) AS problems FROM crm_import_check(:imp2);

---------------------------------------------------------------------------------------------
-- Suggestions: English and Norwegian headers, a headerless file
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Mapping', convert_to(
	E'First Name,last_name,Email Address,Mobile,Company,City,Country,Birthday,Newsletter,Comment\n'
	 'Ola,Nordmann,ola@example.com,91234567,Acme,Oslo,Norway,1990-12-31,Yes,hello\n', 'UTF8'), 'suggest_en.csv') AS imp3 \gset
SELECT * FROM crm_import_suggest_mapping(:imp3, apply => false);
-- apply => false changes nothing.
SELECT count(*) AS mappings FROM crm_import_mappings WHERE import_id = :imp3;
-- The user's choices stay: Company is skipped, Mobile is mapped to another field, and
-- city (suggested for City) is already taken by Comment, so City stays unmapped.
SELECT crm_import_skip(:imp3, 'Company');
SELECT crm_import_map(:imp3, 'Mobile', 'postal_code');
SELECT crm_import_map(:imp3, 'Comment', 'city');
SELECT * FROM crm_import_suggest_mapping(:imp3);
SELECT * FROM t_map(:imp3);

SELECT crm_import_upload('Mapping', convert_to(
	E'Fornavn;Etternavn;E-post;Mobil;Firma;Poststed;Land;F\u00f8dselsdato;Nyhetsbrev\n'
	 'Ola;Nordmann;ola@example.com;91234567;Acme;Oslo;Norge;31.12.1990;Ja\n'
	 'Kari;Nordmann;kari@example.com;+47 912 34 568;;Bergen;Norge;01.02.1985;Nei\n', 'UTF8'), 'suggest_no.csv') AS imp4 \gset
SELECT delimiter, delimiter_detected FROM crm_imports WHERE id = :imp4;
SELECT * FROM crm_import_suggest_mapping(:imp4, false);
SELECT count(*) AS mappings FROM crm_import_mappings WHERE import_id = :imp4;
SELECT * FROM crm_import_suggest_mapping(:imp4, true);
SELECT * FROM t_map(:imp4);
-- Only consent and rules/compliance are left.
SELECT problem FROM crm_import_check(:imp4);

-- No header row: suggestions from the values (emails, phones, dates, yes/no).
SELECT crm_import_upload('Mapping', convert_to(
	E'ola@example.com,+47 912 34 567,1990-12-31,Yes,Ola\n'
	 'kari@example.com,91234568,01.02.1985,No,Kari\n'
	 'per@example.org,0047 41234567,1975-06-15,Yes,Per\n', 'UTF8'), 'noheader.csv') AS imp5 \gset
SELECT crm_import_set_header(:imp5, false);
SELECT * FROM crm_import_suggest_mapping(:imp5, apply => false);
SELECT count(*) AS mappings FROM crm_import_mappings WHERE import_id = :imp5;
SELECT crm_import_map(:imp5, 'column_5', 'first_name');
SELECT * FROM crm_import_suggest_mapping(:imp5);
SELECT * FROM t_map(:imp5);
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp5, 'column_9', 'city'));

---------------------------------------------------------------------------------------------
-- Custom fields
---------------------------------------------------------------------------------------------
SELECT crm_import_create_field('customer_no', 'text');
SELECT crm_import_create_field('score', 'number', 'Lead score');
SELECT crm_import_create_field('member_since', 'DATE');
SELECT crm_import_create_field('vip', ' boolean ', '  ');
SELECT crm_import_create_field('work_email', 'email', 'Work email');
SELECT crm_import_create_field('landline', 'phone');
SELECT name, label, type, custom, opt_in_terms, created_by = current_user AS by_me
	FROM crm_fields WHERE custom ORDER BY name;
-- Invalid names: 42602 with a suggested name in the hint.
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('First Name', 'text')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('1abc', 'text')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('x"; drop table crm_contacts; --', 'text')$$);
SELECT pg_temp.expect_error(format('SELECT crm_import_create_field(%L, %L)', repeat('a', 64), 'text'));
SELECT pg_temp.expect_error(format('SELECT crm_import_create_field(%L, %L)', repeat('a', 63), 'text'));
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('', 'text')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('123', 'text')$$);
-- Clash with a predefined field, a duplicate custom field, an invalid type.
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('email', 'text')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('score', 'text')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('shoe_size', 'integer')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('shoe_size', 'consent')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_field('shoe_size', NULL)$$);
SELECT count(*) AS custom_fields FROM crm_fields WHERE custom;
-- Custom fields map by name or label, and the summary shows their type.
SELECT crm_import_map(:imp2, 'a', 'Lead score');
SELECT setting, value FROM crm_import_summary(:imp2) WHERE section = 'mapping';

---------------------------------------------------------------------------------------------
-- Consent terms: a setting of the field, kept for later imports
---------------------------------------------------------------------------------------------
SELECT name, opt_in_terms, opt_out_terms FROM crm_fields WHERE type = 'consent' ORDER BY name;
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', '{}', '{No}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', '{Yes}', '{}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', '{Yes, "  "}', '{No}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', '{Yes}', '{No,NULL}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', '{Yes,OptIn}', '{No," optin "}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email', '{OptIn}', '{OptOut}')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_set_consent_terms('email_marketing', NULL, '{OptOut}')$$);
-- Nothing changed by the failed calls.
SELECT name, opt_in_terms, opt_out_terms FROM crm_fields WHERE type = 'consent' ORDER BY name;
SELECT crm_import_set_consent_terms('email_marketing', ARRAY[' OptIn '], ARRAY['OptOut']);
SELECT name, opt_in_terms, opt_out_terms FROM crm_fields WHERE type = 'consent' ORDER BY name;
SELECT field, opt_in_terms, opt_out_terms, changed_by = current_user AS by_me FROM crm_consent_terms;
-- Setting them again replaces them.
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['OptIn', 'Subscribed'], ARRAY['OptOut', 'Unsubscribed']);
SELECT name, opt_in_terms, opt_out_terms FROM crm_fields WHERE type = 'consent' ORDER BY name;
-- The summary of a later import shows them ...
SELECT crm_import_upload('Mapping', convert_to(
	E'Email,Status\nA@Example.com,optin\nb@example.com, Unsubscribed \nc@example.com,Yes\nd@example.com,\n', 'UTF8'), 'terms.csv') AS imp6 \gset
SELECT crm_import_map(:imp6, 'Email', 'email');
SELECT crm_import_set_consent(:imp6, 'email_marketing', column_name => 'Status');
SELECT crm_import_set_rules(:imp6, 'file', 'email');
SELECT crm_import_accept_compliance(:imp6, true, true);
SELECT * FROM crm_import_check(:imp6);
SELECT setting, value FROM crm_import_summary(:imp6) WHERE section = 'consent';
-- ... and the run reads the column with them: "Yes" is no longer a term.
SELECT * FROM crm_import_run(:imp6);
SELECT row_no, outcome, contact_id, reason FROM crm_import_results(:imp6);
SELECT id, email, email_marketing, email_marketing_import FROM crm_contacts ORDER BY id;

---------------------------------------------------------------------------------------------
-- A completed import cannot change: 55000
---------------------------------------------------------------------------------------------
SELECT state FROM crm_import_status WHERE id = :imp6;
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp6, 'Email', 'first_name'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %s, %L)', :imp6, 1, 'first_name'));
SELECT pg_temp.expect_error(format('SELECT crm_import_skip(%s, %L)', :imp6, 'Status'));
SELECT pg_temp.expect_error(format('SELECT crm_import_skip(%s, %s)', :imp6, 2));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_skip_unmapped(%s, true)', :imp6));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, value => false)', :imp6, 'email_marketing'));
SELECT pg_temp.expect_error(format('SELECT crm_import_suggest_mapping(%s)', :imp6));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, false)', :imp6));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L)', :imp6, 'existing', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp6, '5'));
SELECT pg_temp.expect_error(format('SELECT crm_import_accept_compliance(%s, true, true)', :imp6));
-- Suggestions without apply still work on a completed import.
SELECT count(*) FROM crm_import_suggest_mapping(:imp6, false);
SELECT * FROM t_map(:imp6);
SELECT email_consent_value, skip_unmapped, master, primary_key FROM crm_imports WHERE id = :imp6;

-- Unknown import.
SELECT pg_temp.expect_error($$SELECT crm_import_map(999, 'x', 'email')$$);

---------------------------------------------------------------------------------------------
-- A name never silently picks another column: the exact header text first, then the exact
-- unique name, then ignoring case only when one column matches; else 42702 listing the
-- candidates (map, skip and set_consent alike)
---------------------------------------------------------------------------------------------
-- Headers Email and EMAIL: the second is named EMAIL_2 (unique ignoring case).
SELECT crm_import_upload('Mapping', convert_to(E'Email;EMAIL;Name\nola@example.com;OLA@EXAMPLE.COM;Ola\n', 'UTF8'),
	'case.csv') AS imp7 \gset
SELECT * FROM t_map(:imp7);
-- 'EMAIL' is column 2's header text exactly: column 2, not column 1.
SELECT crm_import_map(:imp7, 'EMAIL', 'email');
SELECT * FROM t_map(:imp7);
-- 'EMAIL_2', column 2's unique name: column 2 again; 'Email' (column 1's header): column 1.
SELECT crm_import_skip(:imp7, 2);
SELECT crm_import_map(:imp7, 'EMAIL_2', 'email');
SELECT crm_import_skip(:imp7, 'Email');
SELECT * FROM t_map(:imp7);
-- 'email' is Email and EMAIL ignoring case: ambiguous, nothing changes.
\set SHOW_CONTEXT never
SELECT crm_import_map(:imp7, 'email', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT pg_temp.expect_error(format('SELECT crm_import_skip(%s, %L)', :imp7, ' email '));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_consent(%s, %L, column_name => %L)', :imp7, 'email_marketing', 'eMail'));
SELECT * FROM t_map(:imp7);
-- Ignoring case is fine where one column matches (a header or a unique name).
SELECT crm_import_map(:imp7, 'NAME', 'first_name');
SELECT crm_import_skip(:imp7, 'email_2');
SELECT * FROM t_map(:imp7);

-- Two identical headers: the header text is ambiguous; the unique name Email_2 and the
-- numbers are not.
SELECT crm_import_upload('Mapping', convert_to(E'Email,Navn,Email\nola@example.com,Ola,ola@example.org\n', 'UTF8'),
	'twice.csv') AS imp8 \gset
SELECT * FROM t_map(:imp8);
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp8, 'Email', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp8, 'EMAIL', 'email'));
SELECT crm_import_map(:imp8, 'Email_2', 'email');
SELECT crm_import_skip(:imp8, 1);
SELECT * FROM t_map(:imp8);
-- Without a header row the first record's values name no column.
SELECT crm_import_set_header(:imp8, false);
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :imp8, 'Navn', 'first_name'));
SELECT crm_import_map(:imp8, 'Column_2', 'first_name');
SELECT * FROM t_map(:imp8);

-- The name is trimmed as the header was: no-break and zero-width spaces too.
SELECT crm_import_upload('Mapping', convert_to(E'\u00a0E-post\u200b,Navn\nola@example.com,Ola\n', 'UTF8'),
	'spaces.csv') AS imp9 \gset
SELECT crm_import_map(:imp9, E'E-post\u00a0', 'email');
SELECT crm_import_map(:imp9, E'\u2009navn', 'first_name');
SELECT * FROM t_map(:imp9);

DROP FUNCTION t_map(bigint);

---------------------------------------------------------------------------------------------
-- Exports as people have them (issue 15): a suggestion is applied only when the column's
-- sample values pass the field's check; guesses from values alone never become a birthday,
-- system ID or consent; home/work phones, birthday parts and other dates are refused by
-- their headers. Every suggestion says whether it is applied and, if not, why.
---------------------------------------------------------------------------------------------
CREATE FUNCTION t_columns(imp bigint)
RETURNS TABLE (column_no int, name text, suggested_field text, mapped_to text, applied boolean, reason text)
LANGUAGE sql AS $$
	SELECT c.column_no, c.name, c.suggested_field, c.mapped_to, c.applied, c.reason
	FROM crm_import_columns(imp) c ORDER BY 1
$$;

-- Google Contacts: numbered "Group N - Part" columns. Phone 1 is a home phone (its type
-- column says so), Phone 2 the mobile; one birthday has no year (--12-24), so the birthday
-- column is shown, not applied.
SELECT crm_import_upload('Mapping', convert_to(
	E'Name,Given Name,Family Name,Birthday,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,'
	 'Phone 2 - Type,Phone 2 - Value,Address 1 - City,Address 1 - Postal Code,Address 1 - Country,Organization 1 - Name\n'
	 'Ola Nordmann,Ola,Nordmann,1985-03-04,* Home,ola@example.com,Home,22 11 22 33,Mobile,912 34 567,Oslo,0150,Norway,Acme AS\n'
	 'Kari Hansen,Kari,Hansen,--12-24,* Work,kari@example.com,Work,23 45 67 89,Mobile,+47 412 34 567,Bergen,5003,Norway,\n'
	 'Per Bø,Per,Bø,1990-06-15,,per@example.com,Home,22 33 44 55,Mobile,913 45 678,Tromsø,9008,Norway,Bø Bakeri\n', 'UTF8'),
	'google.csv') AS google \gset
SELECT * FROM crm_import_suggest_mapping(:google);
SELECT * FROM t_columns(:google);

-- Outlook: home and business phones are no mobile numbers; Business City comes first but
-- is empty, so Home City takes city; the birthdays are month first (12/24/1990), which the
-- run would read day first: shown, not applied.
SELECT crm_import_upload('Mapping', convert_to(
	E'First Name,Last Name,E-mail Address,Home Phone,Business Phone,Mobile Phone,Company,Business City,Home City,Birthday\n'
	 'Ola,Nordmann,ola@example.com,22 11 22 33,23 45 67 89,912 34 567,Acme AS,,Oslo,12/24/1990\n'
	 'Kari,Hansen,kari@example.com,22 33 44 55,,412 34 567,,,Bergen,3/4/1985\n', 'UTF8'),
	'outlook.csv') AS outlook \gset
SELECT * FROM crm_import_suggest_mapping(:outlook);
SELECT * FROM t_columns(:outlook);

-- Thunderbird: Birth Year, Birth Month and Birth Day are parts of a birthday (Birth Day
-- matched "birthday" exactly before); work and home phones are not mobile.
SELECT crm_import_upload('Mapping', convert_to(
	E'First Name,Last Name,Primary Email,Work Phone,Home Phone,Mobile Number,Home City,Birth Year,Birth Month,Birth Day\n'
	 'Ola,Nordmann,ola@example.com,23 45 67 89,22 11 22 33,912 34 567,Oslo,1985,3,15\n'
	 'Kari,Hansen,kari@example.com,,22 33 44 55,412 34 567,Bergen,1990,12,4\n', 'UTF8'),
	'thunderbird.csv') AS thunderbird \gset
SELECT * FROM crm_import_suggest_mapping(:thunderbird);
SELECT * FROM t_columns(:thunderbird);

-- Mailchimp: OPTIN_TIME and LAST_CHANGED are timestamps, not birthdays; Mailchimp's
-- birthdays are MM/DD without a year.
SELECT crm_import_upload('Mapping', convert_to(
	E'Email Address,First Name,Last Name,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,LAST_CHANGED,LEID\n'
	 'ola@example.com,Ola,Nordmann,+47 912 34 567,03/15,2,2024-10-09 12:34:56,2024-11-01 10:00:00,123456789\n'
	 'kari@example.com,Kari,Hansen,+47 412 34 567,12/04,4,2023-01-02 08:00:00,2024-01-02 09:00:00,123456790\n', 'UTF8'),
	'mailchimp.csv') AS mailchimp \gset
SELECT * FROM crm_import_suggest_mapping(:mailchimp);
SELECT * FROM t_columns(:mailchimp);

-- The issue's file: "Subscription Date" holds dd/mm/yyyy dates, which the values alone
-- took for birthdays. The header names another date: no suggestion.
SELECT crm_import_upload('Mapping', convert_to(
	E'Email,Name,Subscription Date\n'
	 'ola@example.com,Ola Nordmann,31/01/2024\n'
	 'kari@example.com,Kari Hansen,15/06/2023\n'
	 'per@example.com,Per Bø,02/11/2022\n', 'UTF8'),
	'subscriptions.csv') AS subscriptions \gset
SELECT * FROM crm_import_suggest_mapping(:subscriptions);
SELECT * FROM t_columns(:subscriptions);
-- The same dates in a column whose header says nothing: a birthday guess, shown only.
SELECT crm_import_upload('Mapping', convert_to(
	E'Email,Kolonne 2\n'
	 'ola@example.com,31/01/2024\n'
	 'kari@example.com,15/06/2023\n', 'UTF8'),
	'nameless.csv') AS nameless \gset
SELECT * FROM crm_import_suggest_mapping(:nameless);

-- "Customer Id" of hex ids: system IDs are whole numbers, so it is shown, not applied. A
-- numeric "Customer number" beside it gets system_id instead.
SELECT crm_import_upload('Mapping', convert_to(
	E'Customer Id,First Name,Email\n'
	 'DD37Cf93aecA6Dc,Ola,ola@example.com\n'
	 'aB1c2D3e4F5a6B7,Kari,kari@example.com\n', 'UTF8'),
	'customers.csv') AS customers \gset
SELECT * FROM crm_import_suggest_mapping(:customers);
SELECT * FROM t_columns(:customers);
SELECT crm_import_upload('Mapping', convert_to(
	E'ID,Customer number,Email\n'
	 '00000000A1B2C3D4E5F6,1001,ola@example.com\n'
	 '00000000A1B2C3D4E5F7,1002,kari@example.com\n', 'UTF8'),
	'customers2.csv') AS customers2 \gset
SELECT * FROM crm_import_suggest_mapping(:customers2);

-- A suggestion the user decided otherwise says so; apply => false shows what would be
-- applied (applied false, no reason).
SELECT crm_import_upload('Mapping', convert_to(
	E'Fornavn,E-post,Mobil,Notat\nOla,ola@example.com,912 34 567,x\n', 'UTF8'), 'decided.csv') AS decided \gset
SELECT crm_import_map(:decided, 'Notat', 'email');
SELECT crm_import_skip(:decided, 'Mobil');
SELECT * FROM crm_import_suggest_mapping(:decided, apply => false);
SELECT * FROM crm_import_suggest_mapping(:decided);

DROP FUNCTION t_columns(bigint);
