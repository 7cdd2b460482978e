-- 14_encodings: files that are not UTF-8 (issue 14). The encoding argument of every upload
-- path (PostgreSQL and ICU names), UTF-16/UTF-32 byte-order marks without an argument, the
-- hints that name the encoding of an unconverted file (a DOS code page is not Windows-1252),
-- bytes invalid in the given encoding, C1 mojibake of a file converted with the wrong code
-- page, what the import records and shows, and a profile that keeps the encoding for the
-- one-call import.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS crm_import CASCADE;
CREATE EXTENSION crm_import;
RESET client_min_messages;
\set VERBOSITY default

\i sql/include/expect_error.sql

-- The fields of an import's first data rows, and what it recorded about the encoding.
CREATE FUNCTION pg_temp.rows(import bigint)
RETURNS TABLE (row_no integer, fields text[])
LANGUAGE sql AS $$ SELECT * FROM crm_import_preview(import, 10) $$;
CREATE FUNCTION pg_temp.facts(import bigint)
RETURNS TABLE (source_encoding text, had_bom boolean, records bigint, header text[], c1_count bigint, c1_line bigint,
               c1_column integer, c1_encoding text)
LANGUAGE sql AS $$
	SELECT source_encoding, had_bom, record_count, header, c1_count, c1_line, c1_column, c1_encoding
	FROM crm_imports WHERE id = import
$$;

SELECT crm_import_create_list('Kunder') IS NOT NULL AS created;

-- The files, as bytes:
-- dos: "Fylke;By;Navn / Østfold;Sarpsborg;Åse / Møre og Romsdal;Ålesund;Kåre Ærlig /
--   Trøndelag;Bø;Hjørdis Dæhlie" saved in DOS code page 865 (Ø 9D, ø 9B, å 86, Å 8F,
--   æ 91, Æ 92), CRLF.
\set dos '\\x46796c6b653b42793b4e61766e0d0a9d7374666f6c643b5361727073626f72673b8f73650d0a4d9b7265206f6720526f6d7364616c3b8f6c6573756e643b4b8672652092726c69670d0a54729b6e64656c61673b429b3b486a9b72646973204491686c69650d0a'
-- cp1252: "Navn;Notat / Åse;“Hei” – koster € 5 / Kåre;Don’t" saved in Windows-1252.
\set cp1252 '\\x4e61766e3b4e6f7461740d0ac573653b93486569942096206b6f73746572208020350d0a4be572653b446f6e92740d0a'

---------------------------------------------------------------------------------------------
-- A DOS code-page file
---------------------------------------------------------------------------------------------
-- Without the argument it is refused (22021); the hint names code page 865, not
-- Windows-1252, and the exact call: 0x9D is no Windows-1252 character.
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, %L::bytea)', 'Kunder', :'dos'));
-- The same from a large object: the hint names that call.
SELECT lo_from_bytea(0, :'dos'::bytea) AS dos_lo \gset
SELECT replace(pg_temp.expect_error(format('SELECT crm_import_upload_lo(%L, %s)', 'Kunder', :dos_lo)), :'dos_lo', '<lo>') AS result;
-- With encoding => 'cp865' (ICU's name) it uploads; IBM850 reads these letters alike.
SELECT crm_import_upload_lo('Kunder', :dos_lo, file_name => 'fylker.csv', encoding => 'cp865') AS dos_id \gset
SELECT * FROM pg_temp.rows(:dos_id);
SELECT * FROM pg_temp.facts(:dos_id);
SELECT crm_import_upload('Kunder', :'dos'::bytea, encoding => 'IBM850') AS id \gset
SELECT source_encoding, (SELECT array_agg(fields ORDER BY row_no) FROM pg_temp.rows(:id)) =
	(SELECT array_agg(fields ORDER BY row_no) FROM pg_temp.rows(:dos_id)) AS same_rows
FROM crm_imports WHERE id = :id;
-- Passed as Windows-1252 it is invalid there (22P05, 0x9D has no character), and the hint
-- names cp865.
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, %L::bytea, encoding => %L)', 'Kunder', :'dos', 'WIN1252'));

