-- Troubleshooting, real exports (docs/troubleshooting.md, "Placeholder values" and "Wrong
-- field count"): files as exports write them. Run from the repository root after
-- troubleshooting.sql (or on its own: it only needs the extension):
--   psql -X -a -q -d yourdb < docs/examples/troubleshooting_exports.sql
CREATE EXTENSION IF NOT EXISTS crm_import;
SET crm_import.default_region = 'NO';
SELECT crm_import_create_list('Eksporter') AS list_id;

-- Problem: placeholders. The export writes '-' and 'N/A' where a value is missing: the upload
-- names the columns, and crm_import_check asks until null_values is set.
SELECT crm_import_upload('Eksporter', convert_to(E'Fornavn;E-post;Mobil;Nyhetsbrev\n'
	'Kari;kari@example.no;912 34 567;Ja\n'
	'Ola;-;923 45 678;N/A\n'
	'Per;per@example.no;N/A;Nei\n', 'UTF8'), file_name => 'medlemmer.csv') AS ph \gset
SELECT column_no, field, applied FROM crm_import_suggest_mapping(:ph);
SELECT crm_import_set_consent(:ph, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:ph, master => 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:ph, gdpr => true, tcpa => true);
SELECT * FROM crm_import_check(:ph);
-- Fix: name the placeholders; they are blank cells in values, keys and consent.
SELECT crm_import_set_options(:ph, null_values => ARRAY['-', 'N/A']);
SELECT * FROM crm_import_run(:ph, dry_run => true);
SELECT row_no, outcome, reason FROM crm_import_results(:ph) ORDER BY row_no;
SELECT setting, value FROM crm_import_summary(:ph) WHERE setting ~ '^(null values|placeholder)';

-- Problem: short rows. Outlook ends a row after its last non-empty field (11 or 16 of 22
-- fields); line 6 has two empty fields too many, line 7 a value in a 23rd field.
SELECT crm_import_upload('Eksporter', convert_to(
	'"First Name","Middle Name","Last Name","Title","Suffix","Nickname","Given Yomi","Surname Yomi","E-mail Address",'
	'"E-mail 2 Address","E-mail 3 Address","Home Phone","Home Phone 2","Business Phone","Business Phone 2","Mobile Phone",'
	'"Car Phone","Other Phone","Primary Phone","Pager","Business Fax","Home Fax"' || E'\r\n'
	'"Kari","","Nordmann","","","","","","kari.nordmann@example.no","",""' || E'\r\n'
	'"Ola","J.","Hansen","Dr.","","","","","ola.hansen@example.com","ola@work.example.com",""' || E'\r\n'
	'"Per","","Berg","","","","","","per.berg@example.no","","","","","","","+47 912 34 567"' || E'\r\n'
	'"Lise","","Dahl","","","","","","lise.dahl@example.no","","","22 33 44 55","","","","+47 923 45 678","","","","","",""' || E'\r\n'
	'"Nils","","Lie","","","","","","nils.lie@example.no","","","","","","","","","","","","","","",""' || E'\r\n'
	'"Eva","","Moe","","","","","","eva.moe@example.no","","","","","","","","","","","","","","Oslo"' || E'\r\n', 'UTF8'),
	file_name => 'outlook.csv') AS ol \gset
SELECT setting, value FROM crm_import_summary(:ol) WHERE section = 'file' AND setting ~ 'field|short rows';
SELECT crm_import_map(:ol, 'First Name', 'first_name'), crm_import_map(:ol, 'E-mail Address', 'email'),
	crm_import_map(:ol, 'Mobile Phone', 'mobile');
SELECT crm_import_set_skip_unmapped(:ol, true);
SELECT crm_import_set_consent(:ol, 'email_marketing', unknown => true);
SELECT crm_import_set_consent(:ol, 'sms_marketing', unknown => true);
SELECT crm_import_set_rules(:ol, master => 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:ol, gdpr => true, tcpa => true);
SELECT crm_import_set_options(:ol, short_rows => 'reject');
SELECT * FROM crm_import_run(:ol, dry_run => true);
SELECT row_no, line_no, outcome, reason FROM crm_import_results(:ol) ORDER BY row_no;
-- Fix: pad them (the default); the 23rd field's value still rejects line 7.
SELECT crm_import_set_options(:ol, short_rows => 'pad');
SELECT * FROM crm_import_run(:ol, dry_run => true);
SELECT row_no, line_no, outcome, reason FROM crm_import_results(:ol) ORDER BY row_no;
SELECT crm_import_discard(:ph), crm_import_discard(:ol);
