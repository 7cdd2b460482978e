-- Issue 14 item 6: wide files. A row of many short values cannot be TOASTed, so a staging
-- table with one column per field failed at 600 ordinary header names ("row is too big:
-- size 9064, maximum size 8160", no line, no hint). Only the first
-- StagingWriter::kMaxStagedColumns fields (298 with 8 kB pages) get a column of their own;
-- the rest go to extra text[]. Each file below uploads, previews, maps and runs.
\i sql/include/fresh_extension.sql
SET crm_import.default_region = 'NO';
SELECT crm_import_create_list('Wide');
-- A file of n columns and rows data rows: header names from header(i), values from value(i, row).
CREATE FUNCTION t_wide(header text, value text, n integer, rows integer) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	h text;
	body text;
BEGIN
	EXECUTE format('SELECT string_agg(%s, '','' ORDER BY i) FROM generate_series(1, $1) i', header) INTO h USING n;
	EXECUTE format('SELECT string_agg((SELECT string_agg(%s, '','' ORDER BY i) FROM generate_series(1, $1) i), E''\n'' ORDER BY r) '
		'FROM generate_series(1, $2) r', value) INTO body USING n, rows;
	RETURN convert_to(h || E'\n' || body || E'\n', 'UTF8');
END
$$;
CREATE FUNCTION t_staged(imp bigint) RETURNS TABLE (staged_columns integer, column_count integer, record_count bigint,
	table_columns bigint) LANGUAGE sql AS $$
	SELECT j.staged_columns, j.column_count, j.record_count,
		(SELECT count(*) FROM pg_attribute a WHERE a.attrelid = j.staging_table::regclass AND a.attnum > 0
			AND NOT a.attisdropped)
	FROM crm_imports j WHERE j.id = imp
$$;

-- 1. 600 columns with ordinary header names: failed with "row is too big" before.
SELECT crm_import_upload('Wide', t_wide('''Column header number '' || i', '''value '' || i || '' of row '' || r', 600, 3))
	AS imp \gset
SELECT * FROM t_staged(:imp);
SELECT row_no, cardinality(fields), fields[1], fields[298:299], fields[600] FROM crm_import_preview(:imp);
SELECT column_no, name, samples, filled FROM crm_import_columns(:imp) WHERE column_no IN (1, 298, 299, 600);

-- 2. 2,000 columns: an e-mail and a name beyond the staged ones are suggested, mapped and
-- imported.
SELECT crm_import_upload('Wide', t_wide(
	$$CASE i WHEN 1900 THEN 'E-mail' WHEN 1901 THEN 'First name' ELSE 'Column header number ' || i END$$,
	$$CASE i WHEN 1900 THEN 'p' || r || '@example.com' WHEN 1901 THEN 'Person ' || r ELSE 'value ' || i END$$,
	2000, 4)) AS imp \gset
SELECT * FROM t_staged(:imp);
SELECT column_no, name, samples, filled, suggested_field FROM crm_import_columns(:imp) WHERE column_no >= 1899 AND column_no <= 1902;
SELECT column_no, name, field, applied FROM crm_import_suggest_mapping(:imp) WHERE field IS NOT NULL;
SELECT crm_import_set_skip_unmapped(:imp, true);
SELECT crm_import_set_consent(:imp, 'email_marketing', unknown => true);
SELECT crm_import_set_rules(:imp, master => 'file', primary_key => 'email');
SELECT crm_import_accept_compliance(:imp, gdpr => true, tcpa => true);
SELECT inserted, rejected FROM crm_import_run(:imp);
SELECT email, first_name FROM crm_contacts ORDER BY email;

-- 3. 1,600 one-character columns (repeated names: the NOTICE names the first 20).
SELECT crm_import_upload('Wide', t_wide('chr(65 + (i - 1) % 26)', $$'y'$$, 1600, 2)) AS imp \gset
SELECT * FROM t_staged(:imp);
SELECT count(*), sum(filled), min(name), max(name) FROM crm_import_columns(:imp);
SELECT row_no, cardinality(fields), fields[1600] FROM crm_import_preview(:imp);

-- 4. 20,000 columns of long names and values up to 49 characters, and 400 columns of
-- compressible 60-character values (compressed, they stay inline: the worst case of the bound).
SELECT crm_import_upload('Wide', t_wide('''Column header number '' || i', $$repeat('v', i % 50)$$, 20000, 2)) AS imp \gset
SELECT * FROM t_staged(:imp);
SELECT count(*) FROM crm_import_columns(:imp);
SELECT row_no, cardinality(fields), length(fields[19999]) FROM crm_import_preview(:imp);
SELECT crm_import_upload('Wide', t_wide('''h'' || i', $$repeat('a', 60)$$, 400, 2)) AS imp \gset
SELECT * FROM t_staged(:imp);
SELECT count(*), sum(filled) FROM crm_import_columns(:imp);

-- 5. A narrow file keeps one column per field (the layout COPY would write).
SELECT crm_import_upload('Wide', t_wide('''c'' || i', $$'v'$$, 15, 1)) AS imp \gset
SELECT * FROM t_staged(:imp);
