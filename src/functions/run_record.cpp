// crm_import_record_run(import bigint): records, in a transaction of its own, that this
// backend's transaction runs the import, so that a run whose session dies (terminated,
// crashed, server restarted) leaves a trace (crm_import_runs; crm_import_status shows it).
//
// PostgreSQL has no autonomous transactions. A short-lived dynamic background worker (no
// shared_preload_libraries needed) connects to the same database as the extension owner,
// inserts one fixed row and commits; the caller waits for it to exit. The worker runs no
// user-supplied SQL. When no worker slot is free (max_worker_processes), the run goes on
// without the record and a NOTICE says what that means.
#include "pg/postgres.hpp"
#include "pg/workers.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace {

// What the caller hands the worker (bgw_extra, at most BGW_EXTRALEN bytes).
struct RunRecordRequest {
	crm::pg::WorkerTarget target;
	Oid started_by;  // the role the run acts for
	int backend_pid;
	uint64 run_xid;
	TimestampTz started_at;
	int64 progress_handle;
};
static_assert(sizeof(RunRecordRequest) <= BGW_EXTRALEN, "the request must fit in bgw_extra");

}  // namespace

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_record_run);
PGDLLEXPORT void crm_import_run_recorder_main(Datum arg);
}

// Returns true when the record was committed. C frame: PostgreSQL calls only.
extern "C" Datum crm_import_record_run(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	RunRecordRequest request;
	memset(&request, 0, sizeof(request));
	// This function lives in the extension's schema, beside crm_import_runs.
	crm::pg::SetWorkerTarget(&request.target, fcinfo, PG_GETARG_INT64(0));
	request.started_by = PG_GETARG_OID(1);
	request.backend_pid = MyProcPid;
	request.run_xid = U64FromFullTransactionId(GetTopFullTransactionId());
	request.started_at = GetCurrentTimestamp();
	request.progress_handle = PG_GETARG_INT64(2);

	BackgroundWorkerHandle* handle;
	if (!crm::pg::RegisterImportWorker("crm_import_run_recorder_main", "crm_import run recorder",
									   request.target.import_id, &request, sizeof(request), &handle)) {
		ereport(NOTICE,
				(errmsg("import %lld runs without a crash record: no background worker slot is free",
						(long long) request.target.import_id),
				 errdetail("If this session dies during the run, crm_import_status cannot tell; the import then "
						   "shows the state it had before the run."),
				 errhint("Raise max_worker_processes (server restart) if this happens often.")));
		PG_RETURN_BOOL(false);
	}
	BgwHandleStatus status = WaitForBackgroundWorkerShutdown(handle);
	if (status != BGWH_STOPPED)
		ereport(ERROR, (errcode(ERRCODE_ADMIN_SHUTDOWN), errmsg("the server is shutting down")));
	PG_RETURN_BOOL(true);
}

// The worker: one INSERT, committed. Errors end the worker (logged); the caller then finds no
// record and goes on.
extern "C" void crm_import_run_recorder_main(Datum arg)
{
	RunRecordRequest request;
	memcpy(&request, MyBgworkerEntry->bgw_extra, sizeof(request));
	crm::pg::ConnectWorker(request.target);

	crm::pg::BeginWorkerStep("crm_import: recording a run");
	// Never wait long: the caller waits for this worker.
	SetConfigOption("lock_timeout", "5s", PGC_SUSET, PGC_S_SESSION);
	SetConfigOption("statement_timeout", "10s", PGC_SUSET, PGC_S_SESSION);
	char* sql = psprintf("INSERT INTO %s.crm_import_runs (import_id, run_xid, backend_pid, started_by, started_at, "
						 "progress_handle) VALUES ($1, $2::text::pg_catalog.xid8, $3, $4, $5, $6)",
						 quote_identifier(request.target.schema));
	Oid types[6] = {INT8OID, TEXTOID, INT4OID, OIDOID, TIMESTAMPTZOID, INT8OID};
	Datum values[6] = {Int64GetDatum(request.target.import_id),
					   CStringGetTextDatum(psprintf(UINT64_FORMAT, request.run_xid)),
					   Int32GetDatum(request.backend_pid), ObjectIdGetDatum(request.started_by),
					   TimestampTzGetDatum(request.started_at), Int64GetDatum(request.progress_handle)};
	if (SPI_execute_with_args(sql, 6, types, values, nullptr, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "crm_import run recorder: the insert failed");
	crm::pg::EndWorkerStep();
	proc_exit(0);
}
