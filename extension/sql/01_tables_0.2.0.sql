---------------------------------------------------------------------------------------------
-- Tables new in version 0.2.0. The install script reads this file after 00_schema.sql; the
-- upgrade script from 0.1.0 reads it after its hand-written part (Makefile), so these tables
-- are defined once. The next version's new tables go into a file of their own.
---------------------------------------------------------------------------------------------
-- Row results of a run live in one table per import, crm_import_staging.results_<id>
-- (crm_import_results reads it), not in partitions of a shared parent: creating or dropping a
-- partition locks the parent ACCESS EXCLUSIVE, and a run holding the contacts lock would then
-- wait behind any session reading its own results, and every write to contacts behind it.

-- One row per run attempt, written and committed by a short-lived background worker before
-- the run's work starts, so a run whose session dies (terminated, crashed, server restart)
-- leaves a trace: its transaction then never commits, and crm_import_status shows the import
-- failed with the reason instead of the state it had before the run.
CREATE TABLE crm_import_runs (
	import_id bigint NOT NULL,
	run_xid xid8 NOT NULL,
	backend_pid integer NOT NULL,
	started_by oid NOT NULL,
	started_at timestamptz NOT NULL,
	progress_handle bigint
);
CREATE INDEX crm_import_runs_import_idx ON crm_import_runs (import_id, started_at);
COMMENT ON TABLE crm_import_runs IS 'Run attempts recorded outside the run''s transaction: an attempt whose transaction did not commit died (crm_import_status shows it)';
COMMENT ON COLUMN crm_import_runs.import_id IS 'The import';
COMMENT ON COLUMN crm_import_runs.run_xid IS 'Top-level transaction of the run';
COMMENT ON COLUMN crm_import_runs.backend_pid IS 'Backend that ran it';
COMMENT ON COLUMN crm_import_runs.started_by IS 'Role the run acted for';
COMMENT ON COLUMN crm_import_runs.started_at IS 'When the run started';
COMMENT ON COLUMN crm_import_runs.progress_handle IS 'Dynamic shared memory segment where the run publishes its phase and rows (crm_import_progress_read)';

