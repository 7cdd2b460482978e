---------------------------------------------------------------------------------------------
-- Step 5: rules; step 6: compliance; options
---------------------------------------------------------------------------------------------
-- Internal: the custom fields that can be a match key (type text, email or phone), as the
-- end of a hint: those mapped in the import first.
CREATE FUNCTION crm_import_custom_keys_hint(job @extschema@.crm_imports)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce('; or a custom field of type text, email or phone: ' || string_agg(
		f.name || CASE WHEN m.column_no IS NOT NULL THEN pg_catalog.format(' (mapped from column %s)', m.column_no)
			ELSE ' (not mapped)' END, ', ' ORDER BY m.column_no IS NULL, f.name), '')
	FROM @extschema@.crm_fields f
	LEFT JOIN @extschema@.crm_import_mappings m ON m.import_id = job.id AND m.field = f.name
	WHERE f.custom AND f.type = ANY (ARRAY['text', 'email', 'phone'])
$$;
COMMENT ON FUNCTION crm_import_custom_keys_hint(crm_imports) IS
	'Internal: the custom fields that can be a match key (type text, email or phone), for hints; mapped ones first';

-- Internal: a custom field named as a match key must exist, be of type text, email or phone
-- (values compared exactly after the import's normalization: trimmed, email lower-cased,
-- phone in E.164) and be mapped from a column; else invalid_parameter_value naming what can be.
CREATE FUNCTION crm_import_check_custom_key(job @extschema@.crm_imports, key text, which text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f @extschema@.crm_fields;
	allowed text := CASE WHEN which = 'primary'
		THEN 'Choose one: email, mobile, system_id, or none (import every row as a new contact, no duplicate check)'
		ELSE 'Choose email, mobile or system_id, or leave it NULL' END || @extschema@.crm_import_custom_keys_hint(job) || '.';
BEGIN
	SELECT * INTO f FROM @extschema@.crm_fields x WHERE x.name = key;
	IF f.name IS NULL OR NOT f.custom THEN
		RAISE EXCEPTION 'invalid % key "%"', which, key USING ERRCODE = 'invalid_parameter_value',
			DETAIL = CASE WHEN f.name IS NULL THEN 'No field has that name.'
				ELSE pg_catalog.format('%s is a predefined field, not a key.', f.name) END,
			HINT = allowed;
	END IF;
	IF f.type <> ALL (ARRAY['text', 'email', 'phone']) THEN
		RAISE EXCEPTION 'custom field "%" of type % cannot be the % key', f.name, f.type, which
			USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'A key is matched by equal values: only custom fields of type text, email or phone can be keys.',
			HINT = allowed;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings mp WHERE mp.import_id = job.id AND mp.field = f.name) THEN
		RAISE EXCEPTION '% key % is not mapped from any column', which, f.name USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('Map a column to %s first: crm_import_map(%s, ''column name'', %L).', f.name, job.id, f.name);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_check_custom_key(crm_imports, text, text) IS
	'Internal: refuses a custom field as match key unless it exists, is of type text, email or phone and is mapped';

CREATE FUNCTION crm_import_set_rules(import bigint, master text, primary_key text, secondary_key text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	m text := lower(btrim(master));
	pk text := lower(btrim(primary_key));
	sk text := nullif(lower(btrim(secondary_key)), '');
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF m IS NULL OR m <> ALL (ARRAY['file', 'existing']) THEN
		RAISE EXCEPTION 'invalid master "%"', master USING ERRCODE = 'invalid_parameter_value',
			HINT = 'master => ''file'' (the uploaded file is master: matched contacts take the file''s values) or master => ''existing'' (existing data is master: only empty CRM fields are filled).';
	END IF;
	IF pk IS NULL THEN
		RAISE EXCEPTION 'invalid primary key "%"', primary_key USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Choose one: email, mobile, system_id, or none (import every row as a new contact, no duplicate check)'
				|| @extschema@.crm_import_custom_keys_hint(job) || '.';
	END IF;
	IF pk <> ALL (ARRAY['email', 'mobile', 'system_id', 'none']) THEN
		PERFORM @extschema@.crm_import_check_custom_key(job, pk, 'primary');
	END IF;
	IF sk IS NOT NULL AND sk <> ALL (ARRAY['email', 'mobile', 'system_id']) THEN
		PERFORM @extschema@.crm_import_check_custom_key(job, sk, 'secondary');
	END IF;
	IF sk IS NOT NULL AND pk = 'none' THEN
		RAISE EXCEPTION 'a secondary key needs a primary key' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'With primary key none every row is imported as a new contact, so there is nothing to fall back from.',
			HINT = 'Pass secondary_key => NULL, or choose a primary key.';
	END IF;
	IF sk = pk THEN
		RAISE EXCEPTION 'the secondary key must differ from the primary key' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pick another secondary key or none.';
	END IF;
	IF sk IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings mp
			WHERE mp.import_id = job.id AND mp.field = sk) THEN
		RAISE EXCEPTION 'secondary key % is not mapped from any column', sk USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('Map a column to %s first: crm_import_map(%s, ''column name'', %L).', sk, job.id, sk);
	END IF;
	UPDATE @extschema@.crm_imports j SET master = m, primary_key = pk, secondary_key = sk
		WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_rules(bigint, text, text, text) IS
	'Wizard step 5: master (file or existing), primary key (email, mobile, system_id, a mapped custom field of type text, email or phone, or none) and optional secondary key used when the primary finds no duplicate';

