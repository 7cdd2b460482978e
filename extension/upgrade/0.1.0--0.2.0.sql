-- crm_import 0.1.0 -> 0.2.0: what CREATE OR REPLACE cannot do — new schemas and tables,
-- columns and their data, dropped objects, changed identity functions of 00_schema.sql. The
-- Makefile appends every other extension/sql file (functions, views, grants) to this, with
-- CREATE turned into CREATE OR REPLACE. tests/integration/t_upgrade.sh checks that the
-- result equals a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION crm_import UPDATE" to load this file. \quit

DO $encoding$
BEGIN
	IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
		RAISE EXCEPTION 'crm_import needs a UTF8 database; this one is %', pg_catalog.getdatabaseencoding()
			USING ERRCODE = 'feature_not_supported',
			DETAIL = 'Contact files are read and stored as UTF-8 text; crm_import 0.1.0 stored corrupt text in other encodings.',
			HINT = 'Dump the CRM data, create a UTF8 database (TEMPLATE template0 ENCODING ''UTF8''), restore it there and upgrade.';
	END IF;
END
$encoding$;

-- Wizard implementations move behind C entry points (90_privileges.sql).
CREATE SCHEMA crm_import_internal;
REVOKE ALL ON SCHEMA crm_import_internal FROM PUBLIC;
COMMENT ON SCHEMA crm_import_internal IS
	'crm_import: the implementations of the wizard functions (SECURITY DEFINER), called only through their C entry points of the same name';

-- Identity: the current user at the wizard call; owners by OID.
CREATE OR REPLACE FUNCTION crm_import_caller() RETURNS name
	AS 'MODULE_PATHNAME', 'crm_import_current_caller' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION crm_import_caller() IS
	'The role an import call acts for, as COPY decides it: the current user where the wizard function was called (not the extension owner, not the session user); refused inside security-restricted operations';
CREATE FUNCTION crm_import_caller_id() RETURNS oid
	AS 'MODULE_PATHNAME', 'crm_import_current_caller_id' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION crm_import_caller_id() IS
	'The OID of crm_import_caller(): imports and profiles are owned by role OID';
