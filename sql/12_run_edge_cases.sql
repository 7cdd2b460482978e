-- 12_run_edge_cases: files as spreadsheets and CRMs really write them, found by a sweep with
-- real-world CSV shapes. Each case failed before its fix: an import that sets no consent
-- (the row-result notes were concat_ws with no argument), delimiter-only rows below the
-- data (empty contacts), cells of tabs or no-break spaces (they overwrote values), and rows
-- without any key value (a new contact on every import, without a word).
\i sql/include/fresh_extension.sql
\set VERBOSITY default
\i sql/include/expect_error.sql

SELECT crm_import_create_list('Edge') IS NOT NULL AS list_created;
CREATE FUNCTION t_results(import bigint) RETURNS TABLE (row_no integer, line_no bigint, outcome text, contact_id bigint,
	matched_by text, reason text)
LANGUAGE sql AS $$ SELECT row_no, line_no, outcome, contact_id, matched_by, reason FROM crm_import_results(import) ORDER BY row_no $$;
CREATE FUNCTION t_contacts() RETURNS TABLE (id bigint, first_name text, last_name text, email text, mobile text, company text,
	email_marketing boolean, sms_marketing boolean)
LANGUAGE sql AS $$ SELECT id, first_name, last_name, email, mobile, company, email_marketing, sms_marketing
	FROM crm_contacts ORDER BY id $$;

-- Maps columns (pairs of column and field; a NULL field skips the column), sets consent for
-- the whole import where given, the rules, and accepts compliance.
CREATE FUNCTION t_prepare(import bigint, mapping text[], email_consent boolean DEFAULT NULL,
	sms_consent boolean DEFAULT NULL, master text DEFAULT 'file', primary_key text DEFAULT 'email',
	secondary_key text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	pair text[];
BEGIN
	FOREACH pair SLICE 1 IN ARRAY mapping LOOP
		IF pair[2] IS NULL THEN
			PERFORM crm_import_skip(import, pair[1]);
		ELSE
			PERFORM crm_import_map(import, pair[1], pair[2]);
		END IF;
	END LOOP;
	IF email_consent IS NOT NULL THEN
		PERFORM crm_import_set_consent(import, 'email_marketing', value => email_consent);
	END IF;
	IF sms_consent IS NOT NULL THEN
		PERFORM crm_import_set_consent(import, 'sms_marketing', value => sms_consent);
	END IF;
	PERFORM crm_import_set_rules(import, master, primary_key, secondary_key);
	PERFORM crm_import_accept_compliance(import, true, true);
END
$$;

---------------------------------------------------------------------------------------------
-- No consent at all: names and companies by system ID, and a file imported with primary key
-- none. Neither email nor mobile is mapped, so no consent is required; both used to fail
-- with "function pg_catalog.concat_ws(unknown) does not exist".
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'first,company\nKari,Acme\nOla,\n', 'UTF8'), 'names.csv') AS names \gset
SELECT t_prepare(:names, ARRAY[['first', 'first_name'], ['company', 'company']], master => 'file', primary_key => 'none');
SELECT * FROM crm_import_run(:names, dry_run => true);
SELECT * FROM crm_import_run(:names);
SELECT * FROM t_results(:names);
SELECT * FROM t_contacts();

SELECT crm_import_upload('Edge', convert_to(E'id,company\n1,Acme AS\n2,Nordic\n99,Ghost\n', 'UTF8'), 'by_id.csv') AS by_id \gset
SELECT t_prepare(:by_id, ARRAY[['id', 'system_id'], ['company', 'company']], master => 'file', primary_key => 'system_id');
SELECT * FROM crm_import_run(:by_id);
SELECT * FROM t_results(:by_id);
SELECT * FROM t_contacts();
SELECT state, failure_reason FROM crm_import_status WHERE id IN (:names, :by_id) ORDER BY id;

---------------------------------------------------------------------------------------------
-- Excel's rows of delimiters below the data (UTF-8 BOM, CRLF, semicolons): blank like empty
-- lines at upload, so they are not rows at all. A row whose only value is in a column that
-- is not imported is rejected: it would be an empty contact.
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'\uFEFFFornavn;E-post;Nyhetsbrev;Notat\r\n'
	'Kari;kari@example.no;Ja;\r\n'
	';;;\r\n'
	' ; ;\t;\r\n'
	';;;bare et notat\r\n'
	';;\r\n', 'UTF8'), 'excel.csv') AS excel \gset
