-- 02_upload: wizard step 2, the three upload functions (bytea, large object, server file)
-- and the streaming CSV reader behind them: BOM, line breaks, quoting, blank lines, UTF-8
-- and NUL checks, delimiter detection, size limits, header names, and the facts recorded
-- in crm_imports.
\i sql/include/fresh_extension.sql
\set VERBOSITY default

\i sql/include/expect_error.sql

-- The facts an upload recorded.
CREATE FUNCTION pg_temp.job(import bigint)
RETURNS TABLE (records bigint, cols integer, ragged bigint, delim text, detected boolean, bom boolean,
               bytes bigint, header text[], column_names text[])
LANGUAGE sql AS $$
	SELECT record_count, column_count, ragged_records,
	       CASE delimiter WHEN E'\t' THEN 'TAB' ELSE delimiter END,
	       delimiter_detected, had_bom, byte_size, header, column_names
	FROM crm_imports WHERE id = import
$$;

-- The staged records of an import, header record included: fields through the public
-- crm_import_preview (read with has_header off, then the setting is restored), line_no from
-- the staging table (the test runs as superuser). CR and LF inside values show as \r, \n.
CREATE FUNCTION pg_temp.staged(import bigint)
RETURNS TABLE (record_no integer, line_no bigint, fields text)
LANGUAGE plpgsql AS $$
DECLARE
	had_header boolean := (SELECT has_header FROM crm_imports WHERE id = import);
	t text := (SELECT staging_table FROM crm_imports WHERE id = import);
	lines bigint[];
BEGIN
	EXECUTE format('SELECT array_agg(s.line_no ORDER BY s.record_no) FROM %s s', t) INTO lines;
	PERFORM crm_import_set_header(import, false);
	RETURN QUERY
		SELECT p.row_no, lines[p.row_no], replace(replace(p.fields::text, E'\r', '\r'), E'\n', '\n')
		FROM crm_import_preview(import, 1000000) p ORDER BY p.row_no;
	PERFORM crm_import_set_header(import, had_header);
END
$$;

