-- 03_preview: wizard step 3, preview (crm_import_preview), the header flag
-- (crm_import_set_header, no re-upload needed) and the column overview (crm_import_columns).
\i sql/include/fresh_extension.sql
\set VERBOSITY default

\i sql/include/expect_error.sql

SELECT crm_import_create_list('Forhåndsvisning') IS NOT NULL AS created;

---------------------------------------------------------------------------------------------
-- max_rows
---------------------------------------------------------------------------------------------
-- A header and 150 data rows.
SELECT crm_import_upload('Forhåndsvisning',
	convert_to('nr,navn' || E'\n' || string_agg(i || ',navn ' || i, E'\n' ORDER BY i) || E'\n', 'UTF8')) AS id
FROM generate_series(1, 150) i \gset
-- Default: the first 100 data rows, in file order, numbered from 1 (the header is not a row).
SELECT count(*), min(row_no), max(row_no), bool_and(fields[1] = row_no::text) AS in_order
FROM crm_import_preview(:id);
SELECT * FROM crm_import_preview(:id) LIMIT 3;
SELECT * FROM crm_import_preview(:id, 3);
SELECT * FROM crm_import_preview(import => :id, max_rows => 1);
SELECT count(*) FROM crm_import_preview(:id, 0);
SELECT count(*), max(row_no) FROM crm_import_preview(:id, 1000);
-- The largest max_rows means "all rows".
SELECT count(*), max(row_no) FROM crm_import_preview(:id, 2147483647);
SELECT count(*), max(row_no) FROM crm_import_preview(:id, 2147483646);
-- Negative or NULL max_rows: 22023.
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s, -1)', :id));
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s, NULL)', :id));
-- Without a header the first record is row 1.
SELECT crm_import_set_header(:id, false);
SELECT * FROM crm_import_preview(:id, 2);
SELECT count(*), max(row_no) FROM crm_import_preview(:id);
SELECT count(*), max(row_no) FROM crm_import_preview(:id, 2147483647);
SELECT rows FROM crm_import_status WHERE id = :id;

---------------------------------------------------------------------------------------------
-- Header on and off, without re-uploading
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Forhåndsvisning', convert_to(
	E'Fornavn,E-post,Nyhetsbrev\n'
	'Kari,kari@example.no,Ja\n'
	'Ola,,Nei\n'
	'Kari,   ,Ja\n', 'UTF8'), 'liten.csv') AS id \gset
SELECT has_header FROM crm_imports WHERE id = :id;
SELECT * FROM crm_import_preview(:id);
SELECT column_no, name, samples, filled, mapped_to FROM crm_import_columns(:id);
SELECT rows FROM crm_import_status WHERE id = :id;
-- Off: the header record is data row 1, columns are column_1.., the header values count as
-- filled values and samples.
SELECT crm_import_set_header(:id, false);
SELECT has_header FROM crm_imports WHERE id = :id;
SELECT * FROM crm_import_preview(:id);
SELECT column_no, name, samples, filled, mapped_to FROM crm_import_columns(:id);
SELECT rows FROM crm_import_status WHERE id = :id;
-- Setting the same value again changes nothing.
SELECT crm_import_set_header(:id, false);
SELECT count(*) FROM crm_import_preview(:id);
-- On again: back to the first reading.
SELECT crm_import_set_header(:id, true);
SELECT * FROM crm_import_preview(:id);
SELECT column_no, name, samples, filled FROM crm_import_columns(:id);
-- Mappings are made under one reading; changing the header flag clears them.
SELECT crm_import_map(:id, 'Fornavn', 'first_name');
SELECT column_no, name, mapped_to FROM crm_import_columns(:id) WHERE mapped_to IS NOT NULL;
SELECT crm_import_set_header(:id, true);
SELECT column_no, name, mapped_to FROM crm_import_columns(:id) WHERE mapped_to IS NOT NULL;
SELECT crm_import_set_header(:id, false);
SELECT count(*) AS mapped FROM crm_import_columns(:id) WHERE mapped_to IS NOT NULL;
-- Without a header, columns are addressed as column_N (or by number).
SELECT crm_import_map(:id, 'column_1', 'first_name');
SELECT pg_temp.expect_error(format('SELECT crm_import_map(%s, %L, %L)', :id, 'Fornavn', 'first_name'));
SELECT column_no, name, mapped_to FROM crm_import_columns(:id) WHERE mapped_to IS NOT NULL;
-- NULL flag: 22004.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, NULL)', :id));

