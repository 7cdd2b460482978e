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
