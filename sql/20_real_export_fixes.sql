-- What an outsider's run of real exports found (a US customer list, a Salesforce Contact
-- export, a German staff list, LinkedIn, Google), each with the behaviour that fixes it.
\i sql/include/fresh_extension.sql
SET crm_import.default_region = 'NO';
SELECT crm_import_create_list('Kunder');
CREATE FUNCTION rx_prepare(csv text, rules_secondary text DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint := crm_import_upload('Kunder', convert_to(csv, 'UTF8'));
BEGIN
	PERFORM crm_import_suggest_mapping(imp);
	PERFORM crm_import_set_skip_unmapped(imp, true);
	PERFORM crm_import_set_consent(imp, 'email_marketing', unknown => true);
	PERFORM crm_import_set_consent(imp, 'sms_marketing', unknown => true);
	PERFORM crm_import_set_rules(imp, 'file', primary_key => 'email', secondary_key => rules_secondary);
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN imp;
END $$;

-- 1. A US number whose area code begins 47 was read as Norwegian (+47 and the rest) under
-- region NO: 479-925-1234 is (479) 925-1234 in Arkansas or +47 99 25 12 34; refused with a
-- reason, not guessed. +47 or 0047 in front, or region US, read it.
SELECT crm_import_norm_phone('479-925-1234', 'NO') AS no_region, crm_import_norm_phone('479-925-1234', 'US') AS us_region,
	crm_import_norm_phone('+47 99 25 12 34', 'NO') AS with_plus, crm_import_norm_phone('1 650 253 0000', 'US') AS us_trunk_prefix;
SELECT crm_import_problem('phone', '479-925-1234', 'NO');
SELECT rx_prepare(E'First Name,Email,Mobile\nCory,cory@example.com,479-925-1234\nKari,kari@example.no,912 34 567\n') AS us \gset
SELECT crm_import_map(:us, 'Mobile', 'mobile');
SELECT * FROM crm_import_run(:us, dry_run => true);
SELECT row_no, outcome, reason FROM crm_import_results(:us) ORDER BY row_no;

-- 2. A phone extension E.164 cannot hold was dropped unseen; the row now says so.
SELECT rx_prepare(E'First Name,Email,Mobile\nAda,ada@example.com,+47 912 34 567 ext. 12\n') AS ext \gset
SELECT crm_import_map(:ext, 'Mobile', 'mobile');
SELECT * FROM crm_import_run(:ext);
SELECT row_no, outcome, reason FROM crm_import_results(:ext) ORDER BY row_no;
SELECT email, mobile FROM crm_contacts WHERE created_by_import = :ext;

-- 3. A Salesforce Contact export has its Other* address before its Mailing* one: the
-- Mailing* address (the person's own) is the one suggested.
SELECT crm_import_upload('Kunder', convert_to(E'Id,LastName,FirstName,OtherStreet,OtherCity,OtherCountry,MailingStreet,MailingCity,MailingCountry,Email\n'
	'0031U00001WaiGqQAJ,Rogers,Jack,,,,525 S. Lexington Ave,Burlington,USA,jrogers@example.com\n', 'UTF8')) AS sf \gset
SELECT * FROM crm_import_suggest_mapping(:sf) ORDER BY column_no;

-- 4. A run that fails after a dry run left the dry run's row results, which read as the
-- failed run's. They go with the failure; crm_import_results says why there are none.
SELECT rx_prepare(E'First Name,Email\nOla,ola@example.no\n') AS failing \gset
SELECT * FROM crm_import_run(:failing, dry_run => true);
SELECT count(*) AS dry_run_results FROM crm_import_results(:failing);
CREATE FUNCTION rx_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'contact % refused by a trigger', NEW.email; END $$;
CREATE TRIGGER rx_refuse BEFORE INSERT ON crm_contacts FOR EACH ROW EXECUTE FUNCTION rx_refuse();
\set VERBOSITY terse
SELECT * FROM crm_import_run(:failing);
\set VERBOSITY default
DROP TRIGGER rx_refuse ON crm_contacts;
SELECT state, results_dry_run FROM crm_imports WHERE id = :failing;
SELECT count(*) AS results_after_failure FROM crm_import_results(:failing);

-- 5. crm_import check notes what the rules will do that may surprise: rows without a key
-- are new contacts on every import; rows of different emails sharing a mobile number (an
-- office number) become one contact through the secondary key.
SELECT rx_prepare(E'First Name,Email,Mobile\nMichael,tischlerei@example.de,+49 3991 61157420\nJonas,laser@example.de,+49 3991 61157420\n'
	'Anna,,\nBerit,,\nCarl,carl@example.de,\n', 'mobile') AS office \gset
SELECT * FROM crm_import_check(:office);
SELECT * FROM crm_import_run(:office, dry_run => true);
SELECT row_no, outcome, matched_by, reason FROM crm_import_results(:office) ORDER BY row_no;

-- 6. A path given to the one-call import was "function crm_import(unknown, ...) is not
-- unique"; now the text form answers, and refuses the path with the calls that read a file.
SELECT crm_import_save_profile(:ext, 'weekly');
\set VERBOSITY default
SELECT * FROM crm_import('Kunder', '/home/kari/Downloads/customers.csv', profile => 'weekly');

-- 7. A custom field's label is text, never SQL or a format string: a label with % signs
-- (any user may create fields) failed every run that mapped the field ("too few arguments
-- for format()") when a row had a phone note.
SELECT crm_import_create_field('fax', 'phone', 'Fax %s%s%s%s %1$I');
SELECT rx_prepare(E'First Name,Email,Fax\nEva,eva@example.no,+47 22 22 22 22 ext 5\n') AS fax \gset
SELECT crm_import_map(:fax, 'Fax', 'fax');
SELECT * FROM crm_import_run(:fax, dry_run => true);
SELECT row_no, outcome, reason FROM crm_import_results(:fax) ORDER BY row_no;

-- 8. A file that is UTF-8 read in a single-byte code page (a profile that saved windows-1252,
-- the export re-saved as "CSV UTF-8") stored every letter outside ASCII as two wrong ones.
\set VERBOSITY default
SELECT crm_import_upload('Kunder', convert_to(E'Navn;Sted\nBeate Schröder;Güstrow\nHans-Jürgen;Müritz\n', 'UTF8'),
	encoding => 'windows-1252');
SELECT crm_import_upload('Kunder', convert_to(E'Navn;Sted\nBeate Schröder;Güstrow\n', 'LATIN1'), encoding => 'windows-1252') > 0 AS latin1_still_reads;

-- 9. Dates whose order the values never tell (no day above 12) are read in the region's
-- order; crm_import_check says so, with the call for the other order.
SELECT rx_prepare(E'First Name,Email,Born\nAnn,ann@example.com,7/2/1992\nBen,ben@example.com,3/4/1985\n') AS us_dates \gset
SELECT crm_import_map(:us_dates, 'Born', 'birthday');
SELECT * FROM crm_import_check(:us_dates);

-- 10. An attacker's probes. (a) A background import started by an admin ran as the import's
-- owner (the superuser's import: as the superuser). It runs as the role that started it.
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rx_admin') THEN
		CREATE ROLE rx_admin NOLOGIN IN ROLE crm_import_admin;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rx_owner') THEN
		CREATE ROLE rx_owner NOLOGIN IN ROLE crm_import_user;
	END IF;
END $$;
SELECT rx_prepare(E'First Name,Email\nSuper,super@example.no\n') AS su_import \gset
SET ROLE rx_admin;
SELECT crm_import_start(:su_import);
SELECT state FROM crm_import_wait(:su_import, interval '60 seconds');
RESET ROLE;
SELECT r.started_by::regrole AS run_acted_for, j.owner AS import_owner FROM crm_import_runs r JOIN crm_imports j ON j.id = r.import_id
	WHERE r.import_id = :su_import;
SELECT count(*) AS contacts FROM crm_contacts WHERE created_by_import = :su_import;

-- (b) remove_source removed whatever large object had the oid at discard time: once the
-- upload's object was gone, a reused oid (another role's object) was removed. Not any more.
SELECT lo_from_bytea(4240777, convert_to(E'Email\nreuse@example.no\n', 'UTF8')) AS src \gset
SELECT crm_import_upload_lo('Kunder', :src) AS from_lo \gset
SELECT lo_unlink(:src);
SELECT lo_from_bytea(:src, convert_to('someone else''s scanned contract', 'UTF8')) = :src AS oid_reused;
SELECT format('ALTER LARGE OBJECT %s OWNER TO rx_owner', :src) \gexec
SELECT crm_import_discard(:from_lo, remove_source => true);
SELECT count(*) AS reused_object_kept FROM pg_largeobject_metadata WHERE oid = :src;
SELECT lo_unlink(:src);
DROP ROLE rx_admin, rx_owner;

-- A Mailchimp audience export whose "nombre" column (Spanish for first name) holds the
-- subscribers' addresses was mapped to first_name and applied: every contact got its
-- address as first name. A predefined text field is not applied to a column of addresses
-- or phone numbers; the suggestion says why and what to map instead.
SELECT crm_import_upload('Kunder', convert_to(E'nombre,Apellido,Tel\nana@example.es,García,+34 612 345 678\nluis@example.es,Pérez,+34 622 345 678\nmaria@example.es,López,+34 632 345 678\n', 'UTF8')) AS mc \gset
SELECT column_no, name, field, applied, reason FROM crm_import_suggest_mapping(:mc) ORDER BY column_no;
SELECT crm_import_discard(:mc);

-- A Mailchimp export's status column (subscribed, unsubscribed) mapped to email marketing:
-- every row is rejected for an unknown status word, and the hint named skip_value, which
-- would have imported everyone without their consent. It now names the terms to add.
SELECT crm_import_upload('Kunder', convert_to(E'Email Address,First Name,Status\nana@example.es,Ana,subscribed\nluis@example.es,Luis,unsubscribed\n', 'UTF8')) AS mcs \gset
SELECT crm_import_map(:mcs, 'Email Address', 'email'), crm_import_map(:mcs, 'First Name', 'first_name');
SELECT crm_import_set_consent(:mcs, 'email_marketing', column_name => 'Status');
SELECT crm_import_set_consent(:mcs, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:mcs, 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:mcs, true, true);
-- crm_import_check says so before the run, with the words.
SELECT * FROM crm_import_check(:mcs);
SELECT * FROM crm_import_run(:mcs);
SELECT state, failure_reason FROM crm_import_status WHERE id = :mcs;
SELECT crm_import_discard(:mcs);

-- A US file read under region NO rejects every row "for region NO": the hint names
-- default_region (counted in the same pass as the consent words above).
SELECT rx_prepare(E'First Name,Email,Mobile\nCory,cory@example.com,(202) 555-0143\nDana,dana@example.com,(303) 555-0187\n') AS usall \gset
SELECT crm_import_map(:usall, 'Mobile', 'mobile');
SELECT * FROM crm_import_run(:usall);
SELECT crm_import_discard(:usall);
