
---------------------------------------------------------------------------------------------
-- Saved import profiles and the one-call import (for weekly psql scripts)
---------------------------------------------------------------------------------------------

-- What a weekly script checks before crm_import(..., profile): its own profiles (all of
-- them for admins). The table itself stays closed.
-- security_barrier: the owner filter runs before any condition of the caller's query, so a
-- cheap function of the caller's in WHERE never sees another role's rows.
CREATE VIEW crm_import_profile_list WITH (security_barrier) AS
	SELECT p.name,
		coalesce((SELECT a.rolname FROM pg_catalog.pg_authid a WHERE a.oid = p.owner_id AND a.rolname = p.owner),
			p.owner OPERATOR(pg_catalog.||) ' (dropped)')::name AS owner,
		p.columns, p.skip_unmapped, p.email_consent_value, p.sms_consent_value, p.master,
		p.primary_key, p.secondary_key, p.max_errors, p.allow_reoptin, p.has_header, p.source_import, p.saved_at,
		p.encoding, p.date_order, p.default_region, p.invalid_values, p.rows_without_key, p.email_consent_unknown, p.sms_consent_unknown,
		p.null_values, p.short_rows, p.delimiter, p.header_row,
		p.unmapped_columns
	FROM @extschema@.crm_import_profiles p
	WHERE @extschema@.crm_import_owned(p.owner, p.owner_id);
COMMENT ON VIEW crm_import_profile_list IS 'The saved profiles the caller may use (its own; all for crm_import_admin), with every setting';
GRANT SELECT ON crm_import_profile_list TO crm_import_user;
COMMENT ON COLUMN crm_import_profile_list.name IS 'Profile name';
COMMENT ON COLUMN crm_import_profile_list.owner IS 'Role that saved it ("name (dropped)" once that role is gone: only admins see such profiles)';
COMMENT ON COLUMN crm_import_profile_list.columns IS 'Header name -> field name, or null for "do not import this column"';
COMMENT ON COLUMN crm_import_profile_list.skip_unmapped IS 'Do not import data in unmapped fields';
COMMENT ON COLUMN crm_import_profile_list.email_consent_value IS 'Email marketing status for the whole import, when not from a column';
COMMENT ON COLUMN crm_import_profile_list.sms_consent_value IS 'SMS marketing status for the whole import, when not from a column';
COMMENT ON COLUMN crm_import_profile_list.master IS 'Master data rule';
COMMENT ON COLUMN crm_import_profile_list.primary_key IS 'Primary duplicate key';
COMMENT ON COLUMN crm_import_profile_list.secondary_key IS 'Secondary duplicate key';
COMMENT ON COLUMN crm_import_profile_list.max_errors IS 'Rejected rows allowed';
COMMENT ON COLUMN crm_import_profile_list.allow_reoptin IS 'Whether opted-out contacts may be opted in again';
COMMENT ON COLUMN crm_import_profile_list.has_header IS 'Whether files have a header row';
COMMENT ON COLUMN crm_import_profile_list.header_row IS 'The header row set with crm_import_set_header on the import the profile was saved from; NULL: record 1, or the one the upload finds below a preamble';
COMMENT ON COLUMN crm_import_profile_list.source_import IS 'Import the profile was saved from';
COMMENT ON COLUMN crm_import_profile_list.saved_at IS 'When it was saved';
COMMENT ON COLUMN crm_import_profile_list.encoding IS 'Encoding of the files, used by crm_import when it is given none; NULL: UTF-8 (or what a byte-order mark says)';
COMMENT ON COLUMN crm_import_profile_list.date_order IS 'Date order (DMY, MDY, YMD; NULL: detected)';
COMMENT ON COLUMN crm_import_profile_list.default_region IS 'Region of phone numbers without a country prefix (NULL: the session''s crm_import.default_region)';
COMMENT ON COLUMN crm_import_profile_list.invalid_values IS 'reject_row or skip_value';
COMMENT ON COLUMN crm_import_profile_list.rows_without_key IS 'insert or reject';
COMMENT ON COLUMN crm_import_profile_list.email_consent_unknown IS 'The files hold no email marketing consent';
COMMENT ON COLUMN crm_import_profile_list.sms_consent_unknown IS 'The files hold no SMS marketing consent';
COMMENT ON COLUMN crm_import_profile_list.null_values IS 'Placeholder values read as blank cells (NULL: not set; {}: none)';
COMMENT ON COLUMN crm_import_profile_list.short_rows IS 'pad or reject';
COMMENT ON COLUMN crm_import_profile_list.delimiter IS 'Delimiter of the files, used by crm_import when it is given none; NULL: detected';
COMMENT ON COLUMN crm_import_profile_list.unmapped_columns IS 'Columns the saved import left unmapped (skip_unmapped): not imported and not reported as new when applied';

