// Module entry: PG_MODULE_MAGIC, _PG_init and the GUCs of crm_import.
#include "pg/postgres.hpp"
#include "pg/settings.hpp"

#include <climits>

extern "C" {
#include "utils/guc.h"
}

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

#include "core/normalize.hpp"

// crm_import.default_region must be a region libphonenumber knows: an unknown one would
// reject every number written without a country prefix.
static bool CheckDefaultRegion(char** newval, void** extra, GucSource source)
{
	if (*newval == nullptr)
		return true;
	bool known = false;
	try {
		known = crm::core::IsKnownRegion(*newval);
	} catch (...) {
		known = false;
	}
	if (!known) {
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("\"%s\" is not a region libphonenumber knows.", *newval);
		GUC_check_errhint("Use an ISO 3166 two-letter code such as NO, SE, DK, GB or US.");
		return false;
	}
	return true;
}

namespace crm::pg {
Settings g_settings = {16 * 1024 * 1024, 256 * 1024 * 1024, 100000, nullptr, 0, 2};
}

extern "C" void _PG_init(void)
{
	using crm::pg::g_settings;
	DefineCustomIntVariable("crm_import.max_field_size", "Largest CSV field an upload accepts.",
							"A larger field stops the upload with a program_limit_exceeded error.",
							&g_settings.max_field_size, 16 * 1024 * 1024, 1024, MaxAllocSize / 4, PGC_USERSET,
							GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("crm_import.max_record_size", "Largest CSV record (all fields of one row) an upload accepts.",
							NULL, &g_settings.max_record_size, 256 * 1024 * 1024, 1024, MaxAllocSize / 2, PGC_USERSET,
							GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("crm_import.max_columns", "Most fields one CSV record may have.", NULL,
							&g_settings.max_columns, 100000, 1, 10000000, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("crm_import.default_region",
							   "Region (ISO 3166 code) for phone numbers written without a country prefix.", NULL,
							   &g_settings.default_region, "NO", PGC_USERSET, 0, CheckDefaultRegion, NULL, NULL);
	DefineCustomIntVariable("crm_import.progress_rows",
							"Report upload and run progress as a NOTICE every this many rows (0: off).", NULL,
							&g_settings.progress_rows, 0, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
	// Read by the background workers from the server's configuration: a superuser setting
	// (postgresql.conf, ALTER SYSTEM, ALTER DATABASE ... SET).
	DefineCustomIntVariable("crm_import.max_workers", "Background imports (crm_import_start) that run at once; more wait in queued.",
							"Each running import also uses one of max_worker_processes.", &g_settings.max_workers, 2, 1,
							64, PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("crm_import");
}
