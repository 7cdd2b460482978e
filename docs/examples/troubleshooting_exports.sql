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

-- Troubleshooting real exports: a preamble above the header, a wide file, a path passed as
-- the file, a wrong delimiter. Run from the repository root (\lo_import reads a file from
-- tests/data on the client), after troubleshooting.sql or on its own:
--   psql -X -a -q -d yourdb < docs/examples/troubleshooting_exports.sql
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS crm_import;
SELECT crm_import_create_list('LinkedIn') AS list_id \gset

-- Problem: LinkedIn's Connections.csv starts with a "Notes:" line and a quoted paragraph;
-- the header is on line 4. The upload skips them and says so.
\lo_import tests/data/linkedin_connections.csv
SELECT crm_import_upload_lo('LinkedIn', :LASTOID, file_name => 'Connections.csv') AS linkedin \gset
SELECT * FROM crm_import_preview(:linkedin, max_rows => 2);
SELECT column_no, name, filled, suggested_field FROM crm_import_columns(:linkedin);
SELECT * FROM crm_import_check(:linkedin) WHERE problem LIKE 'note%';
-- The large object holds personal data: remove it with the staged rows once done.
SELECT crm_import_discard(:linkedin, remove_source => true);

-- When the upload is not sure, it leaves record 1 as the header and crm_import_check says
-- what to call. With has_header = false the preview numbers every record:
SELECT crm_import_upload('LinkedIn', E'Report\nGenerated 2024-10-09,by admin,page 1\nName,Email,City,Phone,Zip\nKari,kari@example.no,Oslo,91234567,0150\n') AS report \gset
SELECT * FROM crm_import_check(:report) WHERE problem LIKE '%header row%';
SELECT crm_import_set_header(:report, false);
SELECT * FROM crm_import_preview(:report);
SELECT crm_import_set_header(:report, true, 3);
SELECT column_no, name, samples FROM crm_import_columns(:report);

-- Problem: a wide file. 2,000 columns upload, preview, map and run; the first 298 get a
-- staging column of their own, the rest share one array.
SELECT crm_import_upload('LinkedIn',
	(SELECT string_agg('Column ' || i, ',') FROM generate_series(1, 1999) i) || E',E-mail\n' ||
	(SELECT string_agg('v' || i, ',') FROM generate_series(1, 1999) i) || E',kari@example.no\n') AS wide \gset
SELECT column_count, staged_columns FROM crm_imports WHERE id = :wide;
SELECT column_no, name, samples, suggested_field FROM crm_import_columns(:wide) WHERE column_no >= 1999;

-- Problem: the path given instead of the file. crm_import_upload takes the file's
-- contents; a path is refused.
SELECT crm_import_upload('LinkedIn', '/home/kari/Downloads/Connections.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Problem: a wrong delimiter given. A comma file with quoted commas read with ';' ends in
-- a quoting error; the hint names the delimiter the first lines suggest.
SELECT crm_import_upload('LinkedIn', E'Name,Email,City\n"Hansen, Ola",ola@example.no,Oslo\n', delimiter => ';');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_upload('LinkedIn', E'Name,Email,City\n"Hansen, Ola",ola@example.no,Oslo\n') AS fixed \gset
SELECT * FROM crm_import_preview(:fixed);