CREATE OR REPLACE FUNCTION crm_import_is_admin() RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_current_caller_is_admin' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
CREATE FUNCTION crm_import_owned(owner name, owner_id oid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
AS $$ SELECT (owner_id = @extschema@.crm_import_caller_id() AND owner = @extschema@.crm_import_caller())
	OR @extschema@.crm_import_is_admin() $$;
COMMENT ON FUNCTION crm_import_owned(name, oid) IS
	'Internal: true when the caller is the owner (same role OID and name) or an admin';

-- Owners by OID. A role dropped before the upgrade owns nothing any more (0): only admins
-- see its imports and profiles.
ALTER TABLE crm_imports ADD COLUMN owner_id oid, ADD COLUMN consent_terms jsonb, ADD COLUMN run_xid xid8,
	ADD COLUMN queued_at timestamptz, ADD COLUMN queued_by oid, ADD COLUMN job_pid integer, ADD COLUMN job_claimed_at timestamptz;
-- Background imports (crm_import_start) add the state queued.
ALTER TABLE crm_imports DROP CONSTRAINT crm_imports_state_check,
	ADD CONSTRAINT crm_imports_state_check CHECK (state IN ('draft', 'queued', 'running', 'completed', 'failed'));
COMMENT ON COLUMN crm_imports.state IS 'draft, queued (a background import waiting for or in its worker), running, completed or failed';
COMMENT ON COLUMN crm_imports.queued_at IS 'When crm_import_start queued the import as a background import';
COMMENT ON COLUMN crm_imports.queued_by IS 'Role (OID) that started the background import';
COMMENT ON COLUMN crm_imports.job_pid IS 'Process of the background worker that runs the queued import (NULL while no worker could be started)';
COMMENT ON COLUMN crm_imports.job_claimed_at IS 'When that worker got a slot (crm_import.max_workers) and began the run';
UPDATE crm_imports j SET owner_id = coalesce((SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = j.owner), 0);
ALTER TABLE crm_imports ALTER COLUMN owner_id SET NOT NULL;
-- Imports already reviewed keep the consent terms in force at the upgrade.
UPDATE crm_imports j SET consent_terms = (SELECT jsonb_object_agg(f.name,
		jsonb_build_object('opt_in', to_jsonb(f.opt_in_terms), 'opt_out', to_jsonb(f.opt_out_terms)))
	FROM crm_fields f WHERE f.type = 'consent')
	WHERE j.gdpr_accepted AND j.tcpa_accepted AND j.state <> 'completed';
COMMENT ON COLUMN crm_imports.owner IS 'Name of the role that uploaded the file, as it was then (access is decided by owner_id)';
COMMENT ON COLUMN crm_imports.owner_id IS 'OID of the role that uploaded the file; only it (and crm_import_admin) sees the import. 0: the role was dropped before version 0.2.0';
COMMENT ON COLUMN crm_imports.consent_terms IS 'The consent terms the import reads its consent columns with, fixed when compliance was accepted: {"field": {"opt_in": [...], "opt_out": [...]}}; NULL before that (the current terms apply)';
COMMENT ON COLUMN crm_imports.run_xid IS 'Transaction of the last run whose outcome this row records (compared with crm_import_runs to tell a run that died)';

ALTER TABLE crm_import_profiles ADD COLUMN owner_id oid;
UPDATE crm_import_profiles p SET owner_id = coalesce((SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = p.owner), 0);
ALTER TABLE crm_import_profiles ALTER COLUMN owner_id SET NOT NULL;
COMMENT ON COLUMN crm_import_profiles.owner IS 'Name of the role that saved it, as it was then (access is decided by owner_id)';
COMMENT ON COLUMN crm_import_profiles.owner_id IS 'OID of the role that saved it; only it (and crm_import_admin) can use, replace or see it. 0: the role was dropped before version 0.2.0';

-- Row results: one standalone table per import instead of partitions of a shared parent
-- (creating a partition locked the parent while the run held the contacts lock).
DO $results$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits i
		WHERE i.inhparent = 'crm_import_row_results'::regclass
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE crm_import_row_results DETACH PARTITION %s', part);
	END LOOP;
END
$results$;
DROP TABLE crm_import_row_results;

-- The tables new in 0.2.0 (crm_import_runs, the undo tables) come from
-- extension/sql/01_tables_0.2.0.sql, which the Makefile appends to this file.

-- Source encodings (issue 14): the encoding a file was read in and the C1 control
-- characters of a file converted with the wrong code page; a profile's encoding.
ALTER TABLE crm_imports ADD COLUMN source_encoding text, ADD COLUMN c1_count bigint, ADD COLUMN c1_line bigint,
	ADD COLUMN c1_column integer, ADD COLUMN c1_encoding text;
COMMENT ON COLUMN crm_imports.source_encoding IS 'Encoding the file was read in: UTF-8, or the character set it was converted from to UTF-8 (windows-1252, ISO-8859-1, IBM865, UTF-16LE, ...), given as the encoding argument or told by a byte-order mark; NULL for files uploaded before version 0.2.0';
COMMENT ON COLUMN crm_imports.c1_count IS 'C1 control characters (U+0080..U+009F) in the text as read: the mark of a file converted to UTF-8 with the wrong code page ("\u009Dstfold" for "Østfold"); 0 when none';
COMMENT ON COLUMN crm_imports.c1_line IS 'Line of the first C1 control character; NULL when none';
COMMENT ON COLUMN crm_imports.c1_column IS 'Column (field number) of the first C1 control character; NULL when none';
COMMENT ON COLUMN crm_imports.c1_encoding IS 'The code page the C1 control characters most likely came from, as an encoding argument (cp865, windows-1252); NULL when none';
COMMENT ON COLUMN crm_imports.had_bom IS 'True when the file began with a byte-order mark (skipped): UTF-8, or UTF-16/UTF-32, whose mark also chose the encoding';
ALTER TABLE crm_import_profiles ADD COLUMN encoding text;
COMMENT ON COLUMN crm_import_profiles.encoding IS 'Encoding of the files (an encoding argument of the uploads: cp865, windows-1252, ...), used by the one-call crm_import when it is given no encoding; NULL: UTF-8 (or what a byte-order mark says)';

-- The uploads and the one-call imports take an encoding argument: their 0.1.0 signatures
-- would stay beside the new ones as overloads.
DROP FUNCTION IF EXISTS crm_import_upload(text, bytea, text, text);
DROP FUNCTION IF EXISTS crm_import_upload(text, text, text, text);
DROP FUNCTION IF EXISTS crm_import_upload_lo(text, oid, text, text);
DROP FUNCTION IF EXISTS crm_import_upload_file(text, text, text, text);
DROP FUNCTION IF EXISTS crm_import(text, bytea, text, boolean, boolean, text, text, boolean);
DROP FUNCTION IF EXISTS crm_import(text, oid, text, boolean, boolean, text, text, boolean);
DROP FUNCTION IF EXISTS crm_import_from_file(text, text, text, boolean, boolean, text, text, boolean);
-- The one-call import gained background => true.
DROP FUNCTION IF EXISTS crm_import_one_call(bigint, text, boolean, boolean, boolean);
-- Undo (crm_import_undo): what each run changed, the undo's record on the import, and the
-- state 'undone'. Imports completed before the upgrade kept nothing and cannot be undone.
ALTER TABLE crm_imports DROP CONSTRAINT crm_imports_state_check,
	ADD CONSTRAINT crm_imports_state_check CHECK (state IN ('draft', 'queued', 'running', 'completed', 'failed', 'undone'));
ALTER TABLE crm_imports ADD COLUMN undo_saved boolean NOT NULL DEFAULT false, ADD COLUMN undo_purged_at timestamptz,
	ADD COLUMN undone_by name, ADD COLUMN undone_at timestamptz, ADD COLUMN undo_contacts_deleted bigint,
	ADD COLUMN undo_contacts_restored bigint, ADD COLUMN undo_memberships_removed bigint, ADD COLUMN undo_fields_kept bigint,
	ADD COLUMN undo_contacts_kept bigint;
COMMENT ON COLUMN crm_imports.state IS 'draft, queued (a background import waiting for or in its worker), running, completed, failed or undone';
COMMENT ON COLUMN crm_imports.undo_saved IS 'True when the completed run kept what it changed (crm_import_undo_contacts), so it can be undone; false for runs before 0.2.0';
COMMENT ON COLUMN crm_imports.undo_purged_at IS 'When crm_import_purge_undo removed the undo data (the import can no longer be undone)';
COMMENT ON COLUMN crm_imports.undone_by IS 'Role that undid the import (crm_import_undo)';
COMMENT ON COLUMN crm_imports.undone_at IS 'When the import was undone';
COMMENT ON COLUMN crm_imports.undo_contacts_deleted IS 'Undo: contacts the import created that were deleted';
COMMENT ON COLUMN crm_imports.undo_contacts_restored IS 'Undo: contacts the import updated that got previous values back';
COMMENT ON COLUMN crm_imports.undo_memberships_removed IS 'Undo: list memberships the import added that were removed';
COMMENT ON COLUMN crm_imports.undo_fields_kept IS 'Undo: fields of updated contacts kept because they changed since the import (or would have opted a contact in)';
COMMENT ON COLUMN crm_imports.undo_contacts_kept IS 'Undo: contacts the import created that were kept because they changed since';


-- Views whose columns or options change are dropped and made again by the code below.
DROP VIEW crm_import_status;
DROP VIEW crm_import_profile_list;
-- crm_import_running() changes its body only; crm_import_set_options and crm_import_set_consent
-- take new arguments (dropped at the end of this file).

-- Functions whose arguments or result columns change are dropped and made again by the code
-- below (CREATE OR REPLACE cannot change them). Issue 15: suggestions say whether they are
-- applied and why not; dates take a date order; crm_import_problem takes a date order and
-- knows birthdays.
DROP FUNCTION IF EXISTS crm_import_suggest_fields(text[], text[], integer[], text[], text[], text[], boolean[]);
DROP FUNCTION IF EXISTS crm_import_suggestions(crm_imports);
DROP FUNCTION IF EXISTS crm_import_columns(bigint);
DROP FUNCTION IF EXISTS crm_import_suggest_mapping(bigint, boolean);
DROP FUNCTION IF EXISTS crm_import_norm_date(text);
DROP FUNCTION IF EXISTS crm_import_problem(text, text, text);

-- Issue 15, the run: per-import date order, region, invalid values and rows without a key;
-- consent the file does not hold. crm_import_set_options and crm_import_set_consent take
-- new arguments: the 0.1.0 signatures (in this schema; crm_import_internal for safety) go.
ALTER TABLE crm_imports ADD COLUMN date_order text CHECK (date_order IN ('DMY', 'MDY', 'YMD')),
	ADD COLUMN default_region text CHECK (default_region ~ '^[A-Z]{2}$'),
	ADD COLUMN invalid_values text NOT NULL DEFAULT 'reject_row' CHECK (invalid_values IN ('reject_row', 'skip_value')),
	ADD COLUMN rows_without_key text NOT NULL DEFAULT 'insert' CHECK (rows_without_key IN ('insert', 'reject')),
	ADD COLUMN email_consent_unknown boolean NOT NULL DEFAULT false,
	ADD COLUMN sms_consent_unknown boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN crm_imports.date_order IS 'How numeric dates with the year last are read: DMY, MDY or YMD; NULL: detected per date column from its values, else from the region (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.default_region IS 'Region (ISO 3166 code) of phone numbers without a country prefix; NULL: the session''s crm_import.default_region (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.invalid_values IS 'A value a non-key field cannot read: reject_row (the row is rejected) or skip_value (the value is left out, the row imported with a note)';
COMMENT ON COLUMN crm_imports.rows_without_key IS 'Rows with neither primary nor secondary key value: insert (as new contacts) or reject';
COMMENT ON COLUMN crm_imports.email_consent_unknown IS 'The file holds no email marketing consent: new contacts get none, existing ones keep theirs (crm_import_set_consent(..., unknown => true))';
COMMENT ON COLUMN crm_imports.sms_consent_unknown IS 'The file holds no SMS marketing consent: new contacts get none, existing ones keep theirs (crm_import_set_consent(..., unknown => true))';
ALTER TABLE crm_import_profiles ADD COLUMN date_order text, ADD COLUMN default_region text,
	ADD COLUMN invalid_values text NOT NULL DEFAULT 'reject_row', ADD COLUMN rows_without_key text NOT NULL DEFAULT 'insert',
	ADD COLUMN email_consent_unknown boolean NOT NULL DEFAULT false, ADD COLUMN sms_consent_unknown boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN crm_import_profiles.date_order IS 'Date order (DMY, MDY, YMD; NULL: detected)';
COMMENT ON COLUMN crm_import_profiles.default_region IS 'Region of phone numbers without a country prefix (NULL: the session''s crm_import.default_region)';
COMMENT ON COLUMN crm_import_profiles.invalid_values IS 'reject_row or skip_value';
COMMENT ON COLUMN crm_import_profiles.rows_without_key IS 'insert or reject';
COMMENT ON COLUMN crm_import_profiles.email_consent_unknown IS 'The files hold no email marketing consent';
COMMENT ON COLUMN crm_import_profiles.sms_consent_unknown IS 'The files hold no SMS marketing consent';
DROP FUNCTION IF EXISTS crm_import_set_options(bigint, text, boolean);
DROP FUNCTION IF EXISTS crm_import_internal.crm_import_set_options(bigint, text, boolean);
DROP FUNCTION IF EXISTS crm_import_set_consent(bigint, text, text, boolean);
DROP FUNCTION IF EXISTS crm_import_internal.crm_import_set_consent(bigint, text, text, boolean);
DROP FUNCTION IF EXISTS crm_import_norm_expr(text, text, text, text[], text[]);
DROP FUNCTION IF EXISTS crm_import_reason_expr(text, text, integer, text, text, text[], text[]);

-- Issue 14, placeholders and short rows: cells equal to a placeholder (null_values) are
-- blank; rows with fewer fields than the header are padded (short_rows => 'pad', the new
-- default) or rejected. Imports and profiles from 0.1.0 rejected short rows: they keep
-- doing so (crm_import_set_options(..., short_rows => 'pad') changes it). A profile keeps
-- the delimiter given at the upload it was saved from (NULL for 0.1.0 profiles: detected).
ALTER TABLE crm_imports ADD COLUMN null_values text[],
	ADD COLUMN short_rows text NOT NULL DEFAULT 'reject' CHECK (short_rows IN ('pad', 'reject'));
ALTER TABLE crm_imports ALTER COLUMN short_rows SET DEFAULT 'pad';
COMMENT ON COLUMN crm_imports.ragged_records IS 'Records whose field count differs from the first record (at run time: short ones padded or rejected as short_rows says; longer ones rejected unless their extra fields are empty)';
COMMENT ON COLUMN crm_imports.null_values IS 'Placeholder values read as blank cells (trimmed, case-insensitive: ''-'', ''N/A''); NULL: not set (crm_import_check reports placeholder-looking samples), {}: none, the values are real (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.short_rows IS 'Rows with fewer fields than the header: pad (the missing trailing fields are blank, the row notes it) or reject (crm_import_set_options)';
ALTER TABLE crm_import_profiles ADD COLUMN null_values text[], ADD COLUMN short_rows text NOT NULL DEFAULT 'reject',
	ADD COLUMN delimiter text;
ALTER TABLE crm_import_profiles ALTER COLUMN short_rows SET DEFAULT 'pad';
COMMENT ON COLUMN crm_import_profiles.null_values IS 'Placeholder values read as blank cells (NULL: not set; {}: none)';
COMMENT ON COLUMN crm_import_profiles.short_rows IS 'pad or reject';
COMMENT ON COLUMN crm_import_profiles.delimiter IS 'Delimiter of the files when it was given at the upload, used by the one-call crm_import when it is given none; NULL: detected';
-- Issue 14: the header row may be below a preamble (crm_import_set_header takes header_row:
-- the 0.1.0 two-argument signature goes); the large object an import was read from.
ALTER TABLE crm_imports ADD COLUMN header_row integer NOT NULL DEFAULT 1 CHECK (header_row >= 1),
	ADD COLUMN detected_header_row integer,
	ADD COLUMN header_row_source text NOT NULL DEFAULT 'first' CHECK (header_row_source IN ('first', 'detected', 'set')),
	ADD COLUMN source_lo oid;
COMMENT ON COLUMN crm_imports.header_row IS 'The record (1-based, as crm_import_preview numbers them after crm_import_set_header(import, false)) that holds the column names, or the first data record without a header; records above it are not data (crm_import_set_header)';
COMMENT ON COLUMN crm_imports.detected_header_row IS 'The header row the upload found below a preamble (short or title records above the first record of the file''s dominant field count); NULL when the file starts with its header';
COMMENT ON COLUMN crm_imports.header_row_source IS 'Where header_row came from: first (record 1, the default), detected (the upload skipped a preamble) or set (crm_import_set_header or a profile)';
COMMENT ON COLUMN crm_imports.source_lo IS 'The large object a crm_import_upload_lo import was read from (crm_import_discard/crm_import_run can remove it: remove_source => true)';
ALTER TABLE crm_import_profiles ADD COLUMN header_row integer CHECK (header_row >= 1);
COMMENT ON COLUMN crm_import_profiles.header_row IS 'The header row set on the import the profile was saved from (crm_import_set_header); NULL: record 1, or the one the upload finds below a preamble';
DROP FUNCTION IF EXISTS crm_import_set_header(bigint, boolean);
DROP FUNCTION IF EXISTS crm_import_internal.crm_import_set_header(bigint, boolean);
DROP FUNCTION IF EXISTS crm_import_discard(bigint);
DROP FUNCTION IF EXISTS crm_import_internal.crm_import_discard(bigint);
-- Wide files: at most 298 staged columns (src/pg/staging.cpp), the rest in extra.
COMMENT ON COLUMN crm_imports.staged_columns IS 'Fields staged in columns c1..cN of the staging table (the header row''s count, at most 298 with 8 kB pages so that no row can overflow a page); further fields go to the row''s extra text[]';

-- Issue 15: a custom field of type text, email or phone can be the primary or secondary key.
ALTER TABLE crm_imports DROP CONSTRAINT crm_imports_primary_key_check,
	ADD CONSTRAINT crm_imports_primary_key_check CHECK (primary_key ~ '^[a-z][a-z0-9_]{0,62}$'),
	DROP CONSTRAINT crm_imports_secondary_key_check,
	ADD CONSTRAINT crm_imports_secondary_key_check CHECK (secondary_key ~ '^[a-z][a-z0-9_]{0,62}$' AND secondary_key <> 'none');
COMMENT ON COLUMN crm_imports.primary_key IS 'Duplicate check key: email, mobile, system_id, a custom field of type text, email or phone, or none';
COMMENT ON COLUMN crm_imports.secondary_key IS 'Key used when the primary key finds no duplicate (a predefined key or a custom field of type text, email or phone)';

-- Issue 15: a profile remembers the columns its import left unmapped (skip_unmapped), so that
-- the next file's same columns are not reported as new every week.
ALTER TABLE crm_import_profiles ADD COLUMN unmapped_columns text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN crm_import_profiles.unmapped_columns IS 'Header names of the columns the saved import left unmapped and so did not import (skip_unmapped): applied to a file with such a column, it is not imported again and not reported as new; missing, it is not reported';

-- remove_source: the large object's owner at upload, so that a reused oid is not removed.
ALTER TABLE crm_imports ADD COLUMN source_lo_owner oid;
COMMENT ON COLUMN crm_imports.source_lo_owner IS 'The owner of source_lo at upload: remove_source removes the object only while it has that owner and the file''s size (an oid is reused once the object is gone)';
