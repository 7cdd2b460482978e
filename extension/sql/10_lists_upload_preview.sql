---------------------------------------------------------------------------------------------
-- Internal: the import row an operation applies to, visible only to its owner and admins
---------------------------------------------------------------------------------------------
-- Internal: refuses to go on when someone added a function to the extension's schema under
-- the name of one of the extension's functions. Extension code runs as the extension's
-- owner (a superuser) and calls its functions by schema-qualified name, but an overload
-- with a closer argument match (crm_import_last(text) beside crm_import_last(anyelement))
-- would still be chosen, and run with those rights. Only a role that may CREATE in the
-- schema can add one: on PostgreSQL 15 not PUBLIC in public, but databases upgraded from
-- older versions keep that grant.
CREATE FUNCTION crm_import_verify_schema() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	stray text;
BEGIN
	SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid) INTO stray
	FROM pg_catalog.pg_proc p
	WHERE p.pronamespace = '@extschema@'::regnamespace
		AND p.proname IN (SELECT m.proname FROM pg_catalog.pg_proc m JOIN pg_catalog.pg_depend d
			ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = m.oid
			AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
			JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'crm_import')
		AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
			WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
			AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e');
	IF stray IS NOT NULL THEN
		RAISE EXCEPTION 'functions that are not part of crm_import shadow its functions: %', stray
			USING ERRCODE = 'duplicate_function',
			DETAIL = 'Extension code runs as the extension''s owner and could call them instead of its own.',
			HINT = 'Drop them (a role that may CREATE in schema @extschema@ added them), and revoke CREATE on schema @extschema@ from roles that should not have it.';
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_verify_schema() IS
	'Internal: raises 42723 when the extension''s schema holds a function (or aggregate) named like one of the extension''s that is not part of it';

CREATE FUNCTION crm_import_job(import bigint, for_update boolean DEFAULT false)
RETURNS @extschema@.crm_imports
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports;
BEGIN
	IF import IS NULL THEN
		RAISE EXCEPTION 'import id must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Pass the id returned by crm_import_upload, crm_import_upload_lo or crm_import_upload_file.';
	END IF;
	PERFORM @extschema@.crm_import_verify_schema();
	IF for_update THEN
		SELECT * INTO job FROM @extschema@.crm_imports j WHERE j.id = import FOR UPDATE;
	ELSE
		SELECT * INTO job FROM @extschema@.crm_imports j WHERE j.id = import;
	END IF;
	-- Someone else's import looks exactly like a missing one: its existence is not leaked.
	IF job.id IS NULL OR NOT @extschema@.crm_import_owned(job.owner, job.owner_id) THEN
		RAISE EXCEPTION 'import % does not exist', import USING ERRCODE = 'undefined_object',
			HINT = 'crm_import_status lists the imports you can see.';
	END IF;
	RETURN job;
END
$$;
COMMENT ON FUNCTION crm_import_job(bigint, boolean) IS
	'Internal: the import row with the given id if the caller owns it (or is an admin), locked when for_update; else an undefined_object error';

-- Internal: refuses changes to an import that has already run or is running.
CREATE FUNCTION crm_import_require_draft(job @extschema@.crm_imports)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- A failed import may be fixed and run again; a completed or running one is final.
	IF job.state <> ALL (ARRAY['draft', 'failed']) THEN
		RAISE EXCEPTION 'import % is %', job.id, job.state USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'Settings can only change before an import has completed.',
			HINT = 'Upload the file again to start a new import.';
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_require_draft(crm_imports) IS 'Internal: raises object_not_in_prerequisite_state unless the import is a draft (or failed, to be fixed and run again)';

