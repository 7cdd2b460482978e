-- Issue 15: a custom field of type text, email or phone as the primary or secondary key.
-- A LinkedIn connections export (no email for most people: the profile URL is the only
-- key) imported twice creates its contacts once; rows sharing a URL merge; an email-type
-- custom key matches ignoring case; a phone-type one in E.164; refused keys say which
-- fields can be keys; undo works as for the predefined keys.
\i sql/include/fresh_extension.sql
\i sql/include/expect_error.sql
SET crm_import.default_region = 'NO';
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/linkedin_connections_custom_key.csv'
SELECT crm_import_create_list('LinkedIn');
SELECT crm_import_create_field('linkedin_url', 'text', 'LinkedIn profile');
SELECT crm_import_create_field('connected_on', 'date');
CREATE FUNCTION ck_results(imp bigint) RETURNS TABLE (line_no bigint, outcome text, contact_id bigint, matched_by text,
	reason text) LANGUAGE sql AS $$
	SELECT r.line_no, r.outcome, r.contact_id, r.matched_by, r.reason FROM crm_import_results(imp) r ORDER BY 1
$$;
CREATE FUNCTION ck_contacts() RETURNS TABLE (id bigint, first_name text, last_name text, email text, company text,
	custom jsonb) LANGUAGE sql AS $$
	SELECT c.id, c.first_name, c.last_name, c.email, c.company, c.custom FROM crm_contacts c ORDER BY c.id
$$;
-- The wizard steps of one upload of the LinkedIn file (rules are set by the caller).
CREATE FUNCTION ck_linkedin(path text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint := crm_import_upload_file('LinkedIn', path);
BEGIN
	PERFORM crm_import_map(imp, 'First Name', 'first_name'), crm_import_map(imp, 'Last Name', 'last_name'),
		crm_import_map(imp, 'URL', 'linkedin_url'), crm_import_map(imp, 'Email Address', 'email'),
		crm_import_map(imp, 'Company', 'company'), crm_import_skip(imp, 'Position'),
		crm_import_map(imp, 'Connected On', 'connected_on');
	PERFORM crm_import_set_consent(imp, 'email_marketing', unknown => true);
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN imp;
END
$$;

-- 1. Refused keys, each with the SQLSTATE and a hint naming the fields that can be keys.
SELECT ck_linkedin(:'f') AS imp \gset
-- A custom date field: not a key (values are compared for equality after normalization).
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, primary_key => %L)', :imp, 'file', 'connected_on'));
-- Unknown, and a predefined field that is no key.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, primary_key => %L)', :imp, 'file', 'linkedin'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, primary_key => %L)', :imp, 'file', 'first_name'));
-- The secondary key: the same checks.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, primary_key => %L, secondary_key => %L)', :imp, 'file', 'email', 'connected_on'));
-- A custom key not mapped from any column.
SELECT crm_import_create_field('member_no', 'text');
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, primary_key => %L)', :imp, 'file', 'member_no'));
-- The rules as stored, and the summary saying how the key is matched.
SELECT crm_import_set_rules(:imp, 'file', primary_key => ' LinkedIn_URL ', secondary_key => 'email');
SELECT j.primary_key, j.secondary_key FROM crm_imports j WHERE j.id = :imp;
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'rules' AND setting LIKE '%key%';
-- The key is checked again by the run's planner (crm_import_plan_matches is internal).
SELECT pg_temp.expect_error($$SELECT crm_import_plan_matches('crm_contacts', 'crm_contacts', 'crm_contacts', 'connected_on', NULL, NULL)$$);

