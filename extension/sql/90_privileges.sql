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
		-- Internal functions (their comment says so) are called by the wizard's SECURITY
		-- DEFINER functions, as the owner: wizard users get none of them, so none can be
		-- called with forged arguments (the run's writers take table names and queries;
		-- crm_import_report_phase could fake another import's progress). The views call
		-- the two identity functions as the querying role.
		CONTINUE WHEN pg_catalog.obj_description(f::oid, 'pg_proc') LIKE 'Internal%'
			AND (SELECT p2.proname FROM pg_catalog.pg_proc p2 WHERE p2.oid OPERATOR(pg_catalog.=) f::oid)
				OPERATOR(pg_catalog.<>) ALL (ARRAY['crm_import_caller', 'crm_import_is_admin']::name[]);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO crm_import_user', f);
	END LOOP;
END
$grants$;
