---------------------------------------------------------------------------------------------
-- Undo an import: give back what a completed import changed (issue 17)
---------------------------------------------------------------------------------------------
-- What an undo works from:
--   * contacts the import updated: crm_import_undo_contacts, written by the run
--     (crm_import_run_write): per contact, of each field it changed the value before
--     (old_<field>) and the value it wrote (new_<field>, never NULL for a changed field), and
--     updated_at / updated_by_import before the import;
--   * contacts it created: crm_contacts.created_by_import = the import;
--   * memberships it added: crm_list_members.added_by_import = the import (a membership that
--     existed before keeps the import that added it, or NULL, so it stays).
-- A field is given back only while it still holds the value the import wrote; consent is
-- never given back from opted out to opted in. A created contact is deleted only when nothing
-- changed it since and no later import matched it; a membership is removed unless a later
-- import into the same list matched the contact (its row results say so: a later import that
-- found the contact unchanged vouches for it as much as one that changed it). Everything
-- else is kept and reported (crm_import_undo_kept).

-- Internal: the columns of crm_contacts an undo can give back: the predefined fields that are
-- columns and have their old_/new_ pair in crm_import_undo_contacts, with their SQL type and
-- whether they are consent (given back with their _import and _at columns).
CREATE FUNCTION crm_import_undo_columns()
RETURNS TABLE (name text, sql_type text, consent boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
	SELECT f.name, pg_catalog.format_type(a.atttypid, a.atttypmod), f.type = 'consent'
	FROM @extschema@.crm_fields f JOIN pg_catalog.pg_attribute a
		ON a.attrelid = '@extschema@.crm_contacts'::regclass AND a.attname::text = f.name AND a.attnum > 0 AND NOT a.attisdropped
	WHERE NOT f.custom
		AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute n WHERE n.attrelid = '@extschema@.crm_import_undo_contacts'::regclass
			AND n.attname::text = 'new_' || f.name AND NOT n.attisdropped)
	ORDER BY a.attnum
$$;
COMMENT ON FUNCTION crm_import_undo_columns() IS
	'Internal: the predefined contact fields an undo gives back (columns of crm_contacts with old_/new_ columns in crm_import_undo_contacts), with SQL type and whether they are consent';

-- Internal: refuses an undo (or its conflict report) of an import that cannot be undone, each
-- with why and what to do instead. undone_ok: an undone import is fine (its report).
CREATE FUNCTION crm_import_undo_require(job @extschema@.crm_imports, undone_ok boolean)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	retention_text text := coalesce(nullif(current_setting('crm_import.undo_retention', true), ''), '30 days');
	retention interval := retention_text::interval;
BEGIN
	IF job.state = 'running' OR EXISTS (SELECT 1 FROM @extschema@.crm_import_attempts a WHERE a.import_id = job.id AND a.running) THEN
		RAISE EXCEPTION 'import % is running', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			HINT = 'Wait until crm_import_status shows it completed, then undo it.';
	ELSIF job.state = 'draft' THEN
		RAISE EXCEPTION 'import % has not run: there is nothing to undo', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'Only a completed import can be undone.',
			HINT = pg_catalog.format('To drop the uploaded file instead, call crm_import_discard(%s).', job.id);
	ELSIF job.state = 'failed' THEN
		RAISE EXCEPTION 'import % failed: there is nothing to undo', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'A failed run is rolled back: it changed no contact and no list.',
			HINT = pg_catalog.format('Fix the cause (crm_import_status shows it) and run crm_import_run(%s) again, or leave it.', job.id);
	ELSIF job.state = 'undone' AND undone_ok THEN
		RETURN;
	ELSIF job.state = 'undone' THEN
		RAISE EXCEPTION 'import % was already undone', job.id USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = pg_catalog.format('%s undid it at %s.', job.undone_by, pg_catalog.to_char(job.undone_at, 'YYYY-MM-DD HH24:MI:SS TZ')),
			HINT = pg_catalog.format('SELECT * FROM crm_import_undo_conflicts(%s) lists what the undo kept.', job.id);
	ELSIF NOT job.undo_saved THEN
		RAISE EXCEPTION 'import % cannot be undone: it ran before crm_import kept undo data', job.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'Imports completed with crm_import 0.1.0 did not record the values they replaced.',
			HINT = 'Correct the contacts with another import (master file) or by hand.';
	ELSIF job.undo_purged_at IS NOT NULL THEN
		RAISE EXCEPTION 'import % can no longer be undone: its undo data was purged', job.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = pg_catalog.format('crm_import_purge_undo removed it at %s; undo data is kept for crm_import.undo_retention (%s) after an import finishes.',
				pg_catalog.to_char(job.undo_purged_at, 'YYYY-MM-DD HH24:MI:SS TZ'), retention_text),
			HINT = 'Correct the contacts with another import (master file) or by hand.';
	ELSIF job.finished_at < pg_catalog.now() - retention THEN
		RAISE EXCEPTION 'import % can no longer be undone: its undo data expired', job.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = pg_catalog.format('It finished at %s; crm_import.undo_retention is %s.',
				pg_catalog.to_char(job.finished_at, 'YYYY-MM-DD HH24:MI:SS TZ'), retention_text),
			HINT = 'Correct the contacts with another import (master file) or by hand; crm_import_purge_undo() deletes expired undo data.';
	END IF;
