-- Failures of the run: rejected rows (never half-applied), max_errors, a failure in the
-- middle of the run (everything rolled back), re-running a failed import, row results.
\i sql/include/fresh_extension.sql
-- Warnings show message, detail and hint, without the PL/pgSQL context.
\set SHOW_CONTEXT never

-- Runs a statement and shows its error as SQLSTATE: message | detail | hint (no CONTEXT).
\i sql/include/expect_error.sql

CREATE OR REPLACE FUNCTION t_contacts()
RETURNS TABLE (id bigint, first_name text, email text, mobile text, birthday date, custom text, created_by bigint, updated_by bigint)
LANGUAGE sql AS $$
	SELECT c.id, c.first_name, c.email, c.mobile, c.birthday, c.custom::text, c.created_by_import, c.updated_by_import
	FROM crm_contacts c ORDER BY c.id
$$;
CREATE OR REPLACE FUNCTION t_members() RETURNS TABLE (list text, contact_ids text)
LANGUAGE sql AS $$
	SELECT l.name, string_agg(m.contact_id || coalesce('@' || m.added_by_import, ''), ' ' ORDER BY m.contact_id)
	FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id GROUP BY l.name ORDER BY l.name
$$;
CREATE OR REPLACE FUNCTION t_status(imp bigint)
RETURNS TABLE (state text, tab text, inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint,
	rejected bigint, failure_reason text, failure_sqlstate text, finished boolean)
LANGUAGE sql AS $$
	SELECT s.state, s.tab, s.inserted, s.updated, s.unchanged, s.merged_in_file, s.rejected, s.failure_reason,
		j.failure_sqlstate, s.finished_at IS NOT NULL
	FROM crm_import_status s JOIN crm_imports j USING (id) WHERE s.id = imp
$$;

SELECT crm_import_create_list('Failures');
SELECT crm_import_create_field('score', 'number');
SELECT crm_import_create_field('member_since', 'date', 'Member since');
INSERT INTO crm_contacts (id, first_name, email, birthday, custom) VALUES
	(1, 'Exist', 'exist@example.com', '1970-01-01', '{"score": 1}'),
	(2, 'Keep', 'keep@example.com', NULL, '{}');
SELECT setval(pg_get_serial_sequence('crm_contacts', 'id'), 100);
INSERT INTO crm_list_members (list_id, contact_id) SELECT id, 2 FROM crm_lists;
CREATE TEMP TABLE t_before AS SELECT * FROM t_contacts();

---------------------------------------------------------------------------------------------
-- A file with one rejected row of each kind
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Failures', convert_to(
	E'Email,Mobile,Birthday,Score,Since,First\n'
	 'ok@example.com,91234567,1990-12-31,5,2020-01-01,Ok\n'        -- 1 good: new contact
	 'ola@@example.com,,,,,Bad\n'                                  -- 2 email: two @
	 'ola.example.com,,,,,Bad\n'                                   -- 3 email: no @
	 'p1@example.com,12345,,,,Bad\n'                               -- 4 phone: too short
	 'p2@example.com,+47 912 34 56 78 90,,,,Bad\n'                 -- 5 phone: too long
	 'd1@example.com,,31.02.1990,,,Bad\n'                          -- 6 date: no such day
	 'd2@example.com,,31.12.90,,,Bad\n'                            -- 7 date: two-digit year
	 'd3@example.com,,12.31.1990,,,Bad\n'                          -- 8 date: month 31 (day first)
	 'n1@example.com,,,"12,3,4",,Bad\n'                            -- 9 custom number
	 'n2@example.com,,,,1990-13-01,Bad\n'                          -- 10 custom date
	 'short@example.com,91234568\n'                                -- 11 too few fields
	 'long@example.com,,,,,Long,extra\n'                           -- 12 too many fields
	 'exist@example.com,,1975-05-05,abc,,Changed\n'                -- 13 bad score: contact 1 must not change
	 'OK@example.com,,,"1 23,5",,Okay\n'                           -- 14 bad score: row 1's contact must not take "Okay"
	 'multi@example.com,,,,,"Multi\nLine"\n'                       -- 15 good: a field over two lines
	 'exist@example.com,93333333,,2,,\n', 'UTF8'),                 -- 16 good: updates contact 1
	'failures.csv') AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_map(:imp, 'Birthday', 'birthday');
