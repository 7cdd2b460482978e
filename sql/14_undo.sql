-- 14_undo: crm_import_undo gives a completed import back. Contacts it created are deleted,
-- contacts it updated get their previous values back field by field, memberships it added
-- are removed; what changed since is kept and reported (crm_import_undo_conflicts); consent
-- is never given back from opted out to opted in. Also: dry run, refusals, privileges,
-- retention and purge, erasure of a contact's undo data.
\i sql/include/fresh_extension.sql
\set VERBOSITY default
\i sql/include/expect_error.sql

-- Test roles (cluster-wide; dropped at the end).
\i sql/include/test_roles.sql
SELECT pg_temp.test_roles(ARRAY['regress_undo_alice', 'regress_undo_bob'], ARRAY['regress_undo_carol']);

-- Every row of the contacts and memberships, every column (timestamps, provenance, custom
-- values included), as one digest.
CREATE FUNCTION pg_temp.crm_digest() RETURNS text LANGUAGE sql AS $$
	SELECT md5((SELECT coalesce(string_agg(c::text, E'\n' ORDER BY c.id), '') FROM crm_contacts c) || '|'
		|| (SELECT coalesce(string_agg(m::text, E'\n' ORDER BY m.list_id, m.contact_id), '') FROM crm_list_members m))
$$;
-- An uploaded file with every column mapped to the field of its name, consent from its
-- columns, the given rules, compliance accepted: ready to run.
CREATE FUNCTION pg_temp.prepare(list text, csv text, master text, primary_key text, secondary_key text DEFAULT NULL,
	allow_reoptin boolean DEFAULT false) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	id bigint := crm_import_upload(list, convert_to(csv, 'UTF8'), 'undo.csv');
	c record;
BEGIN
	FOR c IN SELECT * FROM crm_import_columns(id) LOOP
		PERFORM crm_import_map(id, c.name, c.name);
	END LOOP;
	PERFORM crm_import_set_rules(id, master, primary_key, secondary_key);
	PERFORM crm_import_set_options(id, allow_reoptin => allow_reoptin);
	PERFORM crm_import_accept_compliance(id, true, true);
	RETURN id;
