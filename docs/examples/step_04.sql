-- Step 4: map columns to CRM fields, custom fields, marketing consent. Run after step_03.sql:
--   psql -X -a -q -d yourdb < docs/examples/step_04.sql
\set SHOW_CONTEXT never
SELECT max(id) AS import_id FROM crm_import_status WHERE list = 'Nyhetsbrev 2026' \gset

-- Suggestions from the Norwegian headers and the values; apply maps every column that has one.
SELECT * FROM crm_import_suggest_mapping(:import_id);

-- "Notater" has no CRM field: create a custom field for it ("create custom field").
SELECT crm_import_create_field('notes', 'text', label => 'Notes');
SELECT crm_import_map(:import_id, 'Notater', 'notes');

-- "Land" mixes NO, Norway, Norge, Noreg: do not import this column.
SELECT crm_import_skip(:import_id, 'Land');

-- Columns can be addressed by name (case and surrounding space ignored) or number, and
-- fields by name or label.
SELECT crm_import_map(:import_id, 'poststed', 'City');
SELECT crm_import_map(:import_id, 5, 'company');

SELECT column_no, name, mapped_to FROM crm_import_columns(:import_id);

-- Marketing consent: both consent fields come from columns (mapped by the suggestions).
-- The file also says OptIn / OptOut, which are not default terms: add them. The terms are
-- a setting of the field, kept for later imports.
SELECT crm_import_set_consent(:import_id, 'email_marketing', column_name => 'Nyhetsbrev');
SELECT crm_import_set_consent(:import_id, 'sms_marketing', column_name => 'SMS-samtykke');
SELECT crm_import_set_consent_terms('email_marketing',
	opt_in => ARRAY['True', 'Yes', 'Sant', 'Ja', 'OptIn'], opt_out => ARRAY['False', 'No', 'Usant', 'Nei', 'OptOut']);
SELECT crm_import_set_consent_terms('sms_marketing',
	opt_in => ARRAY['True', 'Yes', 'Sant', 'Ja', 'OptIn'], opt_out => ARRAY['False', 'No', 'Usant', 'Nei', 'OptOut']);
SELECT name, label, type, custom, opt_in_terms, opt_out_terms FROM crm_fields
	WHERE type = 'consent' OR custom ORDER BY name;

-- What is still missing before the import can run (steps 5 and 6).
SELECT * FROM crm_import_check(:import_id);

-- Errors.
SELECT crm_import_map(:import_id, 'Epost', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_map(:import_id, 'Fornavn', 'firstname');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_map(:import_id, 'Etternavn', 'first_name');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_create_field('Kundenummer', 'text');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_consent(:import_id, 'email_marketing');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT crm_import_set_consent_terms('sms_marketing', ARRAY['Ja'], ARRAY['ja']);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
