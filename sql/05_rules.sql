-- Steps 5 to 7 before a run: rules, compliance, options, summary, and a run that refuses.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS crm_import CASCADE;
CREATE EXTENSION crm_import;
DROP ROLE IF EXISTS regress_t05_user;
RESET client_min_messages;

-- Runs a statement and shows its error as SQLSTATE: message | detail | hint (no CONTEXT).
\i sql/include/expect_error.sql

-- The rule and option settings of an import.
CREATE OR REPLACE FUNCTION t_rules(imp bigint)
RETURNS TABLE (master text, primary_key text, secondary_key text, max_errors text, allow_reoptin boolean)
LANGUAGE sql AS $$ SELECT j.master, j.primary_key, j.secondary_key, j.max_errors, j.allow_reoptin FROM crm_imports j WHERE j.id = imp $$;

SELECT crm_import_create_list('Rules');
SELECT crm_import_upload('Rules', convert_to(
	E'Name,Email,Phone,Id,Newsletter\n'
	 'Ola,ola@example.com,91234567,1,Yes\n'
	 'Kari,kari@example.com,91234568,,No\n', 'UTF8'), 'rules.csv') AS imp \gset
SELECT crm_import_map(:imp, 'Name', 'first_name');
SELECT crm_import_map(:imp, 'Email', 'email');
SELECT crm_import_set_consent(:imp, 'email_marketing', column_name => 'Newsletter');

---------------------------------------------------------------------------------------------
-- crm_import_set_rules
---------------------------------------------------------------------------------------------
SELECT * FROM t_rules(:imp);
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L)', :imp, 'newest', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, NULL, %L)', :imp, 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L)', :imp, 'file', 'phone'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, NULL)', :imp, 'file'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'file', 'email', 'first_name'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'file', 'email', 'none'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'file', 'none', 'email'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'file', 'email', 'Email'));
-- Secondary key not mapped (mobile and system_id are not mapped yet).
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'file', 'email', 'mobile'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_rules(%s, %L, %L, %L)', :imp, 'existing', 'email', 'system_id'));
-- None of the failed calls set anything.
SELECT * FROM t_rules(:imp);
-- Valid rules; names are read ignoring case and surrounding space; '' is no secondary key.
SELECT crm_import_set_rules(:imp, ' FILE ', 'Email');
SELECT * FROM t_rules(:imp);
SELECT crm_import_map(:imp, 'Phone', 'mobile');
SELECT crm_import_map(:imp, 'Id', 'system_id');
SELECT crm_import_set_rules(:imp, 'existing', 'mobile', 'System_ID');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_rules(:imp, 'file', 'system_id', '');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_rules(:imp, master => 'existing', primary_key => 'none');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_rules(:imp, master => 'file', primary_key => 'email', secondary_key => 'mobile');
SELECT * FROM t_rules(:imp);
-- The primary key may be unmapped at set_rules time; crm_import_check reports it.
SELECT crm_import_skip(:imp, 'Id');
SELECT crm_import_set_rules(:imp, 'file', 'system_id', 'email');
SELECT problem, fix FROM crm_import_check(:imp) WHERE problem LIKE '%key%';
-- Unmapping the secondary key after set_rules is reported too.
SELECT crm_import_map(:imp, 'Id', 'system_id');
SELECT crm_import_set_rules(:imp, 'file', 'email', 'system_id');
SELECT crm_import_skip(:imp, 'Id');
SELECT problem, fix FROM crm_import_check(:imp) WHERE problem LIKE '%key%';
SELECT crm_import_map(:imp, 'Id', 'system_id');

---------------------------------------------------------------------------------------------
-- crm_import_accept_compliance
---------------------------------------------------------------------------------------------
SELECT gdpr_accepted, tcpa_accepted, compliance_accepted_by, compliance_accepted_at FROM crm_imports WHERE id = :imp;
SELECT pg_temp.expect_error(format('SELECT crm_import_accept_compliance(%s, true, false)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_accept_compliance(%s, false, true)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_accept_compliance(%s, NULL, true)', :imp));
SELECT pg_temp.expect_error(format('SELECT crm_import_accept_compliance(%s, true, NULL)', :imp));
SELECT gdpr_accepted, tcpa_accepted, compliance_accepted_by, compliance_accepted_at FROM crm_imports WHERE id = :imp;
SELECT problem FROM crm_import_check(:imp) WHERE problem LIKE '%GDPR%';
SELECT crm_import_accept_compliance(:imp, gdpr => true, tcpa => true);
SELECT gdpr_accepted, tcpa_accepted, compliance_accepted_by = current_user AS by_me,
	compliance_accepted_at IS NOT NULL AS when_recorded,
	compliance_accepted_at <= now() AND compliance_accepted_at > now() - interval '1 hour' AS recent
	FROM crm_imports WHERE id = :imp;