END
$$;
-- Timestamps in messages vary: masked.
CREATE FUNCTION pg_temp.masked(t text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(t, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [^ ;.,]+', '<time>', 'g')
$$;
CREATE VIEW pg_temp.people AS
	SELECT c.id, c.email, c.mobile, c.first_name, c.last_name, c.company, c.city, c.birthday, c.email_marketing AS email_mkt,
		c.sms_marketing AS sms_mkt, c.custom, c.created_by_import AS created_by, c.updated_by_import AS updated_by
	FROM crm_contacts c ORDER BY c.id;

SELECT crm_import_create_field('kundenr', 'number', 'Kundenummer');
SELECT crm_import_create_list('Kunder'), crm_import_create_list('Kampanje');

-- The CRM before: four contacts in the list Kunder.
SELECT pg_temp.prepare('Kunder', E'email,mobile,first_name,last_name,city,birthday,email_marketing,sms_marketing,kundenr\n'
	'anna@example.no,+4791000001,Anna,Berg,Oslo,1980-01-02,Yes,Yes,100\n'
	'bjorn@example.no,+4791000002,Bjørn,Dahl,,1975-05-06,No,,200\n'
	'cecilie@example.no,+4791000003,Cecilie,,Bergen,,,No,\n'
	'david@example.no,,David,Eng,Tromsø,,Yes,,400\n', 'file', 'email') AS base \gset
SELECT inserted, updated FROM crm_import_run(:base);
SELECT * FROM pg_temp.people;

---------------------------------------------------------------------------------------------
-- Import, then undo: contacts and memberships exactly as before (every column of every row)
---------------------------------------------------------------------------------------------
-- The file updates anna (name, city, customer number), fills bjorn's city (matched on the
-- secondary key when email is primary), fills cecilie's last name and birthday and opts her
-- in (she had no consent yet), matches david without changing him, and creates erik.
\set file 'email,mobile,first_name,last_name,city,birthday,email_marketing,sms_marketing,kundenr\nanna@example.no,+4791000001,Annie,,Drammen,,Yes,Yes,101\n,+4791000002,,,Stavanger,,,,\ncecilie@example.no,,,Foss,,1990-03-04,Yes,,300\ndavid@example.no,,,,,,,,\nerik@example.no,+4791000005,Erik,Lund,Moss,,Yes,No,500\n'
SELECT pg_temp.crm_digest() AS before \gset
SELECT pg_temp.prepare('Kampanje', :'file', 'file', 'email', 'mobile') AS id \gset
SELECT inserted, updated, unchanged FROM crm_import_run(:id);
SELECT * FROM pg_temp.people;
-- What the run kept for the undo: the changed fields only, before and after.
SELECT contact_id, old_first_name, new_first_name, old_city, new_city, old_last_name, new_last_name, old_birthday,
	new_birthday, old_email_marketing, new_email_marketing, old_custom, new_custom
FROM crm_import_undo_contacts WHERE import_id = :id ORDER BY contact_id;
SELECT id, state, tab, undo_until > finished_at AS can_undo FROM crm_import_status WHERE id = :id;
-- The dry run counts what the undo will do and changes nothing; nothing is kept here.
SELECT pg_temp.crm_digest() AS after_run \gset
SELECT * FROM crm_import_undo(:id, dry_run => true);
SELECT * FROM crm_import_undo_conflicts(:id);
SELECT pg_temp.crm_digest() = :'after_run' AS dry_run_changed_nothing;
SELECT * FROM crm_import_undo(:id);
SELECT pg_temp.crm_digest() = :'before' AS exactly_as_before;
SELECT * FROM pg_temp.people;
SELECT id, state, tab, undo_until, undo_contacts_deleted, undo_contacts_restored, undo_memberships_removed,
	undo_fields_kept, undo_contacts_kept
FROM crm_import_status WHERE id = :id;
-- Its undo rows are gone (everything was given back); no work table is left.
SELECT count(*) AS undo_rows FROM crm_import_undo_contacts WHERE import_id = :id;
SELECT count(*) AS work_tables FROM pg_class WHERE relnamespace = 'crm_import_staging'::regnamespace AND relname LIKE 'undo%';

-- The same file under the other rules: master existing (only empty fields are filled),
-- primary key mobile with secondary email, into the list the contacts are already members
-- of (those memberships existed before and stay).
CREATE FUNCTION pg_temp.roundtrip(list text, master text, primary_key text, secondary_key text, csv text)
RETURNS TABLE (rules text, run text, dry_run text, undo text, exactly_as_before boolean)
LANGUAGE plpgsql AS $$
DECLARE
	before text := pg_temp.crm_digest();
	id bigint := pg_temp.prepare(list, csv, master, primary_key, secondary_key);
BEGIN
	rules := format('%s: master %s, %s then %s', list, master, primary_key, secondary_key);
	SELECT format('%s inserted, %s updated, %s unchanged', r.inserted, r.updated, r.unchanged) INTO run FROM crm_import_run(id) r;
	SELECT u::text INTO dry_run FROM crm_import_undo(id, true) u;
	SELECT u::text INTO undo FROM crm_import_undo(id) u;
	exactly_as_before := pg_temp.crm_digest() = before;
	RETURN NEXT;
END
$$;
SELECT * FROM pg_temp.roundtrip('Kunder', 'file', 'email', 'mobile', :'file');
SELECT * FROM pg_temp.roundtrip('Kunder', 'existing', 'email', 'mobile', :'file');
SELECT * FROM pg_temp.roundtrip('Kampanje', 'existing', 'mobile', 'email', :'file');
SELECT * FROM pg_temp.roundtrip('Kunder', 'file', 'mobile', 'email', :'file');
SELECT * FROM pg_temp.people;

---------------------------------------------------------------------------------------------
-- A later import changed some of the same fields: those are kept and reported, the rest given
-- back; a contact the import created and a later import changed is kept
---------------------------------------------------------------------------------------------
SELECT pg_temp.prepare('Kunder', E'email,first_name,city\nanna@example.no,Ann,Hamar\nfrida@example.no,Frida,Lyngdal\n',
	'file', 'email') AS c1 \gset
SELECT crm_import_set_consent(:c1, 'email_marketing', value => true);
SELECT inserted, updated FROM crm_import_run(:c1);
SELECT pg_temp.prepare('Kunder', E'email,last_name,city\nanna@example.no,,Lillehammer\nfrida@example.no,Grønn,\n',
	'file', 'email') AS c2 \gset
SELECT crm_import_set_consent(:c2, 'email_marketing', value => true);
SELECT inserted, updated FROM crm_import_run(:c2);
SELECT * FROM pg_temp.people WHERE email IN ('anna@example.no', 'frida@example.no');
-- Before the undo: what it would keep now.
SELECT * FROM crm_import_undo(:c1, dry_run => true);
SELECT contact_id, field, import_value, current_value, replace(outcome, :'c2', 'N') AS outcome FROM crm_import_undo_conflicts(:c1);
SELECT * FROM crm_import_undo(:c1);
-- anna: first name given back, city kept (the second import wrote it). frida stays, and so
-- does her membership of Kunder: the second import, into the same list, matched her.
SELECT * FROM pg_temp.people WHERE email IN ('anna@example.no', 'frida@example.no');
SELECT contact_id, field, import_value, current_value, replace(outcome, :'c2', 'N') AS outcome FROM crm_import_undo_conflicts(:c1);
SELECT state, tab, undo_fields_kept, undo_contacts_kept FROM crm_import_status WHERE id = :c1;
-- The second import can still be undone: it gives back what it replaced, which for anna's
-- city is the first import's value (undo in reverse order to avoid that).
SELECT * FROM crm_import_undo(:c2);
SELECT * FROM pg_temp.people WHERE email IN ('anna@example.no', 'frida@example.no');

---------------------------------------------------------------------------------------------
-- Changed since by something other than an import: kept and reported
---------------------------------------------------------------------------------------------
SELECT pg_temp.prepare('Kunder', E'email,company\nbjorn@example.no,Dahl AS\ngunnar@example.no,Gunnar AS\nhelga@example.no,Helga AS\n'
	'ivar@example.no,Ivar AS\njonas@example.no,Jonas AS\n', 'file', 'email') AS e1 \gset
SELECT crm_import_set_consent(:e1, 'email_marketing', value => false);
SELECT inserted, updated FROM crm_import_run(:e1);
-- The application edits bjorn's company (without touching updated_at) and gunnar's city
-- (marking updated_at). Later imports match helga (into the same list) and ivar (into
-- another list) without changing them.
UPDATE crm_contacts SET company = 'Dahl og sønn AS' WHERE email = 'bjorn@example.no';
UPDATE crm_contacts SET city = 'Ålesund', updated_at = clock_timestamp() WHERE email = 'gunnar@example.no';
SELECT pg_temp.prepare('Kunder', E'email,company\nhelga@example.no,Helga AS\n', 'file', 'email') AS e2 \gset
SELECT crm_import_set_consent(:e2, 'email_marketing', value => false);
SELECT inserted, updated, unchanged FROM crm_import_run(:e2);
SELECT pg_temp.prepare('Kampanje', E'email,company\nivar@example.no,Ivar AS\n', 'file', 'email') AS e3 \gset
SELECT crm_import_set_consent(:e3, 'email_marketing', value => false);
SELECT inserted, updated, unchanged FROM crm_import_run(:e3);
SELECT * FROM crm_import_undo(:e1, dry_run => true);
SELECT * FROM crm_import_undo(:e1);
SELECT contact_id, field, import_value, current_value, outcome FROM crm_import_undo_conflicts(:e1);
-- jonas is gone; gunnar, helga and ivar stay; bjorn keeps the application's company.
SELECT * FROM pg_temp.people WHERE email IN ('bjorn@example.no', 'gunnar@example.no', 'helga@example.no', 'ivar@example.no',
	'jonas@example.no');
-- Memberships the undone import added are gone, but for helga's (the later import into the
-- same list matched her); ivar's in Kampanje belongs to the later import.
SELECT l.name, c.email, m.added_by_import = :e1 AS added_by_undone_import
FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id JOIN crm_contacts c ON c.id = m.contact_id
WHERE c.email IN ('gunnar@example.no', 'helga@example.no', 'ivar@example.no') ORDER BY 1, 2;