---------------------------------------------------------------------------------------------
-- A Windows-1252 file
---------------------------------------------------------------------------------------------
-- Unconverted: the hint names windows-1252 (the bytes 0x80..0x9F are its punctuation).
SELECT pg_temp.expect_error(format('SELECT crm_import_upload(%L, %L::bytea)', 'Kunder', :'cp1252'));
-- PostgreSQL's name WIN1252 and ICU's windows-1252 read it alike and record one name.
SELECT crm_import_upload('Kunder', :'cp1252'::bytea, encoding => 'WIN1252') AS w1 \gset
SELECT crm_import_upload('Kunder', :'cp1252'::bytea, encoding => 'windows-1252') AS w2 \gset
SELECT * FROM pg_temp.rows(:w1);
SELECT i.id = :w1 AS pg_name, i.source_encoding, (SELECT array_agg(fields ORDER BY row_no) FROM pg_temp.rows(i.id)) AS rows
FROM crm_imports i WHERE i.id IN (:w1, :w2) ORDER BY i.id;
-- Other spellings: PostgreSQL ignores case and punctuation, ICU has aliases.
SELECT e AS given, (pg_temp.facts(crm_import_upload('Kunder', :'cp1252'::bytea, encoding => e))).source_encoding
FROM unnest(ARRAY['win1252', 'Win-1252', ' WIN1252 ', 'cp1252', 'Windows-1252', 'ibm-5348']) e;
-- Read as Latin-1, its punctuation 0x80..0x9F becomes C1 control characters: uploaded, with
-- a WARNING naming windows-1252.
SELECT crm_import_upload('Kunder', :'cp1252'::bytea, encoding => 'LATIN1') AS l1 \gset
SELECT * FROM pg_temp.facts(:l1);

---------------------------------------------------------------------------------------------
-- UTF-16 and UTF-32
---------------------------------------------------------------------------------------------
-- With a byte-order mark no argument is needed: "Navn;By / Åse;Tromsø 😀" in UTF-16LE.
SELECT crm_import_upload('Kunder', '\xfffe4e00610076006e003b00420079000d000a00c500730065003b00540072006f006d007300f80020003dd800de0d000a00'::bytea) AS u16 \gset
SELECT * FROM pg_temp.rows(:u16);
SELECT * FROM pg_temp.facts(:u16);
-- UTF-16BE and UTF-32LE with their marks.
SELECT crm_import_upload('Kunder', '\xfeff004e00610076006e003b00420079000d000a00c500730065003b00540072006f006d007300f8000d000a'::bytea) AS u16be \gset
SELECT crm_import_upload('Kunder', '\xfffe00004e00000061000000760000006e0000003b00000042000000790000000d0000000a000000c500000073000000650000003b00000054000000720000006f0000006d00000073000000f80000000d0000000a000000'::bytea) AS u32 \gset
SELECT i.source_encoding, i.had_bom, p.fields FROM crm_imports i, pg_temp.rows(i.id) p WHERE i.id IN (:u16be, :u32) ORDER BY i.id;
-- Without a mark: refused, the hint names UTF-16LE; with the argument it uploads.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x4e00610076006e003b00420079000d000a00c500730065003b00540072006f006d007300f8000d000a00'::bytea)$$);
SELECT crm_import_upload('Kunder', '\x4e00610076006e003b00420079000d000a00c500730065003b00540072006f006d007300f8000d000a00'::bytea,
                         encoding => 'UTF-16LE') AS u16nobom \gset
SELECT * FROM pg_temp.rows(:u16nobom);
-- Invalid UTF-16: an odd last byte, a lone surrogate (22021 with line and byte offset).
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\xfffe61000a0062'::bytea)$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\xfffe61000a0000dc0a00'::bytea)$$);
-- A surrogate pair split by the 1 MiB chunk boundary of a large object (bytes 1048574..
-- 1048577): the emoji arrives whole.
SELECT lo_from_bytea(0, '\xfffe'::bytea || '\x61002c0062000a0078002c00'::bytea
	|| decode(repeat('7900', 524280), 'hex') || '\x3dd800de0a00'::bytea) AS big_lo \gset
SELECT crm_import_upload_lo('Kunder', :big_lo) AS big \gset
SELECT record_count, byte_size, source_encoding FROM crm_imports WHERE id = :big;
SELECT length(fields[2]) AS chars, right(fields[2], 2) AS ending FROM pg_temp.rows(:big);
SELECT lo_unlink(:big_lo);

