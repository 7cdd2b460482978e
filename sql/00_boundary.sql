-- 00_boundary: the C++ / PostgreSQL error boundary (crm_import_selftest).
-- Errors raised in C++ (core::UserError), PostgreSQL errors raised inside guarded C++ code,
-- and other C++ exceptions must all come out as proper PostgreSQL errors with their
-- SQLSTATE, detail and hint intact; the backend survives each one and the C++ destructors
-- of the failed calls have run.
\i sql/include/fresh_extension.sql
\set VERBOSITY default

\i sql/include/expect_error.sql

SELECT pg_backend_pid() AS pid \gset
-- Nothing leaked yet; the plain path works.
SELECT crm_import_selftest('live_guards') AS live_guards;
SELECT crm_import_selftest('ok') = 100 AS ok;

-- A C++ core error: SQLSTATE 22023 with message, detail and hint as raised.
SELECT pg_temp.expect_error($$SELECT crm_import_selftest('core_error')$$);
SELECT crm_import_selftest('ok') = 100 AS ok;
-- Also uncaught at top level (no SQLSTATE shown with default verbosity; message, detail, hint).
SELECT crm_import_selftest('core_error');
SELECT crm_import_selftest('ok') = 100 AS ok;

-- A PostgreSQL ERROR raised inside guarded C++ code comes out unchanged: 22012.
SELECT pg_temp.expect_error($$SELECT crm_import_selftest('pg_error')$$);
SELECT crm_import_selftest('ok') = 100 AS ok;
SELECT crm_import_selftest('pg_error');
SELECT crm_import_selftest('ok') = 100 AS ok;

-- Any other C++ exception is an internal error (XX000) naming what was thrown.
SELECT pg_temp.expect_error($$SELECT crm_import_selftest('std_exception')$$);
SELECT crm_import_selftest('ok') = 100 AS ok;
SELECT crm_import_selftest('std_exception');
SELECT crm_import_selftest('ok') = 100 AS ok;

-- An unknown kind is a usage error with a hint listing the kinds.
SELECT pg_temp.expect_error($$SELECT crm_import_selftest('no_such_test')$$);
-- STRICT: NULL in, NULL out.
SELECT crm_import_selftest(NULL) IS NULL AS null_is_null;

-- Errors inside a transaction: the transaction is aborted as for any error, and usable
-- again after ROLLBACK; a savepoint recovers too.
BEGIN;
SELECT crm_import_selftest('ok') AS ok;
SAVEPOINT s1;
SELECT crm_import_selftest('pg_error');
ROLLBACK TO SAVEPOINT s1;
SELECT crm_import_selftest('ok') AS ok_after_savepoint;
SAVEPOINT s2;
SELECT crm_import_selftest('core_error');
ROLLBACK TO SAVEPOINT s2;
SAVEPOINT s3;
SELECT crm_import_selftest('std_exception');
SELECT crm_import_selftest('ok');  -- fails: transaction is aborted
ROLLBACK TO SAVEPOINT s3;
SELECT crm_import_selftest('ok') AS ok_after_savepoint;
COMMIT;

-- Many failures in a row (each would leak memory or guards if destructors were skipped).
SELECT count(*) FILTER (WHERE r LIKE '22023:%') AS core_errors,
       count(*) FILTER (WHERE r LIKE '22012:%') AS pg_errors,
       count(*) FILTER (WHERE r LIKE 'XX000:%') AS internal_errors
FROM (SELECT pg_temp.expect_error(format('SELECT crm_import_selftest(%L)',
             (ARRAY['core_error', 'pg_error', 'std_exception'])[1 + i % 3])) AS r
      FROM generate_series(1, 300) i) x;

-- SQL definitions that do not match the library (a newer crm_import.so under older SQL
-- objects) are refused before any argument is read, instead of reading arguments that were
-- never passed: 39000 with the fix in the hint. Both a C++ entry point and a hot normalizer.
CREATE FUNCTION pg_temp.stale_plan_matches(regclass, regclass) RETURNS void
	AS '$libdir/crm_import', 'crm_import_plan_matches' LANGUAGE C;
CREATE FUNCTION pg_temp.stale_norm_phone(text) RETURNS text
	AS '$libdir/crm_import', 'crm_import_norm_phone' LANGUAGE C STRICT;
CREATE FUNCTION pg_temp.stale_upload_file(text, text, text, text, text, text) RETURNS bigint
	AS '$libdir/crm_import', 'crm_import_upload_file' LANGUAGE C;
SELECT pg_temp.expect_error($$SELECT pg_temp.stale_plan_matches('pg_class', 'pg_class')$$);
SELECT pg_temp.expect_error($$SELECT pg_temp.stale_norm_phone('+47 912 34 567')$$);
SELECT pg_temp.expect_error($$SELECT pg_temp.stale_upload_file('a', 'b', 'c', 'd', 'e', 'f')$$);

-- Every C++ object of the failed calls was destroyed.
SELECT crm_import_selftest('live_guards') AS live_guards;
SELECT crm_import_selftest('ok') = 100 AS ok;
-- Still the same backend: none of the errors crashed it.
SELECT pg_backend_pid() = :pid AS same_backend;
