// crm_import_progress_begin / _phase / _read: run progress in a dynamic shared memory segment
// (see pg/progress.hpp); crm_import_report_phase and the run activity text other sessions see
// in pg_stat_activity. C frames only: PostgreSQL calls, no C++ objects.
#include "pg/progress.hpp"

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
#include "port/atomics.h"
#include "storage/dsm.h"
#include "pgstat.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace {

constexpr uint32 kProgressMagic = 0x43524D50;  // "CRMP"

struct ProgressState {
	uint32 magic;
	int64 import_id;
	pg_atomic_uint64 done;  // rows processed in the current phase
	int64 total;            // data rows of the file
	TimestampTz updated_at;
	char phase[64];
};

// This backend's segment while it runs an import (kept for the session; reused by the next
// run of the same session).
dsm_segment* g_segment = nullptr;
ProgressState* g_state = nullptr;

}  // namespace

namespace crm::pg {
void ProgressAddRows(int64 rows)
{
	if (g_state == nullptr)
		return;
	pg_atomic_fetch_add_u64(&g_state->done, (uint64) rows);
	g_state->updated_at = GetCurrentTimestamp();
}
}  // namespace crm::pg

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_progress_begin);
PG_FUNCTION_INFO_V1(crm_import_progress_phase);
PG_FUNCTION_INFO_V1(crm_import_progress_read);
}

// crm_import_progress_begin(import bigint, total bigint) -> bigint: the segment's handle.
extern "C" Datum crm_import_progress_begin(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	if (g_segment == nullptr) {
		g_segment = dsm_create(sizeof(ProgressState), 0);
		dsm_pin_mapping(g_segment);  // lives as long as this session, not this query
		g_state = (ProgressState*) dsm_segment_address(g_segment);
		pg_atomic_init_u64(&g_state->done, 0);
	}
	g_state->magic = kProgressMagic;
	g_state->import_id = PG_GETARG_INT64(0);
	g_state->total = PG_GETARG_INT64(1);
	pg_atomic_write_u64(&g_state->done, 0);
	g_state->updated_at = GetCurrentTimestamp();
	strlcpy(g_state->phase, "starting", sizeof(g_state->phase));
	PG_RETURN_INT64((int64) dsm_segment_handle(g_segment));
}

// crm_import_progress_phase(phase text): a new phase starts; its rows count from 0.
extern "C" Datum crm_import_progress_phase(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	if (g_state != nullptr && !PG_ARGISNULL(0)) {
		text_to_cstring_buffer(PG_GETARG_TEXT_PP(0), g_state->phase, sizeof(g_state->phase));
		pg_atomic_write_u64(&g_state->done, 0);
		g_state->updated_at = GetCurrentTimestamp();
	}
	PG_RETURN_VOID();
}

// crm_import_progress_read(handle bigint, import bigint) -> (phase, rows_done, rows_total,
// updated_at), or NULLs when the segment is gone or belongs to another import.
extern "C" Datum crm_import_progress_read(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	TupleDesc desc;
	if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "crm_import_progress_read must return a record");
	desc = BlessTupleDesc(desc);
	Datum values[4] = {0, 0, 0, 0};
	bool nulls[4] = {true, true, true, true};
	if (!PG_ARGISNULL(0) && !PG_ARGISNULL(1)) {
		dsm_handle handle = (dsm_handle) PG_GETARG_INT64(0);
		int64 import_id = PG_GETARG_INT64(1);
		ProgressState copy;
		bool found = false;
		if (g_segment != nullptr && dsm_segment_handle(g_segment) == handle) {
			memcpy(&copy, g_state, sizeof(copy));
			found = true;
		} else {
			dsm_segment* seg = dsm_attach(handle);
			if (seg != nullptr) {
				memcpy(&copy, dsm_segment_address(seg), sizeof(copy));
				dsm_detach(seg);
				found = true;
			}
		}
		if (found && copy.magic == kProgressMagic && copy.import_id == import_id) {
			copy.phase[sizeof(copy.phase) - 1] = '\0';
			values[0] = CStringGetTextDatum(copy.phase);
			values[1] = Int64GetDatum((int64) pg_atomic_read_u64(&copy.done));
			values[2] = Int64GetDatum(copy.total);
			values[3] = TimestampTzGetDatum(copy.updated_at);
			nulls[0] = nulls[1] = nulls[2] = nulls[3] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

// A running import shows "crm_import run N: phase" as its backend's query in
// pg_stat_activity; crm_import_progress and the run's NOTICEs read and write that text
// through the functions below only, so its form is defined here once.
namespace {

constexpr char kRunActivityPrefix[] = "crm_import run ";

char* RunActivity(int64 import, const char* message)
{
	return psprintf("%s%lld: %s", kRunActivityPrefix, (long long) import, message);
}

// The import id of a run activity text and where its phase starts; false when the text is
// not one.
bool ParseRunActivity(const char* query, int64* import, const char** phase)
{
	size_t prefix = sizeof(kRunActivityPrefix) - 1;
	if (strncmp(query, kRunActivityPrefix, prefix) != 0)
		return false;
	const char* p = query + prefix;
	int64 id = 0;
	const char* digits = p;
	while (*p >= '0' && *p <= '9' && p - digits < 18)
		id = id * 10 + (*p++ - '0');
	if (p == digits || p[0] != ':' || p[1] != ' ')
		return false;
	*import = id;
	*phase = p + 2;
	return true;
}

}  // namespace

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_report_phase);
PG_FUNCTION_INFO_V1(crm_import_run_activity);
PG_FUNCTION_INFO_V1(crm_import_run_activity_part);
}

// crm_import_report_phase(import bigint, phase text): shows "crm_import run N: phase" as
// this backend's query in pg_stat_activity, so other sessions can follow a long run (its
// state change to running is not visible to them before it commits).
extern "C" Datum crm_import_report_phase(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	int64 import = PG_GETARG_INT64(0);
	char* phase = text_to_cstring(PG_GETARG_TEXT_PP(1));
	pgstat_report_activity(STATE_RUNNING, RunActivity(import, phase));
	PG_RETURN_VOID();
}

// crm_import_run_activity(import bigint, text text): "crm_import run N: text".
extern "C" Datum crm_import_run_activity(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	int64 import = PG_GETARG_INT64(0);
	char* message = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_TEXT_P(cstring_to_text(RunActivity(import, message)));
}

// crm_import_run_activity_part(query text, part text): of a query text "crm_import run N:
// phase", N (part 'import') or the phase (part 'phase'); NULL for any other text.
extern "C" Datum crm_import_run_activity_part(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	char* query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char* part = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int64 import;
	const char* phase;
	if (!ParseRunActivity(query, &import, &phase))
		PG_RETURN_NULL();
	if (strcmp(part, "import") == 0)
		PG_RETURN_TEXT_P(cstring_to_text(psprintf(INT64_FORMAT, import)));
	PG_RETURN_TEXT_P(cstring_to_text(phase));
}
