-- Troubleshooting: the errors users meet, reproduced. Run from the repository root after
-- the step examples (or on its own: it only needs the extension):
--   psql -X -a -q -d yourdb < docs/examples/troubleshooting.sql
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS crm_import;
SELECT crm_import_create_list('Feilsøking') AS list_id;

-- Problem: a byte-order mark. Excel's "CSV UTF-8" starts the file with EF BB BF. It is
-- skipped, not read as part of the first header name, and recorded as had_bom.
SELECT crm_import_upload('Feilsøking', convert_to(E'\uFEFFEmail,Nyhetsbrev\nola@example.com,Ja\n', 'UTF8'),
	file_name => 'bom.csv') AS bom \gset
SELECT column_no, name, length(name) AS name_length FROM crm_import_columns(:bom);
SELECT had_bom, byte_size FROM crm_imports WHERE id = :bom;

-- Problem: a semicolon file (Norwegian Excel). With delimiter NULL (the default) it is
-- detected among comma, semicolon and tab.
SELECT crm_import_upload('Feilsøking', convert_to(E'Navn;E-post\nOla Nordmann;ola@example.com\n', 'UTF8'),
	file_name => 'semikolon.csv') AS semi \gset
SELECT setting, value FROM crm_import_summary(:semi) WHERE setting IN ('delimiter', 'columns');
-- Forcing a comma reads each line as one column:
SELECT crm_import_upload('Feilsøking', convert_to(E'Navn;E-post\nOla Nordmann;ola@example.com\n', 'UTF8'),
	file_name => 'semikolon.csv', delimiter => ',') AS forced \gset
SELECT column_no, name, samples FROM crm_import_columns(:forced);