---------------------------------------------------------------------------------------------
-- Step 1: lists
---------------------------------------------------------------------------------------------
CREATE FUNCTION crm_import_create_list(name text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	list_name text := @extschema@.crm_import_trim_name(name);
	new_id bigint;
BEGIN
	IF list_name IS NULL OR list_name = '' THEN
		RAISE EXCEPTION 'list name must not be empty' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give the list a name, for example crm_import_create_list(''Newsletter 2026'').';
	END IF;
	IF pg_catalog.length(list_name) > 200 THEN
		RAISE EXCEPTION 'list name is too long (% characters)', pg_catalog.length(list_name)
			USING ERRCODE = 'name_too_long', HINT = 'Use at most 200 characters.';
	END IF;
	BEGIN
		INSERT INTO @extschema@.crm_lists (name, created_by) VALUES (list_name, @extschema@.crm_import_caller())
			RETURNING id INTO new_id;
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'list "%" already exists', list_name USING ERRCODE = 'duplicate_object',
			HINT = 'Pick another name, or upload into the existing list by passing its name.';
	END;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION crm_import_create_list(text) IS
	'Wizard step 1: creates a contact list and returns its id; a duplicate name is a duplicate_object error';

-- Internal: resolves a list name for an upload, with a "did you mean" hint.
CREATE FUNCTION crm_import_list_id(list text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_id bigint;
	close_name text;
BEGIN
	SELECT l.id INTO found_id FROM @extschema@.crm_lists l WHERE l.name = @extschema@.crm_import_trim_name(list);
	IF found_id IS NULL THEN
		close_name := @extschema@.crm_import_closest(list, ARRAY(SELECT l.name FROM @extschema@.crm_lists l));
		RAISE EXCEPTION 'list "%" does not exist', list USING ERRCODE = 'undefined_object',
			HINT = CASE WHEN close_name IS NOT NULL THEN pg_catalog.format('Did you mean "%s"? ', close_name) ELSE '' END
				|| 'Create it first with crm_import_create_list(name).';
	END IF;
	RETURN found_id;
END
$$;
COMMENT ON FUNCTION crm_import_list_id(text) IS 'Internal: the id of the named list, or undefined_object with a hint';

CREATE FUNCTION crm_import_closest(word text, candidates text[]) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_closest' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_closest(text, text[]) IS
	'The candidate closest to word (edit distance, case-insensitive) when close enough for a "did you mean" hint, else NULL';

---------------------------------------------------------------------------------------------
-- Step 2: upload (C: one streaming libcsv reader for all three sources)
---------------------------------------------------------------------------------------------
-- encoding (every upload): NULL reads UTF-8, or UTF-16/UTF-32 when the file starts with their
-- byte-order mark; otherwise a PostgreSQL encoding name (WIN1252, LATIN1, LATIN9, SJIS, ...)
-- or an ICU converter name (windows-1252, ISO-8859-1, IBM850, cp865, UTF-16LE, Shift_JIS, ...):
-- the file is converted to UTF-8 by ICU chunk by chunk while it streams.
CREATE FUNCTION crm_import_upload(list text, data bytea, file_name text DEFAULT NULL, delimiter text DEFAULT NULL,
	encoding text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'crm_import_upload' LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET default_tablespace = '' SET temp_tablespaces = '';
COMMENT ON FUNCTION crm_import_upload(text, bytea, text, text, text) IS
	'Wizard step 2: stages a CSV passed as bytea for the named list; returns the new draft import id. delimiter NULL: detect comma, semicolon or tab (pipe when none of them splits the lines). encoding NULL: UTF-8 (UTF-16/UTF-32 with a byte-order mark), else a PostgreSQL or ICU encoding name (WIN1252, windows-1252, cp865, ...) to convert from';

-- SPEC step 2: "bytes or text passed as a function argument". An untyped literal picks
-- this one (text is its category's preferred type); bytea values keep the bytea one. A
-- psql script that \gset a bytea and passes it back untyped (:'data') hands over bytea's
-- hex text form ('\x4e61...'): that is decoded as the bytes it stands for, as before the
-- text form existed. No CSV file is a backslash, an x and hex digits only. The encoding
-- applies to those bytes; text itself is characters already, read as they are.
CREATE FUNCTION crm_import_upload(list text, data text, file_name text DEFAULT NULL, delimiter text DEFAULT NULL,
	encoding text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN data ~ '^\\x([0-9a-fA-F]{2})*$'
	THEN @extschema@.crm_import_upload(list, pg_catalog.decode(pg_catalog.substr(data, 3), 'hex'), file_name, delimiter, encoding)
	ELSE @extschema@.crm_import_upload(list, pg_catalog.convert_to(data, 'UTF8'), file_name, delimiter, NULL::text) END $$;
COMMENT ON FUNCTION crm_import_upload(text, text, text, text, text) IS
	'Wizard step 2: stages a CSV passed as text (converted to UTF-8; encoding applies only to a bytea''s hex text form) for the named list; returns the new draft import id; otherwise as the bytea form';

CREATE FUNCTION crm_import_upload_lo(list text, lo oid, file_name text DEFAULT NULL, delimiter text DEFAULT NULL,
	encoding text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'crm_import_upload_lo' LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET default_tablespace = '' SET temp_tablespaces = '';
COMMENT ON FUNCTION crm_import_upload_lo(text, oid, text, text, text) IS
	'Wizard step 2: stages a CSV from a large object (psql: \lo_import file, then pass :LASTOID), streamed in chunks; the caller must be allowed to read it. encoding as for crm_import_upload';

-- The delimiter comes third: API.md lists upload_file(list, path) and "each also takes
-- delimiter"; the file name (the path's last part when NULL) comes after it.
CREATE FUNCTION crm_import_upload_file(list text, path text, delimiter text DEFAULT NULL, file_name text DEFAULT NULL,
	encoding text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'crm_import_upload_file' LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET default_tablespace = '' SET temp_tablespaces = '';
COMMENT ON FUNCTION crm_import_upload_file(text, text, text, text, text) IS
	'Wizard step 2: stages a CSV from a server-side path; only for superusers and members of pg_read_server_files. encoding as for crm_import_upload';

---------------------------------------------------------------------------------------------
-- Step 3: preview
---------------------------------------------------------------------------------------------
-- Internal: the record number of the first data row: the header row, or the record below it
-- when it holds the column names. Records above the header row are a preamble, never data.
CREATE FUNCTION crm_import_first_data_record(job @extschema@.crm_imports)
RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT job.header_row + CASE WHEN job.has_header THEN 1 ELSE 0 END $$;
COMMENT ON FUNCTION crm_import_first_data_record(crm_imports) IS
	'Internal: the record number of an import''s first data row (header_row, plus one when it holds the column names)';

-- Internal: how many data rows an import has (records from the first data record on).
CREATE FUNCTION crm_import_data_rows(job @extschema@.crm_imports)
RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT greatest(job.record_count - @extschema@.crm_import_first_data_record(job) + 1, 0) $$;
COMMENT ON FUNCTION crm_import_data_rows(crm_imports) IS
	'Internal: the number of data rows of an import (records from crm_import_first_data_record on)';

CREATE FUNCTION crm_import_column_names_of(header text[]) RETURNS text[]
	AS 'MODULE_PATHNAME', 'crm_import_column_names_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_column_names_of(text[]) IS
	'Internal: unique column names for header fields, as the upload makes them (blank: column_N; repeated: _2, _3 ...)';
CREATE FUNCTION crm_import_sample_value(value text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_sample_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_sample_value(text) IS
	'Internal: a value as the upload keeps it as a column sample (cut to 200 bytes at a character boundary)';

-- Internal: the header and the per-column facts of an import (column names and count, filled
-- counts, samples, rows with another field count) recomputed from its staged rows for
-- header row hr: what the upload gathers for its header record and the records below it
-- while streaming. Run when crm_import_set_header moves the header row (a rare call: one
-- scan of the staging table).
CREATE FUNCTION crm_import_restat(job @extschema@.crm_imports, hr integer)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	hdr text[];
	ncol integer;
	filled bigint[];
	samples text[];
	sample_no integer[];
	ragged bigint;
BEGIN
	EXECUTE pg_catalog.format('SELECT ARRAY(SELECT @extschema@.crm_import_trim_header(f.v) '
		'FROM unnest(%s) WITH ORDINALITY f(v, o) ORDER BY f.o) FROM %s s WHERE s.record_no = $1',
		@extschema@.crm_import_fields_expr(job), job.staging_table) INTO hdr USING hr;
	ncol := cardinality(hdr);
	EXECUTE pg_catalog.format(
		'WITH cells AS MATERIALIZED ('
		'  SELECT s.record_no, f.o::integer AS c, f.v FROM %s s, unnest(%s) WITH ORDINALITY f(v, o) '
		'  WHERE s.record_no > $1 AND f.o <= $2 AND @extschema@.crm_import_trim_header(f.v) <> ''''), '
		'counts AS (SELECT cells.c, count(*) AS n FROM cells GROUP BY cells.c), '
		'firsts AS (SELECT x.c, x.v, min(x.record_no) AS r FROM (SELECT cells.c, cells.record_no, '
		'  @extschema@.crm_import_sample_value(cells.v) AS v FROM cells) x GROUP BY x.c, x.v), '
		'ranked AS (SELECT firsts.c, firsts.v, '
		'  row_number() OVER (PARTITION BY firsts.c ORDER BY firsts.r, firsts.v) AS k FROM firsts) '
		'SELECT ARRAY(SELECT coalesce(counts.n, 0) FROM generate_series(1, $2) i '
		'    LEFT JOIN counts ON counts.c = i ORDER BY i), '
		'  ARRAY(SELECT ranked.v FROM ranked WHERE ranked.k <= 5 ORDER BY ranked.c, ranked.k), '
		'  ARRAY(SELECT ranked.c FROM ranked WHERE ranked.k <= 5 ORDER BY ranked.c, ranked.k), '
		'  (SELECT count(*) FROM %s s WHERE s.record_no > $1 AND s.nfields <> $2)',
		job.staging_table, @extschema@.crm_import_fields_expr(job), job.staging_table)
		INTO filled, samples, sample_no, ragged USING hr, ncol;
	UPDATE @extschema@.crm_imports j SET header = hdr, column_names = @extschema@.crm_import_column_names_of(hdr),
		column_count = ncol, column_filled = filled, column_samples = samples, column_sample_no = sample_no,
		ragged_records = ragged
		WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_restat(crm_imports, integer) IS
	'Internal: recomputes an import''s header, column names and per-column statistics from its staged rows for another header row';

CREATE FUNCTION crm_import_set_header(import bigint, has_header boolean, header_row integer DEFAULT 1)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF has_header IS NULL THEN
		RAISE EXCEPTION 'has_header must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF header_row IS NULL OR header_row < 1 THEN
		RAISE EXCEPTION 'header_row must be 1 or more, not %', coalesce(header_row::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('header_row is the row number crm_import_preview shows for the header row after crm_import_set_header(%s, false).', job.id);
	END IF;
	IF header_row > job.record_count THEN
		RAISE EXCEPTION 'header_row % is past the end of the file: it has % records', header_row, job.record_count
			USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('SELECT crm_import_set_header(%s, false); then crm_import_preview(%s) numbers every record.', job.id, job.id);
	END IF;
	IF header_row <> job.header_row THEN
		IF job.staging_table IS NULL OR @extschema@.crm_import_staged_rows_lost(job) THEN
			RAISE EXCEPTION 'the staged rows of import % are gone', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Upload the file again.';
		END IF;
		PERFORM @extschema@.crm_import_restat(job, header_row);
	END IF;
	IF job.has_header IS DISTINCT FROM has_header OR header_row <> job.header_row THEN
		-- Column names change meaning, so mappings made under the other reading are dropped.
		DELETE FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id;
	END IF;
	-- Any call decides the header row: a preamble the upload was unsure of is settled.
	UPDATE @extschema@.crm_imports j SET has_header = crm_import_set_header.has_header,
		header_row = crm_import_set_header.header_row, header_row_source = 'set'
		WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_header(bigint, boolean, integer) IS
	'Wizard step 3: whether the header row holds column headers, and which record it is (header_row, as crm_import_preview numbers the records after crm_import_set_header(import, false)); records above it are a preamble, never data. No re-upload needed; column mappings are cleared and the column statistics recomputed when it changes';

-- Internal: the SQL reference to field c (from 1) of a staged row s. The staging table
-- holds the first staged_columns fields in columns c1, c2, ... (like a COPY target, so
-- staging writes what COPY writes) and any further fields of long rows in extra.
CREATE FUNCTION crm_import_field_ref(job @extschema@.crm_imports, c integer)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN c <= job.staged_columns THEN pg_catalog.format('s.c%s', c)
		ELSE pg_catalog.format('s.extra[%s]', c - job.staged_columns) END
$$;
COMMENT ON FUNCTION crm_import_field_ref(crm_imports, integer) IS 'Internal: SQL reference to field c of a staged row aliased s';

-- Internal: the SQL expression rebuilding a staged row s as the text[] of its fields.
CREATE FUNCTION crm_import_fields_expr(job @extschema@.crm_imports)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('(ARRAY[%s]::text[] || coalesce(s.extra, ''{}''::text[]))[1:s.nfields]',
		(SELECT string_agg(pg_catalog.format('s.c%s', i), ', ' ORDER BY i) FROM generate_series(1, job.staged_columns) i))
$$;
COMMENT ON FUNCTION crm_import_fields_expr(crm_imports) IS 'Internal: SQL expression giving the fields of a staged row aliased s as text[]';

-- Internal: the display names of the columns under the current header setting.
CREATE FUNCTION crm_import_column_names(job @extschema@.crm_imports)
RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN job.has_header THEN job.column_names
		ELSE ARRAY(SELECT 'column_' || i FROM pg_catalog.generate_series(1, job.column_count) i) END
$$;
COMMENT ON FUNCTION crm_import_column_names(crm_imports) IS 'Internal: column names of an import (header names, or column_1.. without a header)';

-- Internal: true when an import's staged rows are gone though the file had rows. Staging
-- tables are UNLOGGED (written like COPY, no WAL), so crash recovery empties them.
CREATE FUNCTION crm_import_staged_rows_lost(job @extschema@.crm_imports)
RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	has_rows boolean;
BEGIN
	IF job.staging_table IS NULL OR job.record_count = 0 THEN
		RETURN false;
	END IF;
	IF pg_catalog.to_regclass(job.staging_table) IS NULL THEN
		RETURN true;
	END IF;
	EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s)', job.staging_table) INTO has_rows;
	RETURN NOT has_rows;
END
$$;
COMMENT ON FUNCTION crm_import_staged_rows_lost(crm_imports) IS
	'Internal: true when the staged rows of an import with rows are gone (UNLOGGED staging tables are emptied by crash recovery)';

CREATE FUNCTION crm_import_preview(import bigint, max_rows integer DEFAULT 100)
RETURNS TABLE (row_no integer, fields text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	first_record integer;
BEGIN
	IF max_rows IS NULL OR max_rows < 0 THEN
		RAISE EXCEPTION 'max_rows must be zero or more' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF job.staging_table IS NULL THEN
		RAISE EXCEPTION 'the staged rows of import % were discarded', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'Upload the file again.';
	END IF;
	IF @extschema@.crm_import_staged_rows_lost(job) THEN
		RAISE EXCEPTION 'the staged rows of import % were lost', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'Staging tables are UNLOGGED; the database server restarted after a crash since the upload.',
			HINT = 'Upload the file again.';
	END IF;
	first_record := @extschema@.crm_import_first_data_record(job);
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT ((s.record_no - $1) + 1)::integer, %s FROM %s s '
		'WHERE s.record_no >= $1 AND s.record_no < ($1::bigint + $2) '
		'ORDER BY s.record_no', @extschema@.crm_import_fields_expr(job), job.staging_table)
		USING first_record, max_rows;
END
$$;
COMMENT ON FUNCTION crm_import_preview(bigint, integer) IS
	'Wizard step 3: the first max_rows data rows (from the header row on; the header itself excluded when has_header) in file order, as text arrays';

CREATE FUNCTION crm_import_selftest(kind text) RETURNS integer
	AS 'MODULE_PATHNAME', 'crm_import_selftest' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_selftest(text) IS
	'Diagnostics of the C++/PostgreSQL error boundary: core_error, pg_error and std_exception raise through it; live_guards counts C++ objects leaked by earlier failures (0 expected); ok returns 100';

-- The session's crm_import.default_region. Loading the library defines the setting with
-- its default (src/crm_import.cpp), so the default region is written down once, there.
CREATE FUNCTION crm_import_default_region() RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_default_region' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_default_region() IS 'The session''s crm_import.default_region (its default when not set): the region of phone numbers without a country prefix';

CREATE FUNCTION crm_import_suggest_fields(headers text[], samples text[], sample_no integer[],
	field_names text[], field_labels text[], field_types text[], field_custom boolean[],
	region text DEFAULT @extschema@.crm_import_default_region(),
	date_order text DEFAULT 'DMY')
RETURNS TABLE (column_no integer, field text, confidence real, basis text, applicable boolean, reason text)
	AS 'MODULE_PATHNAME', 'crm_import_suggest_fields_checked' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION crm_import_suggest_fields(text[], text[], integer[], text[], text[], text[], boolean[], text, text) IS
	'Suggests a catalog field for each column from its header (seven languages, the common exports, typos) and sample values; one field per column at most; applicable when the samples pass the field''s normalizer (phones in region, dates in date_order, birthdays plausible) and the evidence allows it, else the reason';

-- Internal: the region whose phone numbers an import reads without a country prefix: its
-- own, else the session's crm_import.default_region.
CREATE FUNCTION crm_import_region(job @extschema@.crm_imports)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(job.default_region, @extschema@.crm_import_default_region()) $$;
COMMENT ON FUNCTION crm_import_region(crm_imports) IS
	'Internal: an import''s region for phone numbers without a country prefix (its default_region, else crm_import.default_region)';

-- Internal: the date order of a region: month first in the US (and its territories), the
-- Philippines and the Pacific states that follow it; day first elsewhere.
CREATE FUNCTION crm_import_region_date_order(region text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN upper(region) = ANY (ARRAY['US', 'AS', 'GU', 'MP', 'PR', 'VI', 'UM', 'PH', 'FM', 'MH', 'PW'])
	THEN 'MDY' ELSE 'DMY' END $$;
COMMENT ON FUNCTION crm_import_region_date_order(text) IS 'Internal: MDY for month-first regions (US and its territories, PH, FM, MH, PW), else DMY';

CREATE FUNCTION crm_import_known_region(region text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_known_region' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_known_region(text) IS 'Internal: whether libphonenumber knows the ISO 3166 region code';

-- Internal: texts real exports write for "no value" (compared trimmed and in lower case).
CREATE FUNCTION crm_import_placeholder_texts() RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY['-', '--', '---', 'n/a', 'n.a.', 'na', '#n/a', 'null', '(null)', 'none', '(none)', 'nil', '?',
	'(blank)', '(empty)', 'not available', 'unknown', 'ukjent',
	-- MySQL's zero date, as its dumps and exports write a missing date
	'0000-00-00', '0000-00-00 00:00:00', '00/00/0000', '00.00.0000'] $$;
COMMENT ON FUNCTION crm_import_placeholder_texts() IS
	'Internal: placeholder texts for "no value" the upload looks for in the sample values (-, N/A, null, none, #N/A, ...)';

-- Internal: suggestions for an import's columns under its current header setting, with
-- their state: applied (the column is mapped to the suggested field) and the reason it is
-- not (the values, the evidence, or the column's or field's mapping); reason NULL and not
-- applied means crm_import_suggest_mapping would apply it.
CREATE FUNCTION crm_import_suggestions(job @extschema@.crm_imports)
RETURNS TABLE (column_no integer, field text, confidence real, basis text, applied boolean, reason text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	WITH cat AS (
		SELECT array_agg(f.name ORDER BY f.name) AS names, array_agg(f.label ORDER BY f.name) AS labels,
			array_agg(f.type ORDER BY f.name) AS types, array_agg(f.custom ORDER BY f.name) AS custom
		FROM @extschema@.crm_fields f
	), cols0 AS (
		-- Without a header row the first record is data: its values become samples too.
		SELECT CASE WHEN job.has_header THEN job.header
				ELSE array_fill(''::text, ARRAY[job.column_count]) END AS headers,
			CASE WHEN job.has_header THEN job.column_samples
				ELSE job.header || job.column_samples END AS samples,
			CASE WHEN job.has_header THEN job.column_sample_no
				ELSE ARRAY(SELECT generate_series(1, cardinality(job.header))) || job.column_sample_no
				END AS sample_no,
			-- Placeholders (-, N/A: the import's null_values, or until they are set the texts
			-- that look like placeholders) are blank cells, not values a field must read.
			CASE WHEN job.null_values IS NULL THEN @extschema@.crm_import_placeholder_texts()
				ELSE ARRAY(SELECT pg_catalog.lower(v) FROM unnest(job.null_values) v) END AS placeholders
	), cols AS (
		SELECT c.headers,
			ARRAY(SELECT x.v FROM unnest(c.samples, c.sample_no) WITH ORDINALITY AS x(v, n, o)
				WHERE pg_catalog.lower(pg_catalog.btrim(x.v, @extschema@.crm_import_blank_chars())) <> ALL (c.placeholders) ORDER BY x.o) AS samples,
			ARRAY(SELECT x.n FROM unnest(c.samples, c.sample_no) WITH ORDINALITY AS x(v, n, o)
				WHERE pg_catalog.lower(pg_catalog.btrim(x.v, @extschema@.crm_import_blank_chars())) <> ALL (c.placeholders) ORDER BY x.o) AS sample_no
		FROM cols0 c
	), names AS (
		SELECT @extschema@.crm_import_column_names(job) AS names
	)
	SELECT s.column_no, s.field, s.confidence, s.basis,
		coalesce(m.field OPERATOR(pg_catalog.=) s.field, false),
		CASE
			WHEN s.field IS NULL OR m.field OPERATOR(pg_catalog.=) s.field THEN s.reason
			WHEN NOT s.applicable THEN s.reason
			WHEN m.column_no IS NOT NULL AND m.field IS NULL THEN 'the column is set to "do not import"'
			WHEN m.column_no IS NOT NULL THEN pg_catalog.format('the column is mapped to %s', m.field)
			WHEN o.column_no IS NOT NULL THEN
				pg_catalog.format('%s is mapped from column %s "%s"', s.field, o.column_no, names.names[o.column_no])
		END
	-- Phones in the import's region; dates in the import's date order when it is set, else
	-- day first (the run detects each mapped date column's order from all its values).
	FROM cols, cat, names,
		@extschema@.crm_import_suggest_fields(cols.headers, coalesce(cols.samples, '{}'), coalesce(cols.sample_no, '{}'),
			cat.names, cat.labels, cat.types, cat.custom,
			@extschema@.crm_import_region(job), coalesce(job.date_order, 'DMY')) s
	LEFT JOIN @extschema@.crm_import_mappings m
		ON m.import_id OPERATOR(pg_catalog.=) job.id AND m.column_no OPERATOR(pg_catalog.=) s.column_no
	LEFT JOIN LATERAL (SELECT min(x.column_no) AS column_no FROM @extschema@.crm_import_mappings x
		WHERE x.import_id OPERATOR(pg_catalog.=) job.id AND x.field OPERATOR(pg_catalog.=) s.field
			AND x.column_no OPERATOR(pg_catalog.<>) s.column_no) o ON true
$$;
COMMENT ON FUNCTION crm_import_suggestions(crm_imports) IS 'Internal: mapping suggestions for an import''s columns, whether each is applied and why not';

CREATE FUNCTION crm_import_columns(import bigint)
RETURNS TABLE (column_no integer, name text, samples text[], filled bigint, suggested_field text, mapped_to text,
	applied boolean, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	names text[] := @extschema@.crm_import_column_names(job);
BEGIN
	RETURN QUERY
	-- The samples grouped by column once (scanning them all per column was quadratic: a
	-- 100,000-column file took minutes).
	WITH smp AS (
		SELECT x.n, array_agg(x.v ORDER BY x.o) AS vals
		FROM unnest(job.column_samples, job.column_sample_no) WITH ORDINALITY AS x(v, n, o)
		GROUP BY x.n)
	SELECT c.i, names[c.i],
		CASE WHEN job.has_header THEN
			coalesce(smp.vals, '{}')
		ELSE
			ARRAY(SELECT y.v FROM unnest(ARRAY[job.header[c.i]] || coalesce(smp.vals, '{}'))
					WITH ORDINALITY AS y(v, o)
				  WHERE btrim(y.v) <> '' ORDER BY y.o LIMIT 5)
		END,
		coalesce(job.column_filled[c.i], 0)
			+ CASE WHEN NOT job.has_header AND btrim(job.header[c.i]) <> '' THEN 1 ELSE 0 END,
		s.field,
		CASE WHEN m.column_no IS NULL THEN NULL ELSE coalesce(m.field, '(do not import)') END,
		coalesce(s.applied, false), s.reason
	FROM generate_series(1, job.column_count) AS c(i)
	LEFT JOIN smp ON smp.n = c.i
	LEFT JOIN @extschema@.crm_import_suggestions(job) s ON s.column_no = c.i
	LEFT JOIN @extschema@.crm_import_mappings m
		ON m.import_id = job.id AND m.column_no = c.i
	ORDER BY c.i;
END
$$;
COMMENT ON FUNCTION crm_import_columns(bigint) IS
	'Wizard step 3: each file column with its name (header or column_N), up to 5 sample values, non-blank count, suggested field, current mapping, whether the suggestion is applied and why not';

-- Internal: the columns holding placeholder-looking texts (-, N/A, null: see
-- crm_import_placeholder_texts), with those texts as written (trimmed) and how many cells
-- hold one. Read from the first max_rows staged data rows (a placeholder used often shows
-- there; one column's five distinct sample values alone missed a '-' below five distinct
-- emails) and from the sample values kept at upload; when the staged rows are gone, or more
-- than 200 columns are asked about, from the samples alone (cells NULL). mapped_only: only
-- columns mapped to a field. One pass, two filtered aggregates per column.
CREATE FUNCTION crm_import_placeholder_columns(job @extschema@.crm_imports, mapped_only boolean, max_rows integer)
RETURNS TABLE (c integer, column_name text, placeholders text[], cells bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	texts text[] := @extschema@.crm_import_placeholder_texts();
	blanks text := @extschema@.crm_import_blank_chars();
	names text[] := @extschema@.crm_import_column_names(job);
	cols integer[];
	counts bigint[];
	found text[];  -- per entry of cols: its placeholders joined by U+001F, or NULL
BEGIN
	SELECT coalesce(array_agg(i ORDER BY i), '{}') INTO cols FROM generate_series(1, job.column_count) i
		WHERE NOT mapped_only OR EXISTS (SELECT FROM @extschema@.crm_import_mappings m
			WHERE m.import_id = job.id AND m.column_no = i AND m.field IS NOT NULL);
	IF cardinality(cols) = 0 THEN
		RETURN;
	END IF;
	IF cardinality(cols) <= 200 AND job.staging_table IS NOT NULL AND pg_catalog.to_regclass(job.staging_table) IS NOT NULL THEN
		EXECUTE pg_catalog.format('SELECT ARRAY[%s]::bigint[], ARRAY[%s]::text[] FROM (SELECT %s FROM %s s WHERE s.record_no > %s LIMIT %s) r',
			(SELECT string_agg(pg_catalog.format('count(*) FILTER (WHERE r.p%s)', k.o), ', ' ORDER BY k.o) FROM unnest(cols) WITH ORDINALITY k(i, o)),
			(SELECT string_agg(pg_catalog.format('pg_catalog.string_agg(DISTINCT r.f%s, pg_catalog.chr(31)) FILTER (WHERE r.p%s)', k.o, k.o), ', ' ORDER BY k.o)
				FROM unnest(cols) WITH ORDINALITY k(i, o)),
			(SELECT string_agg(pg_catalog.format('pg_catalog.btrim(%1$s, %2$L) AS f%3$s, pg_catalog.lower(pg_catalog.btrim(%1$s, %2$L)) = ANY (%4$L::text[]) AS p%3$s',
				@extschema@.crm_import_field_ref(job, k.i), blanks, k.o, texts), ', ' ORDER BY k.o) FROM unnest(cols) WITH ORDINALITY k(i, o)),
			job.staging_table, @extschema@.crm_import_first_data_record(job) - 1, max_rows) INTO counts, found;
	END IF;
	RETURN QUERY
		SELECT k.i, names[k.i],
			ARRAY(SELECT DISTINCT t.v FROM (
				SELECT unnest(pg_catalog.string_to_array(found[k.o], pg_catalog.chr(31))) AS v
				UNION ALL
				SELECT pg_catalog.btrim(x.v, blanks) FROM unnest(job.column_samples, job.column_sample_no) AS x(v, n)
				WHERE x.n = k.i AND pg_catalog.lower(pg_catalog.btrim(x.v, blanks)) = ANY (texts)) t ORDER BY 1),
			counts[k.o]
		FROM unnest(cols) WITH ORDINALITY AS k(i, o)
		WHERE found[k.o] IS NOT NULL OR EXISTS (SELECT FROM unnest(job.column_samples, job.column_sample_no) AS x(v, n)
			WHERE x.n = k.i AND pg_catalog.lower(pg_catalog.btrim(x.v, blanks)) = ANY (texts))
		ORDER BY k.i;
END
$$;
COMMENT ON FUNCTION crm_import_placeholder_columns(crm_imports, boolean, integer) IS
	'Internal: columns holding placeholder-looking texts (-, N/A, null, ...) in their first max_rows rows or samples, with the texts and the cells';

-- Internal: how the upload's NOTICE and crm_import_check name a column with placeholders:
-- column 2 "E-post" ('-', 'null': 14 cells), "... in the first 1,000 rows" when only those
-- were read (scanned_rows, NULL when all were).
CREATE FUNCTION crm_import_placeholder_column_text(c integer, column_name text, placeholders text[], cells bigint,
	scanned_rows integer)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('column %s "%s" (%s%s)', c, column_name,
		(SELECT string_agg(pg_catalog.quote_literal(v), ', ' ORDER BY v) FROM unnest(placeholders) v),
		CASE WHEN cells IS NOT NULL THEN pg_catalog.format(': %s cell%s%s', cells, CASE WHEN cells = 1 THEN '' ELSE 's' END,
			CASE WHEN scanned_rows IS NOT NULL THEN ' in the first ' || pg_catalog.to_char(scanned_rows, 'FM999,999,999') || ' rows' ELSE '' END)
		ELSE '' END)
$$;
COMMENT ON FUNCTION crm_import_placeholder_column_text(integer, text, text[], bigint, integer) IS
	'Internal: a column with placeholder-looking values as the upload NOTICE and crm_import_check name it';

-- Internal: the call that reads the placeholders of the given columns as blank cells.
CREATE FUNCTION crm_import_placeholder_call(import bigint, placeholders text[])
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('crm_import_set_options(%s, null_values => ARRAY[%s])', import,
		(SELECT string_agg(pg_catalog.quote_literal(q.v), ', ' ORDER BY q.v)
		 FROM (SELECT DISTINCT ON (pg_catalog.lower(v)) v FROM unnest(placeholders) v ORDER BY pg_catalog.lower(v), v) q))
$$;
COMMENT ON FUNCTION crm_import_placeholder_call(bigint, text[]) IS
	'Internal: the crm_import_set_options call that reads the given placeholder texts as blank cells';

-- Internal: called at the end of an upload: a NOTICE naming the columns whose samples hold
-- placeholder-looking values, with the call that reads them as blank (crm_import_check asks
-- the same of the imported columns until null_values is set).
CREATE FUNCTION crm_import_upload_placeholders(import bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports;
	cols text;
	texts text[] := '{}';
	p record;
	n integer := 0;
BEGIN
	SELECT * INTO job FROM @extschema@.crm_imports j WHERE j.id = import;
	-- The first 1,000 rows only: the upload stays close to a plain COPY (crm_import_check
	-- reads 10,000 rows of the imported columns).
	-- At most ten columns are named; the rest are counted.
	FOR p IN SELECT * FROM @extschema@.crm_import_placeholder_columns(job, false, 1000) LOOP
		n := n + 1;
		IF n <= 10 THEN
			cols := coalesce(cols || ', ', '') || @extschema@.crm_import_placeholder_column_text(p.c, p.column_name, p.placeholders, p.cells,
				CASE WHEN @extschema@.crm_import_data_rows(job) > 1000 THEN 1000 END);
		END IF;
		texts := texts || p.placeholders;
	END LOOP;
	IF n > 10 THEN
		cols := cols || pg_catalog.format(' and %s more columns', n - 10);
	END IF;
	IF cols IS NOT NULL THEN
		RAISE NOTICE 'some columns hold values that look like placeholders for "no value": %', cols
			USING DETAIL = 'As they are, such values are imported as text, or rejected where a field cannot read them (an email address, a phone number, a date, a consent).',
			HINT = pg_catalog.format('If they mean "no value", read them as blank cells: SELECT %s; if they are real values, say so: SELECT crm_import_set_options(%s, null_values => ARRAY[]::text[]).',
				@extschema@.crm_import_placeholder_call(import, texts), import);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_upload_placeholders(bigint) IS
	'Internal: at the end of an upload, a NOTICE naming the columns whose samples look like placeholders (-, N/A, null), with the crm_import_set_options call';

