-- Step 3: preview. Run after step_02.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_03.sql
\set SHOW_CONTEXT never
-- The import made in step 2.
SELECT max(id) AS import_id FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- The first data rows (the header row is not a data row), in file order.
SELECT * FROM crm_import_preview(:import_id, max_rows => 5);

-- One row per column: its name, sample values, how many rows fill it, a suggested field.
SELECT column_no, name, samples[1:3] AS samples, filled, suggested_field, mapped_to
	FROM crm_import_columns(:import_id);

-- Without a header row the first record is data and the columns are column_1, column_2, ...
SELECT crm_import_set_header(:import_id, false);
SELECT * FROM crm_import_preview(:import_id, max_rows => 2);
SELECT column_no, name, samples[1:2] AS samples, filled FROM crm_import_columns(:import_id) WHERE column_no <= 3;
-- This file does have a header row.
SELECT crm_import_set_header(:import_id, true);

-- Errors.
SELECT * FROM crm_import_preview(:import_id, max_rows => -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM crm_import_preview(987654);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