-- Internal: the profile a caller may use, or undefined_object with a hint.
CREATE FUNCTION crm_import_profile(profile text)
RETURNS @extschema@.crm_import_profiles
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p @extschema@.crm_import_profiles;
	close_name text;
BEGIN
	IF profile IS NULL THEN
		RAISE EXCEPTION 'profile must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Pass the name a profile was saved under with crm_import_save_profile.';
	END IF;
	-- Trimmed as crm_import_save_profile trims the name it stores.
	profile := @extschema@.crm_import_trim_name(profile);
	SELECT * INTO p FROM @extschema@.crm_import_profiles x WHERE x.name = profile;
	IF p.name IS NULL OR NOT @extschema@.crm_import_owned(p.owner, p.owner_id) THEN
		close_name := @extschema@.crm_import_closest(profile, ARRAY(SELECT x.name FROM @extschema@.crm_import_profiles x
			WHERE @extschema@.crm_import_owned(x.owner, x.owner_id)));
		RAISE EXCEPTION 'import profile "%" does not exist', profile USING ERRCODE = 'undefined_object',
			HINT = CASE WHEN close_name IS NOT NULL THEN pg_catalog.format('Did you mean "%s"? ', close_name) ELSE '' END
				|| 'Save one from a configured import with crm_import_save_profile(import, name).';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION crm_import_profile(text) IS 'Internal: the named profile if the caller may use it, else undefined_object';

CREATE FUNCTION crm_import_save_profile(import bigint, name text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import);
	names text[] := @extschema@.crm_import_column_names(job);
	profile_name text := @extschema@.crm_import_trim_name(name);
	existing @extschema@.crm_import_profiles;
