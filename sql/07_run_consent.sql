-- The run and marketing consent: terms from a column (default and custom), one value for
-- the whole import, opted-out contacts stay opted out, and where consent came from.
\i sql/include/fresh_extension.sql

SELECT crm_import_create_list('Consent');

-- The CRM before each run. Consent set before any import has an old timestamp.
CREATE OR REPLACE FUNCTION t_reset() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM crm_list_members;
	DELETE FROM crm_contacts;
	INSERT INTO crm_contacts (id, first_name, email, email_marketing, sms_marketing, email_marketing_at, sms_marketing_at) VALUES
		(1, 'Unknown', 'a@example.com', NULL, NULL, NULL, NULL),
		(2, 'In', 'b@example.com', true, true, '2000-01-01', '2000-01-01'),
		(3, 'Out', 'c@example.com', false, false, '2000-01-01', '2000-01-01'),
		(4, 'InOut', 'd@example.com', true, false, '2000-01-01', '2000-01-01'),
		(5, 'OutUnknown', 'e@example.com', false, NULL, '2000-01-01', NULL);
	PERFORM setval(pg_get_serial_sequence('crm_contacts', 'id'), 100);
END
$$;

-- Uploads a file of Email,Newsletter,SMS rows and makes it ready: consent from the two
-- columns, email primary key, the given master.
CREATE OR REPLACE FUNCTION t_prepare(body text, master text DEFAULT 'file') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint;
BEGIN
	imp := crm_import_upload('Consent', convert_to(E'Email,Newsletter,SMS\n' || body, 'UTF8'));
	PERFORM crm_import_map(imp, 'Email', 'email');
	PERFORM crm_import_set_consent(imp, 'email_marketing', column_name => 'Newsletter');
	PERFORM crm_import_set_consent(imp, 'sms_marketing', column_name => 'SMS');
	PERFORM crm_import_set_rules(imp, master, 'email');
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN imp;
END
$$;

-- Row results. A row whose contact keeps an opted-out status carries a note in reason for
-- each consent kept (email_kept, sms_kept); reason is shown in full for rejected rows.
CREATE OR REPLACE FUNCTION t_results(imp bigint)
RETURNS TABLE (row_no int, outcome text, contact_id bigint, email_kept boolean, sms_kept boolean, reject_reason text)
LANGUAGE sql AS $$
	SELECT r.row_no, r.outcome, r.contact_id,
		coalesce(r.reason, '') LIKE '%email consent kept opted out%',
		coalesce(r.reason, '') ILIKE '%sms consent kept opted out%',
		CASE WHEN r.outcome = 'rejected' THEN r.reason END
	FROM crm_import_results(imp) r ORDER BY 1
$$;

-- Consent of every contact: value, the import that set it, and when ('old' = before any
-- import, 'now' = set by a run of this test).
CREATE OR REPLACE FUNCTION t_consent()
RETURNS TABLE (id bigint, first_name text, email text, em boolean, em_import bigint, em_at text,
	sms boolean, sms_import bigint, sms_at text, updated_by bigint)
LANGUAGE sql AS $$
	SELECT c.id, c.first_name, c.email,
		c.email_marketing, c.email_marketing_import,
		CASE WHEN c.email_marketing_at = '2000-01-01' THEN 'old' WHEN c.email_marketing_at > now() - interval '1 hour' THEN 'now' END,
		c.sms_marketing, c.sms_marketing_import,
		CASE WHEN c.sms_marketing_at = '2000-01-01' THEN 'old' WHEN c.sms_marketing_at > now() - interval '1 hour' THEN 'now' END,
		c.updated_by_import
	FROM crm_contacts c ORDER BY c.id
$$;

SELECT t_reset();
SELECT * FROM t_consent();

---------------------------------------------------------------------------------------------
-- 1. Consent columns with the default terms (any case, surrounding space), master file
---------------------------------------------------------------------------------------------
SELECT t_prepare(
	E'a@example.com,Yes,ja\n'             -- 1: unknown -> in, in
	 'b@example.com, TRUE ,Sant\n'        -- 2: in, in already: unchanged, timestamps kept
	 'c@example.com,yes,JA\n'             -- 3: opted out: stays out for both (allow_reoptin off)
	 'd@example.com,Nei,USANT\n'          -- 4: in -> out allowed; out stays out
	 'new1@example.com,False,no\n'        -- 5: new, out, out
	 'new2@example.com,sant,usant\n'      -- 6: new, in, out
	 'new3@example.com,Kanskje,Yes\n'     -- 7: unknown term: rejected
	 'new4@example.com,,\n'               -- 8: new, consent not given
	 'e@example.com, Ja ,\n'              -- 9: opted out stays out; blank SMS keeps unknown
	 'new5@example.com,Yes,Maybe\n'       -- 10: unknown SMS term: rejected
	) AS imp \gset
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
-- The note in full: row 9 keeps only its email status (its SMS cell is blank). Row 3 keeps
-- both statuses, so its reason notes both (email_kept and sms_kept above).
SELECT row_no, reason FROM crm_import_results(:imp) WHERE row_no = 9;
SELECT * FROM t_consent();
SELECT m.contact_id FROM crm_list_members m ORDER BY 1;