SELECT problem FROM crm_import_check(:imp) WHERE problem LIKE '%GDPR%';
-- Who accepted is the role in effect (SET ROLE honoured), not the definer of the functions.
CREATE ROLE regress_t05_user;
GRANT crm_import_user TO regress_t05_user;
SELECT crm_import_create_list('Rules (other role)');
SET ROLE regress_t05_user;
SELECT crm_import_upload('Rules (other role)', convert_to(E'Email\nx@example.com\n', 'UTF8')) AS imp_other \gset
SELECT crm_import_accept_compliance(:imp_other, true, true);
RESET ROLE;
SELECT owner, compliance_accepted_by FROM crm_imports WHERE id = :imp_other;
DELETE FROM crm_imports WHERE id = :imp_other;
DROP ROLE regress_t05_user;

---------------------------------------------------------------------------------------------
-- crm_import_set_options
---------------------------------------------------------------------------------------------
SELECT crm_import_set_options(:imp, max_errors => '10');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => ' 5% ');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => '2.5%');
SELECT * FROM t_rules(:imp);
-- NULL leaves max_errors alone; allow_reoptin is set on its own.
SELECT crm_import_set_options(:imp, allow_reoptin => true);
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => 'none');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => '0');
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => '');
SELECT * FROM t_rules(:imp);
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp, 'ten'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp, '-1'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp, '5%%'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp, '%'));
SELECT pg_temp.expect_error(format('SELECT crm_import_set_options(%s, max_errors => %L)', :imp, '1e3'));
SELECT * FROM t_rules(:imp);
SELECT crm_import_set_options(:imp, max_errors => '3', allow_reoptin => false);
SELECT * FROM t_rules(:imp);

---------------------------------------------------------------------------------------------
-- crm_import_summary of a configured import
---------------------------------------------------------------------------------------------
SELECT crm_import_set_rules(:imp, 'existing', 'email', 'mobile');
SELECT crm_import_set_consent(:imp, 'sms_marketing', value => false);
SELECT * FROM crm_import_check(:imp);
SELECT section, setting, value FROM crm_import_summary(:imp)
	WHERE setting NOT IN ('sha256', 'GDPR and TCPA');
SELECT value ~ '^confirmed by .+ at .+$' AS confirmed, value LIKE format('confirmed by %s at %%', current_user) AS by_me
	FROM crm_import_summary(:imp) WHERE setting = 'GDPR and TCPA';
SELECT value = encode(sha256(convert_to(
	E'Name,Email,Phone,Id,Newsletter\n'
	 'Ola,ola@example.com,91234567,1,Yes\n'
	 'Kari,kari@example.com,91234568,,No\n', 'UTF8')), 'hex') AS sha256_matches
	FROM crm_import_summary(:imp) WHERE setting = 'sha256';

---------------------------------------------------------------------------------------------
-- crm_import_run refuses while the import is not ready, and changes nothing
---------------------------------------------------------------------------------------------
SELECT crm_import_upload('Rules', convert_to(
	E'Name,Email,Mobile,Extra\nOla,ola@example.com,91234567,x\n', 'UTF8'), 'notready.csv') AS imp2 \gset
SELECT crm_import_map(:imp2, 'Name', 'first_name');
SELECT crm_import_map(:imp2, 'Email', 'email');
SELECT crm_import_map(:imp2, 'Mobile', 'mobile');
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s)', :imp2));
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s, dry_run => true)', :imp2));
SELECT section, setting, value FROM crm_import_summary(:imp2) WHERE section IN ('missing', 'status');
SELECT id, state, tab, inserted, updated, unchanged, merged_in_file, rejected, failure_reason, started_at, finished_at
	FROM crm_import_status WHERE id = :imp2;
SELECT count(*) AS contacts FROM crm_contacts;
SELECT count(*) AS members FROM crm_list_members;
SELECT count(*) AS results FROM crm_import_results(:imp2);
-- Fixing the problems one by one shortens the list.
SELECT crm_import_skip(:imp2, 'Extra');
SELECT crm_import_set_consent(:imp2, 'email_marketing', value => true);
SELECT crm_import_set_consent(:imp2, 'sms_marketing', value => true);
SELECT crm_import_set_rules(:imp2, 'file', 'email');
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s)', :imp2));
SELECT crm_import_accept_compliance(:imp2, true, true);
SELECT * FROM crm_import_check(:imp2);
SELECT * FROM crm_import_run(:imp2);
SELECT id, first_name, email, mobile, email_marketing, sms_marketing FROM crm_contacts ORDER BY id;
SELECT l.name, m.contact_id, m.added_by_import FROM crm_list_members m JOIN crm_lists l ON l.id = m.list_id ORDER BY 1, 2;
SELECT id, state, tab, inserted, updated, unchanged, merged_in_file, rejected, failure_reason,
	started_at IS NOT NULL AS started, finished_at >= started_at AS finished
	FROM crm_import_status WHERE id = :imp2;
-- Once completed it refuses again, reporting its state.
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s)', :imp2));
SELECT pg_temp.expect_error(format('SELECT * FROM crm_import_run(%s, NULL)', :imp2));
SELECT pg_temp.expect_error($$SELECT * FROM crm_import_run(NULL)$$);

DROP FUNCTION t_rules(bigint);