---------------------------------------------------------------------------------------------
-- Consent: an undo never opts anybody in who is opted out now
---------------------------------------------------------------------------------------------
SELECT id, email, email_marketing, email_marketing_import, sms_marketing FROM crm_contacts
WHERE email IN ('anna@example.no', 'bjorn@example.no', 'cecilie@example.no', 'david@example.no') ORDER BY id;
-- With allow_reoptin: anna opts out, bjorn opts in again, cecilie (unknown) opts out, david
-- opts in to SMS.
SELECT pg_temp.prepare('Kunder', E'email,email_marketing,sms_marketing\nanna@example.no,No,\nbjorn@example.no,Yes,\ncecilie@example.no,No,\ndavid@example.no,,Yes\n',
	'file', 'email', allow_reoptin => true) AS g \gset
SELECT updated FROM crm_import_run(:g);
-- david opts out of SMS afterwards (say, by replying STOP).
UPDATE crm_contacts SET sms_marketing = false, updated_at = clock_timestamp() WHERE email = 'david@example.no';
SELECT * FROM crm_import_undo(:g);
SELECT contact_id, field, import_value, current_value, outcome FROM crm_import_undo_conflicts(:g);
-- anna stays opted out (giving back her opt-in would opt her in); bjorn is opted out again
-- with the provenance he had; cecilie is unknown again; david stays opted out of SMS.
SELECT id, email, email_marketing, email_marketing_import, sms_marketing FROM crm_contacts
WHERE email IN ('anna@example.no', 'bjorn@example.no', 'cecilie@example.no', 'david@example.no') ORDER BY id;

