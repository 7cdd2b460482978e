---------------------------------------------------------------------------------------------
-- Step 5: rules; step 6: compliance; options
---------------------------------------------------------------------------------------------
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
	IF m IS NULL OR m OPERATOR(pg_catalog.<>) ALL (ARRAY['file', 'existing']) THEN
		RAISE EXCEPTION 'invalid master "%"', master USING ERRCODE = 'invalid_parameter_value',
			HINT = 'master => ''file'' (the uploaded file is master: matched contacts take the file''s values) or master => ''existing'' (existing data is master: only empty CRM fields are filled).';
	END IF;
	IF pk IS NULL OR pk OPERATOR(pg_catalog.<>) ALL (ARRAY['email', 'mobile', 'system_id', 'none']) THEN
		RAISE EXCEPTION 'invalid primary key "%"', primary_key USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Choose one: email, mobile, system_id, or none (import every row as a new contact, no duplicate check).';
	END IF;
	IF sk IS NOT NULL AND sk OPERATOR(pg_catalog.<>) ALL (ARRAY['email', 'mobile', 'system_id']) THEN
		RAISE EXCEPTION 'invalid secondary key "%"', secondary_key USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Choose email, mobile or system_id, or leave it NULL.';
	END IF;
	IF sk IS NOT NULL AND pk OPERATOR(pg_catalog.=) 'none' THEN
		RAISE EXCEPTION 'a secondary key needs a primary key' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'With primary key none every row is imported as a new contact, so there is nothing to fall back from.',
			HINT = 'Pass secondary_key => NULL, or choose a primary key.';
	END IF;
	IF sk OPERATOR(pg_catalog.=) pk THEN
		RAISE EXCEPTION 'the secondary key must differ from the primary key' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pick another secondary key or none.';
	END IF;
	IF sk IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings mp
			WHERE mp.import_id OPERATOR(pg_catalog.=) job.id AND mp.field OPERATOR(pg_catalog.=) sk) THEN
		RAISE EXCEPTION 'secondary key % is not mapped from any column', sk USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('Map a column to %s first: crm_import_map(%s, ''column name'', %L).', sk, job.id, sk);
	END IF;
	UPDATE @extschema@.crm_imports j SET master = m, primary_key = pk, secondary_key = sk
		WHERE j.id OPERATOR(pg_catalog.=) job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_rules(bigint, text, text, text) IS
	'Wizard step 5: master (file or existing), primary key (email, mobile, system_id or none) and optional secondary key used when the primary finds no duplicate';

