-- crm_import @EXTVERSION@: a CRM contact-import wizard inside PostgreSQL.
-- Built into crm_import--@EXTVERSION@.sql by the Makefile. Objects live in the schema the
-- extension is created in (@extschema@); staged file rows live in per-import tables of the
-- schema crm_import_staging, which only the extension owner can use.
--
-- Privilege model (docs/security.md): a call acts for the current user at the call, as COPY
-- does (crm_import_caller()). Every wizard function is a C entry point (crm_import_entry)
-- that records that role and calls its implementation of the same name in the schema
-- crm_import_internal, which is SECURITY DEFINER with a pinned search_path and executable by
-- nobody else. A role sees and changes only imports it owns (by role OID); members of
-- crm_import_admin (and superusers) see all. EXECUTE is granted to crm_import_user from the
-- explicit list in 90_privileges.sql, not to PUBLIC.

\echo Use "CREATE EXTENSION crm_import" to load this file. \quit

-- Staged values are UTF-8 bytes stored as text datums: in a database of another encoding they
-- would be corrupt text (mojibake in LATIN1, invalid strings in EUC_JP that pg_dump cannot
-- restore). Refuse clearly instead.
DO $encoding$
BEGIN
	IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
		RAISE EXCEPTION 'crm_import needs a UTF8 database; this one is %', pg_catalog.getdatabaseencoding()
			USING ERRCODE = 'feature_not_supported',
			DETAIL = 'Contact files are read and stored as UTF-8 text; other database encodings would store corrupt text.',
			HINT = 'Create the database with ENCODING ''UTF8'' (CREATE DATABASE crm TEMPLATE template0 ENCODING ''UTF8'') and create the extension there.';
	END IF;
END
$encoding$;

DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_import_user') THEN
		CREATE ROLE crm_import_user NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_import_admin') THEN
		CREATE ROLE crm_import_admin NOLOGIN;
		GRANT crm_import_user TO crm_import_admin;
	END IF;
END
$roles$;

CREATE SCHEMA crm_import_staging;
REVOKE ALL ON SCHEMA crm_import_staging FROM PUBLIC;
COMMENT ON SCHEMA crm_import_staging IS
	'crm_import: one UNLOGGED table per uploaded file (job_<import id>) holding its raw CSV records; dropped when the import is discarded';

CREATE SCHEMA crm_import_internal;
REVOKE ALL ON SCHEMA crm_import_internal FROM PUBLIC;
COMMENT ON SCHEMA crm_import_internal IS
	'crm_import: the implementations of the wizard functions (SECURITY DEFINER), called only through their C entry points of the same name';

---------------------------------------------------------------------------------------------
-- Identity helpers (C)
---------------------------------------------------------------------------------------------
-- PARALLEL RESTRICTED: the caller of a wizard call is recorded in the leader's memory only.
CREATE FUNCTION crm_import_caller() RETURNS name
	AS 'MODULE_PATHNAME', 'crm_import_current_caller' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION crm_import_caller() IS
	'The role an import call acts for, as COPY decides it: the current user where the wizard function was called (not the extension owner, not the session user); refused inside security-restricted operations';

CREATE FUNCTION crm_import_caller_id() RETURNS oid
	AS 'MODULE_PATHNAME', 'crm_import_current_caller_id' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION crm_import_caller_id() IS
	'The OID of crm_import_caller(): imports and profiles are owned by role OID';

CREATE FUNCTION crm_import_is_admin() RETURNS boolean
	AS 'MODULE_PATHNAME', 'crm_import_current_caller_is_admin' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION crm_import_is_admin() IS
	'True when the calling role is a superuser or a member of crm_import_admin, and so sees every import';