---------------------------------------------------------------------------------------------
-- Multi-byte code pages, names, invalid bytes
---------------------------------------------------------------------------------------------
-- Shift_JIS by PostgreSQL's name: "名前;市 / あい;東京".
SELECT crm_import_upload('Kunder', '\x96bc914f3b8e730d0a82a082a23b938c8b9e0d0a'::bytea, encoding => 'SJIS') AS sjis \gset
SELECT header, source_encoding FROM crm_imports WHERE id = :sjis;
SELECT * FROM pg_temp.rows(:sjis);
-- Cut off in the middle of a character (22021), a lead byte before a line break (22021).
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x96bc914f3b8e730d0a82a082'::bytea, encoding => 'Shift_JIS')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a820a'::bytea, encoding => 'SJIS')$$);
-- Bytes Windows-1252 does not have (0x81, 0x8D, 0x8F, 0x90, 0x9D): 22P05.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a312c810a'::bytea, encoding => 'windows-1252')$$);
-- Unknown names: 22023 naming the name, the hint lists examples; nothing is recorded.
SELECT count(*) AS imports_before FROM crm_imports \gset
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a'::bytea, encoding => 'latin-99')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a'::bytea, encoding => 'SQL_ASCII')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a'::bytea, encoding => '')$$);
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', '\x612c620a'::bytea, encoding => 'UTF-8,swaplfnl')$$);
\getenv abs_srcdir PG_ABS_SRCDIR
\set f :abs_srcdir '/tests/data/upload_latin1.csv'
SELECT pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L, encoding => %L)', 'Kunder', :'f', 'klingon'));
SELECT count(*) = :imports_before AS nothing_recorded FROM crm_imports;
-- The server file of 02_upload (a Norwegian Excel "CSV (semikolonseparert)" export in
-- Windows-1252) with its encoding; UTF-8 names read it as UTF-8 (and fail).
SELECT crm_import_upload_file('Kunder', :'f', encoding => 'WIN1252') AS srv \gset
SELECT row_no, fields[1:3] FROM pg_temp.rows(:srv) WHERE row_no <= 3;
SELECT split_part(pg_temp.expect_error(format('SELECT crm_import_upload_file(%L, %L, encoding => %L)', 'Kunder', :'f', 'utf8')), ' | ', 1) AS utf8;
-- A binary file is named first, whatever the encoding.
SELECT pg_temp.expect_error($$SELECT crm_import_upload('Kunder', decode('504b0304140006000800000021006211ee9d685e01', 'hex'), encoding => 'cp865')$$);
-- A byte-order mark overrides an encoding that contradicts it (NOTICE).
SELECT crm_import_upload('Kunder', '\xefbbbf612c620ac3a52c780a'::bytea, encoding => 'LATIN1') AS bom \gset
SELECT * FROM pg_temp.facts(:bom);
-- Text is characters already: the encoding applies to a bytea's hex text form only.
SELECT crm_import_upload('Kunder', E'a;b\nÅse;x\n', encoding => 'cp865') AS txt \gset
SELECT source_encoding, header FROM crm_imports WHERE id = :txt;
SELECT crm_import_upload('Kunder', '\x612c620a8f73652c780a', encoding => 'cp865') AS hex \gset
SELECT source_encoding, (SELECT fields FROM pg_temp.rows(:hex)) FROM crm_imports WHERE id = :hex;

---------------------------------------------------------------------------------------------
-- Mojibake: valid UTF-8 holding C1 control characters
---------------------------------------------------------------------------------------------
-- The DOS file converted by a tool that took it for Latin-1: U+009D for Ø, U+009B for ø.
-- It uploads (the bytes might be meant) with a WARNING naming the first line and column
-- and the encoding of the original file.
SELECT crm_import_upload('Kunder', convert_to(E'Fylke;By\r\nVestfold;Horten\r\n\u009Dstfold;B\u009B\r\n', 'UTF8'),
                         file_name => 'mojibake.csv') AS moji \gset
SELECT * FROM pg_temp.facts(:moji);
-- In a multi-line field of the second column.
SELECT crm_import_upload('Kunder', convert_to(E'a;b\n1;"x\ny\nDon\u0092t"\n', 'UTF8')) AS moji2 \gset
SELECT c1_count, c1_line, c1_column, c1_encoding FROM crm_imports WHERE id = :moji2;
-- Not a problem that blocks the run (crm_import_check lists none of it); the summary
-- keeps a note in its file section.
SELECT count(*) AS check_rows_about_c1 FROM crm_import_check(:moji) WHERE problem ~* 'C1|mojibake';
SELECT setting, value FROM crm_import_summary(:moji) WHERE section = 'file' AND setting IN ('encoding', 'C1 control characters');

---------------------------------------------------------------------------------------------
-- Summary and status
---------------------------------------------------------------------------------------------
SELECT setting, value FROM crm_import_summary(:dos_id) WHERE section = 'file' AND setting IN ('name', 'encoding', 'data rows');
SELECT s.value FROM unnest(ARRAY[:u16, :w1, :bom, :txt]::bigint[]) WITH ORDINALITY i(id, o),
	crm_import_summary(i.id) s WHERE s.setting = 'encoding' ORDER BY i.o;
SELECT id = :dos_id AS dos, file_name, source_encoding FROM crm_import_status WHERE id IN (:dos_id, :u16, :txt) ORDER BY id;
-- The view has the column.
SELECT attname FROM pg_attribute WHERE attrelid = 'crm_import_status'::regclass AND attname = 'source_encoding';