-- 2. The first import: rows 2 and 5 share the URL (row 5's has a trailing tab) and merge;
-- the row without a URL has no key (rows_without_key reject); matched_by names the key.
SELECT crm_import_set_options(:imp, rows_without_key => 'reject');
SELECT * FROM crm_import_run(:imp);
SELECT * FROM ck_results(:imp);
SELECT * FROM ck_contacts();

-- 3. The same file again: every contact matched by the URL, none created.
SELECT ck_linkedin(:'f') AS imp2 \gset
SELECT crm_import_set_rules(:imp2, 'file', primary_key => 'linkedin_url');
SELECT crm_import_set_options(:imp2, rows_without_key => 'reject');
-- crm_import_check: a custom key whose column is skipped after the rules were set blocks
-- the run, as a predefined key does.
SELECT crm_import_skip(:imp2, 'URL');
SELECT problem, fix FROM crm_import_check(:imp2);
SELECT crm_import_map(:imp2, 'URL', 'linkedin_url');
SELECT problem FROM crm_import_check(:imp2);
SELECT * FROM crm_import_run(:imp2);
SELECT * FROM ck_results(:imp2);
SELECT count(*) AS contacts FROM crm_contacts;

-- A profile keeps the custom key: applied to next week's upload, it matches by URL again.
SELECT crm_import_save_profile(:imp2, 'linkedin');
SELECT primary_key, secondary_key, rows_without_key FROM crm_import_profile_list WHERE name = 'linkedin';
SELECT crm_import_upload_file('LinkedIn', :'f') AS imp2b \gset
SELECT column_name, status FROM crm_import_apply_profile(:imp2b, 'linkedin') WHERE status <> 'mapped';
SELECT crm_import_accept_compliance(:imp2b, true, true);
SELECT * FROM crm_import_run(:imp2b, dry_run => true);
SELECT line_no, outcome, matched_by FROM ck_results(:imp2b);
SELECT crm_import_discard(:imp2b);

-- 4. Two contacts sharing one URL (written by something else than an import): the file's
-- row is rejected as ambiguous, as for a predefined key; the other row matches.
INSERT INTO crm_contacts (first_name, custom) VALUES ('Twin A', '{"linkedin_url": "https://www.linkedin.com/in/twin"}'),
	('Twin B', '{"linkedin_url": "https://www.linkedin.com/in/twin"}');
SELECT crm_import_upload('LinkedIn', convert_to(E'URL,First Name\nhttps://www.linkedin.com/in/twin,Twin\nhttps://www.linkedin.com/in/perolsen,Peder\n', 'UTF8')) AS imp3 \gset
SELECT crm_import_map(:imp3, 'URL', 'linkedin_url'), crm_import_map(:imp3, 'First Name', 'first_name');
SELECT crm_import_set_rules(:imp3, 'existing', primary_key => 'linkedin_url'), crm_import_accept_compliance(:imp3, true, true);
SELECT * FROM crm_import_run(:imp3);
SELECT line_no, outcome, matched_by, reason FROM ck_results(:imp3);

-- 5. Undo of the second (matching) import changes nothing back (it changed nothing); undo
-- of the first deletes the contacts it created.
SELECT contacts_deleted, contacts_restored FROM crm_import_undo(:imp3);
SELECT contacts_deleted, contacts_restored FROM crm_import_undo(:imp2);
SELECT contacts_deleted, contacts_restored FROM crm_import_undo(:imp);
SELECT count(*) AS contacts_left FROM crm_contacts;

-- 6. An email-type custom key matches ignoring case (the import lower-cases the file's
-- values; a contact's value written in another case matches too).
SELECT crm_import_create_field('work_email', 'email');
INSERT INTO crm_contacts (first_name, custom) VALUES ('Hand-entered', '{"work_email": "Nils.Berg@Firma.NO"}');
SELECT crm_import_upload('LinkedIn', convert_to(E'Work e-mail;Name\n KARI.Hansen@Firma.no ;Kari\nkari.hansen@firma.NO;Kari H.\nnils.berg@firma.no;Nils\n', 'UTF8')) AS imp4 \gset
SELECT crm_import_map(:imp4, 'Work e-mail', 'work_email'), crm_import_map(:imp4, 'Name', 'first_name');
SELECT crm_import_set_rules(:imp4, 'file', primary_key => 'work_email'), crm_import_accept_compliance(:imp4, true, true);
SELECT setting, value FROM crm_import_summary(:imp4) WHERE section = 'rules' AND setting = 'primary key';
SELECT * FROM crm_import_run(:imp4);
SELECT line_no, outcome, matched_by, reason FROM ck_results(:imp4);
-- A file with few values against many contacts looks them up with one query (= ANY).
INSERT INTO crm_contacts (first_name) SELECT 'Filler ' || g FROM generate_series(1, 20) g;
ANALYZE crm_contacts;
SELECT crm_import_upload('LinkedIn', convert_to(E'Work e-mail;Name\nKari.Hansen@FIRMA.no;Kari Hansen\n', 'UTF8')) AS imp5 \gset
SELECT crm_import_map(:imp5, 'Work e-mail', 'work_email'), crm_import_map(:imp5, 'Name', 'first_name');
SELECT crm_import_set_rules(:imp5, 'file', primary_key => 'work_email'), crm_import_accept_compliance(:imp5, true, true);
SELECT * FROM crm_import_run(:imp5);
SELECT line_no, outcome, matched_by, reason FROM ck_results(:imp5);
SELECT first_name, custom FROM crm_contacts WHERE custom ? 'work_email' ORDER BY id;

-- A value of a custom key field that cannot be read rejects its row even with
-- invalid_values => 'skip_value' (as for a predefined key: a row must not lose its key).
SELECT crm_import_upload('LinkedIn', convert_to(E'Work e-mail;Name\nnot-an-email;Nils\n', 'UTF8')) AS imp5b \gset
SELECT crm_import_map(:imp5b, 'Work e-mail', 'work_email'), crm_import_map(:imp5b, 'Name', 'first_name');
SELECT crm_import_set_rules(:imp5b, 'file', primary_key => 'work_email'), crm_import_accept_compliance(:imp5b, true, true),
	crm_import_set_options(:imp5b, invalid_values => 'skip_value');
SELECT * FROM crm_import_run(:imp5b, dry_run => true);
SELECT line_no, outcome, reason FROM ck_results(:imp5b);
SELECT crm_import_discard(:imp5b);

-- 7. A phone-type custom key as the secondary key: numbers match in E.164, however written.
SELECT crm_import_create_field('home_phone', 'phone');
SELECT crm_import_upload('LinkedIn', convert_to(E'Email,Home\nanne@example.no,22 12 34 56\n,+47 22123456\n', 'UTF8')) AS imp6 \gset
SELECT crm_import_map(:imp6, 'Email', 'email'), crm_import_map(:imp6, 'Home', 'home_phone'),
	crm_import_set_consent(:imp6, 'email_marketing', value => false);
SELECT crm_import_set_rules(:imp6, 'file', primary_key => 'email', secondary_key => 'home_phone'), crm_import_accept_compliance(:imp6, true, true);
SELECT * FROM crm_import_run(:imp6);
SELECT line_no, outcome, matched_by, reason FROM ck_results(:imp6);
SELECT email, custom FROM crm_contacts WHERE custom ? 'home_phone' ORDER BY id;

DROP FUNCTION ck_results(bigint), ck_contacts(), ck_linkedin(text);
