-- Step 2: upload a CSV file. Run from the repository root (\lo_import reads
-- data/kontakter.csv on the client) after step_01.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_02.sql
\set SHOW_CONTEXT never

-- a) A client-side file of any size: \lo_import streams it into a large object, the
--    upload reads the large object in 1 MiB chunks. This is the import the next steps use.
\lo_import data/kontakter.csv
SELECT crm_import_upload_lo('Nyhetsbrev 2026', :LASTOID, file_name => 'kontakter.csv') AS import_id \gset
SELECT lo_unlink(:LASTOID);

-- b) A file on the database server (superusers and members of pg_read_server_files).
\set server_file `pwd`/data/kontakter.csv
SELECT crm_import_upload_file('Kunder', :'server_file') AS server_import \gset

-- c) Bytes passed as an argument, here a small comma-separated file written inline.
SELECT crm_import_upload('Kunder',
	convert_to(E'First name,Last name,Email\nKari,Nordmann,kari@example.com\n', 'UTF8'),
	file_name => 'kunder.csv') AS bytea_import \gset

-- Every upload is a draft import.
SELECT id, list, file_name, state, tab, rows FROM crm_import_status ORDER BY id;

-- What the reader found: the delimiter (detected: semicolon), the Excel byte-order mark
-- (skipped, not data), the record and column counts.
SELECT setting, value FROM crm_import_summary(:import_id) WHERE section = 'file' AND setting <> 'source';
-- crm_imports holds the same facts (readable by superusers and the extension owner).
SELECT id, source, byte_size, delimiter, delimiter_detected, had_bom, record_count, column_count, ragged_records
	FROM crm_imports ORDER BY id;

-- The bytea and server-file imports are not used further: drop their staged rows.
SELECT crm_import_discard(:bytea_import);
SELECT crm_import_discard(:server_import);

-- Errors: a list that does not exist (with a "did you mean"), and a Latin-1 file
-- ("Pål;Tromsø" with å = 0xE5 and ø = 0xF8).
SELECT crm_import_upload('Nyhetsbrev 2025', convert_to(E'Email\nola@example.com\n', 'UTF8'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_upload('Kunder', decode('4e61766e3b42790a50e56c3b54726f6d73f80a', 'hex'), file_name => 'latin1.csv');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- The Latin-1 file uploads with the encoding it was saved in, as the hint says.
SELECT crm_import_upload('Kunder', decode('4e61766e3b42790a50e56c3b54726f6d73f80a', 'hex'), file_name => 'latin1.csv',
	encoding => 'windows-1252') AS latin1_import \gset
SELECT * FROM crm_import_preview(:latin1_import);
SELECT crm_import_discard(:latin1_import);
