-- Prints, one object per line, every member of the extension crm_import (pg_depend deptype
-- 'e', named with pg_describe_object) with its definition, so that two databases can be
-- compared with diff. Used by t_upgrade.sh. No OIDs appear in the output.
--   functions: pg_get_functiondef (aggregates: their pg_aggregate settings), ACL, comment
--   tables, views, sequences: columns (by name: type, collation, not null, default, comment),
--     constraints, indexes, triggers, policies, partition key, view definition, sequence
--     parameters, options, persistence, ACL, comment
--   types, schemas, others: their description, ACL, comment
-- plus the extension's version, config tables (pg_extension_config_dump), initial privileges
-- (pg_init_privs, what pg_dump relies on) and the rows of its tables (timestamps aside: they
-- hold the installation time).
CREATE FUNCTION pg_temp.crm_ext_snapshot() RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
	ext oid := (SELECT oid FROM pg_extension WHERE extname = 'crm_import');
	m record;
	def text;
	cols text;
	rowdigest text;
BEGIN
	RETURN NEXT 'extension version ' || (SELECT extversion FROM pg_extension WHERE oid = ext)
		|| ', schema ' || (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE oid = ext)
		|| ', relocatable ' || (SELECT extrelocatable FROM pg_extension WHERE oid = ext);
	RETURN NEXT 'config tables ' || coalesce((SELECT string_agg(c.oid::regclass::text || ' ' || coalesce(nullif(cond, ''), '(all rows)'), ', ' ORDER BY c.oid::regclass::text)
		FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond) JOIN pg_class c ON c.oid = u.cfg
		WHERE e.oid = ext), 'none');
	FOR m IN
		SELECT d.classid, d.objid, d.objsubid, pg_describe_object(d.classid, d.objid, d.objsubid) AS name
		FROM pg_depend d
		WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext AND d.deptype = 'e'
		ORDER BY 4
	LOOP
		def := '';
		IF m.classid = 'pg_proc'::regclass THEN
			IF (SELECT prokind FROM pg_proc WHERE oid = m.objid) = 'a' THEN
				SELECT format('aggregate kind %s, sfunc %s, stype %s, finalfn %s, combinefn %s, initval %s, sortop %s',
						a.aggkind, a.aggtransfn::regprocedure, format_type(a.aggtranstype, NULL), a.aggfinalfn,
						a.aggcombinefn, coalesce(a.agginitval, 'NULL'), a.aggsortop::regoperator)
					|| ', ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ') ' || format_type(p.prorettype, NULL)
					|| ', parallel ' || p.proparallel::text
				INTO def FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE a.aggfnoid = m.objid;
			ELSE
				def := pg_get_functiondef(m.objid);
			END IF;
			def := def || E'\n  acl ' || coalesce((SELECT proacl::text FROM pg_proc WHERE oid = m.objid), 'default');
		ELSIF m.classid = 'pg_class'::regclass THEN
			SELECT string_agg(format('%s %s%s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
					CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type WHERE oid = a.atttypid)
						THEN ' collate ' || (SELECT collname FROM pg_collation WHERE oid = a.attcollation) ELSE '' END,
					CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
					CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
					|| coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), ''),
					coalesce(' -- ' || col_description(a.attrelid, a.attnum), '')), E'\n  ' ORDER BY a.attname)
			INTO cols
			FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
			WHERE a.attrelid = m.objid AND a.attnum > 0 AND NOT a.attisdropped;
			SELECT format('kind %s, persistence %s, options %s, acl %s, rls %s',
					c.relkind, c.relpersistence, coalesce(c.reloptions::text, '-'), coalesce(c.relacl::text, 'default'),
					c.relrowsecurity)
				|| coalesce(E'\n  partition key ' || pg_get_partkeydef(c.oid), '')
				|| coalesce(E'\n  view ' || CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, '')
				|| coalesce(E'\n  ' || cols, '')
				|| coalesce((SELECT string_agg(E'\n  constraint ' || conname || ' ' || pg_get_constraintdef(oid), '' ORDER BY conname)
					FROM pg_constraint WHERE conrelid = c.oid), '')
				|| coalesce((SELECT string_agg(E'\n  index ' || pg_get_indexdef(indexrelid), '' ORDER BY 1)
					FROM pg_index WHERE indrelid = c.oid), '')
				|| coalesce((SELECT string_agg(E'\n  trigger ' || pg_get_triggerdef(oid), '' ORDER BY tgname)
					FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal), '')
				|| coalesce((SELECT string_agg(E'\n  policy ' || polname || ' ' || polcmd::text || ' ' || coalesce(pg_get_expr(polqual, polrelid), '')
					|| ' / ' || coalesce(pg_get_expr(polwithcheck, polrelid), ''), '' ORDER BY polname)
					FROM pg_policy WHERE polrelid = c.oid), '')
				|| coalesce((SELECT format(E'\n  sequence %s start %s increment %s min %s max %s cache %s cycle %s',
					format_type(seqtypid, NULL), seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle)
					FROM pg_sequence WHERE seqrelid = c.oid), '')
			INTO def FROM pg_class c WHERE c.oid = m.objid;
		ELSIF m.classid = 'pg_type'::regclass THEN
			SELECT format('type %s, kind %s, category %s, acl %s', format_type(t.oid, NULL), t.typtype, t.typcategory,
					coalesce(t.typacl::text, 'default'))
				|| coalesce((SELECT E'\n  labels ' || string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
				|| coalesce(E'\n  domain ' || format_type(t.typbasetype, t.typtypmod) || coalesce(' default ' || t.typdefault, '')
					|| coalesce((SELECT string_agg(' ' || pg_get_constraintdef(oid), '' ORDER BY conname) FROM pg_constraint WHERE contypid = t.oid), '')
					, '')
			INTO def FROM pg_type t WHERE t.oid = m.objid;
		ELSIF m.classid = 'pg_namespace'::regclass THEN
			SELECT 'acl ' || coalesce(nspacl::text, 'default') INTO def FROM pg_namespace WHERE oid = m.objid;
		END IF;
		def := def || coalesce(E'\n  comment ' || obj_description(m.objid, m.classid::regclass::name), '');
		RETURN NEXT m.name || E'\n  ' || def;
	END LOOP;
	-- Initial privileges of members and of their columns.
	RETURN QUERY SELECT 'init privs ' || pg_describe_object(i.classoid, i.objoid, i.objsubid) || ' ' || i.privtype::text || ' ' || i.initprivs::text
		FROM pg_init_privs i
		WHERE EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext
			AND d.deptype = 'e' AND d.classid = i.classoid AND d.objid = i.objoid)
		ORDER BY 1;
	-- Rows the install (or upgrade) scripts put in the extension's tables.
	FOR m IN
		SELECT c.oid FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
		WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext AND d.deptype = 'e'
			AND d.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'p')
		ORDER BY c.oid::regclass::text
	LOOP
		SELECT string_agg(format('t.%I', attname), ', ' ORDER BY attname) INTO cols FROM pg_attribute
		WHERE attrelid = m.oid AND attnum > 0 AND NOT attisdropped
			AND atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype);
		EXECUTE format('SELECT count(*) || '' rows '' || coalesce(md5(string_agg(r, E''\n'' ORDER BY r)), ''-'')
			FROM (SELECT ROW(%s)::text AS r FROM %s t) q', cols, m.oid::regclass) INTO rowdigest;
		RETURN NEXT 'data of ' || m.oid::regclass::text || ': ' || rowdigest;
	END LOOP;
END
$fn$;
SELECT s FROM pg_temp.crm_ext_snapshot() s;
