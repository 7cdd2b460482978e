-- 01_lists: wizard step 1, contact lists (crm_import_create_list) and how uploads name them.
\i sql/include/fresh_extension.sql
\set VERBOSITY default

\i sql/include/expect_error.sql

-- Create lists; ids come from crm_lists.
SELECT crm_import_create_list('Nyhetsbrev 2026') AS newsletter_id \gset
SELECT crm_import_create_list('Kunder Oslo') AS oslo_id \gset
SELECT id = :newsletter_id AS same_id, name, created_by = current_user AS created_by_me
FROM crm_lists WHERE name = 'Nyhetsbrev 2026';
SELECT :oslo_id > :newsletter_id AS ids_increase;
-- Surrounding spaces are trimmed.
SELECT crm_import_create_list('  Kunder Bergen  ') IS NOT NULL AS created;
SELECT name, length(name) FROM crm_lists ORDER BY id;

-- Duplicate names are duplicate_object (42710) with a hint, also after trimming.
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('Nyhetsbrev 2026')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_list(' Kunder Oslo ')$$);
-- Names are case-sensitive: another case is another list.
SELECT crm_import_create_list('kunder oslo') IS NOT NULL AS created;

-- Blank, NULL and too long names.
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('    ')$$);
-- Other white space (tab, line breaks) is blank too: a name nobody can see.
SELECT pg_temp.expect_error($$SELECT crm_import_create_list(E'\t')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_list(E' \r\n ')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_create_list(NULL)$$);
SELECT pg_temp.expect_error(format('SELECT crm_import_create_list(%L)', repeat('x', 201)));
-- 200 characters is the limit, counted in characters, not bytes.
SELECT crm_import_create_list(repeat('ø', 200)) AS long_id \gset
SELECT length(name), octet_length(name) FROM crm_lists WHERE id = :long_id;
SELECT pg_temp.expect_error(format('SELECT crm_import_create_list(%L)', repeat('å', 201)));
-- Failed calls left nothing behind.
SELECT count(*) AS lists FROM crm_lists;

-- Names shaped like SQL injection, quotes and keywords are data, stored verbatim.
SELECT crm_import_create_list('x"); DROP TABLE crm_contacts; --') IS NOT NULL AS created;
SELECT crm_import_create_list($$x'); DROP TABLE crm_contacts; --$$) IS NOT NULL AS created;
SELECT crm_import_create_list('O''Brien') IS NOT NULL AS created;
SELECT crm_import_create_list('select') IS NOT NULL AS created;
SELECT crm_import_create_list('%s %I %L \N $1') IS NOT NULL AS created;
SELECT crm_import_create_list(E'Tab\there') IS NOT NULL AS created;
SELECT name FROM crm_lists
WHERE name IN ('x"); DROP TABLE crm_contacts; --', $$x'); DROP TABLE crm_contacts; --$$,
               'O''Brien', 'select', '%s %I %L \N $1', E'Tab\there')
ORDER BY id;
SELECT to_regclass('crm_contacts') IS NOT NULL AS crm_contacts_exists,
       (SELECT count(*) FROM crm_contacts) AS contacts;
-- ... and they are duplicates of themselves.
SELECT pg_temp.expect_error($$SELECT crm_import_create_list('O''Brien')$$);

-- Uploads name their list; such names work there too.
SELECT crm_import_upload('x"); DROP TABLE crm_contacts; --', convert_to(E'a,b\n1,2\n', 'UTF8')) AS imp1 \gset
SELECT crm_import_upload('O''Brien', convert_to(E'a,b\n1,2\n', 'UTF8')) AS imp2 \gset
SELECT l.name AS list FROM crm_imports j JOIN crm_lists l ON l.id = j.list_id
WHERE j.id IN (:imp1, :imp2) ORDER BY j.id;
SELECT id = :imp1 AS is_imp1, list FROM crm_import_status WHERE id = :imp1;
SELECT to_regclass('crm_contacts') IS NOT NULL AS crm_contacts_exists;
-- Surrounding spaces in the list argument are ignored, as at creation.
SELECT crm_import_upload('  Kunder Oslo ', convert_to(E'a,b\n1,2\n', 'UTF8')) AS imp3 \gset
SELECT l.name AS list FROM crm_imports j JOIN crm_lists l ON l.id = j.list_id WHERE j.id = :imp3;

-- An unknown list is undefined_object (42704) with a "did you mean" hint for a close name.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Nyhetsbrev 2025', convert_to(E'a\n1\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('nyhetsbrev 2026', convert_to(E'a\n1\n', 'UTF8'))$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder Bregen', convert_to(E'a\n1\n', 'UTF8'))$$);
-- ... and without a hint when nothing is close.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Leverandører', convert_to(E'a\n1\n', 'UTF8'))$$);
-- The other two upload functions resolve the list the same way.
SELECT lo_from_bytea(0, convert_to(E'a,b\n1,2\n', 'UTF8')) AS lo \gset
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_lo(%L, %s)', 'Nyhetsbrev 2025', :lo));
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/upload_lists.csv'
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L)', 'Nyhetsbrev 2025', :'f'));
SELECT lo_unlink(:lo);
-- No import was created by the failed uploads.
SELECT count(*) AS imports FROM crm_imports;

-- Lists are readable by crm_import_user but changed only through the functions.
SELECT has_table_privilege('crm_import_user', 'crm_lists', 'SELECT') AS can_select,
       has_table_privilege('crm_import_user', 'crm_lists', 'INSERT') AS can_insert,
       has_function_privilege('crm_import_user', 'crm_import_create_list(text)', 'EXECUTE') AS can_create,
       has_function_privilege('public', 'crm_import_create_list(text)', 'EXECUTE') AS public_can_create;
