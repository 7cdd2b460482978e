-- The run under every import rule: master file/existing x primary key email/mobile/
-- system_id/none x with/without a secondary key, on one fixed CRM state and one file.
\i sql/include/fresh_extension.sql

-- Runs a statement and shows its error as SQLSTATE: message | detail | hint (no CONTEXT).
\i sql/include/expect_error.sql

SELECT crm_import_create_list('Run list');
SELECT crm_import_create_list('Other list');
SELECT crm_import_create_field('score', 'number');
SELECT crm_import_create_field('member_since', 'date', 'Member since');

-- The CRM before every scenario: five contacts with known ids; contact 4 is already on the
-- run list, contact 1 on another list. New contacts get ids from 101.
CREATE OR REPLACE FUNCTION t_reset() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM crm_list_members;
	DELETE FROM crm_contacts;
	INSERT INTO crm_contacts (id, first_name, last_name, email, mobile, company, city, email_marketing, sms_marketing, custom) VALUES
		(1, 'Ola', 'Nordmann', 'ola@example.com', '+4791234567', 'Old AS', NULL, NULL, NULL, '{}'),
		(2, 'Kari', 'Hansen', 'kari@example.com', NULL, NULL, 'Bergen', NULL, NULL, '{"score": 5}'),
		(3, 'Per', 'Berg', NULL, '+4741234567', NULL, 'Oslo', NULL, NULL, '{}'),
		(4, 'Lise', 'Dahl', 'lise@example.com', '+4799887766', 'Same AS', 'Trondheim', true, true, '{}'),
		(5, 'Eva', 'Lund', 'eva@example.com', '+4795555555', 'Eva AS', 'Bodø', true, true,
			'{"score": 10, "member_since": "2019-01-01"}');
	PERFORM setval(pg_get_serial_sequence('crm_contacts', 'id'), 100);
	INSERT INTO crm_list_members (list_id, contact_id)
		SELECT l.id, 4 FROM crm_lists l WHERE l.name = 'Run list'
		UNION ALL SELECT l.id, 1 FROM crm_lists l WHERE l.name = 'Other list';
END
$$;

-- The file of every scenario. Rows:
--  1 contact 1 by email (case, spaces) and mobile (+47 912 34 567) and id
--  2 contact 2 by email, a new mobile (0047 ...), blank last name and company
--  3 no email; contact 3 by mobile (8 digits) and id
--  4 contact 4 with exactly its values
--  5 a new contact ...
--  6 ... repeated (email in other case): later non-blank values win, blank never erases
--  7 contact 1 again (same email, mobile 0047...): merged into row 1
--  8 no key at all
--  9 an unknown system ID
-- 10 a new email, contact 3's mobile
-- 11 contact 5 with another company and score
CREATE OR REPLACE FUNCTION t_file() RETURNS bytea LANGUAGE sql AS $$ SELECT convert_to(
	E'Email,Mobile,First,Last,Company,City,Id,Score,Since\n'
	 ' OLA@Example.com ,+47 912 34 567,Ola,Nordmann,New AS,Oslo,1,7,2020-01-31\n'
	 'kari@example.com,0047 98765432,Kari,,,Stavanger,2,"1 234,5",\n'
	 ',41234567,Per,Berg,Per AS,,3,,31.12.1999\n'
	 'lise@example.com,+4799887766,Lise,Dahl,Same AS,Trondheim,4,,\n'
	 'new@example.com,93333333,Nina,Ny,,Troms\u00f8,,3,\n'
	 'NEW@example.com,,Nina,Nyberg,Ny AS,,,,2021-05-05\n'
	 'ola@example.com,004791234567,,,,Bergen,1,,\n'
	 ',,Anon,Ym,,,,,\n'
	 'x@example.com,,X,,,,999,,\n'
	 'per.berg@example.com,+4741234567,Per,,,,,,\n'
	 'eva@example.com,95555555,Eva,Lund,Eva Consulting,Bod\u00f8,5,11,\n', 'UTF8') $$;

-- One scenario: reset the CRM, upload, map, set rules, accept compliance, run.
CREATE OR REPLACE FUNCTION t_scenario(master text, pk text, sk text DEFAULT NULL, dry boolean DEFAULT false,
	reset boolean DEFAULT true)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql AS $$
DECLARE
	imp bigint;
BEGIN
	IF reset THEN
		PERFORM t_reset();
	END IF;
	imp := crm_import_upload('Run list', t_file(), format('%s_%s_%s.csv', master, pk, coalesce(sk, 'nosk')));
	PERFORM crm_import_map(imp, 'Email', 'email');
	PERFORM crm_import_map(imp, 'Mobile', 'mobile');
	PERFORM crm_import_map(imp, 'First', 'first_name');
	PERFORM crm_import_map(imp, 'Last', 'last_name');
	PERFORM crm_import_map(imp, 'Company', 'company');
	PERFORM crm_import_map(imp, 'City', 'city');
	PERFORM crm_import_map(imp, 'Id', 'system_id');
	PERFORM crm_import_map(imp, 'Score', 'score');
	PERFORM crm_import_map(imp, 'Since', 'member_since');
	PERFORM crm_import_set_consent(imp, 'email_marketing', value => true);
	PERFORM crm_import_set_consent(imp, 'sms_marketing', value => true);
	PERFORM crm_import_set_rules(imp, master, pk, sk);
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN QUERY SELECT * FROM crm_import_run(imp, dry_run => dry);
END
$$;