BEGIN
	IF profile_name IS NULL OR profile_name = '' THEN
		RAISE EXCEPTION 'profile name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF pg_catalog.length(profile_name) > 200 THEN
		RAISE EXCEPTION 'profile name is too long (% characters)', pg_catalog.length(profile_name)
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use at most 200 characters.';
	END IF;
	IF job.master IS NULL THEN
		RAISE EXCEPTION 'import % has no rules to save', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'Map the columns and set the rules (crm_import_set_rules) before saving a profile.';
	END IF;
	SELECT * INTO existing FROM @extschema@.crm_import_profiles p WHERE p.name = profile_name;
	IF existing.name IS NOT NULL AND NOT @extschema@.crm_import_owned(existing.owner, existing.owner_id) THEN
		RAISE EXCEPTION 'import profile "%" belongs to another role', profile_name USING ERRCODE = 'insufficient_privilege',
			HINT = 'Choose another name.';
	END IF;
	-- The encoding the file was read in, so that next week's export is read the same way;
	-- UTF-8 is the default and saved as NULL. The delimiter only when it was given (a
	-- detected one is detected again).
	INSERT INTO @extschema@.crm_import_profiles AS p (name, owner, columns, skip_unmapped, email_consent_value,
		sms_consent_value, master, primary_key, secondary_key, max_errors, allow_reoptin, has_header, source_import, owner_id,
		encoding, date_order, default_region, invalid_values, rows_without_key, email_consent_unknown, sms_consent_unknown,
		null_values, short_rows, delimiter, header_row,
		unmapped_columns)
	SELECT profile_name, @extschema@.crm_import_caller(),
		coalesce((SELECT jsonb_object_agg(names[m.column_no], m.field) FROM @extschema@.crm_import_mappings m
			WHERE m.import_id = job.id), '{}'),
		job.skip_unmapped, job.email_consent_value, job.sms_consent_value, job.master, job.primary_key,
		job.secondary_key, job.max_errors, job.allow_reoptin, job.has_header, job.id, @extschema@.crm_import_caller_id(),
		nullif(job.source_encoding, 'UTF-8'), job.date_order, job.default_region, job.invalid_values, job.rows_without_key, job.email_consent_unknown, job.sms_consent_unknown,
		job.null_values, job.short_rows, CASE WHEN NOT job.delimiter_detected THEN job.delimiter END,
		-- A header row someone set is saved; one the upload found below a preamble is not:
		-- next week's export is searched again (its preamble may be longer).
		CASE WHEN job.header_row_source = 'set' THEN job.header_row END,
		-- Columns left out by skip_unmapped (a Google export: 60-odd of them): remembered, so
		-- that the same columns of the next file are not reported as new.
		CASE WHEN job.skip_unmapped THEN ARRAY(SELECT names[i] FROM generate_series(1, job.column_count) i
			WHERE NOT EXISTS (SELECT 1 FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id AND m.column_no = i)
			ORDER BY i) ELSE '{}' END
	-- An admin replacing someone's profile leaves it theirs (it used to become the admin's,
	-- and its owner then could neither apply nor save it).
	ON CONFLICT ON CONSTRAINT crm_import_profiles_pkey DO UPDATE SET columns = excluded.columns,
		skip_unmapped = excluded.skip_unmapped, email_consent_value = excluded.email_consent_value,
		sms_consent_value = excluded.sms_consent_value, master = excluded.master, primary_key = excluded.primary_key,
		secondary_key = excluded.secondary_key, max_errors = excluded.max_errors, allow_reoptin = excluded.allow_reoptin,
		has_header = excluded.has_header, source_import = excluded.source_import, encoding = excluded.encoding, saved_at = now(),
		date_order = excluded.date_order, default_region = excluded.default_region, invalid_values = excluded.invalid_values,
		rows_without_key = excluded.rows_without_key, email_consent_unknown = excluded.email_consent_unknown,
		sms_consent_unknown = excluded.sms_consent_unknown, null_values = excluded.null_values, short_rows = excluded.short_rows,
		delimiter = excluded.delimiter, header_row = excluded.header_row, unmapped_columns = excluded.unmapped_columns;
END
$$;
COMMENT ON FUNCTION crm_import_save_profile(bigint, text) IS
	'Saves an import''s settings (column choices by header name, skip-unmapped, consent, rules, options with null values and short rows, the file''s encoding and given delimiter, a header row set with crm_import_set_header) as a named profile; replaces the caller''s profile of that name. Compliance is never saved';