CREATE FUNCTION crm_import_set_options(import bigint, max_errors text DEFAULT NULL, allow_reoptin boolean DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF max_errors IS NOT NULL AND btrim(max_errors) !~ '^[0-9]+(\.[0-9]+)?%?$|^$|^none$' THEN
		RAISE EXCEPTION 'invalid max_errors "%"', max_errors USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give a count of rejected rows (''100''), a percentage of the data rows (''5%''), or ''none''.';
	END IF;
	UPDATE @extschema@.crm_imports j SET
		max_errors = CASE WHEN crm_import_set_options.max_errors IS NULL THEN j.max_errors
			ELSE nullif(nullif(btrim(crm_import_set_options.max_errors), ''), 'none') END,
		allow_reoptin = coalesce(crm_import_set_options.allow_reoptin, j.allow_reoptin)
		WHERE j.id OPERATOR(pg_catalog.=) job.id;
END
$$;
COMMENT ON FUNCTION crm_import_set_options(bigint, text, boolean) IS
	'Run options: max_errors (count or percentage of rejected rows that fails the import; ''none'' clears) and allow_reoptin (may an import turn an opted-out contact into an opted-in one; default false)';

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
		WHERE j.id OPERATOR(pg_catalog.=) job.id;
END
$$;
COMMENT ON FUNCTION crm_import_accept_compliance(bigint, boolean, boolean) IS
	'Wizard step 6: confirms GDPR and TCPA rules were read and understood (both must be true); records who and when, and fixes the consent terms the run will use';

---------------------------------------------------------------------------------------------
-- Step 7: readiness, summary, run, results, status
---------------------------------------------------------------------------------------------

-- Internal: every problem that blocks an import, with the call that fixes it.
CREATE FUNCTION crm_import_problems(job @extschema@.crm_imports)
RETURNS TABLE (problem text, fix text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names text[] := @extschema@.crm_import_column_names(job);
	mapped text[];
	c integer;
BEGIN
	SELECT coalesce(array_agg(m.field), '{}') INTO mapped FROM @extschema@.crm_import_mappings m
		WHERE m.import_id OPERATOR(pg_catalog.=) job.id AND m.field IS NOT NULL;
	IF job.state OPERATOR(pg_catalog.=) ANY (ARRAY['completed', 'running']) THEN
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
	IF cardinality(mapped) OPERATOR(pg_catalog.=) 0 THEN
		problem := 'no column is mapped to a field';
		fix := pg_catalog.format('SELECT crm_import_suggest_mapping(%s); or crm_import_map(%s, ''column'', ''field'')', job.id, job.id);
		RETURN NEXT;
	END IF;
	IF NOT job.skip_unmapped THEN
		FOR c IN SELECT i FROM generate_series(1, job.column_count) i
				WHERE NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings m
					WHERE m.import_id OPERATOR(pg_catalog.=) job.id AND m.column_no OPERATOR(pg_catalog.=) i) LOOP
			problem := pg_catalog.format('column %s "%s" is not mapped', c, names[c]);
			fix := pg_catalog.format('crm_import_map(%s, %L, ''field''), crm_import_skip(%s, %L), or crm_import_set_skip_unmapped(%s, true)',
				job.id, names[c], job.id, names[c], job.id);
			RETURN NEXT;
		END LOOP;
	END IF;
	IF 'email' OPERATOR(pg_catalog.=) ANY (mapped) AND NOT 'email_marketing' OPERATOR(pg_catalog.=) ANY (mapped)
			AND job.email_consent_value IS NULL THEN
		problem := 'email address is mapped but the email marketing status is not given';
		fix := pg_catalog.format('crm_import_set_consent(%s, ''email_marketing'', column_name => ''...'') or crm_import_set_consent(%s, ''email_marketing'', value => true|false)', job.id, job.id);
		RETURN NEXT;
	END IF;
	IF 'mobile' OPERATOR(pg_catalog.=) ANY (mapped) AND NOT 'sms_marketing' OPERATOR(pg_catalog.=) ANY (mapped)
			AND job.sms_consent_value IS NULL THEN
		problem := 'mobile number is mapped but the SMS marketing status is not given';
		fix := pg_catalog.format('crm_import_set_consent(%s, ''sms_marketing'', column_name => ''...'') or crm_import_set_consent(%s, ''sms_marketing'', value => true|false)', job.id, job.id);
		RETURN NEXT;
	END IF;
	IF job.master IS NULL OR job.primary_key IS NULL THEN
		problem := 'import rules are not set';
		fix := pg_catalog.format('crm_import_set_rules(%s, master => ''file''|''existing'', primary_key => ''email''|''mobile''|''system_id''|''none'')', job.id);
		RETURN NEXT;
	ELSE
		IF job.primary_key OPERATOR(pg_catalog.<>) 'none' AND NOT job.primary_key OPERATOR(pg_catalog.=) ANY (mapped) THEN
			problem := pg_catalog.format('primary key %s is not mapped from any column', job.primary_key);
			fix := pg_catalog.format('crm_import_map(%s, ''column'', %L), or choose another primary key with crm_import_set_rules', job.id, job.primary_key);
			RETURN NEXT;
		END IF;
		IF job.secondary_key IS NOT NULL AND NOT job.secondary_key OPERATOR(pg_catalog.=) ANY (mapped) THEN
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

CREATE FUNCTION crm_import_check(import bigint)
RETURNS TABLE (problem text, fix text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.problem, p.fix FROM @extschema@.crm_import_problems(@extschema@.crm_import_job(import)) p
$$;
COMMENT ON FUNCTION crm_import_check(bigint) IS
	'Readiness: every problem that still blocks the import (unmapped columns, missing consent, rules, compliance), each with the call that fixes it; no rows means ready to run';

CREATE FUNCTION crm_import_summary(import bigint)
RETURNS TABLE (section text, setting text, value text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	names text[] := @extschema@.crm_import_column_names(job);
	list_name text;
	data_rows bigint := job.record_count OPERATOR(pg_catalog.-) CASE WHEN job.has_header THEN 1 ELSE 0 END;
	terms jsonb := @extschema@.crm_import_terms(job);
BEGIN
	SELECT l.name INTO list_name FROM @extschema@.crm_lists l WHERE l.id OPERATOR(pg_catalog.=) job.list_id;
	RETURN QUERY VALUES
		('file', 'name', coalesce(job.file_name, '(none)')),
		('file', 'list', list_name),
		('file', 'source', job.source OPERATOR(pg_catalog.||) coalesce(' ' OPERATOR(pg_catalog.||) job.source_ref, '')),
		('file', 'size', pg_catalog.pg_size_pretty(job.byte_size) OPERATOR(pg_catalog.||)
			CASE WHEN job.byte_size OPERATOR(pg_catalog.>=) 10240 THEN pg_catalog.format(' (%s bytes)', job.byte_size) ELSE '' END),
		('file', 'sha256', job.sha256),
		('file', 'encoding', coalesce(job.source_encoding, 'UTF-8') OPERATOR(pg_catalog.||)
			CASE WHEN job.had_bom THEN ' (byte-order mark)'
				WHEN coalesce(job.source_encoding, 'UTF-8') OPERATOR(pg_catalog.<>) 'UTF-8' THEN ' (given)' ELSE '' END),
		('file', 'delimiter', CASE job.delimiter WHEN ',' THEN 'comma' WHEN ';' THEN 'semicolon' WHEN E'\t' THEN 'tab'
			ELSE pg_catalog.format('''%s''', job.delimiter) END
			OPERATOR(pg_catalog.||) CASE WHEN job.delimiter_detected THEN ' (detected)' ELSE ' (given)' END),
		('file', 'header row', CASE WHEN job.has_header THEN 'yes' ELSE 'no' END),
		('file', 'data rows', data_rows::text),
		('file', 'columns', job.column_count::text),
		('file', 'rows with a wrong field count', job.ragged_records::text);
	-- Not a blocking problem (the bytes may be meant), so not in crm_import_check: a note.
	RETURN QUERY SELECT 'file'::text, 'C1 control characters'::text,
		pg_catalog.format('%s, the first on line %s, column %s: mojibake from a wrong code page', job.c1_count,
			job.c1_line, job.c1_column)
		OPERATOR(pg_catalog.||) CASE WHEN job.c1_encoding IS NOT NULL
			THEN pg_catalog.format('; upload the original file with encoding => %L', job.c1_encoding) ELSE '' END
		WHERE job.c1_count OPERATOR(pg_catalog.>) 0;
	RETURN QUERY
		SELECT 'mapping'::text, pg_catalog.format('column %s "%s"', i, names[i]),
			CASE WHEN m.column_no IS NULL THEN
					CASE WHEN job.skip_unmapped THEN 'not mapped (not imported)' ELSE 'NOT MAPPED' END
				WHEN m.field IS NULL THEN 'do not import'
				ELSE m.field OPERATOR(pg_catalog.||) CASE WHEN f.custom THEN pg_catalog.format(' (custom %s)', f.type) ELSE '' END END
		FROM generate_series(1, job.column_count) i
		LEFT JOIN @extschema@.crm_import_mappings m ON m.import_id OPERATOR(pg_catalog.=) job.id AND m.column_no OPERATOR(pg_catalog.=) i
		LEFT JOIN @extschema@.crm_fields f ON f.name OPERATOR(pg_catalog.=) m.field
		ORDER BY i;
	RETURN QUERY VALUES ('mapping', 'do not import data in unmapped fields', CASE WHEN job.skip_unmapped THEN 'yes' ELSE 'no' END);
	RETURN QUERY
		SELECT 'consent'::text, f.name,
			coalesce((SELECT pg_catalog.format('from column %s "%s" (opt in: %s; opt out: %s)', m.column_no, names[m.column_no],
						array_to_string(@extschema@.crm_import_terms(terms, f.name, 'opt_in'), ', '),
						array_to_string(@extschema@.crm_import_terms(terms, f.name, 'opt_out'), ', '))
					  FROM @extschema@.crm_import_mappings m
					  WHERE m.import_id OPERATOR(pg_catalog.=) job.id AND m.field OPERATOR(pg_catalog.=) f.name),
					 CASE WHEN f.name OPERATOR(pg_catalog.=) 'email_marketing' AND job.email_consent_value IS NOT NULL
						 THEN CASE WHEN job.email_consent_value THEN 'opted in for every row' ELSE 'opted out for every row' END
						  WHEN f.name OPERATOR(pg_catalog.=) 'sms_marketing' AND job.sms_consent_value IS NOT NULL
						 THEN CASE WHEN job.sms_consent_value THEN 'opted in for every row' ELSE 'opted out for every row' END
						 ELSE 'not set' END)
		FROM @extschema@.crm_fields f WHERE f.type OPERATOR(pg_catalog.=) 'consent' ORDER BY f.name;
	RETURN QUERY VALUES
		('consent', 'opted-out contacts may be opted in again', CASE WHEN job.allow_reoptin THEN 'yes' ELSE 'no' END),
		('rules', 'master', CASE job.master WHEN 'file' THEN 'the uploaded file is master'
			WHEN 'existing' THEN 'existing data is master' ELSE 'not set' END),
		('rules', 'primary key', coalesce(job.primary_key, 'not set')),
		('rules', 'secondary key', coalesce(job.secondary_key, 'none')),
		('rules', 'max errors', coalesce(job.max_errors, 'no limit')),
		('compliance', 'GDPR and TCPA', CASE WHEN job.gdpr_accepted AND job.tcpa_accepted
			THEN pg_catalog.format('confirmed by %s at %s', job.compliance_accepted_by,
				pg_catalog.to_char(job.compliance_accepted_at, 'YYYY-MM-DD HH24:MI:SS TZ'))
			ELSE 'not confirmed' END),
		('status', 'state', job.state OPERATOR(pg_catalog.||) coalesce(': ' OPERATOR(pg_catalog.||) job.failure_reason, ''));
	RETURN QUERY SELECT 'missing'::text, p.problem, p.fix FROM @extschema@.crm_import_problems(job) p;
END
$$;
COMMENT ON FUNCTION crm_import_summary(bigint) IS
	'Wizard step 7 review: every setting (file with its encoding and any C1 control characters, mapping, consent, rules, compliance, state) and, under "missing", what still blocks the run';

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
	SELECT E' \t\n\r\x0B\f' OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.=) 'UTF8'
		-- NO-BREAK SPACE, OGHAM SPACE MARK, EN QUAD .. HAIR SPACE, ZERO WIDTH SPACE, LINE and
		-- PARAGRAPH SEPARATOR, NARROW NO-BREAK SPACE, MEDIUM MATHEMATICAL SPACE, IDEOGRAPHIC
		-- SPACE, ZERO WIDTH NO-BREAK SPACE (BOM)
		THEN (SELECT pg_catalog.string_agg(pg_catalog.chr(c), '') FROM pg_catalog.unnest(ARRAY[160, 5760, 8192, 8193, 8194, 8195,
			8196, 8197, 8198, 8199, 8200, 8201, 8202, 8203, 8232, 8233, 8239, 8287, 12288, 65279]) c)
		ELSE '' END
$$;
COMMENT ON FUNCTION crm_import_blank_chars() IS 'Internal: whitespace a run trims from values (ASCII whitespace; in UTF-8 databases also no-break, zero-width and other Unicode spaces)';

-- Internal: the SQL expression that normalizes a staged field (SQL reference ref) for a field type.
CREATE FUNCTION crm_import_norm_expr(field_type text, ref text, region text, opt_in text[], opt_out text[])
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE field_type
		WHEN 'text' THEN pg_catalog.format('nullif(pg_catalog.btrim(%s, %L), '''')', ref, @extschema@.crm_import_blank_chars())
		WHEN 'email' THEN pg_catalog.format('@extschema@.crm_import_norm_email(%s)', ref)
		WHEN 'phone' THEN pg_catalog.format('@extschema@.crm_import_norm_phone(%s, %L::text)', ref, region)
		WHEN 'date' THEN pg_catalog.format('(@extschema@.crm_import_norm_date(%s))::date', ref)
		WHEN 'number' THEN pg_catalog.format('(@extschema@.crm_import_norm_number(%s))::numeric', ref)
		WHEN 'boolean' THEN pg_catalog.format('@extschema@.crm_import_norm_boolean(%s)', ref)
		WHEN 'id' THEN pg_catalog.format('CASE WHEN pg_catalog.btrim(%s, %L) ~ ''^[0-9]{1,18}$'' THEN (pg_catalog.btrim(%s, %L))::bigint END',
			ref, @extschema@.crm_import_blank_chars(), ref, @extschema@.crm_import_blank_chars())
		WHEN 'consent' THEN pg_catalog.format('@extschema@.crm_import_norm_consent(%s, %L::text[], %L::text[])', ref, opt_in, opt_out)
	END
$$;
COMMENT ON FUNCTION crm_import_norm_expr(text, text, text, text[], text[]) IS 'Internal: SQL expression normalizing a staged field for a field type';

-- Internal: a value as a reject reason quotes it: at most 100 characters, then "...". A
-- whole 1 MB cell in every reason of crm_import_results helps nobody.
CREATE FUNCTION crm_import_cut(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN pg_catalog.length(value) OPERATOR(pg_catalog.>) 100 THEN pg_catalog.left(value, 100) OPERATOR(pg_catalog.||) '...' ELSE value END $$;
COMMENT ON FUNCTION crm_import_cut(text) IS 'Internal: a value cut to 100 characters (then "...") for reject reasons';

-- Internal: the SQL expression giving the reject reason of a value that did not normalize.
CREATE FUNCTION crm_import_reason_expr(field_type text, label text, c integer, column_name text, region text,
	opt_in text[], opt_out text[])
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN field_type OPERATOR(pg_catalog.=) ANY (ARRAY['email', 'phone', 'date', 'number', 'boolean']) THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s), @extschema@.crm_import_problem(%L::text, x.r%s, %L::text))',
				-- label and column name become part of a format string: their % doubled.
				pg_catalog.format('invalid %s %%L in column %s "%s": %%s', replace(label, '%', '%%'), c, replace(column_name, '%', '%%')),
				c, field_type, c, region)
		WHEN field_type OPERATOR(pg_catalog.=) 'id' THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s), CASE WHEN x.r%s ~ ''^\s*[0-9]+\s*$'' '
				'THEN ''too many digits (at most 18)'' ELSE ''not a whole number'' END)',
				pg_catalog.format('invalid system ID %%L in column %s "%s": %%s', c, replace(column_name, '%', '%%')), c, c)
		WHEN field_type OPERATOR(pg_catalog.=) 'consent' THEN
			pg_catalog.format('pg_catalog.format(%L, @extschema@.crm_import_cut(x.r%s))',
				pg_catalog.format('unknown %s value %%L in column %s "%s": opt-in terms are %s; opt-out terms are %s',
					replace(label, '%', '%%'), c, replace(column_name, '%', '%%'), replace(array_to_string(opt_in, ', '), '%', '%%'),
					replace(array_to_string(opt_out, ', '), '%', '%%')), c)
	END
$$;
COMMENT ON FUNCTION crm_import_reason_expr(text, text, integer, text, text, text[], text[]) IS 'Internal: SQL expression for the reject reason of a column value that does not normalize';

-- Internal: reports a finished run phase as a NOTICE (when crm_import.progress_rows > 0)
-- and returns the time the next phase starts.
CREATE FUNCTION crm_import_phase_done(import bigint, phase text, started timestamptz, detail text DEFAULT NULL,
	next_phase text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.crm_import_report_phase(import, phase OPERATOR(pg_catalog.||) ' done, '
		OPERATOR(pg_catalog.||) coalesce(next_phase, 'finishing'));
	IF coalesce(nullif(current_setting('crm_import.progress_rows', true), ''), '0')::integer OPERATOR(pg_catalog.>) 0 THEN
		RAISE NOTICE 'crm_import run %: % done in % ms%', import, phase,
			round((extract(epoch FROM clock_timestamp() OPERATOR(pg_catalog.-) started) OPERATOR(pg_catalog.*) 1000)::numeric),
			coalesce(' (' OPERATOR(pg_catalog.||) detail OPERATOR(pg_catalog.||) ')', '');
	END IF;
	RETURN clock_timestamp();
END
$$;
CREATE FUNCTION crm_import_report_phase(import bigint, phase text) RETURNS void
	AS 'MODULE_PATHNAME', 'crm_import_report_phase' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_report_phase(bigint, text) IS
	'Internal: shows "crm_import run N: phase" as the backend''s query in pg_stat_activity (read by crm_import_progress)';
COMMENT ON FUNCTION crm_import_phase_done(bigint, text, timestamptz, text, text) IS 'Internal: reports a finished run phase in pg_stat_activity, and as a NOTICE with its duration when crm_import.progress_rows > 0';

-- Internal: the whole set-based import. Runs inside crm_import_run's subtransaction, so any
-- error undoes every contact change. Work tables live in crm_import_staging and are dropped.
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
	p text := pg_catalog.format('crm_import_staging.%I', 'run_' OPERATOR(pg_catalog.||) job.id OPERATOR(pg_catalog.||) '_');
	w text := p OPERATOR(pg_catalog.||) 'rows';
	names text[] := @extschema@.crm_import_column_names(job);
	hdr integer := CASE WHEN job.has_header THEN 1 ELSE 0 END;
	region text := coalesce(nullif(current_setting('crm_import.default_region', true), ''), 'NO');
	inner_cols text := '';
	outer_cols text := '';
	reasons text := '';
	all_blank text := '';   -- every mapped column of the row is blank
	custom_pairs text[] := '{}';
	custom_expr text;
	cols text[] := '{}';       -- predefined contact columns the import writes
	consent_cols text[] := '{}';
	mp record;
	ref text;
	col text;
	data_rows bigint := job.record_count OPERATOR(pg_catalog.-) hdr;
	rejected_rows bigint;
	max_rejected bigint;
	has_custom boolean;
	sel_new text := '';
	sel_old text := '';
	kept_cols text := '';
	cmp_old text := '';
	cmp_new text := '';
	row_notes text := '';  -- notes of a row result: consent kept opted out, no key to match on
	set_list text := '';
	ins_cols text[] := ARRAY['id', 'created_by_import', 'updated_by_import'];  -- columns a new contact gets
	ins_vals text := '';
	m_single text := '';
	m_multi text := '';
	results text := pg_catalog.format('crm_import_staging.%I', 'results_' OPERATOR(pg_catalog.||) job.id);
	terms jsonb := @extschema@.crm_import_terms(job);
	r record;
	t timestamptz := clock_timestamp();
BEGIN
	-- The previous run's results go first, before the contacts lock: dropping them waits for
	-- sessions still reading them, and nothing may wait while the contacts are locked.
	IF pg_catalog.to_regclass(results) IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP TABLE %s', results);
	END IF;
	PERFORM @extschema@.crm_import_report_phase(job.id, 'normalize');
	-- 1. Normalize: one pass over the staged rows builds the work table of typed values and
	--    the first reject reason of each row.
	FOR mp IN
		SELECT m.column_no AS c, f.name, f.label, f.type, f.custom,
			@extschema@.crm_import_terms(terms, f.name, 'opt_in') AS opt_in_terms,
			@extschema@.crm_import_terms(terms, f.name, 'opt_out') AS opt_out_terms
		FROM @extschema@.crm_import_mappings m JOIN @extschema@.crm_fields f ON f.name OPERATOR(pg_catalog.=) m.field
		WHERE m.import_id OPERATOR(pg_catalog.=) job.id ORDER BY m.column_no
	LOOP
		ref := @extschema@.crm_import_field_ref(job, mp.c);
		inner_cols := inner_cols OPERATOR(pg_catalog.||) pg_catalog.format(', %s AS r%s, %s AS n%s', ref, mp.c,
			@extschema@.crm_import_norm_expr(mp.type, ref, region, mp.opt_in_terms, mp.opt_out_terms), mp.c);
		IF mp.type OPERATOR(pg_catalog.<>) 'text' THEN
			reasons := reasons OPERATOR(pg_catalog.||) pg_catalog.format(
				-- The cheap test first: btrim only runs for the values that did not normalize.
				' WHEN x.n%s IS NULL AND pg_catalog.btrim(x.r%s, %L) OPERATOR(pg_catalog.<>) '''' THEN %s', mp.c, mp.c,
				@extschema@.crm_import_blank_chars(),
				@extschema@.crm_import_reason_expr(mp.type,
					-- "email address", "mobile number", but "SMS marketing status"
					CASE WHEN mp.label ~ '^[A-Z]{2}' THEN mp.label ELSE lower(left(mp.label, 1)) OPERATOR(pg_catalog.||) substr(mp.label, 2) END,
					mp.c, names[mp.c], region, mp.opt_in_terms, mp.opt_out_terms));
		END IF;
		all_blank := all_blank OPERATOR(pg_catalog.||) pg_catalog.format(' AND x.n%s IS NULL', mp.c);
		IF mp.custom THEN
			custom_pairs := custom_pairs OPERATOR(pg_catalog.||) pg_catalog.format('%L, x.n%s', mp.name, mp.c);
		ELSIF mp.type OPERATOR(pg_catalog.=) 'id' THEN
			outer_cols := outer_cols OPERATOR(pg_catalog.||) pg_catalog.format(', x.n%s AS system_id', mp.c);
		ELSE
			outer_cols := outer_cols OPERATOR(pg_catalog.||) pg_catalog.format(', x.n%s AS %I', mp.c, mp.name);
			cols := cols OPERATOR(pg_catalog.||) mp.name;
			IF mp.type OPERATOR(pg_catalog.=) 'consent' THEN
				consent_cols := consent_cols OPERATOR(pg_catalog.||) mp.name;
			END IF;
		END IF;
	END LOOP;
	-- Consent set for the whole import.
	IF job.email_consent_value IS NOT NULL AND NOT 'email_marketing' OPERATOR(pg_catalog.=) ANY (cols) THEN
		outer_cols := outer_cols OPERATOR(pg_catalog.||) pg_catalog.format(', %L::boolean AS email_marketing', job.email_consent_value);
		cols := cols OPERATOR(pg_catalog.||) 'email_marketing'::text;
		consent_cols := consent_cols OPERATOR(pg_catalog.||) 'email_marketing'::text;
	END IF;
	IF job.sms_consent_value IS NOT NULL AND NOT 'sms_marketing' OPERATOR(pg_catalog.=) ANY (cols) THEN
		outer_cols := outer_cols OPERATOR(pg_catalog.||) pg_catalog.format(', %L::boolean AS sms_marketing', job.sms_consent_value);
		cols := cols OPERATOR(pg_catalog.||) 'sms_marketing'::text;
		consent_cols := consent_cols OPERATOR(pg_catalog.||) 'sms_marketing'::text;
	END IF;
	has_custom := cardinality(custom_pairs) OPERATOR(pg_catalog.>) 0;
	IF has_custom THEN
		-- jsonb_build_object takes at most 50 pairs per call.
		SELECT string_agg(pg_catalog.format('pg_catalog.jsonb_build_object(%s)', string_agg), ' OPERATOR(pg_catalog.||) ')
		INTO custom_expr
		FROM (SELECT string_agg(pair, ', ') FROM unnest(custom_pairs) WITH ORDINALITY AS t(pair, i)
			  GROUP BY (i OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog./) 50) q;
		outer_cols := outer_cols OPERATOR(pg_catalog.||) pg_catalog.format(', nullif(pg_catalog.jsonb_strip_nulls(%s), ''{}'') AS custom', custom_expr);
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
	EXECUTE 'ANALYZE ' OPERATOR(pg_catalog.||) job.staging_table OPERATOR(pg_catalog.||) ' (record_no)';
	PERFORM pg_catalog.set_config('max_parallel_workers_per_gather', '2', true);
	EXECUTE pg_catalog.format(
		'CREATE UNLOGGED TABLE %s WITH (autovacuum_enabled = false) AS '
		'SELECT x.row_no, x.line_no, CASE WHEN x.nf OPERATOR(pg_catalog.<>) %s THEN pg_catalog.format(''wrong field count: %%s fields, expected %%s'', x.nf, %s) %s END AS reason'
		'%s '
		'FROM (SELECT s.record_no OPERATOR(pg_catalog.-) %s AS row_no, s.line_no, s.nfields AS nf%s, '
		'      pg_catalog.clock_timestamp() AS fence '
		'      FROM %s s WHERE s.record_no OPERATOR(pg_catalog.>) %s) x',
		w, job.column_count, job.column_count,
		-- A row with nothing in any imported column would become an empty contact.
		reasons OPERATOR(pg_catalog.||) CASE WHEN all_blank OPERATOR(pg_catalog.<>) '' THEN
			' WHEN true' OPERATOR(pg_catalog.||) all_blank OPERATOR(pg_catalog.||) ' THEN ''empty row: every imported column is blank''' ELSE '' END,
		outer_cols, hdr, inner_cols, job.staging_table, hdr);
	EXECUTE 'ANALYZE ' OPERATOR(pg_catalog.||) w OPERATOR(pg_catalog.||) ' (row_no, reason)';
	t := @extschema@.crm_import_phase_done(job.id, 'normalize', t, data_rows OPERATOR(pg_catalog.||) ' rows', 'dedupe and match');
	PERFORM pg_catalog.set_config('max_parallel_workers_per_gather', '0', true);

	-- 2. Units: rows sharing a primary key value form one unit, numbered by its first row.
	-- 3. Match each unit: primary key first, the secondary key only where the primary found
	--    nothing. New units sharing a secondary key value found one new contact together.
	--    tgt: the existing contact's id (> 0), or minus the unit that founds a new contact.
	IF job.primary_key OPERATOR(pg_catalog.<>) 'none' AND NOT dry_run THEN
		-- Serializes the match-and-merge of concurrent imports (readers are not blocked), so
		-- two imports never both create a contact for one key value.
		LOCK TABLE @extschema@.crm_contacts IN SHARE ROW EXCLUSIVE MODE;
	END IF;
	-- rt: every row with its unit, target (an existing contact id > 0, or minus the unit that
	-- founds a new contact), matched_by or reject reason, its target's lead row and row count
	-- and the contact id, computed in memory by crm_import_plan_matches
	-- (src/core/match_plan.hpp) and written beside the row's values.
	EXECUTE pg_catalog.format('CREATE UNLOGGED TABLE %srt (LIKE %s, unit integer, tgt bigint, matched_by text, '
		'reject_reason text, lead_row integer, n bigint, contact_id bigint) WITH (autovacuum_enabled = false)', p, w);
	-- Every argument of an extension function called here has the exact declared type, so
	-- no overload anyone could add to the extension's schema is a better match (see also
	-- crm_import_verify_schema).
	PERFORM @extschema@.crm_import_plan_matches(w::regclass, (p OPERATOR(pg_catalog.||) 'rt')::regclass,
		'@extschema@.crm_contacts'::regclass, job.primary_key::text, job.secondary_key::text,
		(CASE WHEN NOT dry_run THEN pg_catalog.pg_get_serial_sequence('@extschema@.crm_contacts', 'id') END)::regclass);
	EXECUTE 'ANALYZE ' OPERATOR(pg_catalog.||) p OPERATOR(pg_catalog.||) 'rt (row_no, reason, tgt, n)';

	-- max_errors: fail before anything is written.
	t := @extschema@.crm_import_phase_done(job.id, 'dedupe and match', t, next_phase => 'merge');
	EXECUTE pg_catalog.format('SELECT count(*) FROM %srt rt WHERE rt.reason IS NOT NULL OR rt.reject_reason IS NOT NULL', p)
		INTO rejected_rows;
	IF job.max_errors IS NOT NULL THEN
		-- 1.5 allows 1, as 20% of 9 allows 1; a limit above the row count is the row count
		-- (so '99999999999999999999' or '1000000%' cannot overflow bigint).
		max_rejected := least(data_rows::numeric, CASE WHEN job.max_errors LIKE '%\%' THEN
				floor(data_rows OPERATOR(pg_catalog.*) (rtrim(job.max_errors, '%'))::numeric OPERATOR(pg_catalog./) 100)
			ELSE floor((job.max_errors)::numeric) END)::bigint;
		IF rejected_rows OPERATOR(pg_catalog.>) max_rejected AND dry_run THEN
			-- A dry run goes on, so its row results show which rows would be rejected.
			RAISE WARNING 'import % would fail: too many rejected rows: % of % (max_errors %)', job.id, rejected_rows,
				data_rows, job.max_errors
				USING HINT = pg_catalog.format('SELECT * FROM crm_import_results(%s) WHERE outcome = ''rejected'' lists them.', job.id);
		ELSIF rejected_rows OPERATOR(pg_catalog.>) max_rejected THEN
			RAISE EXCEPTION 'too many rejected rows: % of % (max_errors %)', rejected_rows, data_rows, job.max_errors
				USING ERRCODE = 'data_exception',
				HINT = pg_catalog.format('Run with dry_run => true and read crm_import_results(%s) for the reasons; fix the file, or raise the limit with crm_import_set_options(%s, max_errors => ...).', job.id, job.id);
		END IF;
	END IF;

	-- 4. Merge the rows of each target in file order: the last non-blank value of a field wins.
	FOREACH col IN ARRAY cols LOOP
		m_single := m_single OPERATOR(pg_catalog.||) pg_catalog.format(', w.%I', col);
		m_multi := m_multi OPERATOR(pg_catalog.||) pg_catalog.format(', @extschema@.crm_import_last(w.%I) AS %I', col, col);
	END LOOP;
	IF has_custom THEN
		m_single := m_single OPERATOR(pg_catalog.||) ', w.custom';
		m_multi := m_multi OPERATOR(pg_catalog.||) ', @extschema@.crm_import_jsonb_merge(w.custom) AS custom';
	END IF;
	-- Only targets with several rows are aggregated into a table; merged is a view that adds
	-- the single-row targets (most of them) straight from the plan table, so their values
	-- are not copied once more.
	EXECUTE pg_catalog.format(
		'CREATE UNLOGGED TABLE %smerged_multi WITH (autovacuum_enabled = false) AS '
		'SELECT q.tgt, min(q.contact_id) AS contact_id, min(q.row_no) AS lead_row, count(*) AS n%s FROM ('
		'  SELECT * FROM %srt w WHERE w.n OPERATOR(pg_catalog.>) 1 ORDER BY w.tgt, w.row_no) q GROUP BY q.tgt',
		p, replace(m_multi, '(w.', '(q.'), p);
	EXECUTE 'ANALYZE ' OPERATOR(pg_catalog.||) p OPERATOR(pg_catalog.||) 'merged_multi (tgt)';
	EXECUTE pg_catalog.format(
		'CREATE VIEW %smerged AS '
		'SELECT w.tgt, w.contact_id, w.lead_row, w.n%s FROM %srt w WHERE w.n OPERATOR(pg_catalog.=) 1 '
		'UNION ALL SELECT * FROM %smerged_multi',
		p, m_single, p, p);

	-- 5. Existing contacts: the new value of each field under the master rule, whether
	--    anything changes, and where opted-out consent was kept. The old values are only
	--    compared, not stored: the table stays half as wide (less to write, to hash and to
	--    read back by the update and the row results).
	FOREACH col IN ARRAY cols LOOP
		IF col OPERATOR(pg_catalog.=) ANY (consent_cols) THEN
			-- Consent: never from opted out to opted in unless the import allows it.
			sel_new := sel_new OPERATOR(pg_catalog.||) CASE WHEN job.master OPERATOR(pg_catalog.=) 'existing'
				THEN pg_catalog.format(', coalesce(c.%I, m.%I) AS %I', col, col, col)
				ELSE pg_catalog.format(', CASE WHEN m.%I IS NULL THEN c.%I WHEN c.%I IS FALSE AND m.%I AND NOT %L THEN false ELSE m.%I END AS %I',
					col, col, col, col, job.allow_reoptin, col, col) END;
			sel_new := sel_new OPERATOR(pg_catalog.||) pg_catalog.format(
				', (c.%I IS FALSE AND m.%I IS TRUE AND NOT %L AND %L) AS %I', col, col, job.allow_reoptin,
				job.master OPERATOR(pg_catalog.=) 'file', col OPERATOR(pg_catalog.||) '_kept');
			kept_cols := kept_cols OPERATOR(pg_catalog.||) pg_catalog.format(', y.%I', col OPERATOR(pg_catalog.||) '_kept');
		ELSE
			sel_new := sel_new OPERATOR(pg_catalog.||) CASE WHEN job.master OPERATOR(pg_catalog.=) 'existing'
				THEN pg_catalog.format(', coalesce(c.%I, m.%I) AS %I', col, col, col)
				ELSE pg_catalog.format(', coalesce(m.%I, c.%I) AS %I', col, col, col) END;
		END IF;
		sel_old := sel_old OPERATOR(pg_catalog.||) pg_catalog.format(', c.%I AS %I', col, 'o_' OPERATOR(pg_catalog.||) col);
		cmp_old := cmp_old OPERATOR(pg_catalog.||) pg_catalog.format(', y.%I', 'o_' OPERATOR(pg_catalog.||) col);
		cmp_new := cmp_new OPERATOR(pg_catalog.||) pg_catalog.format(', y.%I', col);
		set_list := set_list OPERATOR(pg_catalog.||) pg_catalog.format(', %I = x.%I', col, col);
		ins_cols := ins_cols OPERATOR(pg_catalog.||) col;
		ins_vals := ins_vals OPERATOR(pg_catalog.||) pg_catalog.format(', m.%I', col);
	END LOOP;
	IF has_custom THEN
		sel_new := sel_new OPERATOR(pg_catalog.||) CASE WHEN job.master OPERATOR(pg_catalog.=) 'existing'
			THEN ', coalesce(m.custom, ''{}'') OPERATOR(pg_catalog.||) c.custom AS custom'
			ELSE ', c.custom OPERATOR(pg_catalog.||) coalesce(m.custom, ''{}'') AS custom' END;
		sel_old := sel_old OPERATOR(pg_catalog.||) ', c.custom AS o_custom';
		cmp_old := cmp_old OPERATOR(pg_catalog.||) ', y.o_custom';
		cmp_new := cmp_new OPERATOR(pg_catalog.||) ', y.custom';
		set_list := set_list OPERATOR(pg_catalog.||) ', custom = x.custom';
		ins_cols := ins_cols OPERATOR(pg_catalog.||) 'custom'::text;
		ins_vals := ins_vals OPERATOR(pg_catalog.||) ', coalesce(m.custom, ''{}'')';
	END IF;
	FOREACH col IN ARRAY consent_cols LOOP
		-- Where each contact's current consent came from.
		set_list := set_list OPERATOR(pg_catalog.||) pg_catalog.format(
			', %I = CASE WHEN x.%I IS DISTINCT FROM c.%I THEN %s ELSE c.%I END, %I = CASE WHEN x.%I IS DISTINCT FROM c.%I THEN pg_catalog.now() ELSE c.%I END',
			col OPERATOR(pg_catalog.||) '_import', col, col, job.id, col OPERATOR(pg_catalog.||) '_import',
			col OPERATOR(pg_catalog.||) '_at', col, col, col OPERATOR(pg_catalog.||) '_at');
		ins_cols := ins_cols OPERATOR(pg_catalog.||) ARRAY[col OPERATOR(pg_catalog.||) '_import', col OPERATOR(pg_catalog.||) '_at'];
		ins_vals := ins_vals OPERATOR(pg_catalog.||) pg_catalog.format(', CASE WHEN m.%I IS NOT NULL THEN %s END, CASE WHEN m.%I IS NOT NULL THEN pg_catalog.now() END',
			col, job.id, col);
		row_notes := row_notes OPERATOR(pg_catalog.||) pg_catalog.format(
			', CASE WHEN x.%I THEN %L END', col OPERATOR(pg_catalog.||) '_kept',
			replace(col, '_marketing', '') OPERATOR(pg_catalog.||) ' consent kept opted out: the contact had opted out and allow_reoptin is off');
	END LOOP;
	IF job.primary_key OPERATOR(pg_catalog.<>) 'none' THEN
		-- A row without any key value is a new contact on every import of it: say so.
		row_notes := row_notes OPERATOR(pg_catalog.||) pg_catalog.format(
			', CASE WHEN w.tgt OPERATOR(pg_catalog.<) 0 AND w.%I IS NULL%s THEN %L END',
			job.primary_key,
			CASE WHEN job.secondary_key IS NOT NULL THEN pg_catalog.format(' AND w.%I IS NULL', job.secondary_key) ELSE '' END,
			'no ' OPERATOR(pg_catalog.||) replace(job.primary_key, 'system_id', 'system ID')
				OPERATOR(pg_catalog.||) coalesce(' or ' OPERATOR(pg_catalog.||) replace(job.secondary_key, 'system_id', 'system ID'), '')
				OPERATOR(pg_catalog.||) ' to match on: created as a new contact');
	END IF;
	EXECUTE pg_catalog.format(
		'CREATE UNLOGGED TABLE %sexisting WITH (autovacuum_enabled = false) AS '
		'SELECT y.id%s%s, (ROW(0%s) IS DISTINCT FROM ROW(0%s)) AS changed FROM ('
		'  SELECT c.id%s%s FROM %smerged m JOIN @extschema@.crm_contacts c ON c.id OPERATOR(pg_catalog.=) m.tgt '
		'  WHERE m.tgt OPERATOR(pg_catalog.>) 0) y',
		p, cmp_new, kept_cols, cmp_old, cmp_new, sel_old, sel_new, p);
	EXECUTE 'ANALYZE ' OPERATOR(pg_catalog.||) p OPERATOR(pg_catalog.||) 'existing (id, changed)';
	t := @extschema@.crm_import_phase_done(job.id, 'merge', t, next_phase => 'write contacts');

	-- 6. Write: update changed contacts, insert new ones, add every touched contact to the list.
	-- New contacts already have their ids (crm_import_plan_matches numbered them in file
	-- order); a dry run has none.
	IF NOT dry_run THEN
		IF set_list OPERATOR(pg_catalog.<>) '' THEN
			EXECUTE pg_catalog.format('UPDATE @extschema@.crm_contacts c SET updated_at = pg_catalog.now(), updated_by_import = %s%s '
				'FROM %sexisting x WHERE c.id OPERATOR(pg_catalog.=) x.id AND x.changed', job.id, set_list, p);
		END IF;
		PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_contacts'::regclass, ins_cols,
			pg_catalog.format('SELECT m.contact_id, %s, %s%s FROM %smerged m WHERE m.tgt OPERATOR(pg_catalog.<) 0%s',
			job.id, job.id, ins_vals, p,
			-- In key order the email index takes its entries page by page instead of at random.
			CASE WHEN 'email' OPERATOR(pg_catalog.=) ANY (cols) THEN ' ORDER BY m.email COLLATE "C"' ELSE '' END));
		-- New contacts cannot be members yet: a plain insert; matched ones may already be. No
		-- ON CONFLICT (its speculative insertion doubles the WAL records): only imports write
		-- memberships, and those that match contacts hold the lock taken above.
		PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_list_members'::regclass, '{list_id, contact_id, added_by_import}'::text[],
			pg_catalog.format('SELECT %s, m.contact_id, %s FROM %smerged m WHERE m.tgt OPERATOR(pg_catalog.<) 0', job.list_id, job.id, p));
		PERFORM @extschema@.crm_import_bulk_insert('@extschema@.crm_list_members'::regclass, '{list_id, contact_id, added_by_import}'::text[],
			pg_catalog.format('SELECT %s, x.id, %s FROM %sexisting x WHERE NOT EXISTS (SELECT 1 FROM @extschema@.crm_list_members lm '
			'WHERE lm.list_id OPERATOR(pg_catalog.=) %s AND lm.contact_id OPERATOR(pg_catalog.=) x.id) ORDER BY x.id',
			job.list_id, job.id, p, job.list_id));
	END IF;

	-- 7. Row results: one row per data row of the file.
	t := @extschema@.crm_import_phase_done(job.id, CASE WHEN dry_run THEN 'plan (dry run)' ELSE 'write contacts and list members' END, t,
		next_phase => 'row results');
	-- A new table of this import's own: no lock on anything another session reads.
	EXECUTE pg_catalog.format('CREATE TABLE %s (import_id bigint NOT NULL, row_no integer NOT NULL, line_no bigint NOT NULL, '
		'outcome text NOT NULL, contact_id bigint, matched_by text, reason text)', results);
	-- The plan's contact_id is NULL for a rejected row and for a new contact in a dry run.
	PERFORM @extschema@.crm_import_bulk_insert(results::regclass, '{import_id, row_no, line_no, outcome, contact_id, matched_by, reason}'::text[],
		pg_catalog.format(
		'SELECT %s, w.row_no, w.line_no, '
		'  CASE WHEN w.reason IS NOT NULL OR w.reject_reason IS NOT NULL THEN ''rejected'' '
		'       WHEN w.row_no OPERATOR(pg_catalog.<>) w.lead_row THEN ''merged_in_file'' '
		'       WHEN w.tgt OPERATOR(pg_catalog.<) 0 THEN ''inserted'' '
		'       WHEN x.changed THEN ''updated'' ELSE ''unchanged'' END, '
		'  w.contact_id, '
		'  CASE WHEN w.reason IS NOT NULL OR w.reject_reason IS NOT NULL THEN NULL '
		'       WHEN w.row_no OPERATOR(pg_catalog.=) w.lead_row THEN w.matched_by '
		'       WHEN w.unit OPERATOR(pg_catalog.=) w.lead_row THEN %L '
		'       ELSE coalesce(w.matched_by, %L) END, '
		'  coalesce(w.reason, w.reject_reason, CASE WHEN w.row_no OPERATOR(pg_catalog.=) w.lead_row THEN nullif(pg_catalog.concat_ws(''; '', NULL::pg_catalog.text%s), '''') END) '
		'FROM %srt w LEFT JOIN %sexisting x ON x.id OPERATOR(pg_catalog.=) w.tgt',
		job.id, nullif(job.primary_key, 'none'), job.secondary_key,
		row_notes,
		p, p));

	EXECUTE pg_catalog.format('SELECT count(*) FILTER (WHERE r.outcome OPERATOR(pg_catalog.=) ''inserted''), '
		'count(*) FILTER (WHERE r.outcome OPERATOR(pg_catalog.=) ''updated''), '
		'count(*) FILTER (WHERE r.outcome OPERATOR(pg_catalog.=) ''unchanged''), '
		'count(*) FILTER (WHERE r.outcome OPERATOR(pg_catalog.=) ''merged_in_file''), '
		'count(*) FILTER (WHERE r.outcome OPERATOR(pg_catalog.=) ''rejected'') FROM %s r', results)
		INTO inserted, updated, unchanged, merged_in_file, rejected;
	t := @extschema@.crm_import_phase_done(job.id, 'row results', t);

	-- Work tables go; the staged rows stay until crm_import_discard.
	EXECUTE pg_catalog.format('DROP VIEW %smerged', p);
	FOR r IN SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'crm_import_staging'::regnamespace
		AND c.relkind OPERATOR(pg_catalog.=) 'r'
		AND starts_with(c.relname, 'run_' OPERATOR(pg_catalog.||) job.id OPERATOR(pg_catalog.||) '_') LOOP
		EXECUTE pg_catalog.format('DROP TABLE crm_import_staging.%I', r.relname);
	END LOOP;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_execute(crm_imports, boolean) IS
	'Internal: the set-based import (normalize, dedupe in file, match, merge, list membership, row results); runs inside crm_import_run''s subtransaction';

-- Internal: records a run attempt in crm_import_runs (C: committed by a background worker).
CREATE FUNCTION crm_import_record_run(import bigint, started_by oid) RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_record_run' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_import_record_run(bigint, oid) IS
	'Internal: commits, in a background worker''s own transaction, that this transaction runs the import (false when no worker could start)';

-- Internal: how a run attempt that did not commit ended, for its import's failure reason.
CREATE FUNCTION crm_import_dead_run_reason(started_at timestamptz, backend_pid integer)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format('the run started at %s did not finish: %s; no contact was changed',
		pg_catalog.to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
		CASE WHEN pg_catalog.pg_postmaster_start_time() > started_at
			THEN 'the server restarted (crash or shutdown) while it ran'
			ELSE pg_catalog.format('its session (process %s) ended first (terminated, crashed, or the server restarted) '
				'or rolled its transaction back', backend_pid) END)
$$;
COMMENT ON FUNCTION crm_import_dead_run_reason(timestamptz, integer) IS
	'Internal: the failure reason of a run whose transaction never committed';

-- Internal: the last recorded run attempt of each import whose outcome its import row does
-- not record: running while its transaction is in progress, dead once it is not (it never
-- committed: a committed run records its transaction in crm_imports.run_xid).
CREATE VIEW crm_import_attempts AS
	SELECT r.import_id, r.run_xid, r.started_at, r.backend_pid,
		pg_catalog.pg_xact_status(r.run_xid) IS NOT DISTINCT FROM 'in progress' AS running,
		@extschema@.crm_import_dead_run_reason(r.started_at, r.backend_pid) AS reason
	FROM @extschema@.crm_imports j
	JOIN LATERAL (SELECT x.run_xid, x.started_at, x.backend_pid, x.import_id FROM @extschema@.crm_import_runs x
		WHERE x.import_id = j.id ORDER BY x.started_at DESC LIMIT 1) r ON true
	WHERE r.run_xid IS DISTINCT FROM j.run_xid;
COMMENT ON VIEW crm_import_attempts IS 'Internal: imports whose last recorded run is in progress (running) or died without recording an outcome (the reason)';
COMMENT ON COLUMN crm_import_attempts.import_id IS 'The import';
COMMENT ON COLUMN crm_import_attempts.run_xid IS 'Transaction of the run';
COMMENT ON COLUMN crm_import_attempts.started_at IS 'When the run started';
COMMENT ON COLUMN crm_import_attempts.backend_pid IS 'Backend that ran it';
COMMENT ON COLUMN crm_import_attempts.running IS 'True while its transaction is in progress';
COMMENT ON COLUMN crm_import_attempts.reason IS 'Failure reason once it is not running';

CREATE FUNCTION crm_import_run(import bigint, dry_run boolean DEFAULT false)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint, merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- Tables the run creates go where the extension's tables go, not into a tablespace the
-- caller chose (which the caller may lack CREATE on).
SET default_tablespace = '' SET temp_tablespaces = ''
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	problems text;
	recorded boolean;
	err_message text;
	err_state text;
	err_detail text;
	err_hint text;
BEGIN
	IF dry_run IS NULL THEN
		RAISE EXCEPTION 'dry_run must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT string_agg(pg_catalog.format('%s (fix: %s)', p.problem, p.fix), E';\n') INTO problems
		FROM @extschema@.crm_import_problems(job) p;
	IF problems IS NOT NULL THEN
		RAISE EXCEPTION 'import % is not ready to run', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = problems, HINT = pg_catalog.format('SELECT * FROM crm_import_check(%s) lists what is missing.', job.id);
	END IF;
	IF NOT dry_run AND current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
		-- The merge locks crm_contacts and then must see what imports that committed while it
		-- waited created; an older snapshot would create duplicates.
		RAISE EXCEPTION 'crm_import_run needs READ COMMITTED isolation, not %', current_setting('transaction_isolation')
			USING ERRCODE = 'invalid_transaction_state',
			HINT = 'Run it outside an explicit transaction, or in one begun with ISOLATION LEVEL READ COMMITTED.';
	END IF;
	IF NOT dry_run THEN
		-- A run that died earlier is recorded as failed first; old attempts are forgotten.
		UPDATE @extschema@.crm_imports j SET state = 'failed', failure_reason = d.reason, failure_sqlstate = '57P01',
			started_at = d.started_at, finished_at = NULL, run_xid = d.run_xid
			FROM @extschema@.crm_import_attempts d WHERE d.import_id = job.id AND NOT d.running AND j.id = job.id;
		DELETE FROM @extschema@.crm_import_runs r WHERE r.import_id = job.id
			OR (pg_catalog.pg_xact_status(r.run_xid) IS DISTINCT FROM 'in progress'
				AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_imports j WHERE j.id = r.import_id));
		-- Committed outside this transaction before any work: if this session dies, the
		-- import shows failed with the reason (crm_import_status), not its earlier state.
		recorded := @extschema@.crm_import_record_run(job.id, @extschema@.crm_import_caller_id());
		-- A statement of its own: its snapshot must be taken after the worker committed.
		IF recorded AND NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_runs r
					WHERE r.import_id = job.id AND r.run_xid = pg_catalog.pg_current_xact_id()) THEN
			RAISE NOTICE 'import % runs without a crash record: the background worker could not record it', job.id
				USING HINT = 'The server log of the "crm_import run recorder" worker says why.';
		END IF;
		UPDATE @extschema@.crm_imports j SET state = 'running', started_at = clock_timestamp(), finished_at = NULL,
			backend_pid = pg_backend_pid(), failure_reason = NULL, failure_sqlstate = NULL,
			run_xid = pg_catalog.pg_current_xact_id()
			WHERE j.id OPERATOR(pg_catalog.=) job.id;
	END IF;
	BEGIN
		-- A subtransaction: on any error every contact change is undone, and the job row,
		-- written outside it, still records the failure.
		SELECT * INTO inserted, updated, unchanged, merged_in_file, rejected
			FROM @extschema@.crm_import_execute(job, dry_run);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err_message = MESSAGE_TEXT, err_state = RETURNED_SQLSTATE,
			err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		IF dry_run THEN
			-- Nothing to record: raise the error as it was (RAISE refuses empty options).
			IF err_detail OPERATOR(pg_catalog.<>) '' AND err_hint OPERATOR(pg_catalog.<>) '' THEN
				RAISE EXCEPTION USING MESSAGE = err_message, ERRCODE = err_state, DETAIL = err_detail, HINT = err_hint;
			ELSIF err_detail OPERATOR(pg_catalog.<>) '' THEN
				RAISE EXCEPTION USING MESSAGE = err_message, ERRCODE = err_state, DETAIL = err_detail;
			ELSIF err_hint OPERATOR(pg_catalog.<>) '' THEN
				RAISE EXCEPTION USING MESSAGE = err_message, ERRCODE = err_state, HINT = err_hint;
			ELSE
				RAISE EXCEPTION USING MESSAGE = err_message, ERRCODE = err_state;
			END IF;
		END IF;
		UPDATE @extschema@.crm_imports j SET state = 'failed', finished_at = clock_timestamp(),
			failure_reason = err_message OPERATOR(pg_catalog.||) coalesce(' (' OPERATOR(pg_catalog.||) nullif(err_detail, '') OPERATOR(pg_catalog.||) ')', ''),
			failure_sqlstate = err_state, inserted = NULL, updated = NULL, unchanged = NULL, merged_in_file = NULL, rejected = NULL
			WHERE j.id OPERATOR(pg_catalog.=) job.id;
		RAISE WARNING 'import % failed: %', job.id, err_message
			USING DETAIL = pg_catalog.concat_ws(' ', nullif(err_detail, ''),
				pg_catalog.format('SQLSTATE %s. No contact was changed.', err_state)),
			HINT = coalesce(nullif(err_hint, ''), pg_catalog.format('crm_import_status shows the import as failed; fix the cause and run crm_import_run(%s) again.', job.id));
		RETURN;
	END;
	IF dry_run THEN
		UPDATE @extschema@.crm_imports j SET results_dry_run = true WHERE j.id OPERATOR(pg_catalog.=) job.id;
	ELSE
		UPDATE @extschema@.crm_imports j SET state = 'completed', finished_at = clock_timestamp(), results_dry_run = false,
			inserted = crm_import_run.inserted, updated = crm_import_run.updated, unchanged = crm_import_run.unchanged,
			merged_in_file = crm_import_run.merged_in_file, rejected = crm_import_run.rejected
			WHERE j.id OPERATOR(pg_catalog.=) job.id;
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_run(bigint, boolean) IS
	'Wizard step 7: runs the import set-based (normalize, dedupe in file, match on primary then secondary key, merge, list membership) and returns the outcome counts. Refuses while crm_import_check reports problems. On failure nothing changes, the import is marked failed with the reason, a WARNING is raised and no row is returned. dry_run computes the same counts and row results without touching contacts or lists';

CREATE FUNCTION crm_import_results(import bigint)
RETURNS TABLE (row_no integer, line_no bigint, outcome text, contact_id bigint, matched_by text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('crm_import_staging.%I', 'results_' OPERATOR(pg_catalog.||) job.id)) IS NOT NULL THEN
		RETURN QUERY EXECUTE pg_catalog.format('SELECT r.row_no, r.line_no, r.outcome, r.contact_id, r.matched_by, r.reason '
			'FROM crm_import_staging.%I r ORDER BY r.row_no', 'results_' OPERATOR(pg_catalog.||) job.id);
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_results(bigint) IS
	'Row-level outcome of the last run (or dry run) of an import: one row per data row with outcome (inserted, updated, unchanged, merged_in_file, rejected), contact, key that matched, and reason';

CREATE FUNCTION crm_import_discard(import bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
BEGIN
	-- Dropping the per-import table is cheap and leaves no bloat behind.
	IF job.staging_table IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP TABLE IF EXISTS %s', job.staging_table);
		UPDATE @extschema@.crm_imports j SET staging_table = NULL WHERE j.id OPERATOR(pg_catalog.=) job.id;
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_discard(bigint) IS
	'Drops the staged file rows of an import (a DROP TABLE, not a DELETE); the import, its settings and results stay';

-- The runs in progress that the caller may see: recorded attempts whose transaction is still
-- in progress (crm_import_attempts). A run marks its import 'running' inside its own
-- transaction, which no other session sees until it ends; the attempt record, committed by
-- a background worker when the run starts, is what they see.
CREATE FUNCTION crm_import_running()
RETURNS TABLE (import_id bigint, since timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT x.import_id, x.started_at
	FROM @extschema@.crm_import_attempts x JOIN @extschema@.crm_imports j ON j.id OPERATOR(pg_catalog.=) x.import_id
	WHERE x.running AND @extschema@.crm_import_owned(j.owner, j.owner_id)
$$;
COMMENT ON FUNCTION crm_import_running() IS
	'Runs in progress in any session among the imports the caller may see: import id and statement start (used by crm_import_status)';

-- security_barrier: the owner filter runs before any condition of the caller's query, so a
-- cheap function of the caller's in WHERE never sees another role's rows. A run whose
-- transaction died (crm_import_attempts) shows as failed with the reason.
CREATE VIEW crm_import_status WITH (security_barrier) AS
	SELECT j.id, l.name AS list, j.file_name,
		coalesce((SELECT a.rolname FROM pg_catalog.pg_authid a WHERE a.oid = j.owner_id AND a.rolname = j.owner),
			j.owner OPERATOR(pg_catalog.||) ' (dropped)')::name AS owner,
		CASE WHEN d.running THEN 'running' WHEN d.import_id IS NOT NULL THEN 'failed' ELSE j.state END AS state,
		CASE WHEN d.import_id IS NOT NULL AND NOT d.running THEN 'Failed'
			ELSE CASE j.state WHEN 'completed' THEN 'Completed' WHEN 'failed' THEN 'Failed' ELSE 'Draft' END END AS tab,
		j.record_count OPERATOR(pg_catalog.-) CASE WHEN j.has_header THEN 1 ELSE 0 END AS rows,
		j.inserted, j.updated, j.unchanged, j.merged_in_file, j.rejected,
		CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN d.reason ELSE j.failure_reason END AS failure_reason,
		j.created_at, coalesce(d.started_at, j.started_at) AS started_at,
		CASE WHEN d.import_id IS NOT NULL THEN NULL ELSE j.finished_at END AS finished_at,
		CASE WHEN d.running THEN NULL WHEN d.import_id IS NOT NULL THEN '57P01' ELSE j.failure_sqlstate END AS failure_sqlstate,
		j.results_dry_run, j.byte_size, j.sha256, j.delimiter, j.had_bom, j.has_header,
		j.compliance_accepted_by, j.compliance_accepted_at, j.source_encoding
	FROM @extschema@.crm_imports j JOIN @extschema@.crm_lists l ON l.id OPERATOR(pg_catalog.=) j.list_id
	LEFT JOIN @extschema@.crm_import_attempts d ON d.import_id OPERATOR(pg_catalog.=) j.id
	WHERE @extschema@.crm_import_owned(j.owner, j.owner_id);
COMMENT ON VIEW crm_import_status IS
	'Imports the caller may see (its own; all for crm_import_admin) with state, wizard tab (Draft, Completed, Failed), row counts and failure reason';
COMMENT ON COLUMN crm_import_status.id IS 'Import id';
COMMENT ON COLUMN crm_import_status.list IS 'Target contact list';
COMMENT ON COLUMN crm_import_status.file_name IS 'File name given at upload';
COMMENT ON COLUMN crm_import_status.owner IS 'Role that uploaded the file ("name (dropped)" once that role is gone: only admins see such imports)';
COMMENT ON COLUMN crm_import_status.state IS 'draft, running (a run in progress in any session), completed or failed';
COMMENT ON COLUMN crm_import_status.tab IS 'Wizard tab: Draft until finished, then Completed or Failed';
COMMENT ON COLUMN crm_import_status.rows IS 'Data rows in the file (header excluded)';
COMMENT ON COLUMN crm_import_status.inserted IS 'Rows that created a contact';
COMMENT ON COLUMN crm_import_status.updated IS 'Rows that changed an existing contact';
COMMENT ON COLUMN crm_import_status.unchanged IS 'Rows that matched a contact without changing it';
COMMENT ON COLUMN crm_import_status.merged_in_file IS 'Rows merged into an earlier row of the file';
COMMENT ON COLUMN crm_import_status.rejected IS 'Rows rejected';
COMMENT ON COLUMN crm_import_status.failure_reason IS 'Why the import failed';
COMMENT ON COLUMN crm_import_status.created_at IS 'Upload time';
COMMENT ON COLUMN crm_import_status.started_at IS 'Run start';
COMMENT ON COLUMN crm_import_status.finished_at IS 'Run end';
COMMENT ON COLUMN crm_import_status.failure_sqlstate IS 'SQLSTATE of the failure';
COMMENT ON COLUMN crm_import_status.results_dry_run IS 'True when crm_import_results holds a dry run''s outcome';
COMMENT ON COLUMN crm_import_status.byte_size IS 'File size in bytes';
COMMENT ON COLUMN crm_import_status.sha256 IS 'SHA-256 of the file, hex';
COMMENT ON COLUMN crm_import_status.delimiter IS 'Delimiter used';
COMMENT ON COLUMN crm_import_status.had_bom IS 'The file began with a byte-order mark (skipped): UTF-8, or UTF-16/UTF-32, whose mark chose the encoding';
COMMENT ON COLUMN crm_import_status.has_header IS 'The first record holds column headers';
COMMENT ON COLUMN crm_import_status.compliance_accepted_by IS 'Role that confirmed GDPR and TCPA compliance';
COMMENT ON COLUMN crm_import_status.compliance_accepted_at IS 'When compliance was confirmed';
COMMENT ON COLUMN crm_import_status.source_encoding IS 'Encoding the file was read in (UTF-8, or the one it was converted from: windows-1252, IBM865, UTF-16LE, ...); NULL for files uploaded before version 0.2.0';
GRANT SELECT ON crm_import_status TO crm_import_user;

CREATE VIEW crm_import_progress AS
	SELECT a.pid, a.usename AS role,
		CASE WHEN p.pid IS NOT NULL THEN 'upload' ELSE 'run' END AS step,
		(substring(a.query FROM '^crm_import run ([0-9]+):'))::bigint AS import_id,
		CASE WHEN p.pid IS NOT NULL THEN 'staging the file'
			ELSE substring(a.query FROM '^crm_import run [0-9]+: (.*)$') END AS phase,
		p.bytes_processed, p.bytes_total, p.tuples_processed AS records_staged,
		pg_catalog.now() OPERATOR(pg_catalog.-) a.query_start AS running_for
	FROM pg_catalog.pg_stat_activity a
	LEFT JOIN pg_catalog.pg_stat_progress_copy p ON p.pid OPERATOR(pg_catalog.=) a.pid
		AND a.query ~* 'crm_import_upload'
	-- An idle backend keeps the text of its last run: only active ones are running.
	WHERE (a.state OPERATOR(pg_catalog.=) 'active' AND a.query ~ '^crm_import run [0-9]+:') OR p.pid IS NOT NULL;
COMMENT ON VIEW crm_import_progress IS
	'Uploads and runs in progress in any session: uploads from pg_stat_progress_copy (bytes and records staged), runs by phase from pg_stat_activity. Other roles'' sessions show only what pg_stat_activity lets the viewer see (pg_read_all_stats)';
COMMENT ON COLUMN crm_import_progress.pid IS 'Backend running the step';
COMMENT ON COLUMN crm_import_progress.role IS 'Role of that backend';
COMMENT ON COLUMN crm_import_progress.step IS 'upload or run';
COMMENT ON COLUMN crm_import_progress.import_id IS 'Import being run (uploads get their id when they finish)';
COMMENT ON COLUMN crm_import_progress.phase IS 'Phase of the run, e.g. "normalize done, dedupe and match"';
COMMENT ON COLUMN crm_import_progress.bytes_processed IS 'Upload: bytes read so far';
COMMENT ON COLUMN crm_import_progress.bytes_total IS 'Upload: file size when known';
COMMENT ON COLUMN crm_import_progress.records_staged IS 'Upload: records staged so far';
COMMENT ON COLUMN crm_import_progress.running_for IS 'Time since the statement started';
GRANT SELECT ON crm_import_progress TO crm_import_user;

-- Every crm_import function is for crm_import_user (and admins), not PUBLIC; the pure
-- normalizers stay callable by everyone.