SELECT rows, had_bom, delimiter FROM crm_import_status WHERE id = :excel;
SELECT row_no, fields FROM crm_import_preview(:excel) ORDER BY row_no;
SELECT t_prepare(:excel, ARRAY[['Fornavn', 'first_name'], ['E-post', 'email'], ['Nyhetsbrev', 'email_marketing'], ['Notat', NULL]], master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:excel);
SELECT * FROM t_results(:excel);
SELECT count(*) AS contacts_without_any_value FROM crm_contacts
	WHERE first_name IS NULL AND email IS NULL AND mobile IS NULL AND company IS NULL;

---------------------------------------------------------------------------------------------
-- Cells that only look empty (a tab, no-break spaces, a zero-width space) are blank: they
-- never overwrite a value, and values are trimmed of them. Before, first_name became E'\t'.
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'email,first,last,company\n'
	'kari@example.no,\t,\u00A0\u00A0,\u200B\n'
	'ola@example.no,\u00A0Ola\u3000,\tNordmann ,Acme\n', 'UTF8'), 'blanks.csv') AS blanks \gset
SELECT t_prepare(:blanks, ARRAY[['email', 'email'], ['first', 'first_name'], ['last', 'last_name'], ['company', 'company']], email_consent => true, master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:blanks);
SELECT * FROM t_results(:blanks);
SELECT id, first_name, last_name, company, first_name = 'Ola' AS ola_trimmed, last_name = 'Nordmann' AS nordmann_trimmed
	FROM crm_contacts WHERE email IN ('kari@example.no', 'ola@example.no') ORDER BY id;

---------------------------------------------------------------------------------------------
-- Rows without any key value become new contacts on every import of them: the row result
-- says so, so a second import of the same file does not duplicate silently.
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'email,mobile,first\n'
	',,No keys\n'
	',+4740000001,Mobile only\n'
	'keyed@example.no,,Keyed\n', 'UTF8'), 'nokey.csv') AS nokey \gset
SELECT t_prepare(:nokey, ARRAY[['email', 'email'], ['mobile', 'mobile'], ['first', 'first_name']], email_consent => false, sms_consent => false, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT * FROM crm_import_run(:nokey);
SELECT * FROM t_results(:nokey);
-- Primary key only: the mobile-only row has no email to match on either.
SELECT crm_import_upload('Edge', convert_to(E'email,mobile,first\n,+4740000002,Mobile only\n', 'UTF8'), 'nokey2.csv') AS nokey2 \gset
SELECT t_prepare(:nokey2, ARRAY[['email', 'email'], ['mobile', 'mobile'], ['first', 'first_name']], email_consent => false, sms_consent => false, master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:nokey2);
SELECT * FROM t_results(:nokey2);
SELECT * FROM t_contacts() WHERE first_name IN ('No keys', 'Mobile only', 'Keyed');

---------------------------------------------------------------------------------------------
-- One address in two Unicode spellings (macOS writes "å" as "a" + combining ring, NFD) is
-- one contact; a reject reason quotes at most 100 characters of a huge bad value.
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'email,first\n'
	'k\u00E5re@example.no,Composed\n'
	'KA\u030ARE@example.no,Decomposed\n'
	'x' || repeat('y', 5000) || E',Huge\n', 'UTF8'), 'nfc.csv') AS nfc \gset
SELECT t_prepare(:nfc, ARRAY[['email', 'email'], ['first', 'first_name']], email_consent => true, master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:nfc);
SELECT row_no, outcome, contact_id, matched_by, length(reason) AS reason_length, left(reason, 40) AS reason_start,
	right(reason, 40) AS reason_end FROM crm_import_results(:nfc) ORDER BY row_no;
SELECT id, first_name, email, email = E'k\u00E5re@example.no' AS composed FROM crm_contacts WHERE email LIKE 'k%re@example.no';

