---------------------------------------------------------------------------------------------
-- Entry points and the lists grants come from (90_privileges.sql grants)
---------------------------------------------------------------------------------------------
-- The wizard functions, by name: each becomes a C entry point (crm_import_entry) of the same
-- name and arguments in this schema, and its implementation moves to crm_import_internal.
-- The entry point records the caller (the current user at the call, as COPY decides it) and
-- calls the implementation, which runs as the extension owner. Only these, the monitoring
-- views and the functions below are for crm_import_user; nothing is for PUBLIC except the
-- pure normalizers. A test (09_security) checks that every other function of the extension
-- is closed to crm_import_user.
CREATE FUNCTION crm_import_wizard_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY[
	'crm_import_create_list',
	'crm_import_upload', 'crm_import_upload_lo', 'crm_import_upload_file',
	'crm_import_set_header', 'crm_import_preview', 'crm_import_columns',
	'crm_import_map', 'crm_import_skip', 'crm_import_set_skip_unmapped', 'crm_import_suggest_mapping',
	'crm_import_create_field', 'crm_import_set_consent', 'crm_import_set_consent_terms',
	'crm_import_set_rules', 'crm_import_set_options', 'crm_import_accept_compliance',
	'crm_import_check', 'crm_import_summary', 'crm_import_run', 'crm_import_results', 'crm_import_discard',
	'crm_import_running', 'crm_import_progress', 'crm_import_start', 'crm_import_wait', 'crm_import_cancel',
	'crm_import_undo', 'crm_import_undo_conflicts', 'crm_import_purge_undo',
	'crm_import_save_profile', 'crm_import_apply_profile', 'crm_import', 'crm_import_from_file'
]::name[] $$;
COMMENT ON FUNCTION crm_import_wizard_functions() IS
	'Internal: the names of the wizard functions (C entry points over implementations in crm_import_internal)';

-- Functions crm_import_user may call directly, besides the wizard functions.
CREATE FUNCTION crm_import_user_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY[
	'crm_import_caller', 'crm_import_caller_id', 'crm_import_is_admin', 'crm_import_owned',
	-- what the monitoring views compute as the querying role
	'crm_import_job_gone', 'crm_import_job_gone_reason', 'crm_import_first_data_record', 'crm_import_data_rows', 'crm_import_dead_run_reason', 'crm_import_process_exists', 'crm_import_selftest', 'crm_import_suggest_fields'
]::name[] $$;
COMMENT ON FUNCTION crm_import_user_functions() IS
	'Internal: functions besides the wizard functions that crm_import_user may execute';

-- Functions everyone may call: pure, touching no table.
CREATE FUNCTION crm_import_public_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY[
	'crm_import_norm_email', 'crm_import_norm_phone', 'crm_import_norm_date', 'crm_import_norm_birthday',
	'crm_import_norm_number', 'crm_import_norm_boolean', 'crm_import_norm_consent', 'crm_import_problem',
	'crm_import_detect_date_order', 'crm_import_closest', 'crm_import_phone_type', 'crm_import_default_region',
	-- read by the crm_import_progress view as the querying role
	'crm_import_run_activity_part'
]::name[] $$;
COMMENT ON FUNCTION crm_import_public_functions() IS 'Internal: pure functions everyone may execute';

CREATE FUNCTION crm_import_entry_points() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $entry_points$
DECLARE
	f record;
BEGIN
	-- Implementations that are SECURITY DEFINER (the C uploads, the PL/pgSQL steps) move
	-- behind an entry point. SQL-language wrappers that are SECURITY INVOKER (the text
	-- upload) stay: they call an entry point themselves.
	FOR f IN SELECT p.oid, p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS args,
			pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_args,
			pg_catalog.pg_get_function_result(p.oid) AS result, p.proisstrict, p.provolatile, p.proretset, p.prorows,
			pg_catalog.obj_description(p.oid, 'pg_proc') AS description
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
			AND p.proname OPERATOR(pg_catalog.=) ANY (@extschema@.crm_import_wizard_functions())
			AND p.prosecdef
		ORDER BY p.proname, 3
	LOOP
		-- An upgrade replaces the implementation an earlier version moved there.
		EXECUTE pg_catalog.format('DROP FUNCTION IF EXISTS crm_import_internal.%I(%s)', f.proname, f.identity_args);
		EXECUTE pg_catalog.format('ALTER FUNCTION @extschema@.%I(%s) SET SCHEMA crm_import_internal', f.proname, f.identity_args);
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION crm_import_internal.%I(%s) FROM PUBLIC', f.proname, f.identity_args);
		EXECUTE pg_catalog.format('CREATE FUNCTION @extschema@.%I(%s) RETURNS %s LANGUAGE C %s %s %s AS %L, %L',
			f.proname, f.args, f.result,
			CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
			CASE WHEN f.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END,
			CASE WHEN f.proretset THEN 'ROWS ' OPERATOR(pg_catalog.||) f.prorows ELSE '' END,
			'MODULE_PATHNAME', 'crm_import_entry');
		EXECUTE pg_catalog.format('COMMENT ON FUNCTION @extschema@.%I(%s) IS %L', f.proname, f.identity_args, f.description);
	END LOOP;
END
$entry_points$;
COMMENT ON FUNCTION crm_import_entry_points() IS
	'Internal: turns every wizard function defined so far (SECURITY DEFINER, named in crm_import_wizard_functions) into a C entry point over its implementation in crm_import_internal';