CREATE FUNCTION crm_import_apply_profile(import bigint, name text)
RETURNS TABLE (column_name text, field text, status text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	prof @extschema@.crm_import_profiles := @extschema@.crm_import_profile(name);
	names text[];
	entry record;
	col integer;
BEGIN
	PERFORM @extschema@.crm_import_require_draft(job);
	IF job.has_header IS DISTINCT FROM prof.has_header OR job.header_row <> coalesce(prof.header_row, job.header_row) THEN
		PERFORM @extschema@.crm_import_set_header(job.id, prof.has_header, coalesce(prof.header_row, job.header_row));
		job := @extschema@.crm_import_job(import, true);
	END IF;
	names := @extschema@.crm_import_column_names(job);
	DELETE FROM @extschema@.crm_import_mappings m WHERE m.import_id = job.id;
	UPDATE @extschema@.crm_imports j SET skip_unmapped = prof.skip_unmapped, email_consent_value = prof.email_consent_value,
		sms_consent_value = prof.sms_consent_value, master = prof.master, primary_key = prof.primary_key,
		secondary_key = prof.secondary_key, max_errors = prof.max_errors, allow_reoptin = prof.allow_reoptin,
		date_order = prof.date_order, default_region = prof.default_region, invalid_values = prof.invalid_values,
		rows_without_key = prof.rows_without_key, email_consent_unknown = prof.email_consent_unknown,
		sms_consent_unknown = prof.sms_consent_unknown, null_values = prof.null_values, short_rows = prof.short_rows
		WHERE j.id = job.id;
	FOR entry IN SELECT e.key, e.value #>> '{}' AS value FROM jsonb_each(prof.columns) e ORDER BY e.key LOOP
		col := @extschema@.crm_import_find_column(names, entry.key);
		IF col IS NULL THEN
			-- A column the profile does not import that this file lacks loses nothing: said
			-- apart, and not in the one-call import's NOTICE of differences.
			column_name := entry.key; field := entry.value;
			status := CASE WHEN entry.value IS NULL THEN 'not imported, missing from this file' ELSE 'missing from this file' END;
			RETURN NEXT;
			CONTINUE;
		END IF;
		INSERT INTO @extschema@.crm_import_mappings (import_id, column_no, field) VALUES (job.id, col, entry.value);
	END LOOP;
	-- A column the saved import left unmapped under skip_unmapped is left out again, as
	-- before: not imported, and not new (nor reported when this file lacks it).
	RETURN QUERY
		SELECT names[i], m.field,
			CASE WHEN m.column_no IS NULL AND prof.skip_unmapped AND i IN (SELECT @extschema@.crm_import_find_column(names, u)
				FROM unnest(prof.unmapped_columns) u) THEN 'not imported'
			WHEN m.column_no IS NULL THEN
				CASE WHEN prof.skip_unmapped THEN 'new in this file, not imported' ELSE 'new in this file, not mapped' END
			WHEN m.field IS NULL THEN 'not imported' ELSE 'mapped' END
		FROM generate_series(1, job.column_count) i
		LEFT JOIN @extschema@.crm_import_mappings m ON m.import_id = job.id AND m.column_no = i
		ORDER BY i;
END
$$;
COMMENT ON FUNCTION crm_import_apply_profile(bigint, text) IS
	'Applies a saved profile to a new upload: maps columns by header name and sets consent, rules and options; reports each column (mapped, not imported, new in this file) and each profile column missing from this file (a skipped one as not imported, missing from this file); columns the saved import left unmapped (skip_unmapped) are not imported and not reported as new';

-- Internal: the one-call import after the upload.
CREATE FUNCTION crm_import_one_call(import bigint, profile text, gdpr boolean, tcpa boolean, dry_run boolean,
	background boolean)
RETURNS TABLE (import_id bigint, state text, inserted bigint, updated bigint, unchanged bigint,
	merged_in_file bigint, rejected bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	missing text;
	problems text;
BEGIN
	SELECT string_agg(pg_catalog.format('%s (%s)', a.column_name, a.status), ', ') INTO missing
		FROM @extschema@.crm_import_apply_profile(import, profile) a WHERE a.status <> ALL (ARRAY['mapped', 'not imported', 'not imported, missing from this file']);
	IF missing IS NOT NULL THEN
		RAISE NOTICE 'import %: columns that differ from profile "%": %', import, profile, missing;
	END IF;
	IF gdpr OR tcpa THEN
		PERFORM @extschema@.crm_import_accept_compliance(import, gdpr, tcpa);
	END IF;
	-- The run would name the fixes as calls on import N, which this error rolls back with
	-- the upload: say what to change in this call instead.
	SELECT string_agg(p.problem, '; ') INTO problems
		FROM @extschema@.crm_import_problems(@extschema@.crm_import_job(import, true)) p;
	IF problems IS NOT NULL THEN
		RAISE EXCEPTION 'the file cannot be imported with profile "%"', profile
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = problems || '. Nothing was staged or imported.',
			HINT = CASE WHEN NOT (gdpr AND tcpa)
				THEN 'Confirm that you have read and understood the GDPR and TCPA rules by passing gdpr => true, tcpa => true. '
				ELSE '' END
				|| 'To see and fix each problem, run the wizard step by step: crm_import_upload, crm_import_apply_profile, crm_import_check.';
	END IF;
	import_id := import;
	IF background AND NOT dry_run THEN
		-- A background job: queued now, run by a worker once this transaction commits.
		state := @extschema@.crm_import_start(import);
		RETURN NEXT;
		RETURN;
	END IF;
	SELECT * INTO r FROM @extschema@.crm_import_run(import, dry_run) x;
	SELECT j.state INTO state FROM @extschema@.crm_imports j WHERE j.id = import;
	-- A completed import is final and a script does not preview it again: its staged copy
	-- of the file goes (a weekly script kept one per week). Status and row results stay; a
	-- dry run or a failed run keeps it for the next try.
	IF state = 'completed' THEN
		PERFORM @extschema@.crm_import_discard(import);
	END IF;
	inserted := r.inserted; updated := r.updated; unchanged := r.unchanged;
	merged_in_file := r.merged_in_file; rejected := r.rejected;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_one_call(bigint, text, boolean, boolean, boolean, boolean) IS 'Internal: applies the profile, records compliance when given, runs (or starts a background job)';

-- Internal: the encoding the one-call import reads its file in: the one given, else the
-- profile's (NULL: UTF-8, or what a byte-order mark says). A profile that does not exist is
-- refused here, before the upload, as crm_import_apply_profile would refuse it after.
CREATE FUNCTION crm_import_profile_encoding(profile text, encoding text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN encoding IS NOT NULL THEN encoding ELSE (@extschema@.crm_import_profile(profile)).encoding END $$;
COMMENT ON FUNCTION crm_import_profile_encoding(text, text) IS
	'Internal: the encoding a one-call import reads its file in (the one given, else the profile''s)';

-- Internal: the delimiter of the one-call import: the one given, else the profile's (saved
-- when it was given at the upload the profile was saved from; NULL: detected).
CREATE FUNCTION crm_import_profile_delimiter(profile text, delimiter text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN delimiter IS NOT NULL THEN delimiter ELSE (@extschema@.crm_import_profile(profile)).delimiter END $$;
COMMENT ON FUNCTION crm_import_profile_delimiter(text, text) IS
	'Internal: the delimiter a one-call import reads its file with (the one given, else the profile''s; NULL: detected)';

-- encoding: as for the uploads; NULL uses the profile's (crm_import_save_profile saves the
-- encoding of the import it is saved from). Pass 'UTF-8' to read a UTF-8 file with a
-- profile that has another encoding.
CREATE FUNCTION crm_import(list text, data bytea, profile text, gdpr boolean DEFAULT false, tcpa boolean DEFAULT false,
	file_name text DEFAULT NULL, delimiter text DEFAULT NULL, dry_run boolean DEFAULT false, encoding text DEFAULT NULL,
	background boolean DEFAULT false)
RETURNS TABLE (import_id bigint, state text, inserted bigint, updated bigint, unchanged bigint,
	merged_in_file bigint, rejected bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM @extschema@.crm_import_one_call(
		@extschema@.crm_import_upload(list, data, file_name, @extschema@.crm_import_profile_delimiter(profile, delimiter),
			@extschema@.crm_import_profile_encoding(profile, encoding)), profile, gdpr, tcpa, dry_run, background)
$$;
COMMENT ON FUNCTION crm_import(text, bytea, text, boolean, boolean, text, text, boolean, text, boolean) IS
	'One call for scripts: uploads bytes (in the given encoding, else the profile''s), applies a saved profile, records GDPR/TCPA compliance only when passed true, runs; returns the import id, its state and counts. A failed run leaves a failed import with the reason (state failed)';

-- The file's contents as text. Without this form a literal was ambiguous between the bytea
-- and the large-object forms ("function crm_import(unknown, unknown, ...) is not unique"),
-- and a path given as the file ('/home/kari/contacts.csv') got that error instead of the
-- upload's: a path is refused, with the calls that read a file.
CREATE FUNCTION crm_import(list text, data text, profile text, gdpr boolean DEFAULT false, tcpa boolean DEFAULT false,
	file_name text DEFAULT NULL, delimiter text DEFAULT NULL, dry_run boolean DEFAULT false, encoding text DEFAULT NULL,
	background boolean DEFAULT false)
RETURNS TABLE (import_id bigint, state text, inserted bigint, updated bigint, unchanged bigint,
	merged_in_file bigint, rejected bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM @extschema@.crm_import_one_call(
		@extschema@.crm_import_upload(list, data, file_name, @extschema@.crm_import_profile_delimiter(profile, delimiter),
			@extschema@.crm_import_profile_encoding(profile, encoding)), profile, gdpr, tcpa, dry_run, background)
$$;
COMMENT ON FUNCTION crm_import(text, text, text, boolean, boolean, text, text, boolean, text, boolean) IS
	'One call for scripts: uploads the file''s contents given as text (a path is refused: use crm_import_from_file, or \lo_import and the large-object form), applies a saved profile, records compliance only when passed true, runs; returns the import id, state and counts';

CREATE FUNCTION crm_import(list text, lo oid, profile text, gdpr boolean DEFAULT false, tcpa boolean DEFAULT false,
	file_name text DEFAULT NULL, delimiter text DEFAULT NULL, dry_run boolean DEFAULT false, encoding text DEFAULT NULL,
	background boolean DEFAULT false)
RETURNS TABLE (import_id bigint, state text, inserted bigint, updated bigint, unchanged bigint,
	merged_in_file bigint, rejected bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM @extschema@.crm_import_one_call(
		@extschema@.crm_import_upload_lo(list, lo, file_name, @extschema@.crm_import_profile_delimiter(profile, delimiter),
			@extschema@.crm_import_profile_encoding(profile, encoding)), profile, gdpr, tcpa, dry_run, background)
$$;
COMMENT ON FUNCTION crm_import(text, oid, text, boolean, boolean, text, text, boolean, text, boolean) IS
	'One call for scripts: uploads a large object (psql: \lo_import file, then :LASTOID; in the given encoding, else the profile''s), applies a saved profile, records compliance only when passed true, runs; returns the import id, state and counts';

CREATE FUNCTION crm_import_from_file(list text, path text, profile text, gdpr boolean DEFAULT false,
	tcpa boolean DEFAULT false, file_name text DEFAULT NULL, delimiter text DEFAULT NULL, dry_run boolean DEFAULT false,
	encoding text DEFAULT NULL, background boolean DEFAULT false)
RETURNS TABLE (import_id bigint, state text, inserted bigint, updated bigint, unchanged bigint,
	merged_in_file bigint, rejected bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM @extschema@.crm_import_one_call(
		@extschema@.crm_import_upload_file(list, path, @extschema@.crm_import_profile_delimiter(profile, delimiter), file_name,
			@extschema@.crm_import_profile_encoding(profile, encoding)), profile, gdpr, tcpa, dry_run, background)
$$;
COMMENT ON FUNCTION crm_import_from_file(text, text, text, boolean, boolean, text, text, boolean, text, boolean) IS
	'One call for scripts with a server-side file (superusers and pg_read_server_files members): upload (in the given encoding, else the profile''s), apply profile, compliance when given, run';
