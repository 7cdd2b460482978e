-- Issue 14 item 3: a header row below a preamble. LinkedIn's Connections.csv starts with a
-- "Notes:" record and a quoted paragraph (commas, a URL), then a blank line; the header is
-- the third record. Excel member lists start with a title padded with delimiters. The upload
-- detects such a preamble and applies it when it is unambiguous (NOTICE; crm_import_check
-- notes it), or says so and leaves it to crm_import_set_header(import, has_header,
-- header_row). Records above the header row are never data: not in preview, columns,
-- statistics, counts or results.
\i sql/include/fresh_extension.sql
\set VERBOSITY default
\i sql/include/expect_error.sql
SET crm_import.default_region = 'NO';
SELECT crm_import_create_list('LinkedIn');
\getenv abs_srcdir PG_ABS_SRCDIR
CREATE FUNCTION t_header(imp bigint) RETURNS TABLE (records bigint, cols integer, has_header boolean, header_row integer,
	detected integer, source text, ragged bigint, header text[], filled bigint[]) LANGUAGE sql AS $$
	SELECT j.record_count, j.column_count, j.has_header, j.header_row, j.detected_header_row, j.header_row_source,
		j.ragged_records, j.header, j.column_filled FROM crm_imports j WHERE j.id = imp
$$;
CREATE FUNCTION t_stats(imp bigint) RETURNS TABLE (names text[], filled bigint[], samples text[], sample_no integer[],
	ragged bigint) LANGUAGE sql AS $$
	SELECT j.column_names, j.column_filled, j.column_samples, j.column_sample_no, j.ragged_records FROM crm_imports j WHERE j.id = imp
$$;

-- 1. LinkedIn: the preamble is applied at upload, with a NOTICE naming the line, what was
-- skipped and the call that undoes it.
\set f :abs_srcdir '/tests/data/linkedin_connections.csv'
SELECT crm_import_upload_file('LinkedIn', :'f') AS imp \gset
SELECT * FROM t_header(:imp);
SELECT * FROM crm_import_preview(:imp);
SELECT column_no, name, samples[1:2] AS samples, filled, suggested_field FROM crm_import_columns(:imp);
SELECT * FROM crm_import_check(:imp) WHERE problem LIKE 'note%';
SELECT setting, value FROM crm_import_summary(:imp) WHERE section = 'file' AND setting IN ('header row', 'data rows',
	'columns', 'records above the header row');
-- Suggest, map and run: six contacts, none from the preamble; results count data rows from
-- the first record below the header (line 5).
SELECT column_no, name, field, applied FROM crm_import_suggest_mapping(:imp) ORDER BY column_no;
SELECT crm_import_set_skip_unmapped(:imp, true);
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, master => 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:imp, gdpr => true, tcpa => true);
SELECT inserted, updated, rejected FROM crm_import_run(:imp);
SELECT rows, inserted FROM crm_import_status WHERE id = :imp;
SELECT row_no, line_no, outcome FROM crm_import_results(:imp) ORDER BY row_no;
SELECT first_name, last_name, email, company FROM crm_contacts ORDER BY id;

-- 2. Undoing and redoing it: with has_header = false from record 1 the preview numbers
-- every record; crm_import_set_header(imp, true, 3) picks the header row by that number.
-- The statistics are recomputed from the staged rows and equal the upload's.
SELECT crm_import_upload_file('LinkedIn', :'f') AS imp \gset
CREATE TEMP TABLE uploaded AS SELECT * FROM t_stats(:imp);
SELECT crm_import_set_header(:imp, false);
SELECT * FROM t_header(:imp);
SELECT row_no, fields[1:2] FROM crm_import_preview(:imp, 4);
SELECT * FROM crm_import_check(:imp) WHERE problem LIKE 'note%';
SELECT crm_import_set_header(:imp, true, 1);
SELECT * FROM t_header(:imp);
SELECT column_no, name, filled FROM crm_import_columns(:imp);
SELECT crm_import_set_header(:imp, true, 3);
SELECT * FROM t_header(:imp);
SELECT (SELECT row(u.*)::text FROM uploaded u) = (SELECT row(s.*)::text FROM t_stats(:imp) s) AS same_as_upload;
-- Without a header from record 3: record 3 is the first data row.
SELECT crm_import_set_header(:imp, false, 3);
SELECT row_no, fields[1:2] FROM crm_import_preview(:imp, 2);
SELECT column_no, name, samples[1:2] AS samples, filled FROM crm_import_columns(:imp) WHERE column_no <= 2;
-- Mappings are cleared when the header row moves.
SELECT crm_import_set_header(:imp, true, 3);
SELECT crm_import_map(:imp, 'Email Address', 'email');
SELECT crm_import_set_header(:imp, true, 2);
SELECT count(*) AS mappings FROM crm_import_mappings WHERE import_id = :imp;
-- Refused: no header row number, a number past the file, NULL has_header.
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, true, 0)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, true, NULL)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, true, 10)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_header(%s, NULL, 3)', :imp));