END
$$;
COMMENT ON FUNCTION crm_import_undo_require(crm_imports, boolean) IS
	'Internal: raises object_not_in_prerequisite_state, with the reason and what to do, unless the import can be undone (draft, running, failed, already undone, no undo data, purged, expired)';

-- Internal: the SQL pieces of an undo, generated from crm_import_undo_columns.
--   plan_cols:    (in the plan's inner query: u the import's row of crm_import_undo_contacts,
--                 c the contact as it is now) per field r_<field>: given back (true), kept
--                 (false) or not changed by the import (NULL), and the current value c_<field>;
--                 custom keys given back and kept;
--   kept_count, any_restore, current_values: (in the plan's outer query, p the inner row)
--                 fields kept, whether anything is given back, and the current values of the
--                 kept fields as jsonb (the report's "value now");
--   set_list:     (p a plan row, c the contact) the SET list of the UPDATE that gives back;
--   kept_rows:    (p a plan row) a LATERAL subquery (field, restore, import_value,
--                 current_value, outcome), one row per field, for the report.
-- Values in the report are text as to_jsonb writes them (dates in ISO form, whatever the
-- DateStyle).
CREATE FUNCTION crm_import_undo_sql(job @extschema@.crm_imports,
	OUT plan_cols text, OUT kept_count text, OUT any_restore text, OUT current_values text, OUT set_list text,
	OUT kept_rows text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k record;
	r text;
	kept_outcome text := 'kept: changed since the import';
BEGIN
	plan_cols := ''; any_restore := 'false'; kept_count := '0'; current_values := ''; set_list := ''; kept_rows := '';
	FOR k IN SELECT * FROM @extschema@.crm_import_undo_columns() LOOP
		-- Given back while it holds what the import wrote; consent never from opted out to in.
		r := pg_catalog.format('CASE WHEN u.%1$I IS NOT NULL THEN c.%2$I IS NOT DISTINCT FROM u.%1$I%3$s END', 'new_' || k.name, k.name,
			CASE WHEN k.consent THEN pg_catalog.format(' AND NOT (c.%I IS FALSE AND u.%I IS TRUE)', k.name, 'old_' || k.name) ELSE '' END);
		plan_cols := plan_cols || pg_catalog.format(', %s AS %I, c.%I AS %I', r, 'r_' || k.name, k.name, 'c_' || k.name);
		any_restore := any_restore || pg_catalog.format(' OR p.%I', 'r_' || k.name);
		kept_count := kept_count || pg_catalog.format(' + (p.%I IS FALSE)::integer', 'r_' || k.name);
		current_values := current_values || pg_catalog.format(', %L, CASE WHEN p.%I IS FALSE THEN pg_catalog.to_jsonb(p.%I) END',
			k.name, 'r_' || k.name, 'c_' || k.name);
		set_list := set_list || pg_catalog.format(', %1$I = CASE WHEN p.%2$I THEN p.%3$I ELSE c.%1$I END',
			k.name, 'r_' || k.name, 'old_' || k.name);
		IF k.consent THEN
			set_list := set_list || pg_catalog.format(
				', %1$I = CASE WHEN p.%3$I THEN p.%4$I ELSE c.%1$I END, %2$I = CASE WHEN p.%3$I THEN p.%5$I ELSE c.%2$I END',
				k.name || '_import', k.name || '_at', 'r_' || k.name, 'old_' || k.name || '_import', 'old_' || k.name || '_at');
		END IF;
		kept_rows := kept_rows || pg_catalog.format(' UNION ALL SELECT %1$L::text, p.%2$I, pg_catalog.to_jsonb(p.%3$I) #>> ''{}'', p.current_values ->> %1$L, %4$s',
			k.name, 'r_' || k.name, 'new_' || k.name,
			CASE WHEN k.consent THEN pg_catalog.format('CASE WHEN (p.current_values -> %L) = pg_catalog.to_jsonb(p.%I) THEN %L ELSE %L END',
					k.name, 'new_' || k.name, 'kept opted out: an undo never opts a contact in', kept_outcome)
				ELSE pg_catalog.format('%L::text', kept_outcome) END);
	END LOOP;
	-- Custom fields: key by key. A key the contact did not have before is removed again.
	plan_cols := plan_cols
		|| ', CASE WHEN u.new_custom IS NOT NULL THEN (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_each(u.new_custom) e'
		|| ' WHERE (c.custom -> e.key) IS NOT DISTINCT FROM e.value) ELSE 0 END AS custom_restored'
		|| ', CASE WHEN u.new_custom IS NOT NULL THEN (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_each(u.new_custom) e'
		|| ' WHERE (c.custom -> e.key) IS DISTINCT FROM e.value) ELSE 0 END AS custom_kept, c.custom AS c_custom';
	any_restore := any_restore || ' OR p.custom_restored > 0';
	kept_count := kept_count || ' + p.custom_kept';
	current_values := pg_catalog.format('CASE WHEN %s > 0 THEN pg_catalog.jsonb_build_object(%s, ''custom'', CASE WHEN p.custom_kept > 0 THEN p.c_custom END) END',
		kept_count, substr(current_values, 3));
	set_list := substr(set_list, 3)
		|| ', custom = CASE WHEN p.custom_restored > 0 THEN (SELECT (c.custom'
		|| ' - coalesce(pg_catalog.array_agg(e.key) FILTER (WHERE NOT coalesce(p.old_custom ? e.key, false)), ''{}''::text[]))'
		|| ' || coalesce(pg_catalog.jsonb_object_agg(e.key, p.old_custom -> e.key) FILTER (WHERE p.old_custom ? e.key), ''{}''::jsonb)'
		|| ' FROM pg_catalog.jsonb_each(p.new_custom) e WHERE (c.custom -> e.key) IS NOT DISTINCT FROM e.value)'
		|| ' ELSE c.custom END'
		-- Nothing kept and nothing changed it since: as it was before the import.
		|| ', updated_at = CASE WHEN p.kept = 0 AND p.ours THEN p.old_updated_at ELSE c.updated_at END'
		|| ', updated_by_import = CASE WHEN p.kept = 0 AND p.ours THEN p.old_updated_by_import ELSE c.updated_by_import END';
	kept_rows := '(' || substr(kept_rows, length(' UNION ALL ') + 1)
		|| pg_catalog.format(' UNION ALL SELECT e.key, false, e.value #>> ''{}'', p.current_values -> ''custom'' -> e.key #>> ''{}'', %L::text'
			' FROM pg_catalog.jsonb_each(p.new_custom) e'
			' WHERE p.custom_kept > 0 AND (p.current_values -> ''custom'' -> e.key) IS DISTINCT FROM e.value', kept_outcome)
		|| ') k(field, restore, import_value, current_value, outcome)';
END
$$;
COMMENT ON FUNCTION crm_import_undo_sql(crm_imports) IS
	'Internal: the generated SQL of an undo (plan columns, the UPDATE''s SET list, the report of kept fields)';

-- Internal: the undo's plan, two work tables in crm_import_staging (p = their prefix):
--   p || 'updated': per contact the import updated (and that still exists), r_<field> given
--     back / kept / not changed, custom keys given back and kept, kept (fields kept), ours
--     (nothing but this import changed it since it finished), the import's undo row (old_ and
--     new_ values) and the current values of the kept fields;
--   p || 'later': the contacts later imports matched (their row results; completed, not
--     undone imports that finished after this one), with the first such import and the first
--     into the same list;
--   p || 'created': the contacts the import created that are kept (changed since: by a later
--     import, after the import finished; or matched by a later import), and why.
-- Computed once with one join of the undo rows and the contacts, so the counts, the report
-- and the writes agree, and the writes need no second join.
CREATE FUNCTION crm_import_undo_plan(job @extschema@.crm_imports, p text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record;
	-- When the import finished, read in the statement (no timestamp text to parse back).
	finished text := pg_catalog.format('(SELECT j.finished_at FROM @extschema@.crm_imports j WHERE j.id = %s)', job.id);
BEGIN
	SELECT * INTO s FROM @extschema@.crm_import_undo_sql(job);
	-- The run wrote the undo rows in bulk, maybe moments ago: without statistics the planner
	-- takes the import's 400,000 rows for a few thousand and probes contacts one by one.
	ANALYZE @extschema@.crm_import_undo_contacts (import_id, contact_id);
	-- The volatile fence keeps the planner from pulling the subquery up and evaluating each
	-- r_<field> once more for every place it is used.
	EXECUTE pg_catalog.format(
		'CREATE UNLOGGED TABLE %1$supdated WITH (autovacuum_enabled = false) AS '
		'SELECT p.contact_id%2$s, p.custom_restored, p.custom_kept, p.ours, '
		'  %3$s AS kept, %4$s AS any_restore, %5$s AS current_values FROM ('
		'  SELECT u.*%6$s,'
		'    c.updated_by_import IS NOT DISTINCT FROM %7$s AND c.updated_at <= %8$s AS ours, pg_catalog.clock_timestamp() AS fence'
		'  FROM @extschema@.crm_import_undo_contacts u JOIN @extschema@.crm_contacts c ON c.id = u.contact_id'
		'  WHERE u.import_id = %7$s) p',
		p, (SELECT string_agg(pg_catalog.format(', p.%I', a.attname), '' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
				WHERE a.attrelid = '@extschema@.crm_import_undo_contacts'::regclass AND a.attnum > 0 AND NOT a.attisdropped
				AND a.attname <> ALL (ARRAY['import_id', 'contact_id']))
			|| (SELECT string_agg(pg_catalog.format(', p.%I', 'r_' || k.name), '') FROM @extschema@.crm_import_undo_columns() k),
		s.kept_count, s.any_restore, s.current_values, s.plan_cols, job.id, finished);
	-- Usually no later import, or a few: their row results, one table each.
	EXECUTE pg_catalog.format('CREATE UNLOGGED TABLE %slater WITH (autovacuum_enabled = false) AS '
		'SELECT r.contact_id, min(r.import_id) AS import_id, min(r.import_id) FILTER (WHERE r.same_list) AS same_list_import FROM (%s) r '
		'GROUP BY r.contact_id',
		p, coalesce((SELECT string_agg(pg_catalog.format('SELECT x.contact_id, %s::bigint AS import_id, %L::boolean AS same_list FROM %s x '
				'WHERE x.contact_id IS NOT NULL AND x.outcome <> ''rejected''', j.id, j.list_id = job.list_id,
				pg_catalog.format('crm_import_staging.%I', 'results_' || j.id)), ' UNION ALL ' ORDER BY j.id)
			FROM @extschema@.crm_imports j
			WHERE j.state = 'completed' AND j.id <> job.id AND j.finished_at > job.finished_at AND NOT j.results_dry_run
				AND pg_catalog.to_regclass(pg_catalog.format('crm_import_staging.%I', 'results_' || j.id)) IS NOT NULL),
			'SELECT NULL::bigint AS contact_id, NULL::bigint AS import_id, NULL::boolean AS same_list WHERE false'));
	EXECUTE pg_catalog.format('ANALYZE %slater (contact_id)', p);
	-- Few rows: the created contacts that stay.
	EXECUTE pg_catalog.format(
		'CREATE UNLOGGED TABLE %1$screated WITH (autovacuum_enabled = false) AS '
		'SELECT x.id, x.kept FROM (SELECT c.id, '
		'  CASE WHEN c.updated_by_import IS DISTINCT FROM %2$s THEN ''contact kept: changed since the import'''
		'    || coalesce('' by import '' || c.updated_by_import, '''')'
		'  WHEN c.updated_at > %3$s THEN ''contact kept: changed since the import finished'''
		'  WHEN l.import_id IS NOT NULL THEN pg_catalog.format(''contact kept: import %%s matched it since'', l.import_id) END AS kept'
		'  FROM @extschema@.crm_contacts c LEFT JOIN %1$slater l ON l.contact_id = c.id'
		'  WHERE c.created_by_import = %2$s) x WHERE x.kept IS NOT NULL',
		p, job.id, finished);
	EXECUTE pg_catalog.format('ANALYZE %supdated (contact_id, kept, any_restore)', p);
	EXECUTE pg_catalog.format('ANALYZE %screated (id)', p);
END
$$;
COMMENT ON FUNCTION crm_import_undo_plan(crm_imports, text) IS
	'Internal: the work tables of an undo: per updated contact which fields are given back or kept, the created contacts that are kept and why';

-- Internal: the report of what an undo keeps, from its plan: one row per kept field of an
-- updated contact (custom keys included), one per kept created contact and one per kept
-- membership (field NULL).
CREATE FUNCTION crm_import_undo_kept_query(job @extschema@.crm_imports, p text)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pg_catalog.format(
		'SELECT p.contact_id, k.field, k.import_value, k.current_value, k.outcome '
		'FROM %1$supdated p CROSS JOIN LATERAL %3$s WHERE p.kept > 0 AND k.restore IS FALSE '
		'UNION ALL SELECT d.id, NULL, NULL, NULL, d.kept FROM %1$screated d '
		'UNION ALL SELECT m.contact_id, NULL, NULL, NULL, pg_catalog.format(''list membership kept: import %%s matched the contact since'', l.same_list_import) '
		'FROM @extschema@.crm_list_members m JOIN %1$slater l ON l.contact_id = m.contact_id AND l.same_list_import IS NOT NULL '
		'WHERE m.list_id = %4$s AND m.added_by_import = %2$s',
		p, job.id, (SELECT s.kept_rows FROM @extschema@.crm_import_undo_sql(job) s), job.list_id);
END
$$;
COMMENT ON FUNCTION crm_import_undo_kept_query(crm_imports, text) IS
	'Internal: the SQL listing what an undo keeps (contact, field, value the import wrote, value now, outcome), from its plan';

-- Internal: drops an undo's work tables.
CREATE FUNCTION crm_import_undo_drop_plan(p text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY[p || 'updated', p || 'later', p || 'created'] LOOP
		IF pg_catalog.to_regclass(t) IS NOT NULL THEN
			EXECUTE 'DROP TABLE ' || t;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION crm_import_undo_drop_plan(text) IS 'Internal: drops the work tables of an undo';

CREATE FUNCTION crm_import_undo(import bigint, dry_run boolean DEFAULT false)
RETURNS TABLE (contacts_deleted bigint, contacts_restored bigint, memberships_removed bigint, fields_kept bigint,
	contacts_kept bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET default_tablespace = '' SET temp_tablespaces = ''
SET work_mem = '256MB' SET max_parallel_workers_per_gather = 0 SET jit = off SET default_statistics_target = 10
AS $$
DECLARE
	-- Locked: an undo and a second undo (or a purge) of the same import wait for each other.
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	p text := pg_catalog.format('crm_import_staging.%I', 'undo_' || job.id || '_');
	-- The memberships an undo removes (those it added that no later import into the list
	-- matched since): counted by a dry run, deleted by an undo, from one definition.
	removed_members text := pg_catalog.format('FROM @extschema@.crm_list_members m WHERE m.list_id = %s AND m.added_by_import = %s '
		'AND NOT EXISTS (SELECT 1 FROM %slater l WHERE l.contact_id = m.contact_id AND l.same_list_import IS NOT NULL)',
		job.list_id, job.id, p);
	t timestamptz := clock_timestamp();
BEGIN
	IF dry_run IS NULL THEN
		RAISE EXCEPTION 'dry_run must be true or false' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Pass dry_run => true to see what an undo would do, or leave it out to undo.';
	END IF;
	PERFORM @extschema@.crm_import_undo_require(job, false);
	IF NOT dry_run THEN
		IF current_setting('transaction_isolation') <> 'read committed' THEN
			-- After waiting for the contacts lock it must see what a concurrent import
			-- committed meanwhile; an older snapshot would overwrite it.
			RAISE EXCEPTION 'crm_import_undo needs READ COMMITTED isolation, not %', current_setting('transaction_isolation')
				USING ERRCODE = 'invalid_transaction_state',
				HINT = 'Run it outside an explicit transaction, or in one begun with ISOLATION LEVEL READ COMMITTED.';
		END IF;
		-- The run's lock: an undo and a run never interleave their reads and writes of contacts.
		LOCK TABLE @extschema@.crm_contacts IN SHARE ROW EXCLUSIVE MODE;
	END IF;
	PERFORM @extschema@.crm_import_report_phase(job.id, 'undo: plan');
	PERFORM @extschema@.crm_import_undo_drop_plan(p);
	PERFORM @extschema@.crm_import_undo_plan(job, p);
	t := @extschema@.crm_import_phase_done(job.id, 'undo plan', t, next_phase => CASE WHEN dry_run THEN 'undo counts' ELSE 'undo writes' END);
	IF dry_run THEN
		EXECUTE pg_catalog.format('SELECT count(*) FILTER (WHERE p.any_restore), coalesce(sum(p.kept), 0) FROM %supdated p', p)
			INTO contacts_restored, fields_kept;
		EXECUTE pg_catalog.format('SELECT count(*) FROM %screated d', p) INTO contacts_kept;
		SELECT count(*) - contacts_kept INTO contacts_deleted FROM @extschema@.crm_contacts c WHERE c.created_by_import = job.id;
		EXECUTE 'SELECT count(*) ' || removed_members INTO memberships_removed;
	ELSE
		-- What is kept is reported with the values as they were before the undo.
		DELETE FROM @extschema@.crm_import_undo_kept k WHERE k.import_id = job.id;
		EXECUTE pg_catalog.format('INSERT INTO @extschema@.crm_import_undo_kept (import_id, contact_id, field, import_value, current_value, outcome) '
			'SELECT %s, x.* FROM (%s) x', job.id, @extschema@.crm_import_undo_kept_query(job, p));
		SELECT count(*) FILTER (WHERE k.field IS NOT NULL) INTO fields_kept FROM @extschema@.crm_import_undo_kept k WHERE k.import_id = job.id;
		EXECUTE pg_catalog.format('SELECT count(*) FROM %screated d', p) INTO contacts_kept;
		t := @extschema@.crm_import_phase_done(job.id, 'undo: report what is kept', t, fields_kept || ' fields, ' || contacts_kept || ' contacts',
			'undo: restore updated contacts');
		EXECUTE pg_catalog.format('UPDATE @extschema@.crm_contacts c SET %s FROM %supdated p WHERE c.id = p.contact_id AND p.any_restore',
			(SELECT s.set_list FROM @extschema@.crm_import_undo_sql(job) s), p);
		GET DIAGNOSTICS contacts_restored = ROW_COUNT;
		t := @extschema@.crm_import_phase_done(job.id, 'undo: restore updated contacts', t, contacts_restored || ' contacts', 'undo: memberships');
		EXECUTE 'DELETE ' || removed_members;
		GET DIAGNOSTICS memberships_removed = ROW_COUNT;
		t := @extschema@.crm_import_phase_done(job.id, 'undo: remove memberships', t, memberships_removed || ' memberships', 'undo: delete created contacts');
		-- The values it replaced are given back or kept: nothing is left to undo. Deleted
		-- before the contacts, so the erasure trigger has less to look through.
		DELETE FROM @extschema@.crm_import_undo_contacts u WHERE u.import_id = job.id;
		ANALYZE @extschema@.crm_import_undo_kept (contact_id);
		EXECUTE pg_catalog.format('DELETE FROM @extschema@.crm_contacts c WHERE c.created_by_import = %s '
			'AND c.id NOT IN (SELECT d.id FROM %screated d)', job.id, p);
		GET DIAGNOSTICS contacts_deleted = ROW_COUNT;
		t := @extschema@.crm_import_phase_done(job.id, 'undo: delete created contacts', t, contacts_deleted || ' contacts');
		UPDATE @extschema@.crm_imports j SET state = 'undone', undone_by = @extschema@.crm_import_caller(), undone_at = pg_catalog.now(),
			undo_contacts_deleted = crm_import_undo.contacts_deleted, undo_contacts_restored = crm_import_undo.contacts_restored,
			undo_memberships_removed = crm_import_undo.memberships_removed, undo_fields_kept = crm_import_undo.fields_kept,
			undo_contacts_kept = crm_import_undo.contacts_kept
			WHERE j.id = job.id;
	END IF;
	PERFORM @extschema@.crm_import_undo_drop_plan(p);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_undo(bigint, boolean) IS
	'Undoes a completed import, all or nothing: deletes the contacts it created, gives the contacts it updated their previous values back field by field, removes the list memberships it added. A field changed since the import is kept, consent is never given back from opted out to opted in, and a created contact changed since is kept; crm_import_undo_conflicts lists them. Owner or admin only, once, within crm_import.undo_retention. dry_run counts the same without changing anything';

CREATE FUNCTION crm_import_undo_conflicts(import bigint)
RETURNS TABLE (contact_id bigint, field text, import_value text, current_value text, outcome text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET default_tablespace = '' SET temp_tablespaces = ''
SET work_mem = '256MB' SET max_parallel_workers_per_gather = 0 SET jit = off SET default_statistics_target = 10
AS $$
DECLARE
	job @extschema@.crm_imports := @extschema@.crm_import_job(import, true);
	p text := pg_catalog.format('crm_import_staging.%I', 'undo_' || job.id || '_');
BEGIN
	PERFORM @extschema@.crm_import_undo_require(job, true);
	IF job.state = 'undone' THEN
		RETURN QUERY SELECT k.contact_id, k.field, k.import_value, k.current_value, k.outcome
			FROM @extschema@.crm_import_undo_kept k WHERE k.import_id = job.id
			ORDER BY k.contact_id, k.field NULLS FIRST, k.outcome;
		RETURN;
	END IF;
	-- Not undone yet: what an undo would keep now.
	PERFORM @extschema@.crm_import_undo_drop_plan(p);
	PERFORM @extschema@.crm_import_undo_plan(job, p);
	RETURN QUERY EXECUTE pg_catalog.format('SELECT x.* FROM (%s) x ORDER BY 1, 2 NULLS FIRST, 5',
		@extschema@.crm_import_undo_kept_query(job, p));
	PERFORM @extschema@.crm_import_undo_drop_plan(p);
END
$$;
COMMENT ON FUNCTION crm_import_undo_conflicts(bigint) IS
	'What an undo keeps instead of giving back: for an undone import what its undo kept, before that what an undo would keep now. One row per kept field of an updated contact (the value the import wrote, the value now) and one per kept created contact (field NULL), each with the outcome';

CREATE FUNCTION crm_import_purge_undo(older_than interval DEFAULT NULL)
RETURNS TABLE (imports bigint, contacts bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	keep interval;
	purged bigint[];
BEGIN
	IF NOT @extschema@.crm_import_is_admin() THEN
		RAISE EXCEPTION 'permission denied to purge undo data' USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'Purging undo data ends the undo of every import older than the retention, whoever ran it.',
			HINT = 'Ask a member of crm_import_admin to run it (for example daily from cron).';
	END IF;
	keep := coalesce(older_than, coalesce(nullif(current_setting('crm_import.undo_retention', true), ''), '30 days')::interval);
	IF keep < '0'::interval THEN
		RAISE EXCEPTION 'older_than must not be negative' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pass an interval such as ''30 days'', ''0'' (everything), or NULL for crm_import.undo_retention.';
	END IF;
	-- The import rows first: an undo in progress holds its import's row, and is waited for.
	WITH gone AS (
		UPDATE @extschema@.crm_imports j SET undo_purged_at = pg_catalog.now()
		WHERE j.undo_saved AND j.undo_purged_at IS NULL AND j.finished_at < pg_catalog.now() - keep
		RETURNING j.id)
	SELECT coalesce(array_agg(g.id), '{}') INTO purged FROM gone g;
	imports := cardinality(purged);
	DELETE FROM @extschema@.crm_import_undo_contacts u WHERE u.import_id = ANY (purged);
	GET DIAGNOSTICS contacts = ROW_COUNT;
	DELETE FROM @extschema@.crm_import_undo_kept k WHERE k.import_id = ANY (purged);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION crm_import_purge_undo(interval) IS
	'Admins (crm_import_admin): deletes the undo data of imports that finished more than older_than ago (default crm_import.undo_retention); they can no longer be undone. Returns the imports purged and the updated-contact rows deleted';
