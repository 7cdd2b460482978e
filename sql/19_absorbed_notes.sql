-- Issue 15: when rows of the file merge into one contact and a later row replaces a
-- different non-blank value, the absorbed row's result says which field changed from what
-- to what, and which row won. A member list with repeated people: a first name corrected
-- twice, a consent changed, a moved member, a birthday typed day/month swapped, a custom
-- field; an exact repeat (no note); two rows joined by their mobile number (secondary key)
-- whose email addresses differ. A blank cell replaces nothing and gets no note.
\i sql/include/fresh_extension.sql
SET crm_import.default_region = 'NO';
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/absorbed_rows_members.csv'
SELECT crm_import_create_list('Medlemmer');
SELECT crm_import_create_field('member_no', 'text');
CREATE FUNCTION ab_prepare(path text, master text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	imp bigint := crm_import_upload_file('Medlemmer', path);
BEGIN
	PERFORM crm_import_map(imp, 'Fornavn', 'first_name'), crm_import_map(imp, 'Etternavn', 'last_name'),
		crm_import_map(imp, 'E-post', 'email'), crm_import_map(imp, 'Mobil', 'mobile'), crm_import_map(imp, 'Poststed', 'city'),
		crm_import_map(imp, 'Fødselsdato', 'birthday'), crm_import_map(imp, 'Nyhetsbrev', 'email_marketing'),
		crm_import_map(imp, 'Medlemsnr', 'member_no');
	PERFORM crm_import_set_consent(imp, 'sms_marketing', unknown => true);
	PERFORM crm_import_set_rules(imp, master, 'email', 'mobile');
	PERFORM crm_import_accept_compliance(imp, true, true);
	RETURN imp;
END
$$;
CREATE FUNCTION ab_results(imp bigint) RETURNS TABLE (line_no bigint, outcome text, contact_id bigint, reason text)
LANGUAGE sql AS $$
	SELECT r.line_no, r.outcome, r.contact_id, r.reason FROM crm_import_results(imp) r ORDER BY 1
$$;

-- 1. A dry run already shows the notes.
SELECT ab_prepare(:'f', 'file') AS imp \gset
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT * FROM ab_results(:imp);
-- 2. The run: the contacts hold the winning values; the notes are those of the dry run.
SELECT * FROM crm_import_run(:imp);
SELECT * FROM ab_results(:imp);
SELECT id, first_name, last_name, email, mobile, city, birthday, email_marketing, custom FROM crm_contacts ORDER BY id;
-- 3. With existing data master the file's rows merge the same way (the later row wins in
-- the file; the master rule then applies between the merged row and the contact): the
-- notes say what happened in the file.
SELECT ab_prepare(:'f', 'existing') AS imp2 \gset
SELECT * FROM crm_import_run(:imp2);
SELECT line_no, outcome, reason FROM ab_results(:imp2) WHERE outcome = 'merged_in_file';
-- 4. A file whose repeated rows agree (after normalization; a blank replaces nothing) has no notes.
SELECT crm_import_upload('Medlemmer', convert_to(E'E-post;Fornavn\nanne@example.no;Anne\nANNE@example.no;Anne\nanne@example.no;\n', 'UTF8')) AS imp3 \gset
SELECT crm_import_map(:imp3, 'E-post', 'email'), crm_import_map(:imp3, 'Fornavn', 'first_name'),
	crm_import_set_consent(:imp3, 'email_marketing', unknown => true), crm_import_set_rules(:imp3, 'file', 'email'),
	crm_import_accept_compliance(:imp3, true, true);
SELECT * FROM crm_import_run(:imp3);
SELECT * FROM ab_results(:imp3);

DROP FUNCTION ab_prepare(text, text), ab_results(bigint);