-- Internal: whether the caller may see and change something the role (name, OID) owns. Both
-- must match: the OID, so that a role created later under a dropped role's name is a
-- stranger; the name, so that rows restored from a dump of another cluster, where the same
-- OID may belong to someone else, are nobody's until an admin reassigns them.
CREATE FUNCTION crm_import_owned(owner name, owner_id oid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
AS $$ SELECT (owner_id = @extschema@.crm_import_caller_id() AND owner = @extschema@.crm_import_caller())
	OR @extschema@.crm_import_is_admin() $$;
COMMENT ON FUNCTION crm_import_owned(name, oid) IS
	'Internal: true when the caller is the owner (same role OID and name) or an admin';

-- Internal: a list or profile name as stored and as looked up, ASCII whitespace trimmed.
-- One definition for every place that trims a name: seven copies of this set once spelled
-- the vertical tab \v, which PostgreSQL reads as the letter v.
CREATE FUNCTION crm_import_trim_name(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.btrim(name, E' \t\r\n\f\x0B') $$;
COMMENT ON FUNCTION crm_import_trim_name(text) IS
	'Internal: a list or profile name as stored and looked up (spaces, tabs, line breaks, form feeds and vertical tabs trimmed)';

---------------------------------------------------------------------------------------------
-- CRM data
---------------------------------------------------------------------------------------------
CREATE TABLE crm_lists (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (@extschema@.crm_import_trim_name(name) <> '' AND length(name) <= 200),
	created_by name NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE crm_lists IS 'Contact lists (wizard step 1): named groups of contacts; an import adds every contact it touches to its list';
COMMENT ON COLUMN crm_lists.id IS 'List id';
COMMENT ON COLUMN crm_lists.name IS 'Unique list name';
COMMENT ON COLUMN crm_lists.created_by IS 'Role that created the list';
COMMENT ON COLUMN crm_lists.created_at IS 'When the list was created';

CREATE TABLE crm_fields (
	name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	label text NOT NULL,
	type text NOT NULL CHECK (type IN ('text', 'email', 'phone', 'number', 'date', 'boolean', 'consent', 'id')),
	custom boolean NOT NULL DEFAULT false,
	opt_in_terms text[],
	opt_out_terms text[],
	created_by name,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((type = 'consent') = (opt_in_terms IS NOT NULL AND opt_out_terms IS NOT NULL))
);
COMMENT ON TABLE crm_fields IS 'Field catalog: every predefined and custom contact field; consent fields carry the terms meaning opted in / opted out';
COMMENT ON COLUMN crm_fields.name IS 'Field name used in mappings (predefined fields are columns of crm_contacts; custom fields are keys of crm_contacts.custom)';
COMMENT ON COLUMN crm_fields.label IS 'Human label as the wizard shows it';
COMMENT ON COLUMN crm_fields.type IS 'Value type: text, email, phone, number, date, boolean, consent or id';
COMMENT ON COLUMN crm_fields.custom IS 'True for fields created with crm_import_create_field';
COMMENT ON COLUMN crm_fields.opt_in_terms IS 'Consent fields: values meaning opted in (matched ignoring case and surrounding space)';
COMMENT ON COLUMN crm_fields.opt_out_terms IS 'Consent fields: values meaning opted out';
COMMENT ON COLUMN crm_fields.created_by IS 'Role that created a custom field';
COMMENT ON COLUMN crm_fields.created_at IS 'When the field was created';

INSERT INTO crm_fields (name, label, type, opt_in_terms, opt_out_terms) VALUES
	('system_id', 'System ID', 'id', NULL, NULL),
	('first_name', 'First name', 'text', NULL, NULL),
	('last_name', 'Last name', 'text', NULL, NULL),
	('email', 'Email address', 'email', NULL, NULL),
	('mobile', 'Mobile number', 'phone', NULL, NULL),
	('company', 'Company', 'text', NULL, NULL),
	('address', 'Address', 'text', NULL, NULL),
	('postal_code', 'Postal code', 'text', NULL, NULL),
	('city', 'City', 'text', NULL, NULL),
	('country', 'Country', 'text', NULL, NULL),
	('birthday', 'Birthday', 'date', NULL, NULL),
	('email_marketing', 'Email marketing status', 'consent', '{True,Yes,Sant,Ja}', '{False,No,Usant,Nei}'),
	('sms_marketing', 'SMS marketing status', 'consent', '{True,Yes,Sant,Ja}', '{False,No,Usant,Nei}');

-- Consent terms chosen by users. crm_fields' seeded rows are not dumped by pg_dump, so the
-- setting lives here (dumped) and a trigger copies it into crm_fields, also on restore.
CREATE TABLE crm_consent_terms (
	field text PRIMARY KEY CHECK (field IN ('email_marketing', 'sms_marketing')),
	opt_in_terms text[] NOT NULL,
	opt_out_terms text[] NOT NULL,
	changed_by name,
	changed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE crm_consent_terms IS 'Consent terms set with crm_import_set_consent_terms; copied into crm_fields by a trigger';
COMMENT ON COLUMN crm_consent_terms.field IS 'email_marketing or sms_marketing';
COMMENT ON COLUMN crm_consent_terms.opt_in_terms IS 'Values meaning opted in';
COMMENT ON COLUMN crm_consent_terms.opt_out_terms IS 'Values meaning opted out';
COMMENT ON COLUMN crm_consent_terms.changed_by IS 'Role that set the terms';
COMMENT ON COLUMN crm_consent_terms.changed_at IS 'When the terms were set';

CREATE TABLE crm_contacts (
	-- Positive: the run tells an existing contact (its id) from a new one (minus its first
	-- row) by the sign, so a contact inserted by hand with id 0 or below could never match.
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY CONSTRAINT crm_contacts_id_positive CHECK (id > 0),
	first_name text,
	last_name text,
	email text COLLATE "C",
	mobile text COLLATE "C",
	company text,
	address text,
	postal_code text,
	city text,
	country text,
	birthday date,
	email_marketing boolean,
	sms_marketing boolean,
	custom jsonb NOT NULL DEFAULT '{}',
	email_marketing_import bigint,
	email_marketing_at timestamptz,
	sms_marketing_import bigint,
	sms_marketing_at timestamptz,
	created_by_import bigint,
	updated_by_import bigint,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 80);
-- fillfactor 80: imports update contacts in bulk; with room on the page most updates are
-- HOT (no new index entries, less WAL). 1M-contact benchmark: 64% HOT, the UPDATE of 392k
-- contacts 3.9 -> 2.5 s, for 20% more heap.
-- Keys are normalized (lower-case email, E.164 mobile), so byte order ("C") is all they need.
-- Only email is indexed: a large import matches in one sequential pass over the contacts
-- (a small one uses this index or the primary key) and needs no other index, while every
-- secondary index costs random B-tree inserts on each new or moved contact (on stock
-- settings the dominant cost of a large import; see bench/README.md). Add an index on
-- mobile if your application looks contacts up by number.
CREATE INDEX crm_contacts_email_idx ON crm_contacts (email) WHERE email IS NOT NULL;
COMMENT ON TABLE crm_contacts IS 'CRM contacts: one row per contact; id is the contact''s system ID';
COMMENT ON COLUMN crm_contacts.id IS 'System ID of the contact';
COMMENT ON COLUMN crm_contacts.first_name IS 'First name';
COMMENT ON COLUMN crm_contacts.last_name IS 'Last name';
COMMENT ON COLUMN crm_contacts.email IS 'Email address, trimmed and lower-cased';
COMMENT ON COLUMN crm_contacts.mobile IS 'Mobile number in E.164 (+4791234567)';
COMMENT ON COLUMN crm_contacts.company IS 'Company';
COMMENT ON COLUMN crm_contacts.address IS 'Street address';
COMMENT ON COLUMN crm_contacts.postal_code IS 'Postal code';
COMMENT ON COLUMN crm_contacts.city IS 'City';
COMMENT ON COLUMN crm_contacts.country IS 'Country';
COMMENT ON COLUMN crm_contacts.birthday IS 'Birthday';
COMMENT ON COLUMN crm_contacts.email_marketing IS 'Email marketing consent: true opted in, false opted out, NULL unknown';
COMMENT ON COLUMN crm_contacts.sms_marketing IS 'SMS marketing consent: true opted in, false opted out, NULL unknown';
COMMENT ON COLUMN crm_contacts.custom IS 'Custom field values keyed by crm_fields.name';
COMMENT ON COLUMN crm_contacts.email_marketing_import IS 'Import that set the current email consent';
COMMENT ON COLUMN crm_contacts.email_marketing_at IS 'When the current email consent was set';
COMMENT ON COLUMN crm_contacts.sms_marketing_import IS 'Import that set the current SMS consent';
COMMENT ON COLUMN crm_contacts.sms_marketing_at IS 'When the current SMS consent was set';
COMMENT ON COLUMN crm_contacts.created_by_import IS 'Import that created the contact';
COMMENT ON COLUMN crm_contacts.updated_by_import IS 'Import that last changed the contact';
COMMENT ON COLUMN crm_contacts.created_at IS 'When the contact was created';
COMMENT ON COLUMN crm_contacts.updated_at IS 'When the contact last changed';

CREATE TABLE crm_list_members (
	list_id bigint NOT NULL,
	contact_id bigint NOT NULL,
	added_by_import bigint,
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX crm_list_members_contact_idx ON crm_list_members (contact_id);
COMMENT ON TABLE crm_list_members IS 'Which contacts belong to which lists';
COMMENT ON COLUMN crm_list_members.list_id IS 'The list';
COMMENT ON COLUMN crm_list_members.contact_id IS 'The contact';
COMMENT ON COLUMN crm_list_members.added_by_import IS 'Import that added the contact to the list';
COMMENT ON COLUMN crm_list_members.added_at IS 'When the contact joined the list';

---------------------------------------------------------------------------------------------
-- Imports (one row per uploaded file; the wizard's settings live here)
---------------------------------------------------------------------------------------------
CREATE TABLE crm_imports (
	id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	owner name NOT NULL,
	list_id bigint NOT NULL REFERENCES crm_lists (id),
	file_name text,
	source text NOT NULL CHECK (source IN ('bytea', 'large_object', 'server_file')),
	source_ref text,
	byte_size bigint,
	sha256 text,
	delimiter text,
	delimiter_detected boolean,
	had_bom boolean,
	has_header boolean NOT NULL DEFAULT true,
	record_count bigint NOT NULL DEFAULT 0,
	column_count integer NOT NULL DEFAULT 0,
	ragged_records bigint NOT NULL DEFAULT 0,
	header text[],
	column_names text[],
	column_filled bigint[],
	column_samples text[],
	column_sample_no integer[],
	staging_table text,
	staged_columns integer,
	skip_unmapped boolean NOT NULL DEFAULT false,
	email_consent_value boolean,
	sms_consent_value boolean,
	allow_reoptin boolean NOT NULL DEFAULT false,
	max_errors text CHECK (max_errors ~ '^[0-9]+(\.[0-9]+)?%?$'),
	results_dry_run boolean,
	master text CHECK (master IN ('file', 'existing')),
	-- A predefined key (email, mobile, system_id; none) or a custom field's name (crm_import_set_rules).
	primary_key text CHECK (primary_key ~ '^[a-z][a-z0-9_]{0,62}$'),
	secondary_key text CHECK (secondary_key ~ '^[a-z][a-z0-9_]{0,62}$' AND secondary_key <> 'none'),
	gdpr_accepted boolean NOT NULL DEFAULT false,
	tcpa_accepted boolean NOT NULL DEFAULT false,
	compliance_accepted_by name,
	compliance_accepted_at timestamptz,
	state text NOT NULL DEFAULT 'draft',
	backend_pid integer,
	failure_reason text,
	failure_sqlstate text,
	inserted bigint,
	updated bigint,
	unchanged bigint,
	merged_in_file bigint,
	rejected bigint,
	created_at timestamptz NOT NULL DEFAULT now(),
	upload_seconds double precision,
	started_at timestamptz,
	finished_at timestamptz,
	owner_id oid NOT NULL,
	consent_terms jsonb,
	run_xid xid8,
	queued_at timestamptz,
	queued_by oid,
	job_pid integer,
	job_claimed_at timestamptz,
	source_encoding text,
	c1_count bigint,
	c1_line bigint,
	c1_column integer,
	c1_encoding text,
	date_order text CHECK (date_order IN ('DMY', 'MDY', 'YMD')),
	default_region text CHECK (default_region ~ '^[A-Z]{2}$'),
	invalid_values text NOT NULL DEFAULT 'reject_row' CHECK (invalid_values IN ('reject_row', 'skip_value')),
	rows_without_key text NOT NULL DEFAULT 'insert' CHECK (rows_without_key IN ('insert', 'reject')),
	email_consent_unknown boolean NOT NULL DEFAULT false,
	sms_consent_unknown boolean NOT NULL DEFAULT false,
	undo_saved boolean NOT NULL DEFAULT false,
	undo_purged_at timestamptz,
	undone_by name,
	undone_at timestamptz,
	undo_contacts_deleted bigint,
	undo_contacts_restored bigint,
	undo_memberships_removed bigint,
	undo_fields_kept bigint,
	undo_contacts_kept bigint,
	null_values text[],
	short_rows text NOT NULL DEFAULT 'pad' CHECK (short_rows IN ('pad', 'reject')),
	header_row integer NOT NULL DEFAULT 1 CHECK (header_row >= 1),
	detected_header_row integer,
	header_row_source text NOT NULL DEFAULT 'first' CHECK (header_row_source IN ('first', 'detected', 'set')),
	source_lo oid,
	source_lo_owner oid,
	CONSTRAINT crm_imports_state_check CHECK (state IN ('draft', 'queued', 'running', 'completed', 'failed', 'undone'))
);
COMMENT ON TABLE crm_imports IS 'One row per uploaded file: its facts (size, sha256, rows, delimiter), the wizard settings, state and outcome counts';
COMMENT ON COLUMN crm_imports.id IS 'Import id returned by the upload functions';
COMMENT ON COLUMN crm_imports.owner IS 'Name of the role that uploaded the file, as it was then (access is decided by owner_id)';
COMMENT ON COLUMN crm_imports.owner_id IS 'OID of the role that uploaded the file; only it (and crm_import_admin) sees the import. 0: the role was dropped before version 0.2.0';
COMMENT ON COLUMN crm_imports.consent_terms IS 'The consent terms the import reads its consent columns with, fixed when compliance was accepted: {"field": {"opt_in": [...], "opt_out": [...]}}; NULL before that (the current terms apply)';
COMMENT ON COLUMN crm_imports.queued_at IS 'When crm_import_start queued the import as a background import';
COMMENT ON COLUMN crm_imports.queued_by IS 'Role (OID) that started the background import';
COMMENT ON COLUMN crm_imports.job_pid IS 'Process of the background worker that runs the queued import (NULL while no worker could be started)';
COMMENT ON COLUMN crm_imports.job_claimed_at IS 'When that worker got a slot (crm_import.max_workers) and began the run';
COMMENT ON COLUMN crm_imports.run_xid IS 'Transaction of the last run whose outcome this row records (compared with crm_import_runs to tell a run that died)';
COMMENT ON COLUMN crm_imports.source_encoding IS 'Encoding the file was read in: UTF-8, or the character set it was converted from to UTF-8 (windows-1252, ISO-8859-1, IBM865, UTF-16LE, ...), given as the encoding argument or told by a byte-order mark; NULL for files uploaded before version 0.2.0';
COMMENT ON COLUMN crm_imports.c1_count IS 'C1 control characters (U+0080..U+009F) in the text as read: the mark of a file converted to UTF-8 with the wrong code page ("\u009Dstfold" for "Østfold"); 0 when none';
COMMENT ON COLUMN crm_imports.c1_line IS 'Line of the first C1 control character; NULL when none';
COMMENT ON COLUMN crm_imports.c1_column IS 'Column (field number) of the first C1 control character; NULL when none';
COMMENT ON COLUMN crm_imports.header_row IS 'The record (1-based, as crm_import_preview numbers them after crm_import_set_header(import, false)) that holds the column names, or the first data record without a header; records above it are not data (crm_import_set_header)';
COMMENT ON COLUMN crm_imports.detected_header_row IS 'The header row the upload found below a preamble (short or title records above the first record of the file''s dominant field count); NULL when the file starts with its header';
COMMENT ON COLUMN crm_imports.header_row_source IS 'Where header_row came from: first (record 1, the default), detected (the upload skipped a preamble) or set (crm_import_set_header or a profile)';
COMMENT ON COLUMN crm_imports.source_lo IS 'The large object a crm_import_upload_lo import was read from (crm_import_discard/crm_import_run can remove it: remove_source => true)';
COMMENT ON COLUMN crm_imports.source_lo_owner IS 'The owner of source_lo at upload: remove_source removes the object only while it has that owner and the file''s size (an oid is reused once the object is gone)';
COMMENT ON COLUMN crm_imports.c1_encoding IS 'The code page the C1 control characters most likely came from, as an encoding argument (cp865, windows-1252); NULL when none';
COMMENT ON COLUMN crm_imports.date_order IS 'How numeric dates with the year last are read: DMY, MDY or YMD; NULL: detected per date column from its values, else from the region (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.default_region IS 'Region (ISO 3166 code) of phone numbers without a country prefix; NULL: the session''s crm_import.default_region (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.invalid_values IS 'A value a non-key field cannot read: reject_row (the row is rejected) or skip_value (the value is left out, the row imported with a note)';
COMMENT ON COLUMN crm_imports.rows_without_key IS 'Rows with neither primary nor secondary key value: insert (as new contacts) or reject';
COMMENT ON COLUMN crm_imports.email_consent_unknown IS 'The file holds no email marketing consent: new contacts get none, existing ones keep theirs (crm_import_set_consent(..., unknown => true))';
COMMENT ON COLUMN crm_imports.sms_consent_unknown IS 'The file holds no SMS marketing consent: new contacts get none, existing ones keep theirs (crm_import_set_consent(..., unknown => true))';
COMMENT ON COLUMN crm_imports.list_id IS 'Contact list every touched contact joins';
COMMENT ON COLUMN crm_imports.file_name IS 'File name as given at upload';
COMMENT ON COLUMN crm_imports.source IS 'How the file arrived: bytea, large_object or server_file';
COMMENT ON COLUMN crm_imports.source_ref IS 'Large object oid or server path of the source';
COMMENT ON COLUMN crm_imports.byte_size IS 'Bytes read, byte-order mark included';
COMMENT ON COLUMN crm_imports.sha256 IS 'SHA-256 of the file bytes, hex';
COMMENT ON COLUMN crm_imports.delimiter IS 'Delimiter used: given, or detected among comma, semicolon, tab';
COMMENT ON COLUMN crm_imports.delimiter_detected IS 'True when the delimiter was detected rather than given';
COMMENT ON COLUMN crm_imports.had_bom IS 'True when the file began with a byte-order mark (skipped): UTF-8, or UTF-16/UTF-32, whose mark also chose the encoding';
COMMENT ON COLUMN crm_imports.has_header IS 'Whether the first record holds column headers (crm_import_set_header)';
COMMENT ON COLUMN crm_imports.record_count IS 'CSV records in the file, header record included';
COMMENT ON COLUMN crm_imports.column_count IS 'Fields in the first record';
COMMENT ON COLUMN crm_imports.ragged_records IS 'Records whose field count differs from the first record (at run time: short ones padded or rejected as short_rows says; longer ones rejected unless their extra fields are empty)';
COMMENT ON COLUMN crm_imports.null_values IS 'Placeholder values read as blank cells (trimmed, case-insensitive: ''-'', ''N/A''); NULL: not set (crm_import_check reports placeholder-looking samples), {}: none, the values are real (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.short_rows IS 'Rows with fewer fields than the header: pad (the missing trailing fields are blank, the row notes it) or reject (crm_import_set_options)';
COMMENT ON COLUMN crm_imports.header IS 'Values of the first record, trimmed';
COMMENT ON COLUMN crm_imports.column_names IS 'Unique column names used to address columns when has_header';
COMMENT ON COLUMN crm_imports.column_filled IS 'Per column: non-blank values in records 2 and later';
COMMENT ON COLUMN crm_imports.column_samples IS 'Sample values of records 2 and later (column given by column_sample_no)';
COMMENT ON COLUMN crm_imports.column_sample_no IS 'Column number of each entry of column_samples';
COMMENT ON COLUMN crm_imports.staging_table IS 'Qualified name of the table holding the staged records';
COMMENT ON COLUMN crm_imports.staged_columns IS 'Fields staged in columns c1..cN of the staging table (the header row''s count, at most 298 with 8 kB pages so that no row can overflow a page); further fields go to the row''s extra text[]';
COMMENT ON COLUMN crm_imports.skip_unmapped IS 'Do not import data in unmapped fields (wizard checkbox)';
COMMENT ON COLUMN crm_imports.email_consent_value IS 'Email marketing status set for the whole import';
COMMENT ON COLUMN crm_imports.sms_consent_value IS 'SMS marketing status set for the whole import';
COMMENT ON COLUMN crm_imports.allow_reoptin IS 'Whether the import may turn an opted-out contact into an opted-in one';
COMMENT ON COLUMN crm_imports.max_errors IS 'Rejected rows allowed before the run fails: a count (100) or a percentage of data rows (5%); NULL: no limit';
COMMENT ON COLUMN crm_imports.results_dry_run IS 'True when crm_import_results holds the outcome of a dry run';
COMMENT ON COLUMN crm_imports.master IS 'Master data rule: file (file values win) or existing (only empty CRM fields are filled)';
COMMENT ON COLUMN crm_imports.primary_key IS 'Duplicate check key: email, mobile, system_id, a custom field of type text, email or phone, or none';
COMMENT ON COLUMN crm_imports.secondary_key IS 'Key used when the primary key finds no duplicate (a predefined key or a custom field of type text, email or phone)';
COMMENT ON COLUMN crm_imports.gdpr_accepted IS 'GDPR rules confirmed';
COMMENT ON COLUMN crm_imports.tcpa_accepted IS 'TCPA rules confirmed';
COMMENT ON COLUMN crm_imports.compliance_accepted_by IS 'Role that confirmed compliance';
COMMENT ON COLUMN crm_imports.compliance_accepted_at IS 'When compliance was confirmed';
COMMENT ON COLUMN crm_imports.state IS 'draft, queued (a background import waiting for or in its worker), running, completed, failed or undone';
COMMENT ON COLUMN crm_imports.backend_pid IS 'Backend running the import';
COMMENT ON COLUMN crm_imports.failure_reason IS 'Why the import failed';
COMMENT ON COLUMN crm_imports.failure_sqlstate IS 'SQLSTATE of the failure';
COMMENT ON COLUMN crm_imports.inserted IS 'Rows that created a contact';
COMMENT ON COLUMN crm_imports.updated IS 'Rows that changed an existing contact';
COMMENT ON COLUMN crm_imports.unchanged IS 'Rows that matched a contact without changing it';
COMMENT ON COLUMN crm_imports.merged_in_file IS 'Rows merged into an earlier row of the same file';
COMMENT ON COLUMN crm_imports.rejected IS 'Rows rejected (see crm_import_results)';
COMMENT ON COLUMN crm_imports.created_at IS 'When the file was uploaded';
COMMENT ON COLUMN crm_imports.upload_seconds IS 'Time the upload took';
COMMENT ON COLUMN crm_imports.started_at IS 'When the run started';
COMMENT ON COLUMN crm_imports.finished_at IS 'When the run finished';
COMMENT ON COLUMN crm_imports.undo_saved IS 'True when the completed run kept what it changed (crm_import_undo_contacts), so it can be undone; false for runs before 0.2.0';
COMMENT ON COLUMN crm_imports.undo_purged_at IS 'When crm_import_purge_undo removed the undo data (the import can no longer be undone)';
COMMENT ON COLUMN crm_imports.undone_by IS 'Role that undid the import (crm_import_undo)';
COMMENT ON COLUMN crm_imports.undone_at IS 'When the import was undone';
COMMENT ON COLUMN crm_imports.undo_contacts_deleted IS 'Undo: contacts the import created that were deleted';
COMMENT ON COLUMN crm_imports.undo_contacts_restored IS 'Undo: contacts the import updated that got previous values back';
COMMENT ON COLUMN crm_imports.undo_memberships_removed IS 'Undo: list memberships the import added that were removed';
COMMENT ON COLUMN crm_imports.undo_fields_kept IS 'Undo: fields of updated contacts kept because they changed since the import (or would have opted a contact in)';
COMMENT ON COLUMN crm_imports.undo_contacts_kept IS 'Undo: contacts the import created that were kept because they changed since';

CREATE TABLE crm_import_mappings (
	import_id bigint NOT NULL REFERENCES crm_imports (id) ON DELETE CASCADE,
	column_no integer NOT NULL CHECK (column_no >= 1),
	field text REFERENCES crm_fields (name),
	PRIMARY KEY (import_id, column_no)
);
CREATE UNIQUE INDEX crm_import_mappings_field_idx ON crm_import_mappings (import_id, field) WHERE field IS NOT NULL;
COMMENT ON TABLE crm_import_mappings IS 'Column choices of an import: a field of crm_fields, or NULL for "do not import this column"';
COMMENT ON COLUMN crm_import_mappings.import_id IS 'The import';
COMMENT ON COLUMN crm_import_mappings.column_no IS '1-based file column';
COMMENT ON COLUMN crm_import_mappings.field IS 'Field the column maps to; NULL means skipped';

---------------------------------------------------------------------------------------------
-- Saved import profiles (applied by crm_import_apply_profile and the one-call crm_import)
---------------------------------------------------------------------------------------------
CREATE TABLE crm_import_profiles (
	name text PRIMARY KEY CHECK (@extschema@.crm_import_trim_name(name) <> '' AND length(name) <= 200),
	owner name NOT NULL,
	columns jsonb NOT NULL,
	skip_unmapped boolean NOT NULL,
	email_consent_value boolean,
	sms_consent_value boolean,
	master text,
	primary_key text,
	secondary_key text,
	max_errors text,
	allow_reoptin boolean NOT NULL DEFAULT false,
	has_header boolean NOT NULL DEFAULT true,
	source_import bigint,
	saved_at timestamptz NOT NULL DEFAULT now(),
	owner_id oid NOT NULL,
	encoding text,
	date_order text,
	default_region text,
	invalid_values text NOT NULL DEFAULT 'reject_row',
	rows_without_key text NOT NULL DEFAULT 'insert',
	email_consent_unknown boolean NOT NULL DEFAULT false,
	sms_consent_unknown boolean NOT NULL DEFAULT false,
	null_values text[],
	short_rows text NOT NULL DEFAULT 'pad',
	delimiter text,
	header_row integer CHECK (header_row >= 1),
	unmapped_columns text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE crm_import_profiles IS 'Saved import settings, applied to new uploads by header name (crm_import_save_profile / crm_import_apply_profile / crm_import)';
COMMENT ON COLUMN crm_import_profiles.name IS 'Profile name';
COMMENT ON COLUMN crm_import_profiles.owner IS 'Name of the role that saved it, as it was then (access is decided by owner_id)';
COMMENT ON COLUMN crm_import_profiles.owner_id IS 'OID of the role that saved it; only it (and crm_import_admin) can use, replace or see it. 0: the role was dropped before version 0.2.0';
COMMENT ON COLUMN crm_import_profiles.encoding IS 'Encoding of the files (an encoding argument of the uploads: cp865, windows-1252, ...), used by the one-call crm_import when it is given no encoding; NULL: UTF-8 (or what a byte-order mark says)';
COMMENT ON COLUMN crm_import_profiles.columns IS 'Header name -> field name, or null for "do not import this column"';
COMMENT ON COLUMN crm_import_profiles.skip_unmapped IS 'Do not import data in unmapped fields';
COMMENT ON COLUMN crm_import_profiles.email_consent_value IS 'Email marketing status for the whole import, when not from a column';
COMMENT ON COLUMN crm_import_profiles.sms_consent_value IS 'SMS marketing status for the whole import, when not from a column';
COMMENT ON COLUMN crm_import_profiles.master IS 'Master data rule';
COMMENT ON COLUMN crm_import_profiles.primary_key IS 'Primary duplicate key';
COMMENT ON COLUMN crm_import_profiles.secondary_key IS 'Secondary duplicate key';
COMMENT ON COLUMN crm_import_profiles.max_errors IS 'Rejected rows allowed';
COMMENT ON COLUMN crm_import_profiles.allow_reoptin IS 'Whether opted-out contacts may be opted in again';
COMMENT ON COLUMN crm_import_profiles.has_header IS 'Whether files have a header row';
COMMENT ON COLUMN crm_import_profiles.header_row IS 'The header row set on the import the profile was saved from (crm_import_set_header); NULL: record 1, or the one the upload finds below a preamble';
COMMENT ON COLUMN crm_import_profiles.source_import IS 'Import the profile was saved from';
COMMENT ON COLUMN crm_import_profiles.saved_at IS 'When it was saved';
COMMENT ON COLUMN crm_import_profiles.date_order IS 'Date order (DMY, MDY, YMD; NULL: detected)';
COMMENT ON COLUMN crm_import_profiles.default_region IS 'Region of phone numbers without a country prefix (NULL: the session''s crm_import.default_region)';
COMMENT ON COLUMN crm_import_profiles.invalid_values IS 'reject_row or skip_value';
COMMENT ON COLUMN crm_import_profiles.rows_without_key IS 'insert or reject';
COMMENT ON COLUMN crm_import_profiles.email_consent_unknown IS 'The files hold no email marketing consent';
COMMENT ON COLUMN crm_import_profiles.sms_consent_unknown IS 'The files hold no SMS marketing consent';
COMMENT ON COLUMN crm_import_profiles.null_values IS 'Placeholder values read as blank cells (NULL: not set; {}: none)';
COMMENT ON COLUMN crm_import_profiles.short_rows IS 'pad or reject';
COMMENT ON COLUMN crm_import_profiles.delimiter IS 'Delimiter of the files when it was given at the upload, used by the one-call crm_import when it is given none; NULL: detected';
COMMENT ON COLUMN crm_import_profiles.unmapped_columns IS 'Header names of the columns the saved import left unmapped and so did not import (skip_unmapped): applied to a file with such a column, it is not imported again and not reported as new; missing, it is not reported';
SELECT pg_catalog.pg_extension_config_dump('crm_import_profiles', '');
REVOKE ALL ON crm_import_profiles FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('crm_lists', '');
SELECT pg_catalog.pg_extension_config_dump('crm_fields', 'WHERE custom');
SELECT pg_catalog.pg_extension_config_dump('crm_contacts', '');
SELECT pg_catalog.pg_extension_config_dump('crm_consent_terms', '');
SELECT pg_catalog.pg_extension_config_dump('crm_list_members', '');
SELECT pg_catalog.pg_extension_config_dump('crm_imports', '');
SELECT pg_catalog.pg_extension_config_dump('crm_import_mappings', '');
SELECT pg_catalog.pg_extension_config_dump('crm_lists_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('crm_contacts_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('crm_imports_id_seq', '');

REVOKE ALL ON crm_consent_terms, crm_lists, crm_fields, crm_contacts, crm_list_members, crm_imports, crm_import_mappings
	FROM PUBLIC;
GRANT SELECT ON crm_lists, crm_fields, crm_contacts, crm_list_members TO crm_import_user;

