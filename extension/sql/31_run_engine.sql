---------------------------------------------------------------------------------------------
-- Step 7: the run engine (normalize, dedupe and match, merge, write, row results)
---------------------------------------------------------------------------------------------

-- Aggregates the run uses: the last non-null value in input order, and a key-by-key jsonb
-- merge where later values win. Both rely on strict transition functions skipping NULLs.
-- One aggregate per merged column type (text, date, boolean), not one polymorphic
-- crm_import_last(anyelement): the run calls it as the extension's owner, and an exact
-- signature cannot be out-matched by an overload someone adds to the schema.
CREATE FUNCTION crm_import_last_sfunc(state text, value text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_last_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION crm_import_last_sfunc(state date, value date) RETURNS date
	AS 'MODULE_PATHNAME', 'crm_import_last_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION crm_import_last_sfunc(state boolean, value boolean) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_last_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_last_sfunc(text, text) IS 'Internal: transition function of crm_import_last';
COMMENT ON FUNCTION crm_import_last_sfunc(date, date) IS 'Internal: transition function of crm_import_last';
COMMENT ON FUNCTION crm_import_last_sfunc(boolean, boolean) IS 'Internal: transition function of crm_import_last';
CREATE AGGREGATE crm_import_last(text) (sfunc = crm_import_last_sfunc, stype = text);
CREATE AGGREGATE crm_import_last(date) (sfunc = crm_import_last_sfunc, stype = date);
CREATE AGGREGATE crm_import_last(boolean) (sfunc = crm_import_last_sfunc, stype = boolean);
COMMENT ON AGGREGATE crm_import_last(text) IS 'Internal: the last non-null value in input order (file order in the run)';
COMMENT ON AGGREGATE crm_import_last(date) IS 'Internal: the last non-null value in input order (file order in the run)';
COMMENT ON AGGREGATE crm_import_last(boolean) IS 'Internal: the last non-null value in input order (file order in the run)';
CREATE AGGREGATE crm_import_jsonb_merge(jsonb) (sfunc = pg_catalog.jsonb_concat, stype = jsonb);
COMMENT ON AGGREGATE crm_import_jsonb_merge(jsonb) IS 'Internal: merges jsonb objects key by key, later inputs winning';

CREATE FUNCTION crm_import_plan_matches(work regclass, target regclass, contacts regclass, primary_key text,
	secondary_key text, id_sequence regclass)
RETURNS bigint
	AS 'MODULE_PATHNAME', 'crm_import_plan_matches' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm_import_plan_matches(regclass, regclass, regclass, text, text, regclass) IS
	'Internal: dedupe in file and match against the contacts (primary key, then secondary), in memory; writes every row of the run''s work table into target with its unit, target, matched_by, reject reason, lead row, row count and contact id (new contacts numbered from id_sequence in file order; NULL for a dry run)';

CREATE FUNCTION crm_import_bulk_insert(target regclass, columns text[], query text)
RETURNS bigint
	AS 'MODULE_PATHNAME', 'crm_import_bulk_insert' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_bulk_insert(regclass, text[], text) IS
	'Internal: INSERT INTO target (columns) query, written like COPY (batched heap inserts); the plain INSERT where triggers, row security or generated columns need it';

-- Internal: the characters a run trims from values, and which alone make a value blank.
-- Spreadsheets leave tabs, no-break spaces and zero-width characters in cells that look
-- empty; btrim's default (spaces only) let such a cell overwrite a contact's value.
CREATE FUNCTION crm_import_blank_chars() RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT E' \t\n\r\x0B\f' || CASE WHEN pg_catalog.getdatabaseencoding() = 'UTF8'
		-- NO-BREAK SPACE, OGHAM SPACE MARK, EN QUAD .. HAIR SPACE, ZERO WIDTH SPACE, LINE and
		-- PARAGRAPH SEPARATOR, NARROW NO-BREAK SPACE, MEDIUM MATHEMATICAL SPACE, IDEOGRAPHIC
		-- SPACE, ZERO WIDTH NO-BREAK SPACE (BOM)
		THEN (SELECT pg_catalog.string_agg(pg_catalog.chr(c), '') FROM pg_catalog.unnest(ARRAY[160, 5760, 8192, 8193, 8194, 8195,
			8196, 8197, 8198, 8199, 8200, 8201, 8202, 8203, 8232, 8233, 8239, 8287, 12288, 65279]) c)
		ELSE '' END
$$;
COMMENT ON FUNCTION crm_import_blank_chars() IS 'Internal: whitespace a run trims from values (ASCII whitespace; in UTF-8 databases also no-break, zero-width and other Unicode spaces)';

-- Internal: a text field's value, nullif(btrim(value, crm_import_blank_chars()), '') in C.
CREATE FUNCTION crm_import_trim_blank(value text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_trim_blank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_trim_blank(text) IS
	'Internal: value without the blanks of crm_import_blank_chars() at either end, NULL when nothing is left (nullif(btrim(value, crm_import_blank_chars()), ''''))';

-- Internal: the SQL expression that normalizes a staged field (SQL reference ref) for a field
-- type ('birthday' for the birthday field); region_sql is an SQL expression giving the
-- region of phone numbers (a row's country can decide it), date_order the order of dates.
CREATE FUNCTION crm_import_norm_expr(field_type text, ref text, region_sql text, opt_in text[], opt_out text[],
	date_order text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE field_type
		WHEN 'text' THEN pg_catalog.format('@extschema@.crm_import_trim_blank(%s)', ref)
		WHEN 'email' THEN pg_catalog.format('@extschema@.crm_import_norm_email(%s)', ref)
		WHEN 'phone' THEN pg_catalog.format('@extschema@.crm_import_norm_phone(%s, %s)', ref, region_sql)
		WHEN 'date' THEN pg_catalog.format('(@extschema@.crm_import_norm_date(%s, %L::text))::date', ref, date_order)
		WHEN 'birthday' THEN pg_catalog.format('(@extschema@.crm_import_norm_birthday(%s, %L::text))::date', ref, date_order)
		WHEN 'number' THEN pg_catalog.format('(@extschema@.crm_import_norm_number(%s))::numeric', ref)
		WHEN 'boolean' THEN pg_catalog.format('@extschema@.crm_import_norm_boolean(%s)', ref)
		WHEN 'id' THEN pg_catalog.format('CASE WHEN pg_catalog.btrim(%s, %L) ~ ''^[0-9]{1,18}$'' THEN (pg_catalog.btrim(%s, %L))::bigint END',
			ref, @extschema@.crm_import_blank_chars(), ref, @extschema@.crm_import_blank_chars())
		WHEN 'consent' THEN pg_catalog.format('@extschema@.crm_import_norm_consent(%s, %L::text[], %L::text[])', ref, opt_in, opt_out)
	END
$$;
COMMENT ON FUNCTION crm_import_norm_expr(text, text, text, text[], text[], text) IS 'Internal: SQL expression normalizing a staged field for a field type (region an SQL expression, dates in date_order)';

-- Internal: a value as a reject reason quotes it: at most 100 characters, then "...". A
-- whole 1 MB cell in every reason of crm_import_results helps nobody.
CREATE FUNCTION crm_import_cut(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN pg_catalog.length(value) > 100 THEN pg_catalog.left(value, 100) || '...' ELSE value END $$;
COMMENT ON FUNCTION crm_import_cut(text) IS 'Internal: a value cut to 100 characters (then "...") for reject reasons';

-- Internal: the SQL expression giving the reject reason of a value that did not normalize.
CREATE FUNCTION crm_import_reason_expr(field_type text, label text, c integer, column_name text, region_sql text,
	opt_in text[], opt_out text[], date_order text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN field_type = ANY (ARRAY['email', 'phone', 'date', 'birthday', 'number', 'boolean']) THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s), @extschema@.crm_import_problem(%L::text, x.r%s, %s, %L::text))',
				-- label and column name become part of a format string: their % doubled.
				pg_catalog.format('invalid %s %%L in column %s "%s": %%s', replace(label, '%', '%%'), c, replace(column_name, '%', '%%')),
				c, field_type, c, region_sql, coalesce(date_order, 'DMY'))
		WHEN field_type = 'id' THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s), CASE WHEN x.r%s ~ ''^\s*[0-9]+\s*$'' '
				'THEN ''too many digits (at most 18)'' ELSE ''not a whole number'' END)',
				pg_catalog.format('invalid system ID %%L in column %s "%s": %%s', c, replace(column_name, '%', '%%')), c, c)
		WHEN field_type = 'consent' THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s))',
				pg_catalog.format('unknown %s value %%L in column %s "%s": opt-in terms are %s; opt-out terms are %s',
					replace(label, '%', '%%'), c, replace(column_name, '%', '%%'), replace(array_to_string(opt_in, ', '), '%', '%%'),
					replace(array_to_string(opt_out, ', '), '%', '%%')), c)
	END
$$;
COMMENT ON FUNCTION crm_import_reason_expr(text, text, integer, text, text, text[], text[], text) IS 'Internal: SQL expression for the reject reason of a column value that does not normalize';

-- Internal: reports a finished run phase as a NOTICE (when crm_import.progress_rows > 0)
-- and returns the time the next phase starts.
CREATE FUNCTION crm_import_phase_done(import bigint, phase text, started timestamptz, detail text DEFAULT NULL,
	next_phase text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.crm_import_progress_phase(coalesce(next_phase, 'finishing'));
	PERFORM @extschema@.crm_import_report_phase(import, phase || ' done, '
		|| coalesce(next_phase, 'finishing'));
	IF coalesce(nullif(current_setting('crm_import.progress_rows', true), ''), '0')::integer > 0 THEN
		RAISE NOTICE '%', @extschema@.crm_import_run_activity(import, pg_catalog.format('%s done in %s ms%s', phase,
			round((extract(epoch FROM clock_timestamp() - started) * 1000)::numeric),
			coalesce(' (' || detail || ')', '')));
	END IF;
	RETURN clock_timestamp();
END
$$;
CREATE FUNCTION crm_import_report_phase(import bigint, phase text) RETURNS void
	AS 'MODULE_PATHNAME', 'crm_import_report_phase' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_report_phase(bigint, text) IS
	'Internal: shows "crm_import run N: phase" as the backend''s query in pg_stat_activity (read by crm_import_progress)';
-- The text a running import shows in pg_stat_activity is made and read by these only.
CREATE FUNCTION crm_import_run_activity(import bigint, text text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_run_activity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_run_activity(bigint, text) IS 'Internal: "crm_import run N: text", the form of a run''s activity and progress messages';
CREATE FUNCTION crm_import_run_activity_part(query text, part text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_run_activity_part' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_run_activity_part(text, text) IS 'Internal: of a query text "crm_import run N: phase", N (part import) or the phase (part phase); else NULL';
COMMENT ON FUNCTION crm_import_phase_done(bigint, text, timestamptz, text, text) IS 'Internal: reports a finished run phase in pg_stat_activity, and as a NOTICE with its duration when crm_import.progress_rows > 0';

-- Internal: the region of a row's phone numbers from its country cell: an ISO 3166 code
-- libphonenumber knows, or the English or Norwegian name of a common country; NULL otherwise
-- (the import's region applies). C (src/core/phone_region.cpp): called for every row.
CREATE FUNCTION crm_import_country_region(country text)
RETURNS text
AS 'MODULE_PATHNAME', 'crm_import_country_region' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_country_region(text) IS
	'Internal: the phone region a country cell names (ISO 3166 code libphonenumber knows, or a common country''s English or Norwegian name), or NULL';

-- Internal: a row's phone number read in its country's region, else in the import's; and
-- the notes on the row about it (read in the import's region because it is not valid in
-- the row's country, an extension left out, no mobile number in the mobile field), from the
-- same parse (src/core/phone_region.cpp).
CREATE FUNCTION crm_import_norm_phone_for_row(value text, country text, region text)
RETURNS text
AS 'MODULE_PATHNAME', 'crm_import_norm_phone_for_row' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION crm_import_norm_phone_for_row(text, text, text) IS
	'Internal: a row''s phone number in E.164, read in the region its country cell names, else (or when not valid there) in region; NULL when not valid';
CREATE FUNCTION crm_import_phone_row_notes(value text, country text, region text, label text, column_no integer,
	mobile_field boolean)
RETURNS text
AS 'MODULE_PATHNAME', 'crm_import_phone_row_notes' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION crm_import_phone_row_notes(text, text, text, text, integer, boolean) IS
	'Internal: the notes on a row about the phone number crm_import_norm_phone_for_row read with the same arguments (read in the import''s region, an extension left out, no mobile number in the mobile field); NULL when none';

-- Internal: the SQL reference to field c of a staged row aliased s as the run reads it: a
-- placeholder of the import's null_values (trimmed, case-insensitive) reads as NULL, a blank
-- cell. Without null_values it is the plain column reference: the run costs nothing more.
CREATE FUNCTION crm_import_cell_ref(job @extschema@.crm_imports, c integer)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN pg_catalog.cardinality(job.null_values) > 0
		THEN pg_catalog.format('CASE WHEN pg_catalog.lower(pg_catalog.btrim(%1$s, %2$L)) = ANY (%3$L::text[]) THEN NULL ELSE %1$s END',
			@extschema@.crm_import_field_ref(job, c), @extschema@.crm_import_blank_chars(),
			ARRAY(SELECT DISTINCT pg_catalog.lower(v) FROM pg_catalog.unnest(job.null_values) v ORDER BY 1))
		ELSE @extschema@.crm_import_field_ref(job, c) END
$$;
COMMENT ON FUNCTION crm_import_cell_ref(crm_imports, integer) IS
	'Internal: SQL reference to field c of a staged row aliased s, a placeholder of the import''s null_values read as NULL';

-- Internal: the date order of each date column of an import (the birthday and custom date
-- fields): the import's date_order when set ("set"); else detected from the column's staged
-- values (the distinct non-blank values of the first 20,000 data rows, at most 10,000);
-- undecided, from the region. A contradictory column has no order: crm_import_check reports
-- it. Detection reads the staging table, whose rows never change: its verdict is kept for the
-- session (crm_import_cache.date_orders, keyed by staging table, header setting and column),
-- so the check and every phase of a run read the table once.
CREATE FUNCTION crm_import_date_orders(job @extschema@.crm_imports)
RETURNS TABLE (c integer, field text, date_order text, verdict text, reason text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m record;
	d jsonb;
	key text;
	cache jsonb;
	region text := @extschema@.crm_import_region(job);
	staged boolean := job.staging_table IS NOT NULL AND pg_catalog.to_regclass(job.staging_table) IS NOT NULL;
BEGIN
	FOR m IN SELECT mp.column_no, f.name FROM @extschema@.crm_import_mappings mp
			JOIN @extschema@.crm_fields f ON f.name = mp.field
			WHERE mp.import_id = job.id AND f.type = 'date' ORDER BY mp.column_no LOOP
		c := m.column_no; field := m.name;
		IF job.date_order IS NOT NULL THEN
			date_order := job.date_order; verdict := 'set'; reason := 'set';
			RETURN NEXT;
			CONTINUE;
		END IF;
		d := NULL;
		IF staged THEN
			key := pg_catalog.format('%s:%s:%s:%s', job.staging_table, @extschema@.crm_import_first_data_record(job), m.column_no, job.null_values);
			cache := coalesce(nullif(current_setting('crm_import_cache.date_orders', true), ''), '{}')::jsonb;
			d := cache -> key;
			IF d IS NULL THEN
				EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(o) FROM @extschema@.crm_import_detect_date_order(ARRAY('
					'SELECT DISTINCT q.v FROM (SELECT pg_catalog.btrim(%s, %L) AS v FROM %s s WHERE s.record_no > %s LIMIT 20000) q '
					'WHERE q.v <> '''' LIMIT 10000)) o',
					@extschema@.crm_import_cell_ref(job, m.column_no), @extschema@.crm_import_blank_chars(), job.staging_table,
					@extschema@.crm_import_first_data_record(job) - 1) INTO d;
				PERFORM pg_catalog.set_config('crm_import_cache.date_orders', (cache || pg_catalog.jsonb_build_object(key, d))::text, false);
			END IF;
		END IF;
		IF d ->> 'verdict' = 'decided' THEN
			date_order := d ->> 'date_order'; verdict := 'detected'; reason := 'detected: ' || (d ->> 'reason');
		ELSIF d ->> 'verdict' = 'contradictory' THEN
			date_order := NULL; verdict := 'contradictory'; reason := d ->> 'reason';
		ELSE
			date_order := @extschema@.crm_import_region_date_order(region);
			-- undecided: numeric dates that never say (no day above 12); region: no dates to
			-- read, or only forms every order reads alike (2024-10-09, 09 Oct 2024).
			verdict := CASE WHEN d ->> 'verdict' = 'undecided' AND d ->> 'reason' LIKE 'undecided: no day above 12%'
				THEN 'undecided' ELSE 'region' END;
			reason := 'region ' || region;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION crm_import_date_orders(crm_imports) IS
	'Internal: each date column''s date order and why: set on the import, detected from its values, or from the region; contradictory columns have none';

-- Internal: the whole set-based import. Runs inside crm_import_run's subtransaction, so any
-- error undoes every contact change. Work tables live in crm_import_staging and are dropped.
-- Internal: the columns a run writes, from the mapping joined with the fields, each with
-- the SQL that reads it from the staged row (ref), normalizes it (norm), explains a value
-- that does not normalize (reason), and gives the value in the work table (value); then
-- the consent set for the whole import. kind: 'contact' (a column of crm_contacts),
-- 'consent' (a consent column of crm_contacts), 'system_id' (the match key only) or
-- 'custom' (a key of crm_contacts.custom). Every phase builds its SQL from these rows.
-- Phone numbers are read in the region of the row's country when a country column is
-- mapped (crm_import_country_region), else in the import's region; dates in their column's
-- date order (crm_import_date_orders).
CREATE FUNCTION crm_import_run_columns(job @extschema@.crm_imports)
RETURNS TABLE (c integer, name text, kind text, ref text, norm text, reason text, value text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	WITH settings AS (
		SELECT @extschema@.crm_import_terms(job) AS terms,
			@extschema@.crm_import_column_names(job) AS names,
			@extschema@.crm_import_region(job) AS region,
			(SELECT m.column_no FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field = 'country') AS country_c
	), orders AS (
		SELECT d.c, d.date_order FROM @extschema@.crm_import_date_orders(job) d
	), mapped AS (
		SELECT m.column_no AS c, f.name, f.label,
			CASE WHEN f.name = 'birthday' THEN 'birthday' ELSE f.type END AS type, f.custom,
			@extschema@.crm_import_cell_ref(job, m.column_no) AS ref,
			@extschema@.crm_import_terms(s.terms, f.name, 'opt_in') AS opt_in,
			@extschema@.crm_import_terms(s.terms, f.name, 'opt_out') AS opt_out,
			s.names[m.column_no] AS column_name,
			CASE WHEN s.country_c IS NOT NULL THEN @extschema@.crm_import_cell_ref(job, s.country_c) END AS country_ref,
			CASE WHEN s.country_c IS NULL THEN pg_catalog.format('%L::text', s.region)
				ELSE pg_catalog.format('coalesce(@extschema@.crm_import_country_region(x.r%s), %L::text)', s.country_c, s.region)
				END AS region_reason,
			o.date_order, s.region
		FROM @extschema@.crm_import_mappings m JOIN @extschema@.crm_fields f ON f.name = m.field
		CROSS JOIN settings s LEFT JOIN orders o ON o.c = m.column_no
		WHERE m.import_id = job.id
	)
	SELECT x.c, x.name,
		CASE WHEN x.custom THEN 'custom' WHEN x.type = 'id' THEN 'system_id' WHEN x.type = 'consent' THEN 'consent'
			ELSE 'contact' END,
		x.ref, CASE WHEN x.type = 'phone'
			-- Read in the row's country's region; a number not valid there is read in the
			-- import's region (crm_import_run_normalize notes it on the row, and the type of
			-- a mobile number, from the same parse).
			THEN pg_catalog.format('@extschema@.crm_import_norm_phone_for_row(%s, %s, %L::text)', x.ref,
				coalesce(x.country_ref, 'NULL::text'), x.region)
			ELSE @extschema@.crm_import_norm_expr(x.type, x.ref, pg_catalog.format('%L::text', x.region), x.opt_in, x.opt_out, x.date_order) END,
		CASE WHEN x.type <> 'text' THEN @extschema@.crm_import_reason_expr(x.type,
			-- "email address", "mobile number", but "SMS marketing status"
			CASE WHEN x.label ~ '^[A-Z]{2}' THEN x.label ELSE lower(left(x.label, 1)) || substr(x.label, 2) END,
			x.c, x.column_name, x.region_reason, x.opt_in, x.opt_out, x.date_order) END,
		'x.n' || x.c
	FROM mapped x
	UNION ALL
	SELECT NULL, v.name, 'consent', NULL, NULL, NULL, format('%L::boolean', v.value)
	FROM (VALUES (1, 'email_marketing', job.email_consent_value), (2, 'sms_marketing', job.sms_consent_value)) v(o, name, value)
	WHERE v.value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mapped x WHERE x.name = v.name)
	ORDER BY 1 NULLS LAST, 2