-- Undo data (crm_import_undo): for each contact a run updated, the fields it changed with the
-- value before and the value it wrote, as typed columns (old_<field>, new_<field>) that are
-- NULL for every field it did not change: an unchanged field costs one bit of the row's null
-- bitmap, and the run copies values instead of building jsonb (which cost the 1M-row
-- benchmark 2-4 s against 0.3 s). A field of crm_contacts that an import can write needs its
-- pair here (sql/14_undo checks). Contacts it created and memberships it added need no
-- row here: crm_contacts.created_by_import and crm_list_members.added_by_import name them
-- exactly (only a run writes them, a completed import never runs again, and a membership
-- that existed before keeps the import that added it). Deleting a contact deletes its rows
-- (trigger crm_import_undo_cleanup); crm_import_purge_undo deletes expired ones.
CREATE TABLE crm_import_undo_contacts (
	import_id bigint NOT NULL,
	contact_id bigint NOT NULL,
	old_updated_at timestamptz NOT NULL,
	old_updated_by_import bigint,
	old_first_name text,
	new_first_name text,
	old_last_name text,
	new_last_name text,
	old_email text COLLATE "C",
	new_email text COLLATE "C",
	old_mobile text COLLATE "C",
	new_mobile text COLLATE "C",
	old_company text,
	new_company text,
	old_address text,
	new_address text,
	old_postal_code text,
	new_postal_code text,
	old_city text,
	new_city text,
	old_country text,
	new_country text,
	old_birthday date,
	new_birthday date,
	old_email_marketing boolean,
	new_email_marketing boolean,
	old_email_marketing_import bigint,
	old_email_marketing_at timestamptz,
	old_sms_marketing boolean,
	new_sms_marketing boolean,
	old_sms_marketing_import bigint,
	old_sms_marketing_at timestamptz,
	old_custom jsonb,
	new_custom jsonb,
	-- Contact first: erasure looks rows up by contact. An undo or a purge reads the whole
	-- table once; a second index on import_id cost the 1M-row import 0.5 s more.
	PRIMARY KEY (contact_id, import_id)
);
COMMENT ON TABLE crm_import_undo_contacts IS 'Undo data: one row per contact an import updated, with the fields it changed: old_<field> before, new_<field> written (never NULL for a changed field, so NULL means unchanged); read by crm_import_undo';
COMMENT ON COLUMN crm_import_undo_contacts.import_id IS 'The import';
COMMENT ON COLUMN crm_import_undo_contacts.contact_id IS 'The contact it updated';
COMMENT ON COLUMN crm_import_undo_contacts.old_updated_at IS 'updated_at of the contact before the import';
COMMENT ON COLUMN crm_import_undo_contacts.old_updated_by_import IS 'updated_by_import of the contact before the import';
COMMENT ON COLUMN crm_import_undo_contacts.old_first_name IS 'First name before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_first_name IS 'First name the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_last_name IS 'Last name before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_last_name IS 'Last name the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_email IS 'Email address before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_email IS 'Email address the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_mobile IS 'Mobile number before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_mobile IS 'Mobile number the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_company IS 'Company before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_company IS 'Company the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_address IS 'Street address before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_address IS 'Street address the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_postal_code IS 'Postal code before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_postal_code IS 'Postal code the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_city IS 'City before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_city IS 'City the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_country IS 'Country before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_country IS 'Country the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_birthday IS 'Birthday before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_birthday IS 'Birthday the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_email_marketing IS 'Email marketing consent before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_email_marketing IS 'Email marketing consent the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_email_marketing_import IS 'email_marketing_import before the import (when it changed the consent)';
COMMENT ON COLUMN crm_import_undo_contacts.old_email_marketing_at IS 'email_marketing_at before the import (when it changed the consent)';
COMMENT ON COLUMN crm_import_undo_contacts.old_sms_marketing IS 'SMS marketing consent before the import (when it changed it)';
COMMENT ON COLUMN crm_import_undo_contacts.new_sms_marketing IS 'SMS marketing consent the import wrote; NULL: it did not change it';
COMMENT ON COLUMN crm_import_undo_contacts.old_sms_marketing_import IS 'sms_marketing_import before the import (when it changed the consent)';
COMMENT ON COLUMN crm_import_undo_contacts.old_sms_marketing_at IS 'sms_marketing_at before the import (when it changed the consent)';
COMMENT ON COLUMN crm_import_undo_contacts.old_custom IS 'Custom fields the import changed that the contact had: their values before (a key missing here was added by the import)';
COMMENT ON COLUMN crm_import_undo_contacts.new_custom IS 'Custom fields the import changed or added, with the values it wrote';

-- What an undo kept instead of restoring or deleting, for crm_import_undo_conflicts.
CREATE TABLE crm_import_undo_kept (
	import_id bigint NOT NULL,
	contact_id bigint NOT NULL,
	field text,
	import_value text,
	current_value text,
	outcome text NOT NULL
);
-- By contact, for erasure; the report and the purge read an import's rows once, sequentially.
CREATE INDEX crm_import_undo_kept_contact_idx ON crm_import_undo_kept (contact_id);
COMMENT ON TABLE crm_import_undo_kept IS 'What crm_import_undo kept: fields changed since the import, and created contacts changed since (read by crm_import_undo_conflicts)';
COMMENT ON COLUMN crm_import_undo_kept.import_id IS 'The undone import';
COMMENT ON COLUMN crm_import_undo_kept.contact_id IS 'The contact';
COMMENT ON COLUMN crm_import_undo_kept.field IS 'The field kept (a column of crm_contacts or a custom field); NULL: the whole contact was kept';
COMMENT ON COLUMN crm_import_undo_kept.import_value IS 'The value the import wrote';
COMMENT ON COLUMN crm_import_undo_kept.current_value IS 'The value at the undo';
COMMENT ON COLUMN crm_import_undo_kept.outcome IS 'What the undo did and why';

SELECT pg_catalog.pg_extension_config_dump('crm_import_undo_contacts', '');
SELECT pg_catalog.pg_extension_config_dump('crm_import_undo_kept', '');
REVOKE ALL ON crm_import_runs, crm_import_undo_contacts, crm_import_undo_kept FROM PUBLIC;