---------------------------------------------------------------------------------------------
-- Refusals
---------------------------------------------------------------------------------------------
SET ROLE regress_undo_alice;
SELECT crm_import_upload('Kunder', convert_to(E'email,email_marketing\nx@example.no,Yes\n', 'UTF8'), 'draft.csv') AS draft \gset
SELECT pg_temp.prepare('Kunder', E'email,email_marketing\nnot-an-email,Yes\n', 'file', 'email') AS failed \gset
SELECT crm_import_set_options(:failed, max_errors => '0');
SELECT count(*) AS rows_returned FROM crm_import_run(:failed);
SELECT pg_temp.prepare('Kunder', E'email,email_marketing\nalice@example.no,Yes\n', 'file', 'email') AS alices \gset
SELECT inserted FROM crm_import_run(:alices);
SELECT * FROM crm_import_undo(:alices);
SELECT f AS call, pg_temp.masked(pg_temp.expect_error(format(f, i))) AS error
FROM (VALUES
	('SELECT * FROM crm_import_undo(%s)', :draft),
	('SELECT * FROM crm_import_undo(%s, dry_run => true)', :draft),
	('SELECT * FROM crm_import_undo_conflicts(%s)', :draft),
	('SELECT * FROM crm_import_undo(%s)', :failed),
	('SELECT * FROM crm_import_undo(%s)', :alices),
	('SELECT * FROM crm_import_undo(%s, NULL)', :alices),
	('SELECT * FROM crm_import_run(%s)', :alices),
	('SELECT crm_import_map(%s, ''email'', ''email'')', :alices)
) v(f, i);
-- Another role's import does not exist for bob, exactly like a missing one.
SET ROLE regress_undo_bob;
SELECT f AS call,
	replace(pg_temp.expect_error(format(f, :alices)), :'alices', 'N') AS alices_import,
	replace(pg_temp.expect_error(format(f, 999999)), '999999', 'N') = replace(pg_temp.expect_error(format(f, :alices)), :'alices', 'N') AS same_as_missing
FROM unnest(ARRAY['SELECT * FROM crm_import_undo(%s)', 'SELECT * FROM crm_import_undo(%s, dry_run => true)',
	'SELECT * FROM crm_import_undo_conflicts(%s)']) f;