$$;
COMMENT ON FUNCTION crm_import_run_columns(crm_imports) IS
	'Internal: the columns a run writes (mapped columns and import-wide consent) with the SQL that reads, normalizes and explains each';

-- Internal: phase 1, normalize. One pass over the staged rows builds the work table w: each
-- row's typed values (named after their fields; custom ones in one jsonb), its reject reason
-- (every problem of the row, '; '-joined) and its notes (values left out under
-- invalid_values => 'skip_value').
CREATE FUNCTION crm_import_run_normalize(job @extschema@.crm_imports, w text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	hdr integer := @extschema@.crm_import_first_data_record(job) - 1;  -- records before the first data row
	blanks text := @extschema@.crm_import_blank_chars();
	skip boolean := job.invalid_values = 'skip_value';
	inner_cols text;
	reasons text;     -- ARRAY elements: a problem that rejects the row, or NULL
	notes text;       -- ARRAY elements: a value left out, or NULL
	all_blank text;   -- every mapped column of the row is blank
	any_problem text; -- some value of the row does not normalize: only then are reasons and notes built
	outer_cols text;
	custom_expr text;
	key_cols integer[];
	no_key text;
	phone_notes text;
	phone_test text;  -- a row whose phone notes may say something
	phone_cols text;  -- the inner pass's phone note columns
	region text := @extschema@.crm_import_region(job);
	bad_count text;   -- the row's field count rejects it (short_rows; a non-empty field past the header's)
	extra_filled text; -- a row with more fields than the header has a non-empty one among them
