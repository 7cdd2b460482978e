---------------------------------------------------------------------------------------------
-- Triggers of the CRM tables (replaceable: an upgrade re-creates them from this file)
---------------------------------------------------------------------------------------------
-- Consent terms chosen by admins live in crm_consent_terms (dumped by pg_dump, unlike
-- crm_fields' seeded rows); this trigger copies them into crm_fields, also on restore.
CREATE FUNCTION crm_consent_terms_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.crm_fields f SET opt_in_terms = NEW.opt_in_terms, opt_out_terms = NEW.opt_out_terms
		WHERE f.name = NEW.field;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION crm_consent_terms_sync() IS 'Trigger: copies a consent terms setting into crm_fields';
CREATE TRIGGER crm_consent_terms_sync AFTER INSERT OR UPDATE ON crm_consent_terms
	FOR EACH ROW EXECUTE FUNCTION crm_consent_terms_sync();

-- Memberships follow their list and contact. Statement-level triggers with transition tables
-- stand in for foreign keys: an import adds a million members in one INSERT and per-row RI
-- checks would cost more than the insert itself. Only crm_import writes memberships.
CREATE FUNCTION crm_list_members_cleanup() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		-- DELETE, not TRUNCATE: "TRUNCATE crm_list_members, crm_contacts" is already
		-- truncating the memberships in this statement.
		DELETE FROM @extschema@.crm_list_members;
	ELSIF TG_TABLE_NAME = 'crm_contacts' THEN
		DELETE FROM @extschema@.crm_list_members m USING gone g WHERE m.contact_id = g.id;
	ELSE
		DELETE FROM @extschema@.crm_list_members m USING gone g WHERE m.list_id = g.id;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION crm_list_members_cleanup() IS 'Trigger: removes the memberships of deleted or truncated contacts and lists';
CREATE TRIGGER crm_contacts_members_cleanup AFTER DELETE ON crm_contacts REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION crm_list_members_cleanup();
CREATE TRIGGER crm_contacts_members_truncate AFTER TRUNCATE ON crm_contacts
	FOR EACH STATEMENT EXECUTE FUNCTION crm_list_members_cleanup();
CREATE TRIGGER crm_lists_members_cleanup AFTER DELETE ON crm_lists REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION crm_list_members_cleanup();


-- Erasure: deleting a contact deletes what crm_import kept about it for undoing imports
-- (crm_import_undo_contacts: the values imports replaced; crm_import_undo_kept: what an undo
-- kept), so the undo data never holds personal data the CRM no longer has. Statement-level
-- with a transition table like the membership cleanup. SECURITY DEFINER: whoever may delete
-- contacts erases their undo data too, without any right on the undo tables.
CREATE FUNCTION crm_import_undo_cleanup() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.crm_import_undo_contacts;
		DELETE FROM @extschema@.crm_import_undo_kept;
	ELSE
		DELETE FROM @extschema@.crm_import_undo_contacts u USING gone g WHERE u.contact_id = g.id;
		DELETE FROM @extschema@.crm_import_undo_kept k USING gone g WHERE k.contact_id = g.id;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION crm_import_undo_cleanup() IS 'Trigger: deletes the undo data of deleted or truncated contacts (erasure)';
CREATE TRIGGER crm_contacts_undo_cleanup AFTER DELETE ON crm_contacts REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION crm_import_undo_cleanup();
CREATE TRIGGER crm_contacts_undo_truncate AFTER TRUNCATE ON crm_contacts
	FOR EACH STATEMENT EXECUTE FUNCTION crm_import_undo_cleanup();