RESET ROLE;
-- An import that ran before undo data was kept (0.1.0), one marked running, and an undo in a
-- REPEATABLE READ transaction.
SELECT pg_temp.prepare('Kunder', E'email,email_marketing\nold@example.no,Yes\n', 'file', 'email') AS old \gset
SELECT inserted FROM crm_import_run(:old);
UPDATE crm_imports SET undo_saved = false WHERE id = :old;
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_undo(%s)', :old));
UPDATE crm_imports SET undo_saved = true, state = 'running' WHERE id = :old;
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_undo(%s)', :old));
UPDATE crm_imports SET state = 'completed' WHERE id = :old;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_undo(%s)', :old));
SELECT * FROM crm_import_undo(:old, dry_run => true);
ROLLBACK;

---------------------------------------------------------------------------------------------
-- Privileges: owner or admin; the undo data is not readable directly
---------------------------------------------------------------------------------------------
SET ROLE regress_undo_bob;
SELECT pg_temp.prepare('Kunder', E'email,email_marketing\nbob@example.no,Yes\n', 'file', 'email') AS bobs \gset
SELECT inserted FROM crm_import_run(:bobs);
SELECT pg_temp.expect_error('SELECT * FROM crm_import_undo_contacts');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_undo_kept');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_purge_undo()');
SELECT pg_temp.expect_error($$SELECT crm_import_undo_plan(NULL::crm_imports, 'x')$$);
SELECT pg_temp.expect_error('DELETE FROM crm_contacts');
SET ROLE regress_undo_carol;
SELECT * FROM crm_import_undo(:bobs);
SELECT id, owner, state, undone_by FROM crm_import_status WHERE id IN (:alices, :bobs) ORDER BY id;
RESET ROLE;
SELECT p.oid::regprocedure AS function, has_function_privilege('crm_import_user', p.oid, 'EXECUTE') AS crm_import_user_may
FROM pg_proc p WHERE p.proname LIKE 'crm_import%undo%' AND p.pronamespace = 'public'::regnamespace ORDER BY p.oid::regprocedure::text;

---------------------------------------------------------------------------------------------
-- Retention: crm_import.undo_retention and crm_import_purge_undo
---------------------------------------------------------------------------------------------
SHOW crm_import.undo_retention;
SELECT pg_temp.expect_error($$SET crm_import.undo_retention = 'soon'$$);
SELECT pg_temp.expect_error($$SET crm_import.undo_retention = '-1 day'$$);
SET ROLE regress_undo_alice;
SELECT pg_temp.expect_error($$SET crm_import.undo_retention = '1 year'$$);
RESET ROLE;
SELECT pg_temp.prepare('Kunder', E'email,city,email_marketing\nanna@example.no,Kongsberg,Yes\njon@example.no,Kongsberg,Yes\n',
	'file', 'email') AS r1 \gset
SELECT inserted, updated FROM crm_import_run(:r1);
SELECT undo_until - finished_at AS undo_for FROM crm_import_status WHERE id = :r1;
-- With a retention of 0 it has expired already.
SET crm_import.undo_retention = 0;
SELECT undo_until < now() AS past_undo_until FROM crm_import_status WHERE id = :r1;
SELECT pg_temp.masked(pg_temp.expect_error(format('SELECT * FROM crm_import_undo(%s, dry_run => true)', :r1))) AS expired;
RESET crm_import.undo_retention;
SELECT * FROM crm_import_undo(:r1, dry_run => true);
-- The purge (admins) deletes the undo data of every import that finished before the
-- retention: the import above, and the kept rows of an undone import as old (both made to
-- have finished 40 days ago).
UPDATE crm_imports SET finished_at = finished_at - interval '40 days' WHERE id IN (:r1, :c1);
SELECT pg_temp.expect_error($$SELECT * FROM crm_import_purge_undo(older_than => '-1 day')$$);
SELECT count(*) AS undo_rows_of_r1 FROM crm_import_undo_contacts WHERE import_id = :r1;
SELECT count(*) AS kept_rows_of_c1 FROM crm_import_undo_kept WHERE import_id = :c1;
SET ROLE regress_undo_carol;
SELECT * FROM crm_import_purge_undo();
RESET ROLE;
SELECT count(*) AS undo_rows_of_r1 FROM crm_import_undo_contacts WHERE import_id = :r1;
SELECT count(*) AS kept_rows_of_c1 FROM crm_import_undo_kept WHERE import_id = :c1;
SELECT pg_temp.masked(pg_temp.expect_error(format('SELECT * FROM crm_import_undo(%s)', :r1))) AS purged;
SELECT id, state, undo_until FROM crm_import_status WHERE id = :r1;
-- A purge again finds nothing more that old; older_than 0 takes everything finished.
SELECT * FROM crm_import_purge_undo();
SELECT imports > 0 AS purged_some FROM crm_import_purge_undo(older_than => '0');
SELECT count(*) AS undo_rows, (SELECT count(*) FROM crm_import_undo_kept) AS kept_rows FROM crm_import_undo_contacts;