---------------------------------------------------------------------------------------------
-- A unit (rows sharing an email) holds every mobile of its rows. Before, only the smallest
-- counted: a chain A(f1, m9) - C(f2, m9) - B(f2, m1) became two contacts with one mobile
-- when m1 sorted first, and a unit whose second mobile matches a contact created a
-- duplicate of it.
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'first,email,mobile\n'
	'A,f1@example.no,93333339\n'
	'B,f2@example.no,93333331\n'
	'C,f2@example.no,93333339\n', 'UTF8'), 'chain.csv') AS chain \gset
SELECT t_prepare(:chain, ARRAY[['first', 'first_name'], ['email', 'email'], ['mobile', 'mobile']], email_consent => true, sms_consent => true, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT * FROM crm_import_run(:chain);
SELECT * FROM t_results(:chain);
SELECT count(*) AS contacts_with_mobile_93333339 FROM crm_contacts WHERE mobile = '+4793333339';

INSERT INTO crm_contacts (first_name, mobile) VALUES ('Existing', '+4794444449') RETURNING id AS existing_id \gset
SELECT crm_import_upload('Edge', convert_to(E'first,email,mobile\n'
	'G,g1@example.no,94444441\n'
	'G2,g1@example.no,94444449\n', 'UTF8'), 'second_mobile.csv') AS second_mobile \gset
SELECT t_prepare(:second_mobile, ARRAY[['first', 'first_name'], ['email', 'email'], ['mobile', 'mobile']], email_consent => true, sms_consent => true, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT * FROM crm_import_run(:second_mobile);
SELECT row_no, outcome, contact_id = :existing_id AS is_existing, matched_by FROM crm_import_results(:second_mobile) ORDER BY row_no;
SELECT first_name, email, mobile FROM crm_contacts WHERE id = :existing_id;
SELECT count(*) AS contacts_with_mobile_94444449 FROM crm_contacts WHERE mobile = '+4794444449';

-- A row with only a mobile, the mobile a matched row of the same file brings: the same
-- person (it used to become a second contact with that mobile).
INSERT INTO crm_contacts (first_name, email) VALUES ('Hanna', 'h1@example.no') RETURNING id AS hanna \gset
SELECT crm_import_upload('Edge', convert_to(E'first,email,mobile\n'
	'Hanna,h1@example.no,95555555\n'
	'Hanna H,,95555555\n', 'UTF8'), 'mobile_only.csv') AS mobile_only \gset
SELECT t_prepare(:mobile_only, ARRAY[['first', 'first_name'], ['email', 'email'], ['mobile', 'mobile']], email_consent => true, sms_consent => true, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT * FROM crm_import_run(:mobile_only);
SELECT row_no, outcome, contact_id = :hanna AS is_hanna, matched_by FROM crm_import_results(:mobile_only) ORDER BY row_no;
SELECT first_name, email, mobile FROM crm_contacts WHERE mobile = '+4795555555';

---------------------------------------------------------------------------------------------
-- max_errors with decimals: 1.5 allows one rejected row, not two (it was rounded up).
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Edge', convert_to(E'email\nok1@example.no\nbad1\nbad2\nok2@example.no\n', 'UTF8'), 'max.csv') AS maxe \gset
SELECT crm_import_map(:maxe, 'email', 'email');
SELECT crm_import_set_consent(:maxe, 'email_marketing', value => true);
SELECT crm_import_set_rules(:maxe, 'file', 'email');
SELECT crm_import_set_options(:maxe, max_errors => '1.5');
SELECT crm_import_accept_compliance(:maxe, true, true);
SELECT * FROM crm_import_run(:maxe);
SELECT state, failure_reason FROM crm_import_status WHERE id = :maxe;
SELECT count(*) AS ok_contacts FROM crm_contacts WHERE email IN ('ok1@example.no', 'ok2@example.no');
-- A limit beyond bigint is the row count, not "bigint out of range".
SELECT crm_import_set_options(:maxe, max_errors => '99999999999999999999999999999');
SELECT * FROM crm_import_run(:maxe, dry_run => true);
SELECT crm_import_set_options(:maxe, max_errors => '1000000000000000000000%');
SELECT * FROM crm_import_run(:maxe, dry_run => true);

-- A system ID of 20 digits is too long, not "not a whole number".
SELECT crm_import_upload('Edge', convert_to(E'id,company\n12345678901234567890,Long\n12a,Letters\n', 'UTF8'), 'long_id.csv') AS long_id \gset
SELECT t_prepare(:long_id, ARRAY[['id', 'system_id'], ['company', 'company']], master => 'file', primary_key => 'system_id');
SELECT * FROM crm_import_run(:long_id, dry_run => true);
SELECT row_no, outcome, reason FROM crm_import_results(:long_id) ORDER BY row_no;

---------------------------------------------------------------------------------------------
-- "v" is a letter, not whitespace: E'\v' is no escape in PostgreSQL, and trimming with it
-- cut Olav to Ola, Nyhetsbrev to Nyhetsbre (found by the security sweep).
---------------------------------------------------------------------------------------------
SELECT crm_import_create_list(E' Nyhetsbrev v \x0B') AS vlist \gset
SELECT name FROM crm_lists WHERE id = :vlist;
SELECT crm_import_upload(E'Nyhetsbrev v', convert_to(E'email,first,last,city\nolav@example.no,Olav,Ivanov,vik\n', 'UTF8'), 'v.csv') AS v \gset
SELECT t_prepare(:v, ARRAY[['email', 'email'], ['first', 'first_name'], ['last', 'last_name'], ['city', 'city']], email_consent => true, master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:v);
SELECT first_name, last_name, city FROM crm_contacts WHERE email = 'olav@example.no';

---------------------------------------------------------------------------------------------
-- A % in a custom field's label (labels are shared by every import) made the reason of any
-- invalid value a broken format string: "unrecognized format() type specifier".
---------------------------------------------------------------------------------------------
SELECT crm_import_create_field('certainty', 'number', '100% sure %s %I');
SELECT crm_import_upload('Edge', convert_to(E'email,certainty\nsure@example.no,abc\nsure2@example.no,42\n', 'UTF8'), 'percent.csv') AS pct \gset
SELECT t_prepare(:pct, ARRAY[['email', 'email'], ['certainty', 'certainty']], email_consent => true, master => 'file', primary_key => 'email');
SELECT * FROM crm_import_run(:pct);
SELECT row_no, outcome, reason FROM crm_import_results(:pct) ORDER BY row_no;
SELECT email, custom FROM crm_contacts WHERE email LIKE 'sure%' ORDER BY email;

-- Contact ids are positive (the run tells existing contacts from new ones by the sign).
SELECT split_part(pg_temp.expect_error($$INSERT INTO crm_contacts (id, first_name) VALUES (0, 'Zero')$$), ' | ', 1) AS id_zero;

DROP FUNCTION t_prepare(bigint, text[], boolean, boolean, text, text, text);
DROP FUNCTION t_results(bigint);
DROP FUNCTION t_contacts();

-- The text fields' normalizer in C (crm_import_trim_blank) trims exactly what
-- nullif(btrim(value, crm_import_blank_chars()), '') trims: every blank, and none of the
-- characters next to them (NEL, word joiner, zero-width non-joiner, Mongolian vowel
-- separator), at either end, alone and around text.
SELECT count(*) AS cases,
	count(*) FILTER (WHERE crm_import_trim_blank(v) IS DISTINCT FROM nullif(btrim(v, crm_import_blank_chars()), '')) AS differ
FROM (SELECT a.c || m || b.c AS v
	FROM (SELECT chr(x) AS c FROM unnest(ARRAY[32, 9, 10, 11, 12, 13, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198,
		8199, 8200, 8201, 8202, 8203, 8232, 8233, 8239, 8287, 12288, 65279, 133, 8288, 8204, 6158, 8205, 97, 233, 26085]) x
		UNION ALL SELECT '') a,
	unnest(ARRAY['', 'x', 'Ø', ' x y ', E'\u00a0mid\u3000dle\u00a0', '日本']) m,
	(SELECT chr(x) AS c FROM unnest(ARRAY[32, 9, 10, 13, 160, 5760, 8192, 8203, 8232, 8239, 8287, 12288, 65279, 133, 8288,
		8204, 233]) x UNION ALL SELECT '') b) q;
SELECT crm_import_trim_blank(E'\u00a0 Ola\u2009') AS ola, crm_import_trim_blank(E' \ufeff\u3000 ') IS NULL AS blank_is_null,
	crm_import_trim_blank(E'\u0085Ola\u2060') AS not_blanks;
