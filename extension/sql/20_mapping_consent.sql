---------------------------------------------------------------------------------------------
-- Step 4: mapping, custom fields, consent
---------------------------------------------------------------------------------------------

-- Internal: the column called column_name among unique names (a profile's saved column
-- names): the exact name, else the one name equal to it ignoring case and surrounding
-- space; NULL when there is none (or several). Names a user types go through
-- crm_import_resolve_column, which also knows the header text.
CREATE FUNCTION crm_import_find_column(names text[], column_name text)
RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(
		(SELECT min(i) FROM generate_subscripts(names, 1) i WHERE names[i] = column_name),
		(SELECT min(i) FROM generate_subscripts(names, 1) i
			WHERE lower(btrim(names[i])) = lower(btrim(column_name))
			HAVING count(*) = 1))
$$;
COMMENT ON FUNCTION crm_import_find_column(text[], text) IS 'Internal: position of a saved column name among unique names (exact, then unambiguous case-insensitive match), or NULL; used by profiles';

-- Internal: a column name as a user gives it, trimmed exactly as the upload trims the
-- header names (ASCII white space and the Unicode spaces, no-break and zero-width ones too).
CREATE FUNCTION crm_import_trim_header(name text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_trim_header' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_trim_header(text) IS 'Internal: a column name trimmed as the upload trims header names, to compare with them byte for byte';

-- Internal: the column number a name designates, with a helpful error. Rules (written down
-- in docs/steps/04-mapping.md), on the name trimmed as headers are trimmed:
--   1. the columns whose header text (with a header row) is exactly the name: one is the
--      answer; several (two "Email" headers) are ambiguous;
--   2. else the column whose unique name (Email_2, column_3) is exactly the name;
--   3. else the columns whose header text or unique name equals the name ignoring case:
--      one is the answer; several are ambiguous.
-- Ambiguous is 42702 listing the candidates; no match is 42703 listing the columns.
CREATE FUNCTION crm_import_resolve_column(job @extschema@.crm_imports, column_name text)
RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names text[] := @extschema@.crm_import_column_names(job);
	-- Without a header row the first record is data, and its values are no names.
	headers text[] := CASE WHEN job.has_header THEN job.header ELSE '{}'::text[] END;
	wanted text;
	found integer[];
	exact boolean := true;
	candidates text;
	unique_names text[];
	numbers text[];
	close_name text;
BEGIN
	IF column_name IS NULL THEN
		RAISE EXCEPTION 'column name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	wanted := @extschema@.crm_import_trim_header(column_name);
	found := ARRAY(SELECT i FROM generate_subscripts(names, 1) i
		WHERE headers[i] <> '' AND headers[i] = wanted ORDER BY i);
	IF cardinality(found) = 0 THEN
		found := ARRAY(SELECT i FROM generate_subscripts(names, 1) i WHERE names[i] = wanted ORDER BY i);
	END IF;
	IF cardinality(found) = 0 THEN
		exact := false;
		found := ARRAY(SELECT i FROM generate_subscripts(names, 1) i
			WHERE lower(names[i]) = lower(wanted)
				OR (headers[i] <> '' AND lower(headers[i]) = lower(wanted))
			ORDER BY i);
	END IF;
	IF cardinality(found) = 1 THEN
		RETURN found[1];
	END IF;
	IF cardinality(found) > 1 THEN
		candidates := array_to_string(ARRAY(SELECT pg_catalog.format('column %s (%s, unique name "%s")', i,
				CASE WHEN coalesce(headers[i], '') = '' THEN
					CASE WHEN job.has_header THEN 'blank header' ELSE 'no header row' END
				ELSE pg_catalog.format('header "%s"', headers[i]) END, names[i])
			FROM unnest(found) i), ', ');
		unique_names := ARRAY(SELECT pg_catalog.format('"%s"', names[i]) FROM unnest(found) i);
		numbers := ARRAY(SELECT i::text FROM unnest(found) i);
		RAISE EXCEPTION 'column name "%" is ambiguous in import %', column_name, job.id USING ERRCODE = 'ambiguous_column',
			DETAIL = CASE WHEN exact THEN pg_catalog.format('%s columns have exactly this header: %s.', cardinality(found), candidates)
				ELSE pg_catalog.format('No column is named exactly "%s"; ignoring case, %s columns match: %s.', wanted, cardinality(found), candidates) END,
			HINT = pg_catalog.format('Give the column by its unique name (%s or %s) or by its number (%s or %s).',
				array_to_string(unique_names[1:cardinality(found) - 1], ', '), unique_names[cardinality(found)],
				array_to_string(numbers[1:cardinality(found) - 1], ', '), numbers[cardinality(found)]);
	END IF;
	close_name := @extschema@.crm_import_closest(column_name, names);
	RAISE EXCEPTION 'import % has no column "%"', job.id, column_name USING ERRCODE = 'undefined_column',
		DETAIL = pg_catalog.format('Columns: %s.', array_to_string(
			ARRAY(SELECT pg_catalog.format('%s "%s"', i, names[i]) FROM generate_subscripts(names, 1) i), ', ')),
		HINT = CASE WHEN close_name IS NOT NULL THEN pg_catalog.format('Did you mean "%s"? ', close_name) ELSE '' END
			|| CASE WHEN job.has_header THEN 'Columns can also be given by number.'
			ELSE 'The file has no header row, so columns are named column_1, column_2, ... or given by number.' END;
END
$$;
COMMENT ON FUNCTION crm_import_resolve_column(crm_imports, text) IS 'Internal: column number of a column name (exact header text, then exact unique name, then ignoring case), 42702 when ambiguous, 42703 with the columns when none';

-- Internal: checks a column number.
CREATE FUNCTION crm_import_check_column_no(job @extschema@.crm_imports, column_no integer)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF column_no IS NULL OR column_no < 1 OR column_no > job.column_count THEN
		RAISE EXCEPTION 'import % has no column %', job.id, coalesce(column_no::text, 'NULL')
			USING ERRCODE = 'undefined_column',
			DETAIL = pg_catalog.format('The file has %s columns, numbered from 1.', job.column_count),
			HINT = 'crm_import_columns(import) lists them.';
	END IF;
	RETURN column_no;
END
$$;
COMMENT ON FUNCTION crm_import_check_column_no(crm_imports, integer) IS 'Internal: the column number if the file has it, else undefined_column';

-- Internal: the catalog field a user names (by name, or by label ignoring case).
CREATE FUNCTION crm_import_resolve_field(field text)
RETURNS @extschema@.crm_fields
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f @extschema@.crm_fields;
	close_name text;
BEGIN
	SELECT * INTO f FROM @extschema@.crm_fields c WHERE c.name = btrim(field);
	IF f.name IS NULL THEN
		SELECT * INTO f FROM @extschema@.crm_fields c
			WHERE lower(c.label) = lower(btrim(field)) OR c.name = lower(btrim(field))
			ORDER BY c.custom LIMIT 1;
	END IF;
	IF f.name IS NULL THEN
		close_name := @extschema@.crm_import_closest(field, ARRAY(SELECT c.name FROM @extschema@.crm_fields c));
		RAISE EXCEPTION 'field "%" does not exist', field USING ERRCODE = 'undefined_object',
			DETAIL = 'Fields: ' || array_to_string(ARRAY(
				SELECT c.name FROM @extschema@.crm_fields c ORDER BY c.custom, c.name), ', ') || '.',
			HINT = CASE WHEN close_name IS NOT NULL THEN pg_catalog.format('Did you mean "%s"? ', close_name) ELSE '' END
				|| 'Create a custom field with crm_import_create_field(name, type), or skip the column with crm_import_skip.';
	END IF;
	RETURN f;
END
$$;
COMMENT ON FUNCTION crm_import_resolve_field(text) IS 'Internal: the crm_fields row a user names (name or label), or undefined_object with a did-you-mean hint';

-- Internal: maps (or, with field NULL, skips) one column.
CREATE FUNCTION crm_import_set_mapping(job @extschema@.crm_imports, col integer, field text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f @extschema@.crm_fields;
	other integer;
	names text[] := @extschema@.crm_import_column_names(job);
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF field IS NOT NULL THEN
		f := @extschema@.crm_import_resolve_field(field);
		SELECT m.column_no INTO other FROM @extschema@.crm_import_mappings m
			WHERE m.import_id = job.id AND m.field = f.name
				AND m.column_no <> col;
		IF other IS NOT NULL THEN
			RAISE EXCEPTION 'field "%" is already mapped from column % "%"', f.name, other, names[other]
				USING ERRCODE = 'duplicate_object',
				DETAIL = pg_catalog.format('Column %s "%s" cannot map to it too: one column per field.', col, names[col]),
				HINT = pg_catalog.format('Skip one of them (crm_import_skip(%s, %s)) or map it to another field.', job.id, other);
		END IF;
		IF f.type = 'consent' THEN
			-- A consent column replaces a consent value set for the whole import.
			EXECUTE pg_catalog.format('UPDATE @extschema@.crm_imports SET %I = NULL, %I = false WHERE id = $1',
				CASE f.name WHEN 'email_marketing' THEN 'email_consent_value' ELSE 'sms_consent_value' END,
				CASE f.name WHEN 'email_marketing' THEN 'email_consent_unknown' ELSE 'sms_consent_unknown' END) USING job.id;
		END IF;
	END IF;
	INSERT INTO @extschema@.crm_import_mappings AS m (import_id, column_no, field) VALUES (job.id, col, f.name)
		ON CONFLICT (import_id, column_no) DO UPDATE SET field = excluded.field;
END
$$;
COMMENT ON FUNCTION crm_import_set_mapping(crm_imports, integer, text) IS 'Internal: records one column''s mapping (NULL field: do not import)';

CREATE FUNCTION crm_import_map(import bigint, column_name text, field text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The column by name; the rest is crm_import_map by number.
	PERFORM @extschema@.crm_import_map(import,
		@extschema@.crm_import_resolve_column(@extschema@.crm_import_job(import, true), column_name), field);
END
$$;
COMMENT ON FUNCTION crm_import_map(bigint, text, text) IS
	'Wizard step 4: maps the named file column to a CRM field (predefined or custom); one column per field';

CREATE FUNCTION crm_import_map(import bigint, column_no integer, field text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION 'field must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'To leave a column out use crm_import_skip(import, column).';
	END IF;
	PERFORM @extschema@.crm_import_set_mapping(job, @extschema@.crm_import_check_column_no(job, column_no), field);
END
$$;
COMMENT ON FUNCTION crm_import_map(bigint, integer, text) IS
	'Wizard step 4: maps file column number column_no (from 1) to a CRM field';

CREATE FUNCTION crm_import_skip(import bigint, column_name text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.crm_import_skip(import,
		@extschema@.crm_import_resolve_column(@extschema@.crm_import_job(import, true), column_name));
END
$$;
COMMENT ON FUNCTION crm_import_skip(bigint, text) IS 'Wizard step 4: "do not import this column" for the named column';

CREATE FUNCTION crm_import_skip(import bigint, column_no integer)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	PERFORM @extschema@.crm_import_set_mapping(job, @extschema@.crm_import_check_column_no(job, column_no), NULL);
END
$$;
COMMENT ON FUNCTION crm_import_skip(bigint, integer) IS 'Wizard step 4: "do not import this column" for column number column_no';

CREATE FUNCTION crm_import_set_skip_unmapped(import bigint, skip boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF skip IS NULL THEN
		RAISE EXCEPTION 'skip must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE @extschema@.crm_imports j SET skip_unmapped = skip WHERE j.id = job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_skip_unmapped(bigint, boolean) IS
	'Wizard step 4 checkbox "do not import data in unmapped fields": true lets unmapped columns be left out; false makes each unmapped column block the run';

CREATE FUNCTION crm_import_suggest_mapping(import bigint, apply boolean DEFAULT true)
RETURNS TABLE (column_no integer, name text, field text, confidence real, applied boolean, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, apply);
	names text[] := @extschema@.crm_import_column_names(job);
BEGIN
	IF apply THEN
		PERFORM @extschema@.crm_import_require_draft(job);
		-- Only suggestions with nothing against them: the values pass the field's normalizer,
		-- the evidence suffices (never a birthday, system ID or consent guessed from values
		-- alone), the column is undecided and the field not mapped elsewhere.
		INSERT INTO @extschema@.crm_import_mappings (import_id, column_no, field)
		SELECT job.id, s.column_no, s.field FROM @extschema@.crm_import_suggestions(job) s
		WHERE s.field IS NOT NULL AND NOT s.applied AND s.reason IS NULL;
	END IF;
	RETURN QUERY SELECT s.column_no, names[s.column_no], s.field, s.confidence, s.applied, s.reason
		FROM @extschema@.crm_import_suggestions(job) s ORDER BY s.column_no;
END
$$;
COMMENT ON FUNCTION crm_import_suggest_mapping(bigint, boolean) IS
	'Wizard step 4: proposes a field per column from header (seven languages, common exports) and values, with a confidence; apply maps the undecided columns whose sample values pass the field''s normalizer; applied says whether the column is mapped to the field, reason why not';

CREATE FUNCTION crm_import_create_field(name text, type text, label text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	field_name text := btrim(name);
	field_type text := lower(btrim(type));
	suggestion text;
BEGIN
	IF field_name IS NULL OR field_name = '' THEN
		RAISE EXCEPTION 'field name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF field_name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
		suggestion := left(regexp_replace(regexp_replace(lower(field_name), '[^a-z0-9_]+', '_', 'g'), '^[^a-z]+|_+$', '', 'g'), 63);
		RAISE EXCEPTION 'invalid field name "%"', field_name USING ERRCODE = 'invalid_name',
			DETAIL = 'A field name starts with a lower-case letter a-z and holds only a-z, 0-9 and _, at most 63 characters.',
			HINT = CASE WHEN suggestion <> '' THEN pg_catalog.format('Try "%s"; the label can be written freely: crm_import_create_field(%L, %L, label => %L).', suggestion, suggestion, coalesce(type, 'text'), field_name)
				ELSE 'Choose a name like "customer_number".' END;
	END IF;
	IF field_type IS NULL OR field_type <> ALL (ARRAY['text', 'number', 'date', 'boolean', 'email', 'phone']) THEN
		RAISE EXCEPTION 'invalid field type "%"', type USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Types: text, number, date, boolean, email, phone.';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.crm_fields f WHERE f.name = field_name) THEN
		RAISE EXCEPTION 'field "%" already exists', field_name USING ERRCODE = 'duplicate_object',
			DETAIL = CASE WHEN (SELECT f.custom FROM @extschema@.crm_fields f WHERE f.name = field_name)
				THEN 'It is a custom field created earlier.' ELSE 'It is a predefined CRM field.' END,
			HINT = 'Map the column to the existing field, or choose another name.';
	END IF;
	INSERT INTO @extschema@.crm_fields (name, label, type, custom, created_by)
	VALUES (field_name, coalesce(nullif(btrim(label), ''), initcap(replace(field_name, '_', ' '))), field_type, true,
		@extschema@.crm_import_caller());
END
$$;
COMMENT ON FUNCTION crm_import_create_field(text, text, text) IS
	'Wizard step 4 "create custom field": a field of type text, number, date, boolean, email or phone whose values are kept in crm_contacts.custom under its name';

-- Internal: checks that a field name is one of the two consent fields.
CREATE FUNCTION crm_import_consent_field(field text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF field IS NULL OR btrim(field) <> ALL (ARRAY['email_marketing', 'sms_marketing']) THEN
		RAISE EXCEPTION '"%" is not a consent field', field USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Consent fields are email_marketing and sms_marketing.';
	END IF;
	RETURN btrim(field);
END
$$;
COMMENT ON FUNCTION crm_import_consent_field(text) IS 'Internal: the consent field name, or invalid_parameter_value';

CREATE FUNCTION crm_import_set_consent(import bigint, field text, column_name text DEFAULT NULL, value boolean DEFAULT NULL,
	unknown boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	consent_field text := @extschema@.crm_import_consent_field(field);
	unknown_col text := CASE consent_field WHEN 'email_marketing' THEN 'email_consent_unknown' ELSE 'sms_consent_unknown' END;
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF unknown IS NULL THEN
		RAISE EXCEPTION 'unknown must be true or false' USING ERRCODE = 'null_value_not_allowed',
			HINT = pg_catalog.format('crm_import_set_consent(%s, %L, unknown => true) records that the file holds no consent for this channel.', job.id, consent_field);
	END IF;
	IF unknown AND (column_name IS NOT NULL OR value IS NOT NULL) THEN
		RAISE EXCEPTION 'unknown => true takes neither column_name nor value for %', consent_field USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'unknown => true says the file holds no consent for this channel; a column or a value says it does.',
			HINT = pg_catalog.format('Call crm_import_set_consent(%s, %L, unknown => true) alone, or give column_name or value without unknown.',
				job.id, consent_field);
	END IF;
	IF NOT unknown AND (column_name IS NULL) = (value IS NULL) THEN
		RAISE EXCEPTION 'give either column_name or value for %', consent_field USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('crm_import_set_consent(%s, %L, column_name => ''Newsletter'') takes each row''s status from a column; crm_import_set_consent(%s, %L, value => true) sets one status for every row; crm_import_set_consent(%s, %L, unknown => true) says the file holds none.',
				job.id, consent_field, job.id, consent_field, job.id, consent_field);
	END IF;
	IF column_name IS NOT NULL THEN
		PERFORM @extschema@.crm_import_set_mapping(job, @extschema@.crm_import_resolve_column(job, column_name), consent_field);
	ELSE
		-- One value for the whole import (or none: unknown) replaces a consent column.
		UPDATE @extschema@.crm_import_mappings m SET field = NULL
			WHERE m.import_id = job.id AND m.field = consent_field;
		EXECUTE pg_catalog.format('UPDATE @extschema@.crm_imports SET %I = $2, %I = $3 WHERE id = $1',
			CASE consent_field WHEN 'email_marketing' THEN 'email_consent_value' ELSE 'sms_consent_value' END, unknown_col)
			USING job.id, value, unknown;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_set_consent(bigint, text, text, boolean, boolean) IS
	'Wizard step 4 marketing consent: email_marketing or sms_marketing from a column (values read with the field''s consent terms; a blank cell is unknown for that row), one value for the whole import, or unknown => true: the file holds no consent for this channel (new contacts are not opted in, existing contacts keep theirs)';

-- Internal: what is wrong with a consent terms setting, or NULL.
CREATE FUNCTION crm_import_consent_terms_problem(opt_in text[], opt_out text[])
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN opt_in IS NULL OR cardinality(opt_in) = 0 THEN 'opt_in needs at least one term'
		WHEN opt_out IS NULL OR cardinality(opt_out) = 0 THEN 'opt_out needs at least one term'
		WHEN EXISTS (SELECT 1 FROM unnest(opt_in || opt_out) t WHERE t IS NULL OR btrim(t) = '')
			THEN 'terms must not be empty'
		WHEN EXISTS (SELECT 1 FROM unnest(opt_in) i, unnest(opt_out) o WHERE lower(btrim(i)) = lower(btrim(o)))
			THEN pg_catalog.format('%s is both an opt-in and an opt-out term', (SELECT i FROM unnest(opt_in) i, unnest(opt_out) o
				WHERE lower(btrim(i)) = lower(btrim(o)) LIMIT 1))
	END
$$;
COMMENT ON FUNCTION crm_import_consent_terms_problem(text[], text[]) IS 'Internal: why a consent terms setting is invalid, or NULL';

CREATE FUNCTION crm_import_set_consent_terms(field text, opt_in text[], opt_out text[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	consent_field text := @extschema@.crm_import_consent_field(field);
	problem text := @extschema@.crm_import_consent_terms_problem(opt_in, opt_out);
	accepted text;
BEGIN
	-- The terms decide what every later import reads as opted in: changing them is an admin
	-- act. Imports whose compliance was accepted keep the terms they were reviewed with.
	IF NOT @extschema@.crm_import_is_admin() THEN
		RAISE EXCEPTION 'permission denied to change the consent terms of %', consent_field
			USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'Consent terms apply to every role''s imports; only members of crm_import_admin may change them.',
			HINT = 'Ask an administrator to run crm_import_set_consent_terms, or set the consent for the whole import with crm_import_set_consent(import, field, value => true/false).';
	END IF;
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'invalid consent terms for %: %', consent_field, problem USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('For example crm_import_set_consent_terms(%L, ARRAY[''OptIn'',''Yes''], ARRAY[''OptOut'',''No'']).', consent_field);
	END IF;
	-- Kept in crm_consent_terms (dumped by pg_dump); its trigger copies them into crm_fields.
	INSERT INTO @extschema@.crm_consent_terms AS t (field, opt_in_terms, opt_out_terms, changed_by)
	VALUES (consent_field, ARRAY(SELECT btrim(x) FROM unnest(opt_in) x), ARRAY(SELECT btrim(x) FROM unnest(opt_out) x),
		@extschema@.crm_import_caller())
	ON CONFLICT ON CONSTRAINT crm_consent_terms_pkey DO UPDATE SET opt_in_terms = excluded.opt_in_terms, opt_out_terms = excluded.opt_out_terms,
		changed_by = excluded.changed_by, changed_at = now();
	SELECT pg_catalog.string_agg(j.id::text, ', ' ORDER BY j.id) INTO accepted
		FROM @extschema@.crm_imports j WHERE j.consent_terms IS NOT NULL AND j.state <> ALL (ARRAY['completed', 'undone']);
	IF accepted IS NOT NULL THEN
		RAISE NOTICE 'imports whose compliance was already accepted keep the consent terms they were reviewed with: %', accepted
			USING HINT = 'To run one of them with the new terms, review its summary and call crm_import_accept_compliance again.';
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_set_consent_terms(text, text[], text[]) IS
	'Admins (crm_import_admin): which values mean opted in and opted out for a consent field (matched ignoring case and surrounding space); applies to imports whose compliance is not yet accepted';

-- Internal: the consent terms in force now, {"field": {"opt_in": [...], "opt_out": [...]}}.
CREATE FUNCTION crm_import_current_terms()
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT jsonb_object_agg(f.name, jsonb_build_object('opt_in', to_jsonb(f.opt_in_terms), 'opt_out', to_jsonb(f.opt_out_terms)))
	FROM @extschema@.crm_fields f WHERE f.type = 'consent'
$$;
COMMENT ON FUNCTION crm_import_current_terms() IS 'Internal: the consent terms in force now, as jsonb';

-- Internal: the consent terms an import reads its consent columns with: the snapshot taken
-- when compliance was accepted, else the current ones.
CREATE FUNCTION crm_import_terms(job @extschema@.crm_imports)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(job.consent_terms, @extschema@.crm_import_current_terms()) $$;
COMMENT ON FUNCTION crm_import_terms(crm_imports) IS
	'Internal: the consent terms of an import (fixed when compliance was accepted; the current ones before)';

-- Internal: one side of those terms as text[].
CREATE FUNCTION crm_import_terms(terms jsonb, field text, side text)
RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY(SELECT jsonb_array_elements_text(terms -> field -> side)) $$;
COMMENT ON FUNCTION crm_import_terms(jsonb, text, text) IS
	'Internal: the opt_in or opt_out terms of a consent field in an import''s terms';

---------------------------------------------------------------------------------------------
-- Normalizers (C; immutable, used set-based by the run)
---------------------------------------------------------------------------------------------
CREATE FUNCTION crm_import_norm_email(value text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_norm_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION crm_import_norm_email(text) IS 'Email trimmed and lower-cased, or NULL when blank or not a valid address';
CREATE FUNCTION crm_import_norm_phone(value text,
	region text DEFAULT @extschema@.crm_import_default_region()) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_norm_phone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION crm_import_norm_phone(text, text) IS 'Phone number in E.164 (libphonenumber; region, by default crm_import.default_region, applies to numbers without a country prefix), or NULL when invalid';
CREATE FUNCTION crm_import_norm_date(value text, date_order text DEFAULT 'DMY') RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_norm_date_in_order' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION crm_import_norm_date(text, text) IS 'Date as YYYY-MM-DD from ISO, numeric (31.12.1990; 12/31/1990 with date_order MDY), YYYYMMDD, month-name (09 Oct 2024, 9. oktober 2024) and timestamp forms, or NULL; date_order DMY, MDY or YMD says how numeric dates with the year last are read';
CREATE FUNCTION crm_import_norm_birthday(value text, date_order text DEFAULT 'DMY') RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_norm_birthday' LANGUAGE C STABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION crm_import_norm_birthday(text, text) IS 'Birthday as YYYY-MM-DD: a date as crm_import_norm_date reads it that is not after today and at most 130 years before it, or NULL';
CREATE FUNCTION crm_import_detect_date_order(samples text[])
RETURNS TABLE (date_order text, verdict text, reason text)
	AS 'MODULE_PATHNAME', 'crm_import_detect_date_order' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION crm_import_detect_date_order(text[]) IS 'The date order of a column from sample values with the year last: DMY when a first part is above 12, MDY when a second part is; verdict decided, contradictory (both seen), undecided or no dates; date_order NULL unless decided';
CREATE FUNCTION crm_import_norm_number(value text) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_norm_number' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_norm_number(text) IS 'Number as canonical decimal text (accepts 1 234,50), or NULL';
CREATE FUNCTION crm_import_norm_boolean(value text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_norm_boolean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_norm_boolean(text) IS 'Boolean from true/false, yes/no, ja/nei, sant/usant, 1/0; NULL otherwise';
CREATE FUNCTION crm_import_norm_consent(value text, opt_in text[], opt_out text[]) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_norm_consent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION crm_import_norm_consent(text, text[], text[]) IS 'Consent: true for an opt-in term, false for an opt-out term (case and surrounding space ignored), NULL otherwise';
CREATE FUNCTION crm_import_problem(kind text, value text,
	region text DEFAULT @extschema@.crm_import_default_region(),
	date_order text DEFAULT 'DMY') RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_problem_in_order' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_import_problem(text, text, text, text) IS 'Why value is not a valid email, phone, date, birthday, number or boolean (kind; dates read in date_order, birthdays also checked against today); NULL when it is';

CREATE FUNCTION crm_import_phone_type(value text,
	region text DEFAULT @extschema@.crm_import_default_region()) RETURNS text
	AS 'MODULE_PATHNAME', 'crm_import_phone_type' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION crm_import_phone_type(text, text) IS 'libphonenumber''s type of a valid phone number (mobile, fixed_line, fixed_line_or_mobile, toll_free, premium_rate, shared_cost, voip, personal_number, pager, uan, voicemail, unknown), read as crm_import_norm_phone reads it; NULL when not valid';