-- What the last import did, row by row.
CREATE OR REPLACE FUNCTION t_results() RETURNS TABLE (row_no int, outcome text, contact_id bigint, matched_by text, reason text)
LANGUAGE sql AS $$
	SELECT r.row_no, r.outcome, r.contact_id, r.matched_by, r.reason
	FROM crm_import_results((SELECT max(id) FROM crm_imports)) r ORDER BY r.row_no
$$;
-- The contacts (every column an import may set).
CREATE OR REPLACE FUNCTION t_contacts()
RETURNS TABLE (id bigint, first_name text, last_name text, email text, mobile text, company text, city text,
	em boolean, sms boolean, custom text, created_by bigint, updated_by bigint)
LANGUAGE sql AS $$
	SELECT c.id, c.first_name, c.last_name, c.email, c.mobile, c.company, c.city, c.email_marketing, c.sms_marketing,
		c.custom::text, c.created_by_import, c.updated_by_import
	FROM crm_contacts c ORDER BY c.id
$$;
CREATE OR REPLACE FUNCTION t_members() RETURNS TABLE (list text, contact_ids text)
LANGUAGE sql AS $$
	SELECT l.name, string_agg(m.contact_id || coalesce('@' || m.added_by_import, ''), ' ' ORDER BY m.contact_id)
	FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id GROUP BY l.name ORDER BY l.name
$$;

-- The state every scenario starts from.
SELECT t_reset();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

---------------------------------------------------------------------------------------------
-- Master file: matched contacts take the file's non-blank values
---------------------------------------------------------------------------------------------
-- 1. file / email: rows 1+7 and 5+6 merge in the file; rows 3, 8 (no email), 5, 9, 10 are new.
SELECT * FROM t_scenario('file', 'email');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 2. file / email, secondary mobile: row 3 and row 10 find contact 3 by mobile.
SELECT * FROM t_scenario('file', 'email', 'mobile');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 3. file / mobile: rows 3+10 share a mobile (contact 3); rows 6, 8, 9 have no mobile.
SELECT * FROM t_scenario('file', 'mobile');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 4. file / mobile, secondary system_id: row 2's new mobile finds contact 2 by id; row 9's
--    id 999 names no contact.
SELECT * FROM t_scenario('file', 'mobile', 'system_id');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 5. file / system_id: ids 1-5 match, 999 is rejected, rows without an id are new.
SELECT * FROM t_scenario('file', 'system_id');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 6. file / system_id, secondary email: rows 5+6 (no id, one email) become one new contact.
SELECT * FROM t_scenario('file', 'system_id', 'email');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 7. file / none: every row is a new contact, no duplicate check.
SELECT * FROM t_scenario('file', 'none');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

---------------------------------------------------------------------------------------------
-- Master existing: only fields empty in the CRM are filled
---------------------------------------------------------------------------------------------
-- 8. existing / email
SELECT * FROM t_scenario('existing', 'email');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 9. existing / email, secondary mobile
SELECT * FROM t_scenario('existing', 'email', 'mobile');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 10. existing / mobile
SELECT * FROM t_scenario('existing', 'mobile');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 11. existing / mobile, secondary system_id
SELECT * FROM t_scenario('existing', 'mobile', 'system_id');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 12. existing / system_id
SELECT * FROM t_scenario('existing', 'system_id');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 13. existing / system_id, secondary email
SELECT * FROM t_scenario('existing', 'system_id', 'email');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

-- 14. existing / none
SELECT * FROM t_scenario('existing', 'none');
SELECT * FROM t_results();
SELECT * FROM t_contacts();
SELECT * FROM t_members();