-- Uploads with a given delimiter; reports the delimiter used, column count and whether detected.
CREATE FUNCTION pg_temp.upload_delimited(data text, delim text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	import bigint := crm_import_upload('Kunder', convert_to(data, 'UTF8'), delimiter => delim);
BEGIN
	RETURN (SELECT concat_ws(' ', CASE delimiter WHEN E'\t' THEN 'TAB' ELSE delimiter END, column_count, delimiter_detected)
	        FROM crm_imports WHERE id = import);
END
$$;

SELECT crm_import_create_list('Kunder') IS NOT NULL AS created;

---------------------------------------------------------------------------------------------
-- Sources
---------------------------------------------------------------------------------------------
-- bytea built with convert_to; the job row records what came in.
SELECT convert_to(E'Fornavn,Etternavn,E-post\nKari,Nordmann,kari@example.no\nOla,Hansen,ola@example.no\n', 'UTF8') AS data \gset
SELECT crm_import_upload('Kunder', :'data', 'kunder.csv') AS id \gset
SELECT file_name, source, source_ref, byte_size, sha256 = encode(sha256(:'data'::bytea), 'hex') AS sha256_ok,
       delimiter, delimiter_detected, had_bom, has_header, record_count, column_count, ragged_records,
       header, column_names, column_filled, column_samples, column_sample_no,
       staging_table = 'crm_import_staging.job_' || id AS staging_named_by_id, state, owner = current_user AS owner_ok,
       upload_seconds >= 0 AS timed
FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
SELECT list, file_name, state, tab, rows FROM crm_import_status WHERE id = :id;
-- The staging table is UNLOGGED and lives in crm_import_staging.
SELECT c.relpersistence, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = (SELECT staging_table FROM crm_imports WHERE id = :id)::regclass;

-- bytea built with decode(hex); file_name is optional.
SELECT crm_import_upload('Kunder', decode('612c620a312c320a', 'hex')) AS id \gset
SELECT file_name IS NULL AS no_file_name, byte_size, sha256 FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
-- Named arguments.
SELECT crm_import_upload(list => 'Kunder', data => convert_to(E'a;b\n1;2\n', 'UTF8'), file_name => 'x.csv',
                         delimiter => 'semicolon') AS id \gset
SELECT * FROM pg_temp.job(:id);

-- A large object, streamed; it is left in place.
SELECT lo_from_bytea(0, convert_to(E'Fornavn;E-post\nKari;kari@example.no\n', 'UTF8')) AS lo \gset
SELECT crm_import_upload_lo('Kunder', :lo, 'fra_lo.csv') AS id \gset
SELECT file_name, source, source_ref = :'lo' AS source_ref_is_oid, byte_size,
       sha256 = encode(sha256(lo_get(:lo)), 'hex') AS sha256_ok, delimiter, record_count
FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
SELECT count(*) AS lo_still_there FROM pg_largeobject_metadata WHERE oid = :lo;
SELECT lo_unlink(:lo);
-- A large object that does not exist.
SELECT pg_temp.expect_error($$SELECT crm_import_upload_lo('Kunder', 4294967295)$$);

-- A server file (superuser here); file_name defaults to the path's last component.
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/upload_plain.csv'
SELECT crm_import_upload_file('Kunder', :'f') AS id \gset
SELECT file_name, source, source_ref = :'f' AS source_ref_is_path, byte_size, sha256,
       sha256 = encode(sha256(pg_read_binary_file(:'f')), 'hex') AS sha256_ok, delimiter, had_bom, record_count
FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload_file('Kunder', :'f', file_name => 'kontakter.csv') AS id \gset
SELECT file_name, delimiter, delimiter_detected FROM crm_imports WHERE id = :id;
-- The delimiter is the third argument (API.md: upload_file(list, path), each also takes a delimiter).
SELECT crm_import_upload_file('Kunder', :'f', ';') AS id3 \gset
SELECT file_name, delimiter, delimiter_detected FROM crm_imports WHERE id = :id3;
-- Text is accepted as well as bytes; an untyped literal is text (a bytea's hex text, as
-- psql's :'data' passes it at the top of this file, still stands for its bytes).
SELECT crm_import_upload('Kunder', E'email;first\nkari@example.no;Kari\n') AS txt \gset
SELECT * FROM crm_import_preview(:txt);
SELECT crm_import_upload('Kunder', 'email,first
ola@example.no,Øla'::text, 'tekst.csv') AS txt2 \gset
SELECT file_name, delimiter FROM crm_imports WHERE id = :txt2;
SELECT * FROM crm_import_preview(:txt2);
SELECT file_name FROM crm_imports WHERE id = :id;
-- A realistic Norwegian Excel "CSV UTF-8" export: BOM, semicolons, CRLF.
\set f :abs_srcdir '/tests/data/upload_kontakter_no.csv'
SELECT crm_import_upload_file('Kunder', :'f') AS id \gset
SELECT file_name, byte_size, sha256 FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.job(:id);
SELECT * FROM pg_temp.staged(:id);
-- The same file as an Excel "CSV (semikolonseparert)" export in Windows-1252: refused with a
-- hint to save as CSV UTF-8 (first non-ASCII byte: the Å of Åse on line 4).
\set f :abs_srcdir '/tests/data/upload_latin1.csv'
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L)', 'Kunder', :'f'));
-- A server file that does not exist: the error names the path.
SELECT pg_temp.expect_error($$SELECT crm_import_upload_file('Kunder', 'no/such/file.csv')$$);

-- NULL arguments: null_value_not_allowed (22004).
SELECT pg_temp.expect_error($$SELECT crm_import_upload(NULL, convert_to('a', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', NULL)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload_lo(NULL, 1)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload_lo('Kunder', NULL)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload_file(NULL, 'x.csv')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload_file('Kunder', NULL)$$);
-- NULL file_name and delimiter are allowed (no name; detect).
SELECT crm_import_upload('Kunder', convert_to(E'a\tb\n1\t2\n', 'UTF8'), NULL, NULL) AS id \gset
SELECT * FROM pg_temp.job(:id);

---------------------------------------------------------------------------------------------
-- Privileges of the sources
---------------------------------------------------------------------------------------------
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_upload_tester') THEN
		CREATE ROLE crm_upload_tester NOLOGIN;
	END IF;
END
$$;
GRANT crm_import_user TO crm_upload_tester;
SELECT lo_from_bytea(0, convert_to(E'a,b\n1,2\n', 'UTF8')) AS lo \gset
\set f :abs_srcdir '/tests/data/upload_plain.csv'
SET ROLE crm_upload_tester;
-- Someone else's large object without SELECT on it: 42501 (the oid is masked).
SELECT replace(pg_temp.expect_error(format('SELECT crm_import_upload_lo(%L, %s)', 'Kunder', :lo)), :'lo', '<lo>') AS result;
-- A server file without pg_read_server_files: 42501 with a hint about \lo_import.
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L)', 'Kunder', :'f'));
SELECT pg_temp.expect_error($$SELECT crm_import_upload_file('Kunder', 'no/such/file.csv')$$);
-- Bytes and an own large object are fine.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n', 'UTF8')) IS NOT NULL AS uploaded;
SELECT lo_from_bytea(0, convert_to(E'x,y\n3,4\n', 'UTF8')) AS own_lo \gset
SELECT crm_import_upload_lo('Kunder', :own_lo) AS id \gset
SELECT lo_unlink(:own_lo);
RESET ROLE;
SELECT owner, source, header FROM crm_imports WHERE id = :id;
-- With SELECT granted on the large object, and with pg_read_server_files, it works.
GRANT SELECT ON LARGE OBJECT :lo TO crm_upload_tester;
GRANT pg_read_server_files TO crm_upload_tester;
SET ROLE crm_upload_tester;
SELECT crm_import_upload_lo('Kunder', :lo) IS NOT NULL AS uploaded;
SELECT crm_import_upload_file('Kunder', :'f') IS NOT NULL AS uploaded;
RESET ROLE;
SELECT source, file_name, record_count FROM crm_imports WHERE owner = 'crm_upload_tester' ORDER BY id;
SELECT lo_unlink(:lo);
REVOKE pg_read_server_files FROM crm_upload_tester;

---------------------------------------------------------------------------------------------
-- Byte-order mark
---------------------------------------------------------------------------------------------
-- Skipped: the first header name has no BOM; byte_size counts it.
SELECT crm_import_upload('Kunder', convert_to(E'\uFEFFFornavn,E-post\nKari,kari@example.no\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.job(:id);
SELECT header[1] = 'Fornavn' AS no_bom_in_name, octet_length(header[1]) AS name_bytes FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
-- Only at the start: a BOM later in the file is data (U+FEFF is valid UTF-8).
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n\uFEFFx,y\n', 'UTF8')) AS id \gset
SELECT had_bom, header FROM crm_imports WHERE id = :id;
SELECT encode(convert_to(fields, 'UTF8'), 'hex') AS record_2 FROM pg_temp.staged(:id) WHERE record_no = 2;
-- With an explicit delimiter too.
SELECT crm_import_upload('Kunder', convert_to(E'\uFEFFa;b\n1;2\n', 'UTF8'), delimiter => ';') AS id \gset
SELECT * FROM pg_temp.job(:id);
-- A file of just a BOM has no rows.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\xefbbbf'::bytea)$$);

---------------------------------------------------------------------------------------------
-- Line breaks, blank lines, last line
---------------------------------------------------------------------------------------------
-- LF, CRLF, lone CR and a mix give the same records; line_no is the physical line.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n3,4\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload('Kunder', convert_to(E'a,b\r\n1,2\r\n3,4\r\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload('Kunder', convert_to(E'a,b\r1,2\r3,4\r', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload('Kunder', convert_to(E'a,b\r\n1,2\n3,4\r5,6\r\n\r\n7,8\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
-- The last line without a line break is a record.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n3,4', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload('Kunder', convert_to(E'a,b\r\n1,2\r\n"3","4"', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
-- Blank lines (empty, or only spaces) are skipped everywhere and not counted as records;
-- line_no and the preview's row numbers show it.
SELECT crm_import_upload('Kunder', convert_to(E'\n\na,b\n\n1,2\n   \n\r\n3,4\n\n\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT record_count, column_count FROM crm_imports WHERE id = :id;
SELECT rows FROM crm_import_status WHERE id = :id;
SELECT * FROM crm_import_preview(:id);
-- ... and so is a line of delimiters (spreadsheets write ";;;" rows below the data: each
-- would be an empty contact); a quoted empty value is a record.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n,\n""\n1,2\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT record_count, ragged_records FROM crm_imports WHERE id = :id;

-- An empty file, and a file of only blank lines: no rows (22P04).
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', ''::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'\n\n   \r\n\r\n  ', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'\r\r\r', 'UTF8'), delimiter => ';')$$);

---------------------------------------------------------------------------------------------
-- Quoting
---------------------------------------------------------------------------------------------
-- Quoted fields hold the delimiter, line breaks (LF, CRLF, CR) and doubled quotes; empty
-- fields stay empty strings (the unquoted "," line is blank and skipped, the quoted one is
-- a record); values keep their spaces.
SELECT crm_import_upload('Kunder', convert_to(
	E'navn,notat\n'
	'"Nordmann, Kari","linje 1\nlinje 2"\n'
	'"Hansen, Ola","sa ""hei"" og gikk"\n'
	',\n'
	'"",""\n'
	'  mellomrom  ," a , b "\n'
	'"crlf","x\r\ny"\n'
	'"cr","x\ry"\n'
	'slutt,""""\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT record_count, ragged_records, column_filled FROM crm_imports WHERE id = :id;
-- A quote inside an unquoted field is taken literally (as COPY does).
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n5" skjerm,Tom "TJ" Hansen\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
-- An unterminated quote: 22P04 naming the line where the quote opened.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n3,"open\n4,5\n6,7\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\r\n"never closed,2', 'UTF8'))$$);
-- Text after a closing quote: 22P04 with line and column.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n"Kari"Nordmann,3\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,"multi\nline"x\n', 'UTF8'))$$);

---------------------------------------------------------------------------------------------
-- Encoding: NUL bytes and invalid UTF-8 (22021) with line and byte offset
---------------------------------------------------------------------------------------------
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312c000a'::bytea)$$);
-- UTF-16 text (every other byte NUL) without a byte-order mark gets its own hint, naming
-- the encoding argument; with the mark it is converted (more in 14_encodings).
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x61002c0062000a0031002c0032000a00'::bytea)$$);
SELECT crm_import_upload('Kunder', '\xfffe61002c0062000a00'::bytea) AS id \gset
SELECT source_encoding, had_bom, header FROM crm_imports WHERE id = :id;
-- Invalid UTF-8: a truncated sequence, an overlong form, a stray continuation byte.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312cc3280a'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312cc3'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312ce282'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312cc0af0a'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312cbf0a'::bytea)$$);
-- Latin-1: "Ola;Nordmann\nPå..." (0xE5 is å): the hint names windows-1252, the call with
-- its encoding argument, and CSV UTF-8.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('4f6c613b4e6f72646d616e6e0a50e5c3b8', 'hex'))$$);
-- A realistic Norwegian Latin-1 export: ø (0xF8) in Bjørn on line 2.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder',
	convert_to(E'Fornavn;Etternavn;Poststed\nBjørn;Dæhlie;Nannestad\nKåre;Ødegård;Tromsø\n', 'LATIN1'))$$);
-- Windows-1252 typographic apostrophe (0x92).
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,Don\u2019t\n', 'WIN1252'))$$);
-- The byte offset counts a BOM; the line counts lines inside quoted fields.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\xefbbbf612c620a312cf80a'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,"x\ny\n', 'UTF8') || '\xe5'::bytea || convert_to(E'"\n', 'UTF8'))$$);
-- Files that are not text at all are named by their first bytes (22021), before any
-- other check: a PNG, a GIF, a JPEG, a PDF (whose first line is plain ASCII), an Excel
-- .xlsx workbook (a ZIP archive), an old Excel .xls workbook (an OLE2 compound file),
-- gzip. (UTF-32 with a byte-order mark is converted: 14_encodings.)
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('89504e470d0a1a0a0000000d4948445200000001', 'hex'), file_name => 'logo.png')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('47494638396101000100800000ffffff', 'hex'), file_name => 'pixel.gif')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('ffd8ffe000104a46494600', 'hex'), file_name => 'photo.jpg')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'UTF8'), file_name => 'kontakter.pdf')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('504b0304140006000800000021006211ee9d685e0100009004000013000800', 'hex'), file_name => 'kontakter.xlsx')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900', 'hex'), file_name => 'kontakter.xls')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('1f8b0800000000000003', 'hex'), file_name => 'kontakter.csv.gz')$$);
-- Short files are checked too; only a whole signature counts: a CSV whose text starts
-- with "PK" or "GIF" is CSV.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to('GIF89a', 'UTF8'))$$);
SELECT crm_import_upload('Kunder', convert_to(E'PK,Name\n1,a\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
SELECT crm_import_upload('Kunder', convert_to(E'GIF;PDF\n1;2\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
-- Valid multi-byte text (Norwegian letters, 4-byte emoji) is fine.
SELECT crm_import_upload('Kunder', convert_to(E'navn,hilsen\nÆrlige Åse Ødegård,Hei 👋\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.staged(:id);
-- Nothing of the failed uploads remains: no import rows, no staging tables.
SELECT count(*) AS imports, count(*) = (SELECT count(*) FROM pg_tables WHERE schemaname = 'crm_import_staging') AS one_table_each
FROM crm_imports;

---------------------------------------------------------------------------------------------
-- Delimiters
---------------------------------------------------------------------------------------------
-- A Norwegian Excel export is semicolon-separated (addresses and decimals hold commas).
SELECT crm_import_upload('Kunder', convert_to(
	E'Fornavn;Etternavn;E-post;Adresse;Beløp\n'
	'Kari;Nordmann;kari@example.no;Storgata 1, 0155 Oslo;1,50\n'
	'Ola;Hansen;ola@example.no;Kirkeveien 2, 0350 Oslo;2,75\n', 'UTF8')) AS id \gset
SELECT delimiter, delimiter_detected, column_count, header FROM crm_imports WHERE id = :id;
SELECT * FROM pg_temp.staged(:id);
-- Tab-separated.
SELECT crm_import_upload('Kunder', convert_to(E'Fornavn\tE-post\tBy\nKari\tkari@example.no\tOslo, Norge\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.job(:id);
-- Comma, with semicolons inside quotes.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n"x;y;z",2\n"p;q",3\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.job(:id);
-- One column: nothing to detect, comma is reported.
SELECT crm_import_upload('Kunder', convert_to(E'email\nkari@example.no\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.job(:id);
-- Pipe: detected only when no comma, semicolon or tab splits the lines.
SELECT crm_import_upload('Kunder', convert_to(E'first_name|last_name|email\nKari|Nordmann|kari@example.no\n', 'UTF8')) AS id \gset
SELECT * FROM pg_temp.job(:id);
-- An explicit delimiter is obeyed (and reported as not detected): ',' on a semicolon file
-- gives one column, and a NOTICE names the delimiter the first line suggests.
SELECT crm_import_upload('Kunder', convert_to(E'Fornavn;Etternavn;E-post\nKari;Nordmann;kari@example.no\n', 'UTF8'), delimiter => ',') AS id \gset
SELECT * FROM pg_temp.job(:id);
SELECT * FROM pg_temp.staged(:id);
-- Names and characters: ';', 'semicolon', 'tab', E'\t', '\t', 'pipe', '|', ' Comma '.
SELECT replace(d, E'\t', '<TAB>') AS given, pg_temp.upload_delimited(data, d) AS "used cols detected"
FROM (VALUES (';', E'a;b;c\n1;2;3\n'), ('semicolon', E'a;b;c\n1;2;3\n'), ('tab', E'a\tb\tc\n1\t2\t3\n'),
             (E'\t', E'a\tb\tc\n1\t2\t3\n'), ('\t', E'a\tb\tc\n1\t2\t3\n'), ('pipe', E'a|b|c\n1|2|3\n'),
             ('|', E'a|b|c\n1|2|3\n'), (' Comma ', E'a,b,c\n1,2,3\n'), ('SEMICOLON', E'a;b;c\n1;2;3\n')) v(d, data)
ORDER BY 1;
-- Invalid delimiter arguments: 22023.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n', 'UTF8'), delimiter => '"')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n', 'UTF8'), delimiter => '::')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n', 'UTF8'), delimiter => '')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n', 'UTF8'), delimiter => E'\n')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\n', 'UTF8'), delimiter => 'ø')$$);
SELECT lo_from_bytea(0, convert_to(E'a,b\n', 'UTF8')) AS lo \gset
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_lo(%L, %s, delimiter => %L)', 'Kunder', :lo, 'komma'));
SELECT lo_unlink(:lo);
\set f :abs_srcdir '/tests/data/upload_plain.csv'
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L, delimiter => %L)', 'Kunder', :'f', ',,'));

---------------------------------------------------------------------------------------------
-- Limits (GUCs) and large values
---------------------------------------------------------------------------------------------
SET crm_import.max_field_size = '1kB';
SHOW crm_import.max_field_size;
-- Exactly at the limit is fine; one byte over is 54000 with line and column.
SELECT crm_import_upload('Kunder', convert_to(E'a,b\n1,2\n3,' || repeat('x', 1024) || E'\n', 'UTF8')) AS id \gset
SELECT record_no, line_no, length(fields) FROM pg_temp.staged(:id);
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, convert_to(%L, %L))', 'Kunder', E'a,b\n1,2\n3,' || repeat('x', 1025) || E'\n', 'UTF8'));
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, convert_to(%L, %L))', 'Kunder', E'a,b\n1,2\n3,"' || repeat(E'x\n', 600) || E'"\n', 'UTF8'));
-- A never-closed quote runs into the limit instead of swallowing the file.
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, convert_to(%L, %L))', 'Kunder', E'a,b\n"oops,2\n' || repeat(E'3,4\n', 400), 'UTF8'));
RESET crm_import.max_field_size;
SET crm_import.max_record_size = '2kB';
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, convert_to(%L, %L))', 'Kunder', E'a,b\n' || repeat('x', 1000) || ',' || repeat('y', 1100) || E'\n', 'UTF8'));
RESET crm_import.max_record_size;
SET crm_import.max_columns = 5;
SELECT crm_import_upload('Kunder', convert_to(E'a,b,c,d,e\n1,2,3,4,5\n', 'UTF8')) AS id \gset
SELECT column_count FROM crm_imports WHERE id = :id;
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5,6\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a;b;c;d;e;f\n1;2;3;4;5;6\n', 'UTF8'))$$);
RESET crm_import.max_columns;
-- The GUCs have lower bounds.
SELECT pg_temp.expect_error($$SET crm_import.max_field_size = 10$$);
SELECT pg_temp.expect_error($$SET crm_import.max_columns = 0$$);
-- With the defaults a 1 MiB field is fine (preview and staging hold it whole; the column
-- sample is cut to 200 bytes).
SELECT crm_import_upload('Kunder', convert_to(E'id,notat\n1,' || repeat('x', 1048576) || E'\n2,kort\n', 'UTF8')) AS id \gset
SELECT row_no, fields[1], length(fields[2]) FROM crm_import_preview(:id);
SELECT record_count, byte_size, column_filled, octet_length(column_samples[3]) AS sample_bytes,
       right(column_samples[3], 1) AS sample_end
FROM crm_imports WHERE id = :id;
-- Reading goes in 1 MiB chunks: a CRLF and a two-byte character split by the chunk
-- boundary (bytes 1048575 | 1048576), for bytea and large object alike.
SELECT convert_to(E'a,b\r\nx,' || repeat('y', 1048568) || E'\r\n1,2\r\n', 'UTF8') AS big1 \gset
SELECT convert_to(E'a,b\r\nx,' || repeat('y', 1048567) || E'ø\r\n\r\n1,2\r\n', 'UTF8') AS big2 \gset
SELECT lo_from_bytea(0, :'big1') AS lo1 \gset
SELECT lo_from_bytea(0, :'big2') AS lo2 \gset
SELECT crm_import_upload('Kunder', :'big1') AS b1, crm_import_upload('Kunder', :'big2') AS b2,
       crm_import_upload_lo('Kunder', :lo1) AS l1, crm_import_upload_lo('Kunder', :lo2) AS l2 \gset
SELECT source, record_count, byte_size, ragged_records,
       (SELECT array_agg(s.line_no ORDER BY s.record_no) FROM pg_temp.staged(j.id) s) AS line_nos,
       (SELECT right(s.fields, 6) FROM pg_temp.staged(j.id) s WHERE s.record_no = 2) AS record_2_end,
       sha256 = encode(sha256(CASE WHEN j.id IN (:b1, :l1) THEN :'big1'::bytea ELSE :'big2'::bytea END), 'hex') AS sha256_ok
FROM crm_imports j WHERE j.id IN (:b1, :b2, :l1, :l2)
ORDER BY j.id;
SELECT lo_unlink(:lo1), lo_unlink(:lo2);
-- The delimiter is detected from the first 64 KiB (after a BOM); the bytes at that boundary
-- (a CRLF, a two-byte character, a quoted field, an invalid byte) are read like any others.
CREATE FUNCTION pg_temp.lines(data bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	import bigint := crm_import_upload('Kunder', data);
BEGIN
	RETURN (SELECT format('%s records on lines %s (delimiter %L)', j.record_count,
	                      (SELECT array_agg(s.line_no ORDER BY s.record_no) FROM pg_temp.staged(import) s), j.delimiter)
	        FROM crm_imports j WHERE j.id = import);
END
$$;
SELECT pg_temp.lines(convert_to(E'a,b\r\nx,' || repeat('y', 65528) || E'\r\n1,2\r\n', 'UTF8')) AS crlf_split;
SELECT pg_temp.lines(convert_to(E'\uFEFFa,b\r\nx,' || repeat('y', 65528) || E'\r\n1,2\r\n', 'UTF8')) AS crlf_split_after_bom;
SELECT pg_temp.lines(convert_to(E'a,b\r\nx,' || repeat('y', 65527) || E'ø\r\n\r\n1,2\r\n', 'UTF8')) AS char_split;
SELECT pg_temp.lines(convert_to(E'a;b\r\nx;"' || repeat('y', 65527) || E'\r\n;"\r\n1;2\r\n', 'UTF8')) AS quoted_split;
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', convert_to(E'a,b\r\nx,' || repeat('y', 65528), 'UTF8') || '\xf8'::bytea)$$);

-- A cancelled upload (statement timeout) stops cleanly and leaves nothing behind.
SELECT count(*) AS imports_before FROM crm_imports \gset
CREATE TEMP TABLE huge AS
	SELECT convert_to(repeat(E'Kari,Nordmann,kari@example.no,"Storgata 1, Oslo"\n', 200000), 'UTF8') AS data;
SET statement_timeout = '10ms';
\set VERBOSITY terse
SELECT crm_import_upload('Kunder', data) FROM huge;
\set VERBOSITY default
RESET statement_timeout;
DROP TABLE huge;
SELECT count(*) = :imports_before AS nothing_added FROM crm_imports;
SELECT crm_import_selftest('live_guards') AS live_guards;

---------------------------------------------------------------------------------------------
-- Ragged rows and header names
---------------------------------------------------------------------------------------------
-- Rows with fewer or more fields than the header are kept and counted.
SELECT crm_import_upload('Kunder', convert_to(E'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n13\n', 'UTF8')) AS id \gset
SELECT record_count, column_count, ragged_records, column_filled FROM crm_imports WHERE id = :id;
SELECT * FROM crm_import_preview(:id);
-- Wide files: 2000 columns (the first record's width) come back whole, also for a short row.
SELECT crm_import_upload('Kunder', convert_to(
	(SELECT string_agg('h' || i, ',') FROM generate_series(1, 2000) i) || E'\n' ||
	(SELECT string_agg('v' || i, ',') FROM generate_series(1, 2000) i) || E'\n1,2\n', 'UTF8')) AS id \gset
SELECT row_no, cardinality(fields), fields[1], fields[1500], fields[1501], fields[2000] FROM crm_import_preview(:id);
SELECT column_count, ragged_records, column_names[2000], column_filled[1:3] FROM crm_imports WHERE id = :id;
SELECT count(*), max(column_no) FROM crm_import_columns(:id);
-- Header names are trimmed (spaces, tabs, no-break spaces); blank and repeated names
-- (case-insensitively, also Æ/Ø/Å) get unique names, reported in a NOTICE.
SELECT crm_import_upload('Kunder', convert_to(E' Fornavn ,\tE-post\t,,\u00a0Poststed\u00a0,e-post,Fødselsdato,FØDSELSDATO,\n1,2,3,4,5,6,7,8\n', 'UTF8')) AS id \gset
SELECT header, column_names FROM crm_imports WHERE id = :id;
SELECT column_no, name FROM crm_import_columns(:id);
-- A generated name never takes a name the header has.
SELECT crm_import_upload('Kunder', convert_to(E'column_2,,column_2_2\n1,2,3\n', 'UTF8')) AS id \gset
SELECT column_names FROM crm_imports WHERE id = :id;
-- Nor does a renamed duplicate: "Navn_2" is the third column's own name.
SELECT crm_import_upload('Kunder', convert_to(E'Navn,Navn,Navn_2\n1,2,3\n', 'UTF8')) AS id \gset
SELECT column_names FROM crm_imports WHERE id = :id;
-- Unique names: no NOTICE.
SELECT crm_import_upload('Kunder', convert_to(E'a,b,A_1\n1,2,3\n', 'UTF8')) AS id \gset
SELECT column_names FROM crm_imports WHERE id = :id;
-- A header-only file is a valid upload with no data rows.
SELECT crm_import_upload('Kunder', convert_to(E'Fornavn,E-post\n', 'UTF8')) AS id \gset
SELECT record_count, column_count, column_filled, column_samples FROM crm_imports WHERE id = :id;
SELECT rows FROM crm_import_status WHERE id = :id;
SELECT count(*) AS preview_rows FROM crm_import_preview(:id);

-- Clean up.
DROP OWNED BY crm_upload_tester;
DROP ROLE crm_upload_tester;
