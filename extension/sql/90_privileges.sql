DO $grants$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
		AND (p.proname LIKE 'crm\_import%' OR p.proname LIKE 'crm\_consent%' OR p.proname LIKE 'crm\_list%')
		AND p.proname NOT IN ('crm_import_norm_email', 'crm_import_norm_phone', 'crm_import_norm_date',
			'crm_import_norm_number', 'crm_import_norm_boolean', 'crm_import_norm_consent', 'crm_import_problem',
			'crm_import_closest')
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		-- The run's C internals take table names and queries: only the run itself (SECURITY
		-- DEFINER, as the owner) calls them.
		CONTINUE WHEN (SELECT p2.proname FROM pg_catalog.pg_proc p2 WHERE p2.oid OPERATOR(pg_catalog.=) f::oid)
			OPERATOR(pg_catalog.=) ANY (ARRAY['crm_import_bulk_insert', 'crm_import_plan_matches']::name[]);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO crm_import_user', f);
	END LOOP;
END
$grants$;