---------------------------------------------------------------------------------------------
-- Profiles keep the encoding for the one-call import
---------------------------------------------------------------------------------------------
-- A weekly DOS export: "Navn;E-post;Nyhetsbrev;By / Kåre;kare@example.no;Ja;Tromsø /
-- Øystein;oystein@example.no;Nei;Bø" in code page 865.
SELECT crm_import_create_list('Ukentlig') IS NOT NULL AS created;
SELECT crm_import_upload('Ukentlig', '\x4e61766e3b452d706f73743b4e7968657473627265763b42790d0a4b8672653b6b617265406578616d706c652e6e6f3b4a613b54726f6d739b0d0a9d79737465696e3b6f79737465696e406578616d706c652e6e6f3b4e65693b429b0d0a'::bytea,
                         encoding => 'cp865') AS week1 \gset
SELECT crm_import_map(:week1, 'Navn', 'first_name'), crm_import_map(:week1, 'E-post', 'email'),
       crm_import_map(:week1, 'Nyhetsbrev', 'email_marketing'), crm_import_map(:week1, 'By', 'city');
SELECT crm_import_set_rules(:week1, master => 'file', primary_key => 'email');
SELECT crm_import_save_profile(:week1, 'dos-ukentlig');
SELECT name, encoding FROM crm_import_profile_list WHERE name = 'dos-ukentlig';
-- A UTF-8 import saves no encoding (NULL: UTF-8, or what a byte-order mark says).
SELECT crm_import_upload('Ukentlig', convert_to(E'Navn;E-post;Nyhetsbrev;By\nOla;ola@example.no;Ja;Oslo\n', 'UTF8')) AS utf8_week \gset
SELECT crm_import_map(:utf8_week, 'Navn', 'first_name'), crm_import_map(:utf8_week, 'E-post', 'email'),
       crm_import_map(:utf8_week, 'Nyhetsbrev', 'email_marketing'), crm_import_map(:utf8_week, 'By', 'city');
SELECT crm_import_set_rules(:utf8_week, master => 'file', primary_key => 'email');
SELECT crm_import_save_profile(:utf8_week, 'utf8-ukentlig');
SELECT name, encoding FROM crm_import_profile_list ORDER BY name;
-- Next week's DOS file in one call: the profile's encoding reads it ("Æsa;…;Ålesund").
SELECT state, inserted, rejected FROM crm_import('Ukentlig',
	'\x4e61766e3b452d706f73743b4e7968657473627265763b42790d0a9273613b61657361406578616d706c652e6e6f3b4a613b8f6c6573756e640d0a'::bytea,
	profile => 'dos-ukentlig', gdpr => true, tcpa => true);
SELECT first_name, email, city, email_marketing FROM crm_contacts WHERE email = 'aesa@example.no';
SELECT source_encoding FROM crm_import_status WHERE id = (SELECT max(id) FROM crm_imports);
-- The DOS file with the UTF-8 profile: refused, and the hint names the one call to make.
SELECT pg_temp.expect_error($$SELECT * FROM crm_import('Ukentlig',
	'\x4e61766e3b452d706f73743b4e7968657473627265763b42790d0a9273613b61657361406578616d706c652e6e6f3b4a613b8f6c6573756e640d0a'::bytea,
	profile => 'utf8-ukentlig', gdpr => true, tcpa => true)$$);
-- An explicit encoding wins over the profile's: a UTF-8 file with the DOS profile.
SELECT state, inserted FROM crm_import('Ukentlig', convert_to(E'Navn;E-post;Nyhetsbrev;By\nPer;per@example.no;Ja;Bodø\n', 'UTF8'),
	profile => 'dos-ukentlig', gdpr => true, tcpa => true, encoding => 'UTF-8');
SELECT first_name, city FROM crm_contacts WHERE email = 'per@example.no';
-- The large-object and server-file one-calls take it too.
SELECT lo_from_bytea(0, '\x4e61766e3b452d706f73743b4e7968657473627265763b42790d0a8f73653b617365406578616d706c652e6e6f3b4a613b8f6c0d0a'::bytea) AS week_lo \gset
SELECT state, inserted FROM crm_import('Ukentlig', :week_lo, profile => 'dos-ukentlig', gdpr => true, tcpa => true);
SELECT replace(pg_temp.expect_error(format('SELECT * FROM crm_import(%L, %s, profile => %L)', 'Ukentlig', :week_lo, 'utf8-ukentlig')), :'week_lo', '<lo>') AS result;
SELECT lo_unlink(:week_lo);
SELECT first_name, city FROM crm_contacts WHERE email = 'ase@example.no';
SELECT split_part(pg_temp.expect_error(format('SELECT * FROM crm_import_from_file(%L, %L, %L, gdpr => true, tcpa => true, encoding => %L)',
	'Ukentlig', :'f', 'utf8-ukentlig', 'nope')), ' | ', 1) AS from_file;

SELECT lo_unlink(:dos_lo);