---------------------------------------------------------------------------------------------
-- 2. allow_reoptin: the same file may opt opted-out contacts in again
---------------------------------------------------------------------------------------------
SELECT t_reset();
SELECT t_prepare(
	E'c@example.com,yes,JA\n'
	 'e@example.com, Ja ,\n'
	 'd@example.com,Nei,USANT\n') AS imp \gset
SELECT crm_import_set_options(:imp, allow_reoptin => true);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'consent';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent() WHERE id IN (3, 4, 5);

---------------------------------------------------------------------------------------------
-- 3. In-file duplicates: the last non-blank consent of a contact's rows wins
---------------------------------------------------------------------------------------------
SELECT t_reset();
SELECT t_prepare(
	E'a@example.com,Yes,Yes\n'
	 'A@example.com,No,\n'
	 'b@example.com,No,No\n'
	 'b@example.com,,Yes\n'
	 'b@example.com,Bogus,Nei\n'
	 'new@example.com,Yes,\n'
	 'NEW@example.com,,No\n') AS imp \gset
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent() WHERE id IN (1, 2) OR id > 100;

---------------------------------------------------------------------------------------------
-- 4. Master existing: consent already known is kept; unknown consent is filled
---------------------------------------------------------------------------------------------
SELECT t_reset();
SELECT t_prepare(
	E'a@example.com,Yes,No\n'
	 'b@example.com,No,No\n'
	 'c@example.com,Yes,Yes\n'
	 'd@example.com,No,Yes\n'
	 'e@example.com,Yes,Yes\n', 'existing') AS imp \gset
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent();

---------------------------------------------------------------------------------------------
-- 5. Custom terms: a setting of the field, used by later imports
---------------------------------------------------------------------------------------------
SELECT crm_import_set_consent_terms('sms_marketing', ARRAY['OptIn'], ARRAY['OptOut']);
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['Subscribed', 'Ja'], ARRAY['Unsubscribed', 'Nei']);
SELECT name, opt_in_terms, opt_out_terms FROM crm_fields WHERE type = 'consent' ORDER BY name;
SELECT t_reset();
SELECT t_prepare(
	E'a@example.com,subscribed,optin\n'
	 'b@example.com, UNSUBSCRIBED , OptOut \n'
	 'd@example.com,Ja,OPTIN\n'
	 'new1@example.com,Yes,OptIn\n'
	 'new2@example.com,nei,True\n') AS imp \gset
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'consent';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent();
-- Back to the defaults for the rest of the file.
SELECT crm_import_set_consent_terms('email_marketing', ARRAY['True', 'Yes', 'Sant', 'Ja'], ARRAY['False', 'No', 'Usant', 'Nei']);
SELECT crm_import_set_consent_terms('sms_marketing', ARRAY['True', 'Yes', 'Sant', 'Ja'], ARRAY['False', 'No', 'Usant', 'Nei']);

---------------------------------------------------------------------------------------------
-- 6. One value for the whole import
---------------------------------------------------------------------------------------------
SELECT t_reset();
-- Email opted out for every row, SMS opted in for every row; no consent columns.
SELECT crm_import_upload('Consent', convert_to(E'Email,Mobile\na@example.com,\nb@example.com,\nc@example.com,\nd@example.com,91234567\nnew@example.com,\n', 'UTF8')) AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_map(:imp, 'Mobile', 'mobile');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => false);
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'consent';
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent();
-- Opted in for every row: opted-out contacts stay out (and say so), unknown ones opt in.
SELECT t_reset();
SELECT crm_import_upload('Consent', convert_to(E'Email\na@example.com\nb@example.com\nc@example.com\ne@example.com\nnew@example.com\n', 'UTF8')) AS imp \gset
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_set_consent(:imp, 'email_marketing', value => true);
SELECT crm_import_set_rules(:imp, 'file', 'email');
SELECT crm_import_accept_compliance(:imp, true, true);
SELECT * FROM crm_import_run(:imp);
SELECT * FROM t_results(:imp);
SELECT * FROM t_consent();

-- The imports of this file.
SELECT id, state, tab, rows, inserted, updated, unchanged, merged_in_file, rejected FROM crm_import_status ORDER BY id;

DROP FUNCTION t_prepare(text, text);
DROP FUNCTION t_results(bigint);
DROP FUNCTION t_consent();
DROP FUNCTION t_reset();
