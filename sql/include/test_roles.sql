-- Shared by the pg_regress files that act as several roles: pg_temp.test_roles(users,
-- admins, others) creates those of the cluster-wide roles that do not exist yet (NOLOGIN)
-- and grants crm_import_user to users and crm_import_admin to admins; others get no
-- crm_import role. Each file drops its roles at its end.
CREATE OR REPLACE FUNCTION pg_temp.test_roles(users text[], admins text[] DEFAULT '{}', others text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY users || admins || others LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	FOREACH r IN ARRAY users LOOP
		EXECUTE format('GRANT crm_import_user TO %I', r);
	END LOOP;
	FOREACH r IN ARRAY admins LOOP
		EXECUTE format('GRANT crm_import_admin TO %I', r);
	END LOOP;
END
$$;
-- pg_temp.drop_test_roles(roles): gives what the roles own to the current user, drops what
-- they still own and drops them.
CREATE OR REPLACE FUNCTION pg_temp.drop_test_roles(roles text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY roles LOOP
		EXECUTE format('REASSIGN OWNED BY %I TO CURRENT_USER', r);
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;