---------------------------------------------------------------------------------------------
-- Columns of a realistic Norwegian file (Excel "CSV UTF-8": BOM, semicolons, CRLF)
---------------------------------------------------------------------------------------------
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/upload_preview_no.csv'
SELECT crm_import_upload_file('Forhåndsvisning', :'f') AS id \gset
SELECT file_name, delimiter, had_bom, record_count, column_count FROM crm_imports WHERE id = :id;
SELECT * FROM crm_import_preview(:id);
SELECT * FROM crm_import_columns(:id);
-- Every column has a suggestion and nothing is mapped yet.
SELECT count(*) FILTER (WHERE suggested_field IS NOT NULL) AS suggested, count(mapped_to) AS mapped
FROM crm_import_columns(:id);
-- Without the header row the suggestions come from the values alone.
SELECT crm_import_set_header(:id, false);
SELECT column_no, name, samples, filled, suggested_field FROM crm_import_columns(:id);
SELECT crm_import_set_header(:id, true);

-- Samples: at most 5 distinct non-blank values per column, in file order; filled counts
-- non-blank values (spaces only is blank).
SELECT crm_import_upload('Forhåndsvisning', convert_to(
	E'By,Tom\n' || string_agg(c || ',' || CASE WHEN i % 2 = 0 THEN ' ' ELSE '' END, E'\n' ORDER BY i) || E'\n', 'UTF8')) AS id
FROM unnest(ARRAY['Oslo', 'Oslo', 'Bergen', 'Oslo', 'Tromsø', 'Bodø', 'Bergen', 'Molde', 'Hamar', 'Alta']) WITH ORDINALITY AS t(c, i) \gset
SELECT column_no, name, samples, filled FROM crm_import_columns(:id);
-- Ragged rows show as they are in the preview.
SELECT crm_import_upload('Forhåndsvisning', convert_to(E'a,b,c\n1,2,3\n4\n5,6,7,8\n', 'UTF8')) AS id \gset
SELECT row_no, fields, cardinality(fields) FROM crm_import_preview(:id);
SELECT column_no, name, samples, filled FROM crm_import_columns(:id);

---------------------------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------------------------
-- An import that does not exist: 42704, for every step-3 function.
SELECT pg_temp.expect_error('SELECT * FROM crm_import_preview(999999)');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_columns(999999)');
SELECT pg_temp.expect_error('SELECT crm_import_set_header(999999, false)');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_preview(-1)');
-- NULL import: 22004.
SELECT pg_temp.expect_error('SELECT * FROM crm_import_preview(NULL)');
SELECT pg_temp.expect_error('SELECT * FROM crm_import_columns(NULL)');
SELECT pg_temp.expect_error('SELECT crm_import_set_header(NULL, true)');

-- Discarded staged rows: the preview is 55000 with a hint; the column overview (kept in the
-- import row) and the status stay; discarding again is harmless.
SELECT crm_import_upload('Forhåndsvisning', convert_to(E'a,b\n1,2\n', 'UTF8')) AS id \gset
SELECT staging_table AS staging FROM crm_imports WHERE id = :id \gset
SELECT crm_import_discard(:id);
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s)', :id));
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s, 0)', :id));
SELECT to_regclass(:'staging') IS NULL AS staging_table_dropped, staging_table IS NULL AS forgotten
FROM crm_imports WHERE id = :id;
SELECT column_no, name, samples, filled FROM crm_import_columns(:id);
SELECT state, rows FROM crm_import_status WHERE id = :id;
SELECT crm_import_discard(:id);
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_preview(%s)', :id));