SELECT crm_import_map(:imp, 'Score', 'score');
SELECT crm_import_map(:imp, 'Since', 'member_since');
SELECT crm_import_map(:imp, 'First', 'first_name');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => true);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT crm_import_set_rules(:imp, 'file', 'email');
-- Day first, as these rows are written: '12.31.1990' alone would make the run detect month first.
-- Short rows rejected (the default pads them): row 11 is a cut-off record, not an export
-- that leaves trailing empty fields out (17_placeholders tests the padding).
SELECT crm_import_set_options(:imp, date_order => 'DMY', short_rows => 'reject');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT setting, value FROM crm_import_summary(:imp) WHERE setting IN ('data rows', 'rows with a wrong field count');

-- A dry run shows every reason, naming the column and the value.
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT row_no, line_no, outcome, contact_id, matched_by, reason FROM crm_import_results(:imp);

---------------------------------------------------------------------------------------------
-- max_errors: too many rejected rows fail the import, and nothing changes
---------------------------------------------------------------------------------------------
SELECT crm_import_set_options(:imp, max_errors => '12');
-- A dry run reports the failure as an error (the import stays a draft).
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s, dry_run => true)', :imp));
SELECT * FROM t_status(:imp);
-- A real run: a WARNING (its detail gives the SQLSTATE), no row, the import failed.
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_status(:imp);
SELECT * FROM t_contacts() EXCEPT SELECT * FROM t_before;
SELECT count(*) AS contacts FROM crm_contacts;
SELECT * FROM t_members();
-- A percentage of the 16 data rows: 80% allows 12 rejected rows, still too few.
SELECT crm_import_set_options(:imp, max_errors => '80%');
\set VERBOSITY terse
SELECT * FROM crm_import_run(:imp);
\set VERBOSITY default
SELECT * FROM t_status(:imp);
SELECT * FROM t_contacts() EXCEPT SELECT * FROM t_before;
SELECT * FROM t_members();
-- A failed import may be fixed and run again: 81.25% of 16 is 13, the number rejected.
SELECT crm_import_set_options(:imp, max_errors => '81.25%');
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_status(:imp);
-- One row per data row; only the good rows changed anything: row 1 (new), row 15 (new),
-- row 16 (contact 1: mobile and score, not row 13's name, birthday or score).
SELECT count(*) AS results, count(DISTINCT row_no) AS row_nos, min(row_no), max(row_no) FROM crm_import_results(:imp);
SELECT row_no, line_no, outcome, contact_id, matched_by FROM crm_import_results(:imp) WHERE outcome <> 'rejected';
SELECT * FROM t_contacts();
SELECT * FROM t_members();
-- Completed: running again is refused.
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s)', :imp));
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s, dry_run => true)', :imp));

