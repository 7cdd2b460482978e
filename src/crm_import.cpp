// Module entry: PG_MODULE_MAGIC, _PG_init and the GUCs of crm_import.
#include "pg/postgres.hpp"
#include "pg/settings.hpp"

#include <climits>
#include <cstring>

extern "C" {
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
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

// crm_import.undo_retention must be an interval of zero or more: SQL reads it with ::interval
// (crm_import_undo, crm_import_purge_undo), so a value that does not parse must not be set.
// Parsed with the datetime parser directly (no ereport: a check hook must not raise).
static bool CheckUndoRetention(char** newval, void** extra, GucSource source)
{
	if (*newval == nullptr)
		return true;
	char workbuf[256];
	char* fields[MAXDATEFIELDS];
	int ftypes[MAXDATEFIELDS];
	int nf = 0;
	int dtype = 0;
	struct pg_itm_in itm = {};
	bool ok = strlen(*newval) < sizeof(workbuf) &&
			  ((ParseDateTime(*newval, workbuf, sizeof(workbuf), fields, ftypes, MAXDATEFIELDS, &nf) == 0 &&
				DecodeInterval(fields, ftypes, nf, INTERVAL_FULL_RANGE, &dtype, &itm) == 0) ||
			   DecodeISO8601Interval(*newval, &dtype, &itm) == 0) &&
			  dtype == DTK_DELTA;
	if (ok && (itm.tm_year < 0 || itm.tm_mon < 0 || itm.tm_mday < 0 || itm.tm_usec < 0))
		ok = false;
	if (!ok) {
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("\"%s\" is not an interval of zero or more.", *newval);
		GUC_check_errhint("Use an interval such as '30 days' or '12 weeks'.");
		return false;
	}
	return true;
}

namespace crm::pg {
Settings g_settings = {16 * 1024 * 1024, 256 * 1024 * 1024, 100000, nullptr, 0, 2, nullptr};
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
	// A retention policy, not a user preference: only superusers (ALTER SYSTEM, ALTER DATABASE
	// ... SET) decide how long the values imports replaced are kept.
	DefineCustomStringVariable("crm_import.undo_retention",
							   "How long after it finished an import can be undone (its undo data is kept).",
							   "crm_import_purge_undo() deletes undo data older than this; crm_import_undo refuses "
							   "imports that finished longer ago.",
							   &g_settings.undo_retention, "30 days", PGC_SUSET, 0, CheckUndoRetention, NULL, NULL);
	MarkGUCPrefixReserved("crm_import");
}