-- 3. An Excel member list: a title padded with delimiters ("Member list 2024;;;;", the
-- dominant field count but blank but for the first field) and a row of delimiters only.
\set f :abs_srcdir '/tests/data/member_list_title.csv'
SELECT crm_import_upload_file('LinkedIn', :'f') AS imp \gset
SELECT * FROM t_header(:imp);
SELECT * FROM crm_import_preview(:imp);
SELECT column_no, name, filled, suggested_field FROM crm_import_columns(:imp);

-- 4. Ambiguous: between the short title and the header a three-field record, not far
-- below the five of the rows. Not applied; the NOTICE and a crm_import_check problem give
-- both calls; any crm_import_set_header call settles it.
SELECT crm_import_upload('LinkedIn', convert_to(E'Report\nGenerated 2024-10-09,by admin,page 1\nName,Email,City,Phone,Zip\nKari,kari@example.no,Oslo,91234567,0150\nOla,ola@example.no,Bergen,41234567,5003\n', 'UTF8')) AS imp \gset
SELECT * FROM t_header(:imp);
SELECT * FROM crm_import_check(:imp) WHERE problem LIKE '%header row%';
SELECT crm_import_set_header(:imp, true, 3);
SELECT * FROM crm_import_check(:imp) WHERE problem LIKE '%header row%';
SELECT column_no, name, filled FROM crm_import_columns(:imp);
-- Also ambiguous: a short record, then a header with nothing below it.
SELECT crm_import_upload('LinkedIn', convert_to(E'Report\nName,Email,City\n', 'UTF8')) AS imp \gset
SELECT header_row, detected_header_row, header_row_source FROM crm_imports WHERE id = :imp;

-- 5. Not a preamble: a first record with a field less than the rows (a header missing a
-- name, or a short-rows file), a file of two columns, a single-column file.
SELECT crm_import_upload('LinkedIn', convert_to(E'Exported by,admin\nName,Email,City\nKari,kari@example.no,Oslo\n', 'UTF8')) AS imp \gset
SELECT header_row, detected_header_row, header_row_source FROM crm_imports WHERE id = :imp;
SELECT crm_import_upload('LinkedIn', convert_to(E'Name,Email\nKari,kari@example.no,x\nOla,ola@example.no,y\n', 'UTF8')) AS imp \gset
SELECT header_row, detected_header_row, header_row_source FROM crm_imports WHERE id = :imp;
SELECT crm_import_upload('LinkedIn', convert_to(E'Title\nName,Email\nKari,kari@example.no\n', 'UTF8')) AS imp \gset
SELECT header_row, detected_header_row, header_row_source FROM crm_imports WHERE id = :imp;
SELECT crm_import_upload('LinkedIn', convert_to(E'Email\nkari@example.no\n', 'UTF8')) AS imp \gset
SELECT header_row, detected_header_row, header_row_source FROM crm_imports WHERE id = :imp;

-- 6. Profiles: a header row found by the upload is not saved (next week's preamble may be
-- longer): detection decides again. One set with crm_import_set_header is saved and
-- applied as it is, even where this week's file has a longer preamble.
\set f :abs_srcdir '/tests/data/linkedin_connections.csv'
SELECT crm_import_upload_file('LinkedIn', :'f') AS imp \gset
SELECT crm_import_suggest_mapping(:imp) \g /dev/null
SELECT crm_import_set_skip_unmapped(:imp, true);
SELECT crm_import_set_rules(:imp, master => 'file', primary_key => 'email');
SELECT crm_import_save_profile(:imp, 'linkedin');
SELECT has_header, header_row FROM crm_import_profile_list WHERE name = 'linkedin';
SELECT crm_import_set_header(:imp, true, 3);
SELECT crm_import_suggest_mapping(:imp) \g /dev/null
SELECT crm_import_save_profile(:imp, 'linkedin fixed');
SELECT has_header, header_row FROM crm_import_profile_list WHERE name = 'linkedin fixed';
SELECT crm_import_upload('LinkedIn', convert_to(E'Notes:\nSome text\nExtra line\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,u,a@example.no,C,P,01 Jan 2024\n', 'UTF8')) AS imp2 \gset
SELECT header_row, header_row_source FROM crm_imports WHERE id = :imp2;
SELECT column_name, field, status FROM crm_import_apply_profile(:imp2, 'linkedin') WHERE field IS NOT NULL;
SELECT header_row, header_row_source FROM crm_imports WHERE id = :imp2;
SELECT count(*) FROM crm_import_apply_profile(:imp2, 'linkedin fixed');
SELECT header_row, header_row_source, header[1] FROM crm_imports WHERE id = :imp2;
