---------------------------------------------------------------------------------------------
-- Entry points and grants, from the explicit lists of 04_entry_points.sql: the wizard
-- functions and a few more for crm_import_user, the pure normalizers for PUBLIC, nothing
-- else for anyone (09_security and 13_trust check it).
---------------------------------------------------------------------------------------------
-- Every wizard function defined so far becomes an entry point (crm_import_entry_points,
-- 04_entry_points.sql; 34_status.sql already made the one its view calls).
SELECT @extschema@.crm_import_entry_points();

DO $grants$
DECLARE
	f record;
BEGIN
	FOR f IN SELECT p.oid::regprocedure AS sig, p.proname, p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::regnamespace AS public_schema
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@'::regnamespace, 'crm_import_internal'::regnamespace])
			AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
				WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass AND d.objid OPERATOR(pg_catalog.=) p.oid
				AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'e')
	LOOP
		-- From every role this script grants to: an upgrade leaves no grant of an older version.
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, crm_import_user, crm_import_admin', f.sig);
		IF f.proname OPERATOR(pg_catalog.=) ANY (@extschema@.crm_import_public_functions()) THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.sig);
		ELSIF f.public_schema AND (f.proname OPERATOR(pg_catalog.=) ANY (@extschema@.crm_import_wizard_functions())
				OR f.proname OPERATOR(pg_catalog.=) ANY (@extschema@.crm_import_user_functions())) THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO crm_import_user', f.sig);
		END IF;
	END LOOP;
END
$grants$;
