// GUC-backed settings of crm_import (defined in src/crm_import.cpp).
#pragma once

namespace crm::pg {

struct Settings {
	int max_field_size;   // bytes; crm_import.max_field_size
	int max_record_size;  // bytes; crm_import.max_record_size
	int max_columns;      // crm_import.max_columns
	char* default_region; // crm_import.default_region (ISO 3166, e.g. NO)
	int progress_rows;    // crm_import.progress_rows: NOTICE every N rows (0 = off)
	int max_workers;      // crm_import.max_workers: background imports running at once
	char* undo_retention; // crm_import.undo_retention: how long an import can be undone (interval text)
};

extern Settings g_settings;

}  // namespace crm::pg
