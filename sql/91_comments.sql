-- Every object of the extension carries a COMMENT ON (it is what \df+, \dt+ and \d+ show,
-- and docs/reference.md is written from it). Members are found through pg_depend
-- (deptype 'e' on the extension crm_import): functions and aggregates, tables (plain and
-- partitioned), views and every column of those relations, and the schema
-- crm_import_staging. The query lists what lacks a comment; the expected result is no row.
WITH ext AS (
	SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'crm_import'
), members AS (
	SELECT d.classid, d.objid
	FROM pg_catalog.pg_depend d JOIN ext ON d.refobjid = ext.oid
	WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
), rels AS (
	SELECT c.oid, c.relkind
	FROM members m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
)
SELECT kind, object FROM (
	SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind,
		p.oid::regprocedure::text AS object
	FROM members m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
	WHERE pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
	UNION ALL
	SELECT CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
		ELSE 'table' END, r.oid::regclass::text
	FROM rels r
	WHERE pg_catalog.obj_description(r.oid, 'pg_class') IS NULL
	UNION ALL
	SELECT CASE r.relkind WHEN 'v' THEN 'view column' ELSE 'column' END,
		pg_catalog.format('%s.%I', r.oid::regclass, a.attname)
	FROM rels r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE pg_catalog.col_description(r.oid, a.attnum) IS NULL
	UNION ALL
	SELECT 'schema', n.nspname::text
	FROM members m JOIN pg_catalog.pg_namespace n ON m.classid = 'pg_catalog.pg_namespace'::regclass AND n.oid = m.objid
	WHERE pg_catalog.obj_description(n.oid, 'pg_namespace') IS NULL
	UNION ALL
	-- The staging schema must be found as a member at all, or its comment would go unchecked.
	SELECT 'schema (not a member of the extension)', 'crm_import_staging'
	WHERE NOT EXISTS (SELECT 1 FROM members m JOIN pg_catalog.pg_namespace n
		ON m.classid = 'pg_catalog.pg_namespace'::regclass AND n.oid = m.objid
		WHERE n.nspname = 'crm_import_staging')
) missing
ORDER BY kind, object;