CREATE FUNCTION crm_import_set_options(import bigint, max_errors text DEFAULT NULL, allow_reoptin boolean DEFAULT NULL,
	date_order text DEFAULT NULL, default_region text DEFAULT NULL, invalid_values text DEFAULT NULL,
	rows_without_key text DEFAULT NULL, null_values text[] DEFAULT NULL, short_rows text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	d text := upper(btrim(date_order));
	r text := upper(btrim(default_region));
	iv text := lower(btrim(invalid_values));
	rk text := lower(btrim(rows_without_key));
	sr text := lower(btrim(short_rows));
	nv text[];
	bad integer;
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF max_errors IS NOT NULL AND btrim(max_errors) !~ '^[0-9]+(\.[0-9]+)?%?$|^$|^none$' THEN
		RAISE EXCEPTION 'invalid max_errors "%"', max_errors USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give a count of rejected rows (''100''), a percentage of the data rows (''5%''), or ''none''.';
	END IF;
	-- '' (or 'detect') clears the date order: it is detected per column again.
	IF d IS NOT NULL AND d <> ALL (ARRAY['DMY', 'MDY', 'YMD', '', 'DETECT']) THEN
		RAISE EXCEPTION 'invalid date order "%"', date_order USING ERRCODE = 'invalid_parameter_value',
			HINT = 'date_order => ''DMY'' (31.12.1990, day first), ''MDY'' (12/31/1990, month first), ''YMD'' (1990-12-31), or ''detect'' (from each date column''s values, else the region).';
	END IF;
	-- '' (or 'session') clears the region: crm_import.default_region applies again.
	IF r IS NOT NULL AND r <> ALL (ARRAY['', 'SESSION']) AND NOT (r ~ '^[A-Z]{2}$' AND @extschema@.crm_import_known_region(r)) THEN
		RAISE EXCEPTION 'invalid default region "%"', default_region USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'The default region is the ISO 3166 country code whose phone numbers are written without a country prefix.',
			HINT = 'Give a two-letter code libphonenumber knows, like ''NO'', ''SE'', ''GB'' or ''US'' (not ''UK''), or ''session'' for crm_import.default_region.';
	END IF;
	IF iv IS NOT NULL AND iv <> ALL (ARRAY['reject_row', 'skip_value']) THEN
		RAISE EXCEPTION 'invalid invalid_values "%"', invalid_values USING ERRCODE = 'invalid_parameter_value',
			HINT = 'invalid_values => ''reject_row'' (a row with a value that cannot be read is rejected) or ''skip_value'' (the value is left out and the row imported with a note; a bad key value still rejects the row).';
	END IF;
	IF rk IS NOT NULL AND rk <> ALL (ARRAY['insert', 'reject']) THEN
		RAISE EXCEPTION 'invalid rows_without_key "%"', rows_without_key USING ERRCODE = 'invalid_parameter_value',
			HINT = 'rows_without_key => ''insert'' (a row with no primary or secondary key value becomes a new contact) or ''reject''.';
	END IF;
	IF sr IS NOT NULL AND sr <> ALL (ARRAY['pad', 'reject']) THEN
		RAISE EXCEPTION 'invalid short_rows "%"', short_rows USING ERRCODE = 'invalid_parameter_value',
			HINT = 'short_rows => ''pad'' (a row with fewer fields than the header is read with the missing trailing fields blank, and noted) or ''reject'' (such a row is rejected).';
	END IF;
	-- Placeholders are stored trimmed, once each (compared case-insensitively); an empty
	-- array says the file has none, which silences crm_import_check's question.
	IF null_values IS NOT NULL THEN
		IF pg_catalog.cardinality(null_values) > 50 THEN
			RAISE EXCEPTION 'too many null values: %', pg_catalog.cardinality(null_values) USING ERRCODE = 'invalid_parameter_value',
				HINT = 'Give at most 50 placeholder values, like ARRAY[''-'', ''N/A'', ''null''].';
		END IF;
		SELECT min(v.o) INTO bad FROM unnest(null_values) WITH ORDINALITY AS v(x, o)
			WHERE v.x IS NULL OR pg_catalog.btrim(v.x, @extschema@.crm_import_blank_chars()) = '';
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION 'null value % is blank', bad USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'Blank cells are always read as blank; a blank or NULL entry in null_values means nothing.',
				HINT = 'Give only the placeholder texts, like null_values => ARRAY[''-'', ''N/A''], or ARRAY[]::text[] when the file has none.';
		END IF;
		SELECT min(v.o) INTO bad FROM unnest(null_values) WITH ORDINALITY AS v(x, o) WHERE pg_catalog.length(v.x) > 100;
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION 'null value % is too long (% characters)', bad, pg_catalog.length(null_values[bad])
				USING ERRCODE = 'invalid_parameter_value', HINT = 'A placeholder has at most 100 characters.';
		END IF;
		SELECT coalesce(array_agg(q.x ORDER BY q.o), '{}') INTO nv FROM (
			SELECT DISTINCT ON (pg_catalog.lower(pg_catalog.btrim(v.x, @extschema@.crm_import_blank_chars())))
				pg_catalog.btrim(v.x, @extschema@.crm_import_blank_chars()) AS x, v.o
			FROM unnest(null_values) WITH ORDINALITY AS v(x, o)
			ORDER BY pg_catalog.lower(pg_catalog.btrim(v.x, @extschema@.crm_import_blank_chars())), v.o) q;
	END IF;
	UPDATE @extschema@.crm_imports j SET
		max_errors = CASE WHEN crm_import_set_options.max_errors IS NULL THEN j.max_errors
			ELSE nullif(nullif(btrim(crm_import_set_options.max_errors), ''), 'none') END,
		allow_reoptin = coalesce(crm_import_set_options.allow_reoptin, j.allow_reoptin),
		date_order = CASE WHEN d IS NULL THEN j.date_order ELSE nullif(nullif(d, ''), 'DETECT') END,
		default_region = CASE WHEN r IS NULL THEN j.default_region ELSE nullif(nullif(r, ''), 'SESSION') END,
		invalid_values = coalesce(iv, j.invalid_values),
		rows_without_key = coalesce(rk, j.rows_without_key),
		null_values = coalesce(nv, j.null_values),
		short_rows = coalesce(sr, j.short_rows)
		WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_options(bigint, text, boolean, text, text, text, text, text[], text) IS
	'Run options (NULL keeps a setting): max_errors (count or percentage of rejected rows that fails the import; ''none'' clears), allow_reoptin (may an import turn an opted-out contact into an opted-in one; default false), date_order (DMY, MDY, YMD; ''detect'': per date column from its values, else the region), default_region (ISO code of phone numbers without a country prefix; ''session'': crm_import.default_region), invalid_values (reject_row or skip_value), rows_without_key (insert or reject), null_values (placeholder cells read as blank, trimmed and case-insensitive; {}: none) and short_rows (pad or reject)';

CREATE FUNCTION crm_import_accept_compliance(import bigint, gdpr boolean, tcpa boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF gdpr IS NOT TRUE OR tcpa IS NOT TRUE THEN
		RAISE EXCEPTION 'GDPR and TCPA rules must both be confirmed' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = pg_catalog.format('gdpr => %s, tcpa => %s.', coalesce(gdpr::text, 'NULL'), coalesce(tcpa::text, 'NULL')),
			HINT = 'Confirm that you have read and understood the GDPR and TCPA rules for sending email and SMS to people in the EU and the US: crm_import_accept_compliance(import, gdpr => true, tcpa => true).';
	END IF;
	-- The consent terms are fixed here: the run reads the file with the terms the summary
	-- showed when compliance was accepted, whatever is changed later.
	UPDATE @extschema@.crm_imports j SET gdpr_accepted = true, tcpa_accepted = true,
		compliance_accepted_by = @extschema@.crm_import_caller(), compliance_accepted_at = now(),
		consent_terms = @extschema@.crm_import_current_terms()
		WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_accept_compliance(bigint, boolean, boolean) IS
	'Wizard step 6: confirms GDPR and TCPA rules were read and understood (both must be true); records who and when, and fixes the consent terms the run will use';

---------------------------------------------------------------------------------------------
-- Step 7: readiness, summary, run, results, status
---------------------------------------------------------------------------------------------

-- Internal: how a custom key is matched, for the summary ('' for a predefined key).
CREATE FUNCTION crm_import_key_kind(key text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce((SELECT pg_catalog.format(' (custom %s field: %s)', f.type, CASE f.type
			WHEN 'email' THEN 'matched exactly after trimming, ignoring case'
			WHEN 'phone' THEN 'matched in E.164 form'
			ELSE 'matched exactly after trimming' END)
		FROM @extschema@.crm_fields f WHERE f.name = key AND f.custom), '')
$$;
COMMENT ON FUNCTION crm_import_key_kind(text) IS 'Internal: " (custom <type> field: how it is matched)" for a custom key, else empty';

-- Internal: every problem that blocks an import, with the call that fixes it.
CREATE FUNCTION crm_import_problems(job @extschema@.crm_imports)
RETURNS TABLE (problem text, fix text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names text[] := @extschema@.crm_import_column_names(job);
	mapped text[];
	c integer;
	d record;
	ph_cols text;
	ph_texts text[] := '{}';
BEGIN
	SELECT coalesce(array_agg(m.field), '{}') INTO mapped FROM @extschema@.crm_import_mappings m
		WHERE m.import_id = job.id AND m.field IS NOT NULL;
	IF job.state = 'queued' AND job.job_pid IS DISTINCT FROM pg_backend_pid() THEN
		problem := format('import %s is started as a background import', job.id);
		fix := format('SELECT * FROM crm_import_wait(%s) waits for it; crm_import_cancel(%s) stops it', job.id, job.id);
		RETURN NEXT;
	END IF;
	IF job.state = ANY (ARRAY['completed', 'running', 'undone']) THEN
		problem := pg_catalog.format('import %s is %s', job.id, job.state);
		fix := 'Upload the file again to import it once more.';
		RETURN NEXT;
	END IF;
	IF job.staging_table IS NULL THEN
		problem := 'the staged rows were discarded';
		fix := 'Upload the file again.';
		RETURN NEXT;
	ELSIF @extschema@.crm_import_staged_rows_lost(job) THEN
		problem := 'the staged rows were lost: the server restarted after a crash since the upload (staging tables are UNLOGGED)';
		fix := 'Upload the file again.';
		RETURN NEXT;
	END IF;
	-- A preamble the upload was unsure of: the header row must be decided before mapping.
	IF job.detected_header_row IS NOT NULL AND job.header_row_source = 'first' THEN
		problem := pg_catalog.format('the file may start with %s records above its header row (record %s, line %s): '
			'they are read as the header row and data', job.detected_header_row - 1, job.detected_header_row,
			coalesce(@extschema@.crm_import_record_line(job, job.detected_header_row)::text, '?'));
		fix := pg_catalog.format('SELECT crm_import_set_header(%s, true, %s); skips them, or '
			'SELECT crm_import_set_header(%s, true, 1); keeps record 1 as the header row (see crm_import_preview '
			'after crm_import_set_header(%s, false))', job.id, job.detected_header_row, job.id, job.id);
		RETURN NEXT;
	END IF;
	IF cardinality(mapped) = 0 THEN
		problem := 'no column is mapped to a field';
		fix := pg_catalog.format('SELECT crm_import_suggest_mapping(%s); or crm_import_map(%s, ''column'', ''field'')', job.id, job.id);
		RETURN NEXT;
	END IF;
	IF NOT job.skip_unmapped THEN
		FOR c IN SELECT i FROM generate_series(1, job.column_count) i
				WHERE NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings m
					WHERE m.import_id = job.id AND m.column_no = i) LOOP
			problem := pg_catalog.format('column %s "%s" is not mapped', c, names[c]);
			fix := pg_catalog.format('crm_import_map(%s, %L, ''field''), crm_import_skip(%s, %L), or crm_import_set_skip_unmapped(%s, true)',
				job.id, names[c], job.id, names[c], job.id);
			RETURN NEXT;
		END LOOP;
	END IF;
	IF 'email' = ANY (mapped) AND NOT 'email_marketing' = ANY (mapped)
			AND job.email_consent_value IS NULL AND NOT job.email_consent_unknown THEN
		problem := 'email address is mapped but the email marketing status is not given';
		fix := pg_catalog.format('crm_import_set_consent(%s, ''email_marketing'', column_name => ''...'') or crm_import_set_consent(%s, ''email_marketing'', value => true|false), or crm_import_set_consent(%s, ''email_marketing'', unknown => true) when the file holds no consent', job.id, job.id, job.id);
		RETURN NEXT;
	END IF;
	IF 'mobile' = ANY (mapped) AND NOT 'sms_marketing' = ANY (mapped)
			AND job.sms_consent_value IS NULL AND NOT job.sms_consent_unknown THEN
		problem := 'mobile number is mapped but the SMS marketing status is not given';
		fix := pg_catalog.format('crm_import_set_consent(%s, ''sms_marketing'', column_name => ''...'') or crm_import_set_consent(%s, ''sms_marketing'', value => true|false), or crm_import_set_consent(%s, ''sms_marketing'', unknown => true) when the file holds no consent', job.id, job.id, job.id);
		RETURN NEXT;
	END IF;
	-- A date column whose values hold both orders cannot be read without being told which.
	FOR d IN SELECT o.c, o.field, o.reason FROM @extschema@.crm_import_date_orders(job) o
			WHERE o.verdict = 'contradictory' LOOP
		problem := pg_catalog.format('column %s "%s" (%s) holds dates in both day-first and month-first order: %s',
			d.c, names[d.c], d.field, regexp_replace(d.reason, '^contradictory: ', ''));
		fix := pg_catalog.format('crm_import_set_options(%s, date_order => ''DMY'') or crm_import_set_options(%s, date_order => ''MDY''), after checking the file', job.id, job.id);
		RETURN NEXT;
	END LOOP;
	-- Placeholder-looking values (-, N/A, null) in an imported column: blank, or real values?
	-- Asked until null_values is set (an empty array: they are real).
	IF job.null_values IS NULL THEN
		FOR d IN SELECT * FROM @extschema@.crm_import_placeholder_columns(job, true, 10000) LOOP
			ph_cols := coalesce(ph_cols || ', ', '') || @extschema@.crm_import_placeholder_column_text(d.c, d.column_name, d.placeholders, d.cells,
				CASE WHEN @extschema@.crm_import_data_rows(job) > 10000 THEN 10000 END);
			ph_texts := ph_texts || d.placeholders;
		END LOOP;
		IF ph_cols IS NOT NULL THEN
			problem := 'values that look like placeholders for "no value" in ' || ph_cols;
			fix := pg_catalog.format('%s to read them as blank cells, or crm_import_set_options(%s, null_values => ARRAY[]::text[]) if they are real values',
				@extschema@.crm_import_placeholder_call(job.id, ph_texts), job.id);
			RETURN NEXT;
		END IF;
	END IF;
	IF job.master IS NULL OR job.primary_key IS NULL THEN
		problem := 'import rules are not set';
		fix := pg_catalog.format('crm_import_set_rules(%s, master => ''file''|''existing'', primary_key => ''email''|''mobile''|''system_id''|''none'')', job.id);
		RETURN NEXT;
	ELSE
		IF job.primary_key <> 'none' AND NOT job.primary_key = ANY (mapped) THEN
			problem := pg_catalog.format('primary key %s is not mapped from any column', job.primary_key);
			fix := pg_catalog.format('crm_import_map(%s, ''column'', %L), or choose another primary key with crm_import_set_rules', job.id, job.primary_key);
			RETURN NEXT;
		END IF;
		IF job.secondary_key IS NOT NULL AND NOT job.secondary_key = ANY (mapped) THEN
			problem := pg_catalog.format('secondary key %s is not mapped from any column', job.secondary_key);
			fix := pg_catalog.format('crm_import_map(%s, ''column'', %L), or set rules without it', job.id, job.secondary_key);
			RETURN NEXT;
		END IF;
	END IF;
	IF NOT (job.gdpr_accepted AND job.tcpa_accepted) THEN
		problem := 'GDPR and TCPA compliance is not confirmed';
		fix := pg_catalog.format('crm_import_accept_compliance(%s, gdpr => true, tcpa => true)', job.id);
		RETURN NEXT;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_problems(crm_imports) IS 'Internal: what still blocks an import, each with the call that fixes it';

-- Internal: the physical line a staged record starts on (NULL when the rows are gone).
CREATE FUNCTION crm_import_record_line(job @extschema@.crm_imports, record_no integer)
RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	line bigint;
BEGIN
	IF job.staging_table IS NULL OR pg_catalog.to_regclass(job.staging_table) IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE pg_catalog.format('SELECT s.line_no FROM %s s WHERE s.record_no = $1', job.staging_table) INTO line USING record_no;
	RETURN line;
END
$$;
COMMENT ON FUNCTION crm_import_record_line(crm_imports, integer) IS
	'Internal: the line of the file a staged record starts on (NULL when the staged rows are gone)';

-- Internal: what the upload decided without being asked and the user should know, with the
-- call that undoes it. Never blocks a run.
CREATE FUNCTION crm_import_notes(job @extschema@.crm_imports)
RETURNS TABLE (problem text, fix text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	pc integer;         -- the primary key's column
	sc integer;         -- the secondary key's column
	rows_read bigint;
	keyless bigint;     -- rows with neither key
	shared bigint;      -- secondary values shared by rows of different primary values
	pk_norm text;       -- the SQL reading each key as the run does
	sk_norm text;
	unknown_words text; -- a consent column's values the terms do not know, with their counts
	d record;
BEGIN
	IF job.header_row_source = 'detected' THEN
		problem := pg_catalog.format('note (does not block the run): the upload skipped %s above the header row '
			'as a preamble; the header row is record %s, line %s',
			CASE WHEN job.header_row = 2 THEN '1 record' ELSE (job.header_row - 1) || ' records' END, job.header_row,
			coalesce(@extschema@.crm_import_record_line(job, job.header_row)::text, '?'));
		fix := pg_catalog.format('SELECT crm_import_set_header(%s, true, 1); if record 1 is the header row after all',
			job.id);
		RETURN NEXT;
	END IF;
	-- A date column whose values never say their order (no day above 12) is read in the
	-- region's order: right for a Norwegian file, every birthday swapped for a US one.
	FOR d IN SELECT o.c, o.field, o.date_order, o.reason FROM @extschema@.crm_import_date_orders(job) o
			WHERE o.verdict = 'undecided' LOOP
		problem := pg_catalog.format('note (does not block the run): the dates in column %s "%s" (%s) could be day first or '
			'month first (no day above 12 in them): they are read %s, the order of region %s',
			d.c, (@extschema@.crm_import_column_names(job))[d.c], d.field, d.date_order, @extschema@.crm_import_region(job));
		fix := pg_catalog.format('SELECT crm_import_set_options(%s, date_order => ''%s''); if the file writes them %s',
			job.id, CASE WHEN d.date_order = 'MDY' THEN 'DMY' ELSE 'MDY' END,
			CASE WHEN d.date_order = 'MDY' THEN 'day first (31.12.1990)' ELSE 'month first (12/31/1990)' END);
		RETURN NEXT;
	END LOOP;
	-- A consent column in words the terms do not know (a Mailchimp status column: subscribed,
	-- unsubscribed): the run rejects those rows (with skip_value, imports them without this
	-- consent). Said before the run, with the words, from the first 10,000 data rows.
	IF job.staging_table IS NOT NULL AND pg_catalog.to_regclass(job.staging_table) IS NOT NULL THEN
		FOR d IN SELECT k.c, k.name, k.ref, k.norm FROM @extschema@.crm_import_run_columns(job) k
				WHERE k.kind = 'consent' AND k.c IS NOT NULL LOOP
			EXECUTE pg_catalog.format('SELECT pg_catalog.string_agg(pg_catalog.format(''%%L (%%s)'', q.v, q.n), '', '' ORDER BY q.n DESC, q.v) '
				'FROM (SELECT pg_catalog.btrim(%1$s, %2$L) AS v, pg_catalog.count(*) AS n '
				'  FROM (SELECT * FROM %3$s s WHERE s.record_no >= %4$s ORDER BY s.record_no LIMIT 10000) s '
				'  WHERE pg_catalog.btrim(coalesce(%1$s, ''''), %2$L) <> '''' AND (%5$s) IS NULL '
				-- Placeholders (N/A, -) are asked about on their own while null_values is not set.
				'  AND NOT (%6$L AND pg_catalog.lower(pg_catalog.btrim(%1$s, %2$L)) = ANY (%7$L::text[])) '
				'  GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5) q',
				d.ref, @extschema@.crm_import_blank_chars(), job.staging_table, @extschema@.crm_import_first_data_record(job), d.norm,
				job.null_values IS NULL, @extschema@.crm_import_placeholder_texts())
				INTO unknown_words;
			CONTINUE WHEN unknown_words IS NULL;
			problem := pg_catalog.format('note (does not block the run): column %s "%s" (%s) holds values that are neither opt-in nor '
				'opt-out terms: %s; the run %s', d.c, (@extschema@.crm_import_column_names(job))[d.c], d.name, unknown_words,
				CASE WHEN job.invalid_values = 'skip_value' THEN 'imports those rows without this consent'
					ELSE 'rejects those rows' END);
			fix := pg_catalog.format('an admin adds the words to the terms in force: crm_import_set_consent_terms(%L, opt_in => ARRAY[...], '
				'opt_out => ARRAY[...]); then crm_import_accept_compliance(%s, true, true) so the import takes them', d.name, job.id);
			RETURN NEXT;
		END LOOP;
	END IF;
	IF job.primary_key IS NULL OR job.primary_key = 'none' OR job.staging_table IS NULL
			OR pg_catalog.to_regclass(job.staging_table) IS NULL THEN
		RETURN;
	END IF;
	pc := (SELECT m.column_no FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field = job.primary_key);
	sc := (SELECT m.column_no FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field = job.secondary_key);
	IF pc IS NULL THEN
		RETURN;
	END IF;
	-- The first 100,000 data rows: which have no key at all (blank cells), and the key values
	-- as the run reads them (normalized: '(512) 757-6000' and '+1 512 757 6000' are one number;
	-- values that do not read are left out, as the run rejects their rows).
	SELECT min(k.norm) FILTER (WHERE k.c = pc), min(k.norm) FILTER (WHERE k.c = sc) INTO pk_norm, sk_norm
		FROM @extschema@.crm_import_run_columns(job) k;
	EXECUTE pg_catalog.format('WITH q AS (SELECT pg_catalog.btrim(coalesce(%s, ''''), %L) = '''' '
		'  AND pg_catalog.btrim(coalesce(%s, ''''), %L) = '''' AS keyless, (%s)::text AS pk, (%s)::text AS sk '
		'  FROM %s s WHERE s.record_no >= %s ORDER BY s.record_no LIMIT 100000) '
		'SELECT count(*), count(*) FILTER (WHERE q.keyless), '
		'(SELECT count(*) FROM (SELECT q2.sk FROM q q2 WHERE q2.sk IS NOT NULL AND q2.pk IS NOT NULL GROUP BY q2.sk '
		'  HAVING count(DISTINCT pg_catalog.lower(q2.pk)) > 1) g) FROM q',
		@extschema@.crm_import_cell_ref(job, pc), @extschema@.crm_import_blank_chars(),
		CASE WHEN sc IS NULL THEN 'NULL::text' ELSE @extschema@.crm_import_cell_ref(job, sc) END, @extschema@.crm_import_blank_chars(),
		pk_norm, coalesce(sk_norm, 'NULL::text'),
		job.staging_table, @extschema@.crm_import_first_data_record(job))
		INTO rows_read, keyless, shared;
	-- Rows without a key are new contacts on every import of the file (LinkedIn: 22 emails
	-- in 1,370 rows): a weekly re-import duplicates them each week.
	IF job.rows_without_key = 'insert' AND keyless * 10 >= rows_read AND keyless > 0 THEN
		problem := pg_catalog.format('note (does not block the run): %s of %s rows%s have no %s%s: each import of them '
			'creates new contacts, again on every re-import', keyless, rows_read,
			CASE WHEN rows_read = 100000 THEN ' read' ELSE '' END, replace(job.primary_key, '_', ' '),
			coalesce(' and no ' || replace(job.secondary_key, '_', ' '), ''));
		fix := pg_catalog.format('SELECT crm_import_set_options(%s, rows_without_key => ''reject''); to leave them out, '
			'or a key these rows have (crm_import_set_rules, a custom field such as a profile URL can be the key)', job.id);
		RETURN NEXT;
	END IF;
	-- Rows with different primary values but one secondary value become one contact (the
	-- secondary key finds the earlier row): right for a person with two addresses, wrong for
	-- colleagues sharing an office number.
	IF shared > 0 THEN
		problem := pg_catalog.format('note (does not block the run): %s %s value%s %s shared by rows with different %s '
			'values: the secondary key makes each group one contact, and the later rows'' values replace the earlier ones '
			'(crm_import_results notes each replaced value)', shared, replace(job.secondary_key, '_', ' '),
			CASE WHEN shared > 1 THEN 's' ELSE '' END, CASE WHEN shared > 1 THEN 'are' ELSE 'is' END,
			replace(job.primary_key, '_', ' '));
		fix := pg_catalog.format('SELECT crm_import_set_rules(%s, %L, primary_key => %L); without a secondary key, if these '
			'are different people (a shared office or family number)', job.id, job.master, job.primary_key);
		RETURN NEXT;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_notes(crm_imports) IS
	'Internal: what the upload decided on its own (a skipped preamble), and what the rules will do that may surprise (dates of undecided order; consent words the terms do not know; rows without a key inserted again on every import; rows of different primary values merged by a shared secondary value), each with the call that changes it; never blocks a run';

CREATE FUNCTION crm_import_check(import bigint)
RETURNS TABLE (problem text, fix text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.problem, p.fix FROM @extschema@.crm_import_problems(@extschema@.crm_import_job(import)) p
	UNION ALL
	SELECT n.problem, n.fix FROM @extschema@.crm_import_notes(@extschema@.crm_import_job(import)) n
$$;
COMMENT ON FUNCTION crm_import_check(bigint) IS
	'Readiness: every problem that still blocks the import (unmapped columns, missing consent, rules, compliance), each with the call that fixes it, then notes (problem starting with "note"; they do not block) on what the upload decided on its own, such as a skipped preamble; no rows means ready to run with nothing to confirm';

CREATE FUNCTION crm_import_summary(import bigint)
RETURNS TABLE (section text, setting text, value text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	names text[] := @extschema@.crm_import_column_names(job);
	list_name text;
	data_rows bigint := @extschema@.crm_import_data_rows(job);
	terms jsonb := @extschema@.crm_import_terms(job);
BEGIN
	SELECT l.name INTO list_name FROM @extschema@.crm_lists l WHERE l.id = job.list_id;
	RETURN QUERY VALUES
		('file', 'name', coalesce(job.file_name, '(none)')),
		('file', 'list', list_name),
		('file', 'source', job.source || coalesce(' ' || job.source_ref, '')),
		('file', 'size', pg_catalog.pg_size_pretty(job.byte_size) ||
			CASE WHEN job.byte_size >= 10240 THEN pg_catalog.format(' (%s bytes)', job.byte_size) ELSE '' END),
		('file', 'sha256', job.sha256),
		('file', 'encoding', coalesce(job.source_encoding, 'UTF-8') ||
			CASE WHEN job.had_bom THEN ' (byte-order mark)'
				WHEN coalesce(job.source_encoding, 'UTF-8') <> 'UTF-8' THEN ' (given)' ELSE '' END),
		('file', 'delimiter', CASE job.delimiter WHEN ',' THEN 'comma' WHEN ';' THEN 'semicolon' WHEN E'\t' THEN 'tab'
			ELSE pg_catalog.format('''%s''', job.delimiter) END
			|| CASE WHEN job.delimiter_detected THEN ' (detected)' ELSE ' (given)' END),
		('file', 'header row', CASE WHEN job.has_header THEN 'yes' ELSE 'no' END),
		('file', 'data rows', data_rows::text),
		('file', 'columns', job.column_count::text),
		('file', 'rows with a wrong field count', job.ragged_records::text);
	RETURN QUERY SELECT 'file'::text, 'records above the header row'::text,
		pg_catalog.format('%s (a preamble, not data): the header row is record %s, line %s (%s)', job.header_row - 1,
			job.header_row, coalesce(@extschema@.crm_import_record_line(job, job.header_row)::text, '?'),
			CASE job.header_row_source WHEN 'detected' THEN 'found by the upload' ELSE 'set' END)
		WHERE job.header_row > 1;
	-- Not a blocking problem (the bytes may be meant), so not in crm_import_check: a note.
	RETURN QUERY SELECT 'file'::text, 'C1 control characters'::text,
		pg_catalog.format('%s, the first on line %s, column %s: mojibake from a wrong code page', job.c1_count,
			job.c1_line, job.c1_column)
		|| CASE WHEN job.c1_encoding IS NOT NULL
			THEN pg_catalog.format('; upload the original file with encoding => %L', job.c1_encoding) ELSE '' END
		WHERE job.c1_count > 0;
	-- How the file's cells are read (issue 14): placeholder values and short rows, then how
	-- many cells of each imported column the placeholders blank (one pass over the staged rows,
	-- only when placeholders are set) and how many rows are short or long.
	RETURN QUERY VALUES
		('file', 'null values', CASE WHEN job.null_values IS NULL THEN 'not set'
			WHEN pg_catalog.cardinality(job.null_values) = 0 THEN 'none (values that look like placeholders are real values)'
			ELSE (SELECT string_agg(pg_catalog.quote_literal(v), ', ') FROM unnest(job.null_values) v)
				|| ' (read as blank cells, trimmed, any case)' END),
		('file', 'short rows', CASE job.short_rows WHEN 'reject' THEN 'reject: a row with fewer fields than the header is rejected'
			ELSE 'pad: the missing trailing fields of a row are blank (noted on the row)' END);
	IF job.ragged_records > 0 AND job.staging_table IS NOT NULL AND pg_catalog.to_regclass(job.staging_table) IS NOT NULL THEN
		RETURN QUERY EXECUTE pg_catalog.format('SELECT ''file''::text, q.setting, q.n::text FROM (SELECT '
			'count(*) FILTER (WHERE s.nfields < %1$s) AS short, count(*) FILTER (WHERE s.nfields > %1$s) AS long '
			'FROM %2$s s WHERE s.record_no > %3$s) c, '
			'LATERAL (VALUES (1, ''rows with fewer fields than the header'', c.short), (2, ''rows with more fields than the header'', c.long)) q(o, setting, n) '
			'ORDER BY q.o', job.column_count, job.staging_table, @extschema@.crm_import_first_data_record(job) - 1);
	END IF;
	IF pg_catalog.cardinality(job.null_values) > 0 AND job.staging_table IS NOT NULL
			AND pg_catalog.to_regclass(job.staging_table) IS NOT NULL
			AND EXISTS (SELECT FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field IS NOT NULL) THEN
		RETURN QUERY EXECUTE (SELECT pg_catalog.format('SELECT ''file''::text, q.setting, q.n::text FROM (SELECT %s FROM %s s WHERE s.record_no > %s) c, '
				'LATERAL (VALUES %s) q(o, setting, n) ORDER BY q.o',
				string_agg(pg_catalog.format('count(*) FILTER (WHERE %s IS NULL AND %s IS NOT NULL) AS n%s',
					@extschema@.crm_import_cell_ref(job, m.column_no), @extschema@.crm_import_field_ref(job, m.column_no), m.column_no),
					', ' ORDER BY m.column_no),
				job.staging_table, @extschema@.crm_import_first_data_record(job) - 1,
				string_agg(pg_catalog.format('(%s, %L, c.n%s)', m.column_no,
					pg_catalog.format('placeholder cells in column %s "%s"', m.column_no, names[m.column_no]), m.column_no),
					', ' ORDER BY m.column_no))
			FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field IS NOT NULL);
	END IF;
	RETURN QUERY
		SELECT 'mapping'::text, pg_catalog.format('column %s "%s"', i, names[i]),
			CASE WHEN m.column_no IS NULL THEN
					CASE WHEN job.skip_unmapped THEN 'not mapped (not imported)' ELSE 'NOT MAPPED' END
				WHEN m.field IS NULL THEN 'do not import'
				ELSE m.field || CASE WHEN f.custom THEN pg_catalog.format(' (custom %s)', f.type) ELSE '' END END
		FROM generate_series(1, job.column_count) i
		LEFT JOIN @extschema@.crm_import_mappings m ON m.import_id = job.id AND m.column_no = i
		LEFT JOIN @extschema@.crm_fields f ON f.name = m.field
		ORDER BY i;
	RETURN QUERY VALUES ('mapping', 'do not import data in unmapped fields', CASE WHEN job.skip_unmapped THEN 'yes' ELSE 'no' END);
	RETURN QUERY
		SELECT 'consent'::text, f.name,
			coalesce((SELECT pg_catalog.format('from column %s "%s" (opt in: %s; opt out: %s)', m.column_no, names[m.column_no],
						array_to_string(@extschema@.crm_import_terms(terms, f.name, 'opt_in'), ', '),
						array_to_string(@extschema@.crm_import_terms(terms, f.name, 'opt_out'), ', '))
					  FROM @extschema@.crm_import_mappings m
					  WHERE m.import_id = job.id AND m.field = f.name),
					 CASE WHEN f.name = 'email_marketing' AND job.email_consent_value IS NOT NULL
						 THEN CASE WHEN job.email_consent_value THEN 'opted in for every row' ELSE 'opted out for every row' END
						  WHEN f.name = 'sms_marketing' AND job.sms_consent_value IS NOT NULL
						 THEN CASE WHEN job.sms_consent_value THEN 'opted in for every row' ELSE 'opted out for every row' END
						  WHEN (f.name = 'email_marketing' AND job.email_consent_unknown) OR (f.name = 'sms_marketing' AND job.sms_consent_unknown)
						 THEN 'unknown: the file holds none (new contacts are not opted in; existing contacts keep theirs)'
						 ELSE 'not set' END)
		FROM @extschema@.crm_fields f WHERE f.type = 'consent' ORDER BY f.name;
	RETURN QUERY VALUES
		('consent', 'opted-out contacts may be opted in again', CASE WHEN job.allow_reoptin THEN 'yes' ELSE 'no' END),
		('rules', 'master', CASE job.master WHEN 'file' THEN 'the uploaded file is master'
			WHEN 'existing' THEN 'existing data is master' ELSE 'not set' END),
		('rules', 'primary key', coalesce(job.primary_key || @extschema@.crm_import_key_kind(job.primary_key), 'not set')),
		('rules', 'secondary key', coalesce(job.secondary_key || @extschema@.crm_import_key_kind(job.secondary_key), 'none')),
		('rules', 'max errors', coalesce(job.max_errors, 'no limit')),
		('rules', 'invalid values', CASE job.invalid_values WHEN 'skip_value' THEN 'skip_value: a value that cannot be read is left out (a bad key value rejects the row)'
			ELSE 'reject_row: a row with a value that cannot be read is rejected' END),
		('rules', 'rows without key', CASE job.rows_without_key WHEN 'reject' THEN 'reject' ELSE 'insert as new contacts' END),
		('values', 'phone region', CASE WHEN job.default_region IS NOT NULL THEN job.default_region || ' (set)'
			ELSE @extschema@.crm_import_region(job) || ' (crm_import.default_region)' END
			|| CASE WHEN EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.field = 'country')
				THEN '; a row''s country decides where it names one' ELSE '' END),
		('values', 'date order', coalesce(job.date_order || ' (set)', 'detected per date column')),
		('compliance', 'GDPR and TCPA', CASE WHEN job.gdpr_accepted AND job.tcpa_accepted
			THEN pg_catalog.format('confirmed by %s at %s', job.compliance_accepted_by,
				pg_catalog.to_char(job.compliance_accepted_at, 'YYYY-MM-DD HH24:MI:SS TZ'))
			ELSE 'not confirmed' END),
		('status', 'state', job.state || coalesce(': ' || job.failure_reason, ''));
	RETURN QUERY SELECT 'values'::text, pg_catalog.format('column %s "%s" (%s)', o.c, names[o.c], o.field),
			CASE WHEN o.verdict = 'contradictory' THEN 'no order: ' || o.reason ELSE o.date_order || ' (' || o.reason || ')' END
		FROM @extschema@.crm_import_date_orders(job) o ORDER BY o.c;
	RETURN QUERY SELECT 'missing'::text, p.problem, p.fix FROM @extschema@.crm_import_problems(job) p;
END
$$;
COMMENT ON FUNCTION crm_import_summary(bigint) IS
	'Wizard step 7 review: every setting (file with its encoding and any C1 control characters, mapping, consent, rules, compliance, state) and, under "missing", what still blocks the run';