---------------------------------------------------------------------------------------------
-- Erasure: deleting a contact deletes its undo data
---------------------------------------------------------------------------------------------
SELECT pg_temp.prepare('Kunder', E'email,city,email_marketing\nanna@example.no,Lom,Yes\nbjorn@example.no,Lom,No\n',
	'file', 'email') AS k \gset
SELECT updated FROM crm_import_run(:k);
UPDATE crm_contacts SET city = 'Vågå' WHERE email = 'bjorn@example.no';
SELECT * FROM crm_import_undo(:k);
SELECT c.email, count(DISTINCT u.import_id) AS undo_rows, count(DISTINCT k.field) AS kept_rows
FROM crm_contacts c LEFT JOIN crm_import_undo_contacts u ON u.contact_id = c.id LEFT JOIN crm_import_undo_kept k ON k.contact_id = c.id
WHERE c.email IN ('anna@example.no', 'bjorn@example.no') GROUP BY 1 ORDER BY 1;
SELECT pg_temp.prepare('Kunder', E'email,city,email_marketing\nanna@example.no,Dombås,Yes\nbjorn@example.no,Dombås,No\n',
	'file', 'email') AS k2 \gset
SELECT updated FROM crm_import_run(:k2);
SELECT id AS bjorn FROM crm_contacts WHERE email = 'bjorn@example.no' \gset
SELECT (SELECT count(*) FROM crm_import_undo_contacts WHERE contact_id = :bjorn) AS undo_rows,
	(SELECT count(*) FROM crm_import_undo_kept WHERE contact_id = :bjorn) AS kept_rows;
DELETE FROM crm_contacts WHERE id = :bjorn;
SELECT (SELECT count(*) FROM crm_import_undo_contacts WHERE contact_id = :bjorn) AS undo_rows,
	(SELECT count(*) FROM crm_import_undo_kept WHERE contact_id = :bjorn) AS kept_rows;
-- The import's other contacts can still be undone.
SELECT * FROM crm_import_undo(:k2);
SELECT email, city FROM crm_contacts WHERE email = 'anna@example.no';
-- TRUNCATE empties the undo data too.
SELECT pg_temp.prepare('Kunder', E'email,city,email_marketing\nanna@example.no,Otta,Yes\n', 'file', 'email') AS t \gset
SELECT updated FROM crm_import_run(:t);
TRUNCATE crm_contacts;
SELECT (SELECT count(*) FROM crm_import_undo_contacts) AS undo_rows, (SELECT count(*) FROM crm_import_undo_kept) AS kept_rows,
	(SELECT count(*) FROM crm_list_members) AS members;

---------------------------------------------------------------------------------------------
-- Every field an import writes to a column of crm_contacts has its pair of undo columns
---------------------------------------------------------------------------------------------
SELECT f.name AS field_without_undo_columns
FROM crm_fields f JOIN pg_attribute a ON a.attrelid = 'crm_contacts'::regclass AND a.attname::text = f.name
WHERE NOT f.custom AND NOT EXISTS (SELECT 1 FROM crm_import_undo_columns() u WHERE u.name = f.name);

-- Clean up
SELECT pg_temp.drop_test_roles(ARRAY['regress_undo_alice', 'regress_undo_bob', 'regress_undo_carol']);