-- A count limit that is met exactly, and 0 with no rejected row.
-- An Email,First file made ready to run with max_errors 0.
CREATE FUNCTION fx_ready(csv text, file_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint := crm_import_upload('Failures', convert_to(csv, 'UTF8'), file_name);
BEGIN
	PERFORM crm_import_map(imp, 'Email', 'email'), crm_import_map(imp, 'First', 'first_name');
	PERFORM crm_import_set_consent(imp, 'email_marketing', value => true);
	PERFORM crm_import_set_rules(imp, 'file', 'email');
	PERFORM crm_import_accept_compliance(imp, true, true);
	PERFORM crm_import_set_options(imp, max_errors => '0');
	RETURN imp;
END $$;
SELECT fx_ready(E'Email,First\nbad@,X\ngood1@example.com,G1\n', 'limit.csv') AS imp2 \gset
\set VERBOSITY terse
SELECT * FROM crm_import_run(:imp2);
\set VERBOSITY default
SELECT * FROM t_status(:imp2);
SELECT crm_import_set_options(:imp2, max_errors => '1');
SELECT * FROM crm_import_run(:imp2);
SELECT * FROM t_status(:imp2);
SELECT row_no, outcome, contact_id, reason FROM crm_import_results(:imp2);
SELECT fx_ready(E'Email,First\ngood2@example.com,G2\n', 'zero.csv') AS imp3 \gset
SELECT * FROM crm_import_run(:imp3);
SELECT * FROM t_status(:imp3);

---------------------------------------------------------------------------------------------
-- A failure in the middle of the run rolls back every contact change
---------------------------------------------------------------------------------------------
DROP TABLE t_before;
CREATE TEMP TABLE t_before AS SELECT * FROM t_contacts();
CREATE TEMP TABLE t_members_before AS SELECT * FROM t_members();
CREATE FUNCTION t_boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.email = 'boom@example.com' THEN
		RAISE EXCEPTION 'contact % refused by a trigger', NEW.email USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER t_boom BEFORE INSERT ON crm_contacts FOR EACH ROW EXECUTE FUNCTION t_boom();
SELECT crm_import_upload('Failures', convert_to(
	E'Email,First\n'
	 'keep@example.com,Changed\n'      -- updates contact 2 (before the inserts)
	 'fresh@example.com,Fresh\n'       -- a new contact
	 'boom@example.com,Boom\n'         -- the trigger refuses it
	 'exist@example.com,Exist again\n', 'UTF8'), 'boom.csv') AS boom \gset
SELECT crm_import_map(:boom, 'Email', 'email');
SELECT crm_import_map(:boom, 'First', 'first_name');
SELECT crm_import_set_consent(:boom, 'email_marketing', value => true);
SELECT crm_import_set_rules(:boom, 'file', 'email');
SELECT crm_import_accept_compliance(:boom, true, true);
-- The WARNING has no detail of the trigger's to pass on, so it gives the SQLSTATE alone, and
-- the default hint.
SELECT * FROM crm_import_run(:boom);
SELECT * FROM t_status(:boom);
-- Nothing changed: no contact, no membership, no row results.
SELECT * FROM t_contacts() EXCEPT SELECT * FROM t_before;
SELECT * FROM t_before EXCEPT SELECT * FROM t_contacts();
SELECT * FROM t_members() EXCEPT SELECT * FROM t_members_before;
SELECT count(*) AS results FROM crm_import_results(:boom);
-- The failed run left no work tables behind.
SELECT count(*) AS work_tables FROM pg_class c
	WHERE c.relnamespace = 'crm_import_staging'::regnamespace AND c.relname LIKE format('run\_%s\_%%', :boom);
-- Fixed (trigger gone), the same import runs.
DROP TRIGGER t_boom ON crm_contacts;
DROP FUNCTION t_boom();
SELECT * FROM crm_import_run(:boom);
SELECT * FROM t_status(:boom);
SELECT row_no, outcome, contact_id, matched_by, reason FROM crm_import_results(:boom);
SELECT * FROM t_contacts() EXCEPT SELECT * FROM t_before ORDER BY id;
SELECT * FROM t_members();

---------------------------------------------------------------------------------------------
-- The default region (crm_import.default_region) reads numbers without a country code
---------------------------------------------------------------------------------------------
CREATE FUNCTION t_region_import(body text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint;
BEGIN
	imp := crm_import_upload('Failures', convert_to(E'Email,Mobile\n' || body, 'UTF8'), 'region.csv');
	PERFORM crm_import_map(imp, 'Email', 'email');
	PERFORM crm_import_map(imp, 'Mobile', 'mobile');
	PERFORM crm_import_set_consent(imp, 'email_marketing', value => true);
	PERFORM crm_import_set_consent(imp, 'sms_marketing', value => true);
	PERFORM crm_import_set_rules(imp, 'file', 'email');
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN imp;
END
$$;
SET crm_import.default_region = 'SE';
SELECT t_region_import(E'se1@example.com,070-123 45 67\nse2@example.com,+47 912 34 567\nse3@example.com,12\n') AS reg \gset
SELECT * FROM crm_import_run(:reg);
SELECT row_no, outcome, contact_id, reason FROM crm_import_results(:reg);
SELECT id, email, mobile FROM crm_contacts WHERE email LIKE 'se_@%' ORDER BY id;
SET crm_import.default_region = 'XX';
SELECT t_region_import(E'xx1@example.com,91234567\nxx2@example.com,0047 91234568\n') AS reg \gset
SELECT * FROM crm_import_run(:reg);
SELECT row_no, outcome, contact_id, reason FROM crm_import_results(:reg);
RESET crm_import.default_region;
SELECT t_region_import(E'no1@example.com,91234569\n') AS reg \gset
SELECT * FROM crm_import_run(:reg);
SELECT id, email, mobile FROM crm_contacts WHERE email IN ('xx1@example.com', 'xx2@example.com', 'no1@example.com') ORDER BY id;
DROP FUNCTION t_region_import(text);

-- All imports of this file.
SELECT id, file_name, state, tab, rows, rejected, failure_reason FROM crm_import_status ORDER BY id;

DROP TABLE t_before;
DROP TABLE t_members_before;
DROP FUNCTION t_status(bigint);
DROP FUNCTION t_members();
DROP FUNCTION t_contacts();

---------------------------------------------------------------------------------------------
-- The date normalizers as SQL functions (issue 15): a date order for dates with the year
-- last, the forms real exports write, birthdays that cannot be right, and the date order of
-- a column detected from its values. For the run to call with a column's order.
---------------------------------------------------------------------------------------------
SELECT v, crm_import_norm_date(v) AS dmy, crm_import_norm_date(v, 'MDY') AS mdy, crm_import_norm_date(v, 'YMD') AS ymd,
	crm_import_problem('date', v) AS dmy_problem, crm_import_problem('date', v, 'NO', 'MDY') AS mdy_problem
FROM unnest(ARRAY['03/04/1990', '31/12/1990', '12/31/1990', '29/02/2000', '02/29/2000', '1990-03-04', '03/04/90']) v;
-- Forms of real exports: month names (LinkedIn, Norwegian), YYYYMMDD, ISO timestamps.
SELECT v, crm_import_norm_date(v) AS date, crm_import_problem('date', v) AS problem
FROM unnest(ARRAY['09 Oct 2024', '9 October 2024', 'Oct 9, 2024', '9. oktober 2024', '09.okt.2024', '9. okt. 2024',
	'19900304', '2024-10-09T12:34:56Z', '2024-10-09 12:34:56', '--03-04', '03/15', '9 Octember 2024', '04031990']) v;
-- The order is named in any case; anything else is an error, not a NULL.
SELECT crm_import_norm_date('12/31/1990', ' mdy ');
SELECT pg_temp.expect_error($$SELECT crm_import_norm_date('12/31/1990', 'US')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_problem('date', '12/31/1990', 'NO', 'day first')$$);
SELECT crm_import_norm_date('12/31/1990', NULL) IS NULL AS null_order_gives_null;

-- Birthdays: no later than today and at most 130 years back; generic dates are unlimited.
SELECT label, crm_import_norm_birthday(v) IS NOT NULL AS birthday_ok, crm_import_norm_date(v) IS NOT NULL AS date_ok,
	crm_import_problem('birthday', v) AS birthday_problem
FROM (VALUES
	('today', to_char(current_date, 'DD.MM.YYYY')),
	('tomorrow', to_char(current_date + 1, 'DD.MM.YYYY')),
	('130 years ago', to_char(current_date - interval '130 years', 'YYYY-MM-DD')),
	('130 years and a day ago', to_char(current_date - interval '130 years' - interval '1 day', 'YYYY-MM-DD')),
	('google without a year', '--12-24'),
	('no such day', '31.02.1990'),
	('ordinary', '24.12.1985')) AS t(label, v);
SELECT crm_import_norm_birthday('12/24/1985', 'MDY'), crm_import_norm_birthday('12/24/1985');

-- The date order of a column from its values.
SELECT label, d.* FROM (VALUES
	('day first', ARRAY['03/04/1990', '31/12/1985', '15/06/1970']),
	('month first', ARRAY['03/04/1990', '12/31/1985', NULL]),
	('both', ARRAY['31/12/1990', '12/31/1990']),
	('no part above 12', ARRAY['03/04/1990', '01/02/2000']),
	('year first only', ARRAY['1990-03-04', '09 Oct 2024']),
	('no dates', ARRAY['Ola', '']),
	('empty', '{}'::text[])) AS t(label, samples),
	crm_import_detect_date_order(samples) d;

-- Objects of version 0.1.0 call the one-argument date and three-argument problem symbols:
-- they work with this library until ALTER EXTENSION UPDATE replaces them.
CREATE FUNCTION pg_temp.old_norm_date(text) RETURNS text
	AS '$libdir/crm_import', 'crm_import_norm_date' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION pg_temp.old_problem(text, text, text) RETURNS text
	AS '$libdir/crm_import', 'crm_import_problem' LANGUAGE C IMMUTABLE STRICT;
SELECT pg_temp.old_norm_date('31.12.1990'), pg_temp.old_norm_date('09 Oct 2024'),
	pg_temp.old_problem('date', '31.02.1990', 'NO'), pg_temp.old_problem('birthday', '31.12.1990', 'NO');
