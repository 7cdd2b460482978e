-- Shared by the pg_regress files: runs a statement and shows the error it raised as
-- "SQLSTATE: message | detail | hint" (no LOCATION or CONTEXT lines, which change with the
-- code), or "no error". Names are qualified: 09_security runs it under a hostile search_path.
CREATE FUNCTION pg_temp.expect_error(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text; m text; d text; h text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN pg_catalog.format('%s: %s | %s | %s', s, m, d, h);
END
$$;