BEGIN
	SELECT array_agg(k.c) INTO key_cols FROM @extschema@.crm_import_run_columns(job) k
		WHERE k.c IS NOT NULL AND k.name = ANY (ARRAY[job.primary_key, job.secondary_key]);
	SELECT string_agg(format(', %s AS r%s, %s AS n%s', k.ref, k.c, k.norm, k.c), '') FILTER (WHERE k.c IS NOT NULL),
		-- The cheap test first: btrim only runs for the values that did not normalize.
		string_agg(format(', CASE WHEN x.n%s IS NULL AND pg_catalog.btrim(x.r%s, %L) <> '''' THEN %s END', k.c, k.c,
			blanks, k.reason), '') FILTER (WHERE k.reason IS NOT NULL AND NOT (skip AND k.c <> ALL (coalesce(key_cols, '{}')))),
		string_agg(format(', CASE WHEN x.n%s IS NULL AND pg_catalog.btrim(x.r%s, %L) <> '''' THEN ''left out: '' || %s END', k.c, k.c,
			blanks, k.reason), '') FILTER (WHERE k.reason IS NOT NULL AND skip AND k.c <> ALL (coalesce(key_cols, '{}'))),
		string_agg(format(' AND x.n%s IS NULL', k.c), '') FILTER (WHERE k.c IS NOT NULL),
		string_agg(format(' OR (x.n%s IS NULL AND pg_catalog.btrim(x.r%s, %L) <> '''')', k.c, k.c, blanks), '')
			FILTER (WHERE k.reason IS NOT NULL),
		string_agg(format(', %s AS %I', k.value, k.name), '') FILTER (WHERE k.kind <> 'custom')
	INTO inner_cols, reasons, notes, all_blank, any_problem, outer_cols
	FROM @extschema@.crm_import_run_columns(job) k;
	-- jsonb_build_object takes at most 50 pairs per call.
	SELECT string_agg(format('pg_catalog.jsonb_build_object(%s)', pairs), ' || ') INTO custom_expr
	FROM (SELECT string_agg(format('%L, %s', k.name, k.value), ', ') AS pairs
		  FROM @extschema@.crm_import_run_columns(job) WITH ORDINALITY AS k(c, name, kind, ref, norm, reason, value, i)
		  WHERE k.kind = 'custom'
		  GROUP BY (k.i - 1) / 50) q;
	IF custom_expr IS NOT NULL THEN
		outer_cols := coalesce(outer_cols, '') || format(', nullif(pg_catalog.jsonb_strip_nulls(%s), ''{}'') AS custom', custom_expr);
	END IF;
	-- What the row's phone numbers say beside their value: read in the import's region
	-- because not valid in the row's country, an extension left out, a fixed-line number in
	-- the mobile field. One call per number in the inner pass, right after the call that read
	-- it (whose parse it reuses): most rows have no note, and the test is then one IS NULL.
	SELECT string_agg(format(', @extschema@.crm_import_phone_row_notes(%s, %s, %L::text, %L::text, %s, %L::boolean) AS pn%s',
			@extschema@.crm_import_cell_ref(job, m.column_no),
			CASE WHEN cm.column_no IS NULL THEN 'NULL::text' ELSE @extschema@.crm_import_cell_ref(job, cm.column_no) END,
			region, lower(left(f.label, 1)) || substr(f.label, 2), m.column_no, m.field = 'mobile', m.column_no), '' ORDER BY m.column_no),
		string_agg(format(', x.pn%s', m.column_no), '' ORDER BY m.column_no),
		string_agg(format(' OR x.pn%s IS NOT NULL', m.column_no), '' ORDER BY m.column_no)
	INTO phone_cols, phone_notes, phone_test
	FROM @extschema@.crm_import_mappings m JOIN @extschema@.crm_fields f ON f.name = m.field
	LEFT JOIN @extschema@.crm_import_mappings cm ON cm.import_id = job.id AND cm.field = 'country'
	WHERE m.import_id = job.id AND f.type = 'phone';
	inner_cols := coalesce(inner_cols, '') || coalesce(phone_cols, '');
	notes := coalesce(notes, '') || coalesce(phone_notes, '');
	-- Field counts (issue 14): a short row (an Outlook export ends a row at its last non-empty
	-- field) is padded with blank fields under short_rows => 'pad' and noted, or rejected; a
	-- longer row is rejected only when a field past the header's is not blank. The extra
	-- fields are only looked at for rows that have them. A file whose records all have the
	-- header's field count (ragged_records = 0, counted at upload) gets today's plain test:
	-- no per-row work at all, and a row that should not be there is still rejected.
	IF job.ragged_records = 0 THEN
		extra_filled := 'NULL::boolean';
		bad_count := format('x.nf <> %s', job.column_count);
	ELSE
		extra_filled := format('CASE WHEN s.nfields > %s THEN EXISTS (SELECT FROM pg_catalog.unnest((%s)[%s:s.nfields]) v '
			'WHERE pg_catalog.btrim(v, %L) <> '''') END', job.column_count, @extschema@.crm_import_fields_expr(job),
			job.column_count + 1, blanks);
		bad_count := CASE WHEN job.short_rows = 'reject' THEN format('x.nf <> %s AND (x.nf < %s OR x.xf)', job.column_count, job.column_count)
			ELSE format('x.nf > %s AND x.xf', job.column_count) END;
		notes := notes || format(', CASE WHEN x.nf < %1$s THEN pg_catalog.format(%2$L, x.nf) WHEN x.nf > %1$s '
			'THEN pg_catalog.format(%3$L, x.nf) END', job.column_count,
			format('row has %%s of %s fields; the missing ones are blank', job.column_count),
			format('row has %%s fields, the header %s; the extra ones are empty', job.column_count));
		phone_test := coalesce(phone_test, '') || format(' OR x.nf <> %s', job.column_count);
	END IF;
	-- rows_without_key => 'reject': a row whose key cells are all blank is rejected.
	IF job.rows_without_key = 'reject' AND job.primary_key <> 'none' AND key_cols IS NOT NULL THEN
		SELECT format(', CASE WHEN %s AND NOT (true%s) THEN %L END',
			string_agg(format('pg_catalog.btrim(coalesce(x.r%s, ''''), %L) = ''''', kc, blanks), ' AND '), coalesce(all_blank, ''),
			'no ' || replace(job.primary_key, 'system_id', 'system ID')
				|| coalesce(' or ' || replace(job.secondary_key, 'system_id', 'system ID'), '')
				|| ' to match on (rows_without_key is reject)')
		INTO no_key FROM unnest(key_cols) kc;
	END IF;

	-- The normalizers are parallel safe: let the one pass over the staged rows use workers
	-- (the staging table is analyzed so the planner knows its size). Later steps aggregate
	-- in input order, so parallelism is off again after it.
	-- The subquery computes each normalized value once, for the reason and for the output
	-- column: a volatile but parallel-safe column keeps the planner from flattening it into
	-- two calls per value. (OFFSET 0 did that too, but its Limit node kept the reasons in
	-- the leader and shipped 570-byte rows from the workers.)
	-- Staging and work tables are analyzed on the columns later statements join and filter
	-- on only: full statistics of a dozen text columns took 0.1-0.2 s per table.
	-- The reason lists every problem of the row (array_to_string leaves out the NULLs); a
	-- row with nothing to import (every imported column blank, or left out) is rejected.
	-- The middle level has a fence too: the outer one reads its reason, notes and empty
	-- twice each, and flattened they were computed twice per row (0.7 s per million rows).
	-- (x.* passes the inner level's fence through, which does not keep the middle apart.)
	EXECUTE 'ANALYZE ' || job.staging_table || ' (record_no)';
	PERFORM set_config('max_parallel_workers_per_gather', '2', true);
	EXECUTE format(
		'CREATE UNLOGGED TABLE %s WITH (autovacuum_enabled = false) AS '
		'SELECT x.row_no, x.line_no, coalesce(nullif(x.reason, ''''), CASE WHEN x.empty THEN '
		'  CASE WHEN x.notes <> '''' THEN ''nothing left to import: '' || x.notes ELSE ''empty row: every imported column is blank'' END END) AS reason, '
		'  CASE WHEN nullif(x.reason, '''') IS NULL AND NOT x.empty THEN nullif(x.notes, '''') END AS notes%s '
		'FROM (SELECT x.*, CASE WHEN %s THEN pg_catalog.format(''wrong field count: %%s fields, expected %%s'', x.nf, %s) '
		'  WHEN false%s THEN pg_catalog.array_to_string(ARRAY[NULL::text%s%s], ''; '') END AS reason, '
		'  CASE WHEN false%s THEN pg_catalog.array_to_string(ARRAY[NULL::text%s], ''; '') END AS notes, '
		'  (NOT (%s) %s) AS empty, pg_catalog.clock_timestamp() AS fence2 '
		'FROM (SELECT s.record_no - %s AS row_no, s.line_no, s.nfields AS nf, %s AS xf%s, '
		'      pg_catalog.clock_timestamp() AS fence '
		'      FROM %s s WHERE s.record_no > %s) x) x',
		w, coalesce(outer_cols, ''), bad_count, job.column_count,
		-- Most rows have no problem: one cheap test instead of building arrays for each.
		coalesce(any_problem, '') || CASE WHEN no_key IS NOT NULL THEN ' OR true' ELSE '' END,
		coalesce(reasons, ''), coalesce(no_key, ''),
		coalesce(any_problem, '') || coalesce(phone_test, ''), coalesce(notes, ''),
		bad_count, coalesce(all_blank, 'AND false'),
		hdr, extra_filled, coalesce(inner_cols, ''), job.staging_table, hdr);
	EXECUTE 'ANALYZE ' || w || ' (row_no, reason)';
	PERFORM set_config('max_parallel_workers_per_gather', '0', true);
END
$$;
COMMENT ON FUNCTION crm_import_run_normalize(crm_imports, text) IS
	'Internal: run phase 1, normalize: the work table of typed values, reject reason (every problem of the row) and notes (values left out) of every data row';

-- Internal: phase 2, dedupe and match. Rows sharing a primary-key value form one unit; each
-- unit matches an existing contact on the primary key, else on the secondary key; new units
-- sharing a secondary value found one new contact together. Computed in memory by
-- crm_import_plan_matches (src/core/match_plan.hpp) into p || 'rt': every row with its
-- unit, target (an existing contact id > 0, or minus the unit that founds a new contact),
-- matched_by or reject reason, its target's lead row and row count and the contact id.
-- Returns the number of rejected rows.
CREATE FUNCTION crm_import_run_plan(job @extschema@.crm_imports, p text, dry_run boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rejected_rows bigint;
BEGIN
	IF job.primary_key <> 'none' AND NOT dry_run THEN
		-- Serializes the match-and-merge of concurrent imports (readers are not blocked), so
		-- two imports never both create a contact for one key value.
		LOCK TABLE @extschema@.crm_contacts IN SHARE ROW EXCLUSIVE MODE;
	END IF;
	EXECUTE format('CREATE UNLOGGED TABLE %srt (LIKE %srows, unit integer, tgt bigint, matched_by text, '
		'reject_reason text, lead_row integer, n bigint, contact_id bigint) WITH (autovacuum_enabled = false)', p, p);
	-- Every argument of an extension function called here has the exact declared type, so
	-- no overload anyone could add to the extension's schema is a better match (see also
	-- crm_import_verify_schema).
	PERFORM @extschema@.crm_import_plan_matches((p || 'rows')::regclass, (p || 'rt')::regclass,
		'@extschema@.crm_contacts'::regclass, job.primary_key::text, job.secondary_key::text,
		(CASE WHEN NOT dry_run THEN pg_get_serial_sequence('@extschema@.crm_contacts', 'id') END)::regclass);
	EXECUTE 'ANALYZE ' || p || 'rt (row_no, reason, tgt, n)';
	EXECUTE format('SELECT count(*) FROM %srt rt WHERE rt.reason IS NOT NULL OR rt.reject_reason IS NOT NULL', p)
		INTO rejected_rows;
	RETURN rejected_rows;
END
$$;
COMMENT ON FUNCTION crm_import_run_plan(crm_imports, text, boolean) IS
	'Internal: run phase 2, dedupe and match (locks the contacts for a real run); returns the rejected rows';

-- Internal: max_errors, checked before anything is written. A dry run only warns, so its row
-- results show which rows would be rejected.
CREATE FUNCTION crm_import_check_max_errors(job @extschema@.crm_imports, rejected_rows bigint, dry_run boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	data_rows bigint := @extschema@.crm_import_data_rows(job);
	max_rejected bigint;
BEGIN
	IF job.max_errors IS NULL THEN
		RETURN;
	END IF;
	-- 1.5 allows 1, as 20% of 9 allows 1; a limit above the row count is the row count
	-- (so '99999999999999999999' or '1000000%' cannot overflow bigint).
	max_rejected := least(data_rows::numeric, CASE WHEN job.max_errors LIKE '%\%' THEN
			floor(data_rows * (rtrim(job.max_errors, '%'))::numeric / 100)
		ELSE floor((job.max_errors)::numeric) END)::bigint;
	IF rejected_rows > max_rejected AND dry_run THEN
		RAISE WARNING 'import % would fail: too many rejected rows: % of % (max_errors %)', job.id, rejected_rows,
			data_rows, job.max_errors
			USING HINT = format('SELECT * FROM crm_import_results(%s) WHERE outcome = ''rejected'' lists them.', job.id);
	ELSIF rejected_rows > max_rejected THEN
		RAISE EXCEPTION 'too many rejected rows: % of % (max_errors %)', rejected_rows, data_rows, job.max_errors
			USING ERRCODE = 'data_exception',
			HINT = format('Run with dry_run => true and read crm_import_results(%s) for the reasons; fix the file, or raise the limit with crm_import_set_options(%s, max_errors => ...).', job.id, job.id);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_check_max_errors(crm_imports, bigint, boolean) IS
	'Internal: fails the run (warns in a dry run) when more rows are rejected than max_errors allows';

-- Internal: a run that would reject every data row fails, whatever max_errors says: an import
-- that imports nothing is no success. The reasons are summarized (the most frequent first).
-- A dry run only warns.
CREATE FUNCTION crm_import_check_all_rejected(job @extschema@.crm_imports, p text, rejected_rows bigint, dry_run boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	data_rows bigint := @extschema@.crm_import_data_rows(job);
	summary text;
	value_rejects boolean;  -- some row was rejected for a value it could not read
	short_rejects boolean;  -- some row was rejected for having fewer fields than the header
	region_rejects bigint;  -- rows rejected for a phone number not valid in the import's region
	consent_field text;     -- the consent field most rows were rejected for (unknown status words)
BEGIN
	IF data_rows = 0 OR rejected_rows < data_rows THEN
		RETURN;
	END IF;
	-- The reasons with their quoted values masked, counted; one example each.
	EXECUTE format('SELECT string_agg(pg_catalog.format(''%%s row%%s: %%s'', q.n, CASE WHEN q.n > 1 THEN ''s'' ELSE '''' END, q.example), '
		'''; '' ORDER BY q.n DESC, q.example) '
		'FROM (SELECT min(e.why) AS example, count(*) AS n '
		'  FROM (SELECT coalesce(rt.reason, rt.reject_reason) AS why FROM %srt rt) e '
		'  GROUP BY pg_catalog.regexp_replace(e.why, ''''''[^'''']*'''''', '''''''', ''g'') ORDER BY 2 DESC, 1 LIMIT 5) q', p) INTO summary;
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %srt rt WHERE rt.reason IS NOT NULL AND rt.reason !~ ''^(wrong field count|empty row|no .* to match on)'')', p)
		INTO value_rejects;
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %srt rt WHERE rt.reason LIKE ''wrong field count: %%'' '
		'AND (pg_catalog.regexp_match(rt.reason, ''^wrong field count: (\d+) fields''))[1]::integer < %s)', p, job.column_count)
		INTO short_rejects;
	-- One pass counts the rows rejected for a phone number of another region and for a status
	-- word the consent terms do not know (a Mailchimp status column: subscribed, unsubscribed;
	-- the fix is the terms, not leaving the value out).
	EXECUTE format('SELECT count(*) FILTER (WHERE rt.reason LIKE %L), '
		'CASE WHEN count(*) FILTER (WHERE rt.reason LIKE ''unknown email marketing status value %%'') * 2 > %s '
		'  AND count(*) FILTER (WHERE rt.reason LIKE ''unknown email marketing status value %%'') '
		'   >= count(*) FILTER (WHERE rt.reason LIKE ''unknown SMS marketing status value %%'') THEN ''email_marketing'' '
		'  WHEN count(*) FILTER (WHERE rt.reason LIKE ''unknown SMS marketing status value %%'') * 2 > %s THEN ''sms_marketing'' END '
		'FROM %srt rt',
		'%number%for region ' || @extschema@.crm_import_region(job) || '%', data_rows, data_rows, p) INTO region_rejects, consent_field;
	IF dry_run THEN
		RAISE WARNING 'import % would fail: no row could be imported (% of % rejected)', job.id, rejected_rows, data_rows
			USING DETAIL = 'Reasons: ' || summary || '.',
			HINT = format('SELECT * FROM crm_import_results(%s) WHERE outcome = ''rejected'' lists them.', job.id);
	ELSE
		RAISE EXCEPTION 'no row could be imported: all % data rows were rejected', data_rows
			USING ERRCODE = 'data_exception', DETAIL = 'Reasons: ' || summary || '.',
			HINT = format('Run with dry_run => true and read crm_import_results(%s) for the reasons; fix the file or the mapping%s.', job.id,
				CASE WHEN consent_field IS NOT NULL THEN format(', or, if the %s column says opted in and out in other words, have an admin add them '
					'(crm_import_set_consent_terms(%L, opt_in => ARRAY[...], opt_out => ARRAY[...]) with the terms in force and the new ones) '
					'and confirm compliance again so the import takes them: crm_import_accept_compliance(%s, true, true)', consent_field, consent_field, job.id)
				WHEN job.invalid_values = 'reject_row' AND value_rejects THEN format(', or set crm_import_set_options(%s, invalid_values => ''skip_value'') to import rows without the values that cannot be read', job.id) ELSE '' END
				|| CASE WHEN short_rejects THEN format(', or set crm_import_set_options(%s, short_rows => ''pad'') to read short rows with their missing trailing fields blank', job.id) ELSE '' END
				-- A file of another country's numbers: every reason says "for region NO".
				|| CASE WHEN region_rejects * 2 > data_rows THEN format(', or, if the phone numbers are of another country, read them in its region: crm_import_set_options(%s, default_region => ''US'') (its ISO code), or map a country column', job.id) ELSE '' END);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_check_all_rejected(crm_imports, text, bigint, boolean) IS
	'Internal: fails the run (warns in a dry run) when every data row is rejected, with a summary of the reasons';

-- Internal: phase 3, merge. The rows of each target in file order, the last non-blank value
-- of a field winning (p || 'merged'); then, for existing contacts, the new value of each
-- field under the master rule, whether anything changes, and where opted-out consent was
-- kept (p || 'existing'). For the undo, the old value of a field is kept only where that
-- field changes (o_<field>, NULL elsewhere; undo_mask says which fields changed, bit 0 for
-- custom, bit i for the i-th column), with the consent provenance and updated_at /
-- updated_by_import before: an unchanged field costs one null bit, so the table stays
-- narrow (less to write, to hash and to read back by the update and the row results).
CREATE FUNCTION crm_import_run_merge(job @extschema@.crm_imports, p text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	file_wins boolean := job.master = 'file';
	m_single text; m_multi text; sel_new text; sel_old text; kept_cols text; new_cols text;
	undo_mask text; undo_old text;
BEGIN
	SELECT string_agg(format(', w.%I', k.name), '' ORDER BY k.i),
		string_agg(format(', @extschema@.crm_import_last(w.%I) AS %I', k.name, k.name), '' ORDER BY k.i),
		string_agg(CASE
			-- Consent: never from opted out to opted in unless the import allows it.
			WHEN k.kind = 'consent' AND file_wins THEN format(
				', CASE WHEN m.%1$I IS NULL THEN c.%1$I WHEN c.%1$I IS FALSE AND m.%1$I AND NOT %2$L THEN false ELSE m.%1$I END AS %1$I'
				', (c.%1$I IS FALSE AND m.%1$I IS TRUE AND NOT %2$L AND true) AS %3$I', k.name, job.allow_reoptin, k.name || '_kept')
			-- Existing data is master: an opt-out is kept like any value, and said so as with master file.
			WHEN k.kind = 'consent' THEN format(', coalesce(c.%1$I, m.%1$I) AS %1$I, (c.%1$I IS FALSE AND m.%1$I IS TRUE AND true) AS %2$I',
				k.name, k.name || '_kept')
			WHEN file_wins THEN format(', coalesce(m.%1$I, c.%1$I) AS %1$I', k.name)
			ELSE format(', coalesce(c.%1$I, m.%1$I) AS %1$I', k.name) END, '' ORDER BY k.i),
		string_agg(format(', c.%I AS %I', k.name, 'o_' || k.name)
			|| CASE WHEN k.kind = 'consent' THEN format(', c.%I AS %I, c.%I AS %I', k.name || '_import', 'o_' || k.name || '_import',
				k.name || '_at', 'o_' || k.name || '_at') ELSE '' END, '' ORDER BY k.i),
		string_agg(format(', z.%I', k.name || '_kept'), '' ORDER BY k.i) FILTER (WHERE k.kind = 'consent'),
		string_agg(format(', z.%I', k.name), '' ORDER BY k.i),
		string_agg(format(' | CASE WHEN y.%I IS DISTINCT FROM y.%I THEN %s ELSE 0 END', 'o_' || k.name, k.name, 1 << k.i::integer), '' ORDER BY k.i),
		string_agg(format(', CASE WHEN z.undo_mask & %2$s <> 0 THEN z.%1$I END AS %1$I', 'o_' || k.name, 1 << k.i::integer)
			|| CASE WHEN k.kind = 'consent' THEN format(', CASE WHEN z.undo_mask & %3$s <> 0 THEN z.%1$I END AS %1$I'
				', CASE WHEN z.undo_mask & %3$s <> 0 THEN z.%2$I END AS %2$I',
				'o_' || k.name || '_import', 'o_' || k.name || '_at', 1 << k.i::integer) ELSE '' END, '' ORDER BY k.i)
	INTO m_single, m_multi, sel_new, sel_old, kept_cols, new_cols, undo_mask, undo_old
	FROM @extschema@.crm_import_run_columns(job) WITH ORDINALITY AS k(c, name, kind, ref, norm, reason, value, i)
	WHERE k.kind IN ('contact', 'consent');
	IF EXISTS (SELECT 1 FROM @extschema@.crm_import_run_columns(job) k WHERE k.kind = 'custom') THEN
		m_single := coalesce(m_single, '') || ', w.custom';
		m_multi := coalesce(m_multi, '') || ', @extschema@.crm_import_jsonb_merge(w.custom) AS custom';
		sel_new := coalesce(sel_new, '') || CASE WHEN file_wins THEN ', c.custom || coalesce(m.custom, ''{}'') AS custom'
			ELSE ', coalesce(m.custom, ''{}'') || c.custom AS custom' END;
		sel_old := coalesce(sel_old, '') || ', c.custom AS o_custom';
		new_cols := coalesce(new_cols, '') || ', z.custom';
		undo_mask := coalesce(undo_mask, '') || ' | CASE WHEN y.o_custom IS DISTINCT FROM y.custom THEN 1 ELSE 0 END';
		undo_old := coalesce(undo_old, '') || ', CASE WHEN z.undo_mask & 1 <> 0 THEN z.o_custom END AS o_custom';
	END IF;
	-- Issue 15: the notes of rows that replace a value of an earlier row, from the same pass
	-- (crm_import_run_results reads them).
	IF @extschema@.crm_import_absorbed_call(job) IS NOT NULL THEN
		m_single := coalesce(m_single, '') || ', NULL::pg_catalog.text[] AS absorbed';
		m_multi := coalesce(m_multi, '') || @extschema@.crm_import_absorbed_call(job);
	END IF;
	-- Only targets with several rows are aggregated into a table; merged is a view that adds
	-- the single-row targets (most of them) straight from the plan table, so their values
	-- are not copied once more.
	EXECUTE format(
		'CREATE UNLOGGED TABLE %smerged_multi WITH (autovacuum_enabled = false) AS '
		'SELECT w.tgt, min(w.contact_id) AS contact_id, min(w.row_no) AS lead_row, count(*) AS n%s FROM ('
		'  SELECT * FROM %srt r WHERE r.n > 1 ORDER BY r.tgt, r.row_no) w GROUP BY w.tgt',
		p, coalesce(m_multi, ''), p);
	EXECUTE 'ANALYZE ' || p || 'merged_multi (tgt)';
	EXECUTE format(
		'CREATE VIEW %smerged AS '
		'SELECT w.tgt, w.contact_id, w.lead_row, w.n%s FROM %srt w WHERE w.n = 1 '
		'UNION ALL SELECT * FROM %smerged_multi',
		p, coalesce(m_single, ''), p, p);
	-- undo_mask is computed once per row in z (the volatile fence keeps the planner from
	-- pulling z up and evaluating it again for changed and for every old value).
	EXECUTE format(
		'CREATE UNLOGGED TABLE %sexisting WITH (autovacuum_enabled = false) AS '
		'SELECT z.id%s%s, z.undo_mask <> 0 AS changed, z.undo_mask%s, z.o_updated_at, z.o_updated_by_import FROM ('
		'  SELECT y.*, (0%s) AS undo_mask, pg_catalog.clock_timestamp() AS fence FROM ('
		'    SELECT c.id%s, c.updated_at AS o_updated_at, c.updated_by_import AS o_updated_by_import%s '
		'    FROM %smerged m JOIN @extschema@.crm_contacts c ON c.id = m.tgt '
		'    WHERE m.tgt > 0) y) z',
		p, coalesce(new_cols, ''), coalesce(kept_cols, ''), coalesce(undo_old, ''),
		coalesce(undo_mask, ''), coalesce(sel_old, ''), coalesce(sel_new, ''), p);
	EXECUTE 'ANALYZE ' || p || 'existing (id, changed)';
END
$$;
COMMENT ON FUNCTION crm_import_run_merge(crm_imports, text) IS
	'Internal: run phase 3, merge: rows merged per target in file order, and the new values of existing contacts under the master rule';

-- Internal: phase 4, write: update changed contacts, insert new ones (they already have
-- their ids: crm_import_plan_matches numbered them in file order), add every touched
-- contact to the list. Where consent changes, the import and time that set it are recorded.
-- What the update replaces is kept for crm_import_undo: one row per changed contact in
-- crm_import_undo_contacts with the value before and the value written of each changed field.
CREATE FUNCTION crm_import_run_write(job @extschema@.crm_imports, p text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	set_list text := '';
	ins_cols text[] := ARRAY['id', 'created_by_import', 'updated_by_import'];  -- columns a new contact gets
	ins_vals text := format('m.contact_id, %s, %s', job.id, job.id);
	provenance_cols text[] := '{}';
	provenance_vals text := '';
	email_mapped boolean := false;
	undo_cols text;
	undo_vals text;
	k record;
BEGIN
	FOR k IN SELECT * FROM @extschema@.crm_import_run_columns(job) WHERE kind IN ('contact', 'consent', 'custom') LOOP
		IF k.kind = 'custom' THEN
			CONTINUE WHEN 'custom' = ANY (ins_cols);
			set_list := set_list || ', custom = x.custom';
			ins_cols := ins_cols || 'custom'::text;
			ins_vals := ins_vals || ', coalesce(m.custom, ''{}'')';
			CONTINUE;
		END IF;
		set_list := set_list || format(', %1$I = x.%1$I', k.name);
		ins_cols := ins_cols || k.name;
		ins_vals := ins_vals || format(', m.%I', k.name);
		email_mapped := email_mapped OR k.name = 'email';
		IF k.kind = 'consent' THEN
			-- Where each contact's current consent came from.
			set_list := set_list || format(
				', %2$I = CASE WHEN x.%1$I IS DISTINCT FROM c.%1$I THEN %4$s ELSE c.%2$I END'
				', %3$I = CASE WHEN x.%1$I IS DISTINCT FROM c.%1$I THEN pg_catalog.now() ELSE c.%3$I END',
				k.name, k.name || '_import', k.name || '_at', job.id);
			provenance_cols := provenance_cols || ARRAY[k.name || '_import', k.name || '_at'];
			provenance_vals := provenance_vals || format(
				', CASE WHEN m.%1$I IS NOT NULL THEN %2$s END, CASE WHEN m.%1$I IS NOT NULL THEN pg_catalog.now() END', k.name, job.id);
		END IF;
	END LOOP;
	IF set_list <> '' THEN
		-- Undo data first, from the merge's old values of the changed fields (undo_mask bits as
		-- crm_import_run_merge numbers them): typed columns, NULL for what did not change.
		SELECT string_agg(format(', %I, %I', 'old_' || k2.name, 'new_' || k2.name)
				|| CASE WHEN k2.kind = 'consent' THEN format(', %I, %I', 'old_' || k2.name || '_import', 'old_' || k2.name || '_at') ELSE '' END,
				'' ORDER BY k2.i),
			string_agg(format(', x.%I, CASE WHEN x.undo_mask & %s <> 0 THEN x.%I END', 'o_' || k2.name, 1 << k2.i::integer, k2.name)
				|| CASE WHEN k2.kind = 'consent' THEN format(', x.%I, x.%I', 'o_' || k2.name || '_import', 'o_' || k2.name || '_at') ELSE '' END,
				'' ORDER BY k2.i)
		INTO undo_cols, undo_vals
		FROM @extschema@.crm_import_run_columns(job) WITH ORDINALITY AS k2(c, name, kind, ref, norm, reason, value, i)
		WHERE k2.kind IN ('contact', 'consent');
		IF 'custom' = ANY (ins_cols) THEN
			-- Key by key: the keys it changed, with their values before (where the contact had
			-- them) and the values it wrote.
			undo_cols := coalesce(undo_cols, '') || ', old_custom, new_custom';
			undo_vals := coalesce(undo_vals, '') || ', CASE WHEN x.undo_mask & 1 <> 0 THEN '
				'(SELECT pg_catalog.jsonb_object_agg(e.key, x.o_custom -> e.key) FILTER (WHERE x.o_custom ? e.key) '
				'FROM pg_catalog.jsonb_each(x.custom) e WHERE (x.o_custom -> e.key) IS DISTINCT FROM e.value) END'
				', CASE WHEN x.undo_mask & 1 <> 0 THEN (SELECT pg_catalog.jsonb_object_agg(e.key, e.value) '
				'FROM pg_catalog.jsonb_each(x.custom) e WHERE (x.o_custom -> e.key) IS DISTINCT FROM e.value) END';
		END IF;
		PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_import_undo_contacts'::regclass,
			('{import_id, contact_id, old_updated_at, old_updated_by_import' || coalesce(undo_cols, '') || '}')::text[],
			format('SELECT %s, x.id, x.o_updated_at, x.o_updated_by_import%s FROM %sexisting x WHERE x.changed ORDER BY x.id',
				job.id, coalesce(undo_vals, ''), p));
		EXECUTE format('UPDATE @extschema@.crm_contacts c SET updated_at = pg_catalog.now(), updated_by_import = %s%s '
			'FROM %sexisting x WHERE c.id = x.id AND x.changed', job.id, set_list, p);
	END IF;
	PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_contacts'::regclass, ins_cols || provenance_cols,
		format('SELECT %s%s FROM %smerged m WHERE m.tgt < 0%s', ins_vals, provenance_vals, p,
		-- In key order the email index takes its entries page by page instead of at random.
		CASE WHEN email_mapped THEN ' ORDER BY m.email COLLATE "C"' ELSE '' END));
	-- New contacts cannot be members yet: a plain insert; matched ones may already be. No
	-- ON CONFLICT (its speculative insertion doubles the WAL records): only imports write
	-- memberships, and those that match contacts hold the contacts lock.
	PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_list_members'::regclass, '{list_id, contact_id, added_by_import}'::text[],
		format('SELECT %s, m.contact_id, %s FROM %smerged m WHERE m.tgt < 0', job.list_id, job.id, p));
	PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_list_members'::regclass, '{list_id, contact_id, added_by_import}'::text[],
		format('SELECT %s, x.id, %s FROM %sexisting x WHERE NOT EXISTS (SELECT 1 FROM @extschema@.crm_list_members lm '
		'WHERE lm.list_id = %s AND lm.contact_id = x.id) ORDER BY x.id', job.list_id, job.id, p, job.list_id));
END
$$;
COMMENT ON FUNCTION crm_import_run_write(crm_imports, text) IS
	'Internal: run phase 4, write: updates changed contacts, inserts new ones, adds every touched contact to the list';

-- Internal: notes of the absorbed rows (issue 15). When rows of the file merge into one
-- contact, the last non-blank value of each field wins (crm_import_run_merge): a later row
-- whose value differs from the one the merge held before it replaces that value, and its
-- row result says so: "first_name: 'Ola' replaced by 'Ole' (line 7)" (field, old value, new
-- value and the row that won). The aggregate crm_import_absorbed (src/functions/absorbed.cpp)
-- computes them in the merge's own pass over the targets with several rows (merged_multi,
-- column absorbed: (row_no, note) pairs), and the row results read a row's note from its
-- target's pairs. A separate window over the plan table cost the 1M-row benchmark (90,000
-- repeated rows, most with another spelling of the country) over a second.
CREATE FUNCTION crm_import_absorbed_sfunc(state internal, row_no integer, line_no bigint, names text[], VARIADIC vals "any")
RETURNS internal
	AS 'MODULE_PATHNAME', 'crm_import_absorbed_sfunc' LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION crm_import_absorbed_sfunc(internal, integer, bigint, text[], "any") IS 'Internal: transition function of crm_import_absorbed';
CREATE FUNCTION crm_import_absorbed_final(state internal) RETURNS text[]
	AS 'MODULE_PATHNAME', 'crm_import_absorbed_final' LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION crm_import_absorbed_final(internal) IS 'Internal: final function of crm_import_absorbed';
CREATE AGGREGATE crm_import_absorbed(integer, bigint, text[], VARIADIC "any") (
	sfunc = crm_import_absorbed_sfunc, stype = internal, finalfunc = crm_import_absorbed_final);
COMMENT ON AGGREGATE crm_import_absorbed(integer, bigint, text[], "any") IS
	'Internal: over the rows of one merge target in file order (row_no, line_no, field names, the fields'' values), the notes of the rows whose non-blank value replaced a different one, as (row_no, note) pairs; NULL when none';

-- Internal: the crm_import_absorbed call the merge adds to its aggregation of targets with
-- several rows (", crm_import_absorbed(...) AS absorbed"), over the fields a run writes
-- (custom fields key by key); NULL when it writes none.
CREATE FUNCTION crm_import_absorbed_call(job @extschema@.crm_imports)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format(', @extschema@.crm_import_absorbed(w.row_no, w.line_no, %L::pg_catalog.text[]%s) AS absorbed',
			pg_catalog.array_agg(k.name ORDER BY k.i),
			pg_catalog.string_agg(CASE WHEN k.kind = 'custom' THEN pg_catalog.format(', (w.custom OPERATOR(pg_catalog.->>) %L::pg_catalog.text)', k.name)
				ELSE pg_catalog.format(', w.%I', k.name) END, '' ORDER BY k.i))
	-- A function takes at most 100 arguments: the first 96 fields in column order (an import
	-- of more has no notes for the rest).
	FROM (SELECT k.*, pg_catalog.row_number() OVER (ORDER BY k.i) AS n
		  FROM @extschema@.crm_import_run_columns(job) WITH ORDINALITY AS k(c, name, kind, ref, norm, reason, value, i)
		  WHERE k.kind IN ('contact', 'consent', 'custom') AND k.c IS NOT NULL) k
	WHERE k.n <= 96
	HAVING pg_catalog.count(*) > 0
$$;
COMMENT ON FUNCTION crm_import_absorbed_call(crm_imports) IS
	'Internal: the crm_import_absorbed call of the merge (over the fields the run writes, custom ones key by key), or NULL';

-- Internal: a match key's value in the run's work row w: the column of a predefined key, a
-- custom key's value in w.custom (as crm_import_plan_matches reads it).
CREATE FUNCTION crm_import_key_ref(key text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN key = ANY (ARRAY['email', 'mobile', 'system_id']) THEN pg_catalog.format('w.%I', key)
		ELSE pg_catalog.format('(w.custom OPERATOR(pg_catalog.->>) %L::pg_catalog.text)', key) END
$$;
COMMENT ON FUNCTION crm_import_key_ref(text) IS 'Internal: SQL for a match key''s value in the run''s work row w (a predefined key''s column, a custom key''s value in w.custom)';

-- Internal: phase 5, row results: one row per data row of the file, in a new table of the
-- import's own (no lock on anything another session reads); returns the outcome counts.
CREATE FUNCTION crm_import_run_results(job @extschema@.crm_imports, p text, results text)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	row_notes text;  -- notes of a row result: consent kept opted out, no key to match on
	-- Notes of rows that replaced a value of an earlier row: (row_no, note) pairs of their
	-- target in merged_multi.absorbed (crm_import_absorbed), read for those targets only.
	absorbed boolean := @extschema@.crm_import_absorbed_call(job) IS NOT NULL;
BEGIN
	IF absorbed THEN
		-- No row replaced a value (most real files): no join.
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %smerged_multi m WHERE m.absorbed IS NOT NULL)', p) INTO absorbed;
	END IF;
	SELECT string_agg(format(', CASE WHEN x.%I THEN %L END', k.name || '_kept',
			replace(k.name, '_marketing', '') || ' consent kept opted out: the contact had opted out and '
			|| CASE WHEN job.master = 'existing' AND job.allow_reoptin THEN 'existing data is master' ELSE 'allow_reoptin is off' END), '')
	INTO row_notes
	FROM @extschema@.crm_import_run_columns(job) k WHERE k.kind = 'consent';
	IF job.primary_key <> 'none' THEN
		-- A row without any key value is a new contact on every import of it: say so.
		row_notes := coalesce(row_notes, '') || format(
			', CASE WHEN w.tgt < 0 AND %s IS NULL%s THEN %L END',
			@extschema@.crm_import_key_ref(job.primary_key),
			CASE WHEN job.secondary_key IS NOT NULL THEN format(' AND %s IS NULL', @extschema@.crm_import_key_ref(job.secondary_key)) ELSE '' END,
			'no ' || replace(job.primary_key, 'system_id', 'system ID')
				|| coalesce(' or ' || replace(job.secondary_key, 'system_id', 'system ID'), '')
				|| ' to match on: created as a new contact');
	END IF;
	EXECUTE format('CREATE TABLE %s (import_id bigint NOT NULL, row_no integer NOT NULL, line_no bigint NOT NULL, '
		'outcome text NOT NULL, contact_id bigint, matched_by text, reason text)', results);
	-- The plan's contact_id is NULL for a rejected row and for a new contact in a dry run.
	PERFORM @extschema@.crm_import_bulk_insert(results::regclass, '{import_id, row_no, line_no, outcome, contact_id, matched_by, reason}'::text[],
		format(
		'SELECT %s, w.row_no, w.line_no, '
		'  CASE WHEN w.reason IS NOT NULL OR w.reject_reason IS NOT NULL THEN ''rejected'' '
		'       WHEN w.row_no <> w.lead_row THEN ''merged_in_file'' '
		'       WHEN w.tgt < 0 THEN ''inserted'' '
		'       WHEN x.changed THEN ''updated'' ELSE ''unchanged'' END, '
		'  w.contact_id, '
		'  CASE WHEN w.reason IS NOT NULL OR w.reject_reason IS NOT NULL THEN NULL '
		'       WHEN w.row_no = w.lead_row THEN w.matched_by '
		'       WHEN w.unit = w.lead_row THEN %L '
		'       ELSE coalesce(w.matched_by, %L) END, '
		'  coalesce(w.reason, w.reject_reason, nullif(pg_catalog.concat_ws(''; '', w.notes%s, CASE WHEN w.row_no = w.lead_row THEN nullif(pg_catalog.concat_ws(''; '', NULL::pg_catalog.text%s), '''') END), '''')) '
		-- Each join key is NULL where the row can have no partner, so the hash join does not
		-- probe for it (a probe is a cache miss in a table of tens of MB): only rows matched
		-- to existing contacts (tgt > 0) are in existing; only a row after its target's lead
		-- row can have replaced a value (absorbed).
		'FROM %srt w LEFT JOIN %sexisting x ON x.id = CASE WHEN w.tgt > 0 THEN w.tgt END%s',
		job.id, nullif(job.primary_key, 'none'), job.secondary_key,
		CASE WHEN absorbed THEN ', a.absorbed[pg_catalog.array_position(a.absorbed, w.row_no::pg_catalog.text) + 1]' ELSE '' END,
		coalesce(row_notes, ''), p, p,
		CASE WHEN absorbed THEN format(' LEFT JOIN (SELECT m.tgt, m.absorbed FROM %smerged_multi m WHERE m.absorbed IS NOT NULL) a '
			'ON a.tgt = CASE WHEN w.row_no <> w.lead_row THEN w.tgt END', p)
			ELSE '' END));
	RETURN QUERY EXECUTE format('SELECT count(*) FILTER (WHERE r.outcome = ''inserted''), '
		'count(*) FILTER (WHERE r.outcome = ''updated''), count(*) FILTER (WHERE r.outcome = ''unchanged''), '
		'count(*) FILTER (WHERE r.outcome = ''merged_in_file''), count(*) FILTER (WHERE r.outcome = ''rejected'') FROM %s r',
		results);
END
$$;
COMMENT ON FUNCTION crm_import_run_results(crm_imports, text, text) IS
	'Internal: run phase 5, row results: the outcome of every data row, and the counts';

CREATE FUNCTION crm_import_execute(job @extschema@.crm_imports, dry_run boolean)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET work_mem = '256MB'
SET max_parallel_workers_per_gather = 0
-- The generated statements run once each: compiling them with LLVM (stock jit = on, and
-- their costs pass jit_above_cost) took 0.1-0.4 s per statement and saved less.
SET jit = off
-- The work tables are analyzed for row counts and a few join and filter columns: a 3,000-row
-- sample (instead of 30,000) is enough for that and cuts the ANALYZEs from a tenth of a
-- 100,000-row run.
SET default_statistics_target = 10
AS $$
DECLARE
	p text := format('crm_import_staging.%I', 'run_' || job.id || '_');  -- prefix of the work tables
	results text := format('crm_import_staging.%I', 'results_' || job.id);
	data_rows bigint := @extschema@.crm_import_data_rows(job);
	t timestamptz := clock_timestamp();
	r record;
BEGIN
	-- The previous run's results go first, before the contacts lock: dropping them waits for
	-- sessions still reading them, and nothing may wait while the contacts are locked.
	IF to_regclass(results) IS NOT NULL THEN
		EXECUTE format('DROP TABLE %s', results);
	END IF;
	PERFORM @extschema@.crm_import_report_phase(job.id, 'normalize');
	PERFORM @extschema@.crm_import_progress_phase('normalize');
	PERFORM @extschema@.crm_import_run_normalize(job, p || 'rows');
	t := @extschema@.crm_import_phase_done(job.id, 'normalize', t, data_rows || ' rows', 'dedupe and match');
	rejected := @extschema@.crm_import_run_plan(job, p, dry_run);
	t := @extschema@.crm_import_phase_done(job.id, 'dedupe and match', t, next_phase => 'merge');
	PERFORM @extschema@.crm_import_check_all_rejected(job, p, rejected, dry_run);
	PERFORM @extschema@.crm_import_check_max_errors(job, rejected, dry_run);
	PERFORM @extschema@.crm_import_run_merge(job, p);
	t := @extschema@.crm_import_phase_done(job.id, 'merge', t, next_phase => 'write contacts');
	IF NOT dry_run THEN
		PERFORM @extschema@.crm_import_run_write(job, p);
	END IF;
	t := @extschema@.crm_import_phase_done(job.id, CASE WHEN dry_run THEN 'plan (dry run)' ELSE 'write contacts and list members' END, t,
		next_phase => 'row results');
	SELECT * INTO inserted, updated, unchanged, merged_in_file, rejected FROM @extschema@.crm_import_run_results(job, p, results);
	t := @extschema@.crm_import_phase_done(job.id, 'row results', t);

	-- Work tables go; the staged rows stay until crm_import_discard.
	EXECUTE format('DROP VIEW %smerged', p);
	FOR r IN SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'crm_import_staging'::regnamespace AND c.relkind = 'r'
		AND starts_with(c.relname, 'run_' || job.id || '_') LOOP
		EXECUTE format('DROP TABLE crm_import_staging.%I', r.relname);
	END LOOP;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_execute(crm_imports, boolean) IS
	'Internal: the set-based import, phase by phase (normalize, dedupe and match, merge, write, row results); runs inside crm_import_run''s subtransaction';