---------------------------------------------------------------------------------------------
-- Unchanged: running the same file again changes nothing
---------------------------------------------------------------------------------------------
SELECT * FROM t_scenario('file', 'email', 'mobile');
CREATE TEMP TABLE t_after_first AS SELECT * FROM t_contacts();
SELECT * FROM t_scenario('file', 'email', 'mobile', reset => false);
SELECT * FROM t_results();
-- Only row 8 (no key at all) made a new contact; no existing contact was touched. Row 10
-- now finds contact 3 by email (the first run gave it row 10's address).
SELECT * FROM t_contacts() EXCEPT SELECT * FROM t_after_first;
SELECT count(*) AS contacts FROM crm_contacts;
SELECT * FROM t_members();
DROP TABLE t_after_first;

---------------------------------------------------------------------------------------------
-- Dry run: the same counts and row results, nothing written, the import stays a draft
---------------------------------------------------------------------------------------------
SELECT t_reset();
SELECT * FROM t_scenario('file', 'email', 'mobile', dry => true, reset => false);
SELECT max(id) AS dry_import FROM crm_imports \gset
SELECT * FROM t_results();
CREATE TEMP TABLE t_dry AS SELECT * FROM t_results();
-- Contacts and lists are exactly as reset left them.
SELECT * FROM t_contacts();
SELECT * FROM t_members();
SELECT last_value FROM crm_contacts_id_seq;
SELECT state, tab, inserted, updated, unchanged, merged_in_file, rejected, started_at, finished_at, failure_reason
	FROM crm_import_status WHERE id = :dry_import;
SELECT results_dry_run FROM crm_imports WHERE id = :dry_import;
-- A dry run can be repeated, and the real run afterwards works and agrees with it.
SELECT * FROM crm_import_run(:dry_import, dry_run => true);
SELECT * FROM crm_import_run(:dry_import);
SELECT state, tab, inserted, updated, unchanged, merged_in_file, rejected, failure_reason
	FROM crm_import_status WHERE id = :dry_import;
SELECT results_dry_run FROM crm_imports WHERE id = :dry_import;
-- Differences between dry and real results (a new contact's id is only known for real).
SELECT d.row_no, d.outcome, r.outcome, d.contact_id, r.contact_id, d.matched_by, r.matched_by, d.reason, r.reason
	FROM t_dry d FULL JOIN t_results() r USING (row_no)
	WHERE d.outcome IS DISTINCT FROM r.outcome OR d.matched_by IS DISTINCT FROM r.matched_by
		OR d.reason IS DISTINCT FROM r.reason OR (d.contact_id IS DISTINCT FROM r.contact_id AND d.contact_id IS NOT NULL);
SELECT row_no, contact_id FROM t_dry WHERE contact_id IS NULL AND outcome <> 'rejected';
SELECT * FROM t_contacts();
SELECT * FROM t_members();
DROP TABLE t_dry;

---------------------------------------------------------------------------------------------
-- Ambiguous match: two contacts share the email; the row is rejected, nothing changes
---------------------------------------------------------------------------------------------
SELECT t_reset();
INSERT INTO crm_contacts (id, first_name, email, mobile) VALUES
	(6, 'Dup', 'dup@example.com', '+4790000006'),
	(7, 'Dup', 'dup@example.com', '+4790000007');
SELECT crm_import_upload('Run list', convert_to(
	E'Email,Mobile,First\n'
	 'DUP@example.com,,Changed\n'
	 'other@example.com,+4790000006,Other\n'
	 'lise@example.com,,Lise\n', 'UTF8'), 'ambiguous.csv') AS amb \gset
SELECT crm_import_map(:amb, 'Email', 'email');
SELECT crm_import_map(:amb, 'Mobile', 'mobile');
SELECT crm_import_map(:amb, 'First', 'first_name');
SELECT crm_import_set_consent(:amb, 'email_marketing', value => true);
SELECT crm_import_set_consent(:amb, 'sms_marketing', value => true);
SELECT crm_import_set_rules(:amb, 'file', 'email');
SELECT crm_import_accept_compliance(:amb, true, true);
SELECT * FROM crm_import_run(:amb);
SELECT * FROM t_results();
SELECT * FROM t_contacts() WHERE id IN (4, 6, 7) OR id > 100;
SELECT * FROM t_members();
-- Ambiguous through the secondary key as well (contacts 6, 7 and the new 101 share the mobile).
UPDATE crm_contacts SET mobile = '+4790000006' WHERE id = 7;
SELECT crm_import_upload('Run list', convert_to(
	E'Email,Mobile,First\n'
	 'nobody@example.com,90000006,Changed\n', 'UTF8'), 'ambiguous2.csv') AS amb2 \gset
SELECT crm_import_map(:amb2, 'Email', 'email');
SELECT crm_import_map(:amb2, 'Mobile', 'mobile');
SELECT crm_import_map(:amb2, 'First', 'first_name');
SELECT crm_import_set_consent(:amb2, 'email_marketing', value => true);
SELECT crm_import_set_consent(:amb2, 'sms_marketing', value => true);
SELECT crm_import_set_rules(:amb2, 'file', 'email', 'mobile');
SELECT crm_import_accept_compliance(:amb2, true, true);
SELECT * FROM crm_import_run(:amb2);
SELECT * FROM t_results();
SELECT * FROM t_contacts() WHERE id IN (6, 7) OR id > 100;

-- The import list of this file.
SELECT id, file_name, state, tab, rows, inserted, updated, unchanged, merged_in_file, rejected
	FROM crm_import_status ORDER BY id;

-- The CRM tables can still be emptied together, as with a foreign key between them.
TRUNCATE crm_list_members, crm_contacts;
SELECT (SELECT count(*) FROM crm_contacts) AS contacts, (SELECT count(*) FROM crm_list_members) AS members;

DROP FUNCTION t_scenario(text, text, text, boolean, boolean);
DROP FUNCTION t_results();
DROP FUNCTION t_contacts();
DROP FUNCTION t_members();
DROP FUNCTION t_file();
DROP FUNCTION t_reset();