-- Problem: a Latin-1 (Windows-1252) file, Excel's "CSV (comma delimited)". The bytes are
-- "Navn;By" / "Pål;Tromsø" with å = 0xE5 and ø = 0xF8.
SELECT crm_import_upload('Feilsøking', decode('4e61766e3b42790a50e56c3b54726f6d73f80a', 'hex'), file_name => 'latin1.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- The same text in UTF-8 (å = C3 A5, ø = C3 B8) uploads.
SELECT crm_import_upload('Feilsøking', decode('4e61766e3b42790a50c3a56c3b54726f6d73c3b80a', 'hex'), file_name => 'utf8.csv') AS utf8 \gset
SELECT * FROM crm_import_preview(:utf8);
-- Problem: other files that are not CSV text.
SELECT crm_import_upload('Feilsøking', convert_to(E'Navn,Notat\nOla,"Sier ""hei\nKari,ok\n', 'UTF8'), file_name => 'quote.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_upload('Feilsøking', ''::bytea, file_name => 'empty.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Problem: blank or repeated header names get unique names (a NOTICE says which).
SELECT crm_import_upload('Feilsøking', convert_to(E'E-post,Navn,Navn,\nola@example.com,Ola,Nordmann,x\n', 'UTF8'),
	file_name => 'headers.csv') AS hdr \gset
SELECT column_no, name FROM crm_import_columns(:hdr);

-- A file to import: one column with no CRM field, email and mobile numbers, a consent column
-- in the file's own terms, a bad email address, a bad date and a row with a field too many.
SELECT crm_import_upload('Feilsøking', convert_to(E'Fornavn,E-post,Mobil,Fødselsdato,Nyhetsbrev,Kilde\n'
	'Ola,ola@example.com,912 34 567,24.12.1980,Subscribed,messe\n'
	'Kari,kari(at)example.com,913 45 678,01.02.1985,Subscribed,web\n'
	'Per,per@example.com,914 56 789,31.02.1990,Unsubscribed,web\n'
	'Anne,anne@example.com,915 67 890,,Subscribed,messe,stand 4\n'
	'Lise,lise@example.com,916 78 901,05.05.1975,Unsubscribed,messe\n', 'UTF8'), file_name => 'messe.csv') AS imp \gset
SELECT * FROM crm_import_suggest_mapping(:imp);
-- Problem: a suggestion shown but not applied. One of the four birthdays is no date, so the
-- birthday column stays unmapped until someone decides. Map it: the bad row will be rejected.
SELECT crm_import_map(:imp, 'Fødselsdato', 'birthday');
SELECT crm_import_set_rules(:imp, master => 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:imp, gdpr => true, tcpa => true);

-- Problem: the run refuses while something is missing; the DETAIL lists every problem with
-- its fix, crm_import_check gives them as rows.
SELECT * FROM crm_import_run(:imp);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM crm_import_check(:imp);

-- Fix an unmapped column: skip it (or tick "do not import data in unmapped fields").
SELECT crm_import_skip(:imp, 'Kilde');
-- Fix missing consent: the SMS status is not in the file, so give one value for every row.
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT * FROM crm_import_check(:imp);

-- Problem: rows rejected for values the field cannot read, and for the file's own consent
-- terms. A dry run shows it without changing anything.
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT row_no, line_no, outcome, reason FROM crm_import_results(:imp) ORDER BY row_no;
-- Fix the consent terms: they replace the field's lists, so keep the defaults in them.
SELECT crm_import_set_consent_terms('email_marketing',
	opt_in => ARRAY['True', 'Yes', 'Sant', 'Ja', 'OptIn', 'Subscribed'],
	opt_out => ARRAY['False', 'No', 'Usant', 'Nei', 'OptOut', 'Unsubscribed']);
-- Compliance was accepted with the old terms: the import keeps them until it is accepted again.
SELECT crm_import_accept_compliance(:imp, gdpr => true, tcpa => true);
SELECT * FROM crm_import_run(:imp, dry_run => true);

-- Problem: a failed run. With max_errors the run fails when too many rows would be rejected.
-- It raises a WARNING (not an ERROR, so the failure is kept), returns no row, changes no
-- contact, and the import moves to the Failed tab with the reason.
SELECT crm_import_set_options(:imp, max_errors => '1');
SELECT * FROM crm_import_run(:imp);
SELECT id, file_name, state, tab, failure_reason FROM crm_import_status WHERE id = :imp;
SELECT failure_sqlstate FROM crm_import_status WHERE id = :imp;
-- The hint's dry run warns that the run would fail but goes on, so its row results list
-- the rejected rows and why:
SELECT * FROM crm_import_run(:imp, dry_run => true);
SELECT row_no, outcome, reason FROM crm_import_results(:imp) WHERE outcome = 'rejected';
-- A failed import can be fixed and run again: accept up to 60 % rejected rows.
SELECT crm_import_set_options(:imp, max_errors => '60%');
SELECT * FROM crm_import_run(:imp);
SELECT id, file_name, state, tab, rows, inserted, rejected, failure_reason FROM crm_import_status WHERE id = :imp;

-- Problem: a server-side path as an ordinary user.
CREATE ROLE docs_troubleshooting_user;
GRANT crm_import_user TO docs_troubleshooting_user;
SET ROLE docs_troubleshooting_user;
SELECT crm_import_upload_file('Feilsøking', '/srv/exports/kontakter.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Another user's import looks like a missing one.
SELECT * FROM crm_import_summary(:imp);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE docs_troubleshooting_user;

-- Problem: the Excel workbook itself (.xlsx) instead of a CSV export of it. An .xlsx file
-- is a ZIP archive; its first bytes say so ("PK" 03 04), as a PNG's, a PDF's or an old
-- .xls workbook's first bytes say what they are.
SELECT crm_import_upload('Feilsøking', decode('504b0304140006000800000021006211ee9d685e01000090040000', 'hex'),
	file_name => 'kontakter.xlsx');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Problem: a file in another encoding than UTF-8. The Latin-1 file above uploads with the
-- encoding argument its hint names.
SELECT crm_import_upload('Feilsøking', decode('4e61766e3b42790a50e56c3b54726f6d73f80a', 'hex'), file_name => 'latin1.csv',
	encoding => 'windows-1252') AS latin1 \gset
SELECT * FROM crm_import_preview(:latin1);
SELECT setting, value FROM crm_import_summary(:latin1) WHERE setting = 'encoding';

-- Problem: a DOS file. A program that still writes the DOS code page (865 in Norway, 850
-- elsewhere in Western Europe) has Ø = 0x9D, ø = 0x9B, å = 0x86: "Fylke;By" / "Østfold;Bø".
-- Windows-1252 has no character 0x9D: the hint names code page 865.
SELECT crm_import_upload('Feilsøking', decode('46796c6b653b42790d0a9d7374666f6c643b429b0d0a', 'hex'), file_name => 'dos.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_upload('Feilsøking', decode('46796c6b653b42790d0a9d7374666f6c643b429b0d0a', 'hex'), file_name => 'dos.csv',
	encoding => 'windows-1252');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_upload('Feilsøking', decode('46796c6b653b42790d0a9d7374666f6c643b429b0d0a', 'hex'), file_name => 'dos.csv',
	encoding => 'cp865') AS dos \gset
SELECT * FROM crm_import_preview(:dos);

-- Problem: mojibake. The same DOS file, converted to UTF-8 by a tool that took it for
-- Latin-1, is valid UTF-8 holding C1 control characters (U+009D for Ø). It uploads, with a
-- WARNING, and the summary keeps the note.
SELECT crm_import_upload('Feilsøking', convert_to(E'Fylke;By\r\n\u009Dstfold;B\u009B\r\n', 'UTF8'), file_name => 'mojibake.csv') AS moji \gset
SELECT setting, value FROM crm_import_summary(:moji) WHERE setting IN ('encoding', 'C1 control characters');

-- Problem: an encoding name that does not exist.
SELECT crm_import_upload('Feilsøking', decode('4e61766e0a', 'hex'), encoding => 'latin-99');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- UTF-16 (Excel's "Unicode Text") with its byte-order mark needs no argument; without the
-- mark the hint names the argument.
SELECT crm_import_upload('Feilsøking', decode('fffe45006d00610069006c000a00', 'hex'), file_name => 'utf16.csv') AS utf16 \gset
SELECT setting, value FROM crm_import_summary(:utf16) WHERE setting IN ('encoding', 'columns');
SELECT crm_import_upload('Feilsøking', decode('45006d00610069006c000a00', 'hex'), file_name => 'utf16.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
