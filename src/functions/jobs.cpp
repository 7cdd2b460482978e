// Background imports (crm_import_start): one dynamic background worker per started import.
//
// Why a worker per import, started from the session (RegisterDynamicBackgroundWorker): no
// shared_preload_libraries is needed, and a worker that dies takes only its import with it.
// The worker connects as the extension owner, waits for its import to be committed as
// queued and for a slot (crm_import.max_workers, in start order: crm_import_job_step), then
// runs crm_import_run as the import's owner — the current user at that call, so the run has
// the owner's rights and no more, exactly as if the owner had called it — and exits.
// C frames only: PostgreSQL calls, no C++ objects.
#include "pg/postgres.hpp"
#include "pg/workers.hpp"

#include <csignal>

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/wait_event.h"
}

namespace {

// A job needs no more than any import worker: whom to connect as, where, and its import.
using JobRequest = crm::pg::WorkerTarget;
static_assert(sizeof(JobRequest) <= BGW_EXTRALEN, "the request must fit in bgw_extra");

// Runs one statement with one bigint parameter in a transaction of its own; returns the
// first column of the first row as text (palloc'd in TopMemoryContext), or NULL.
char* RunStep(const char* sql, int64 import_id)
{
	char* result = nullptr;
	crm::pg::BeginWorkerStep(sql);
	Oid types[1] = {INT8OID};
	Datum values[1] = {Int64GetDatum(import_id)};
	if (SPI_execute_with_args(sql, 1, types, values, nullptr, false, 1) < 0)
		elog(ERROR, "crm_import job: \"%s\" failed", sql);
	if (SPI_processed > 0) {
		char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		if (value != nullptr)
			result = MemoryContextStrdup(TopMemoryContext, value);
	}
	crm::pg::EndWorkerStep();
	return result;
}

}  // namespace

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_launch_job);
PGDLLEXPORT void crm_import_job_main(Datum arg);
}

// crm_import_launch_job(import bigint) -> integer: the worker's pid, or NULL (with a NOTICE)
// when no background worker slot is free; the import then stays queued.
extern "C" Datum crm_import_launch_job(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	JobRequest request;
	crm::pg::SetWorkerTarget(&request, fcinfo, PG_GETARG_INT64(0));

	BackgroundWorkerHandle* handle;
	pid_t pid;
	if (!crm::pg::RegisterImportWorker("crm_import_job_main", "crm_import job", request.import_id, &request,
									   sizeof(request), &handle) ||
		WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED) {
		ereport(NOTICE,
				(errmsg("import %lld stays queued: no background worker could be started",
						(long long) request.import_id),
				 errdetail("Every one of max_worker_processes (%d) is in use.", max_worker_processes),
				 errhint("It starts when crm_import_start or crm_import_wait is called again and a slot is "
						 "free; raise max_worker_processes (server restart) if this happens often.")));
		PG_RETURN_NULL();
	}
	PG_RETURN_INT32(pid);
}

extern "C" void crm_import_job_main(Datum arg)
{
	JobRequest request;
	memcpy(&request, MyBgworkerEntry->bgw_extra, sizeof(request));
	crm::pg::ConnectWorker(request);
	pgstat_report_appname(psprintf("crm_import job %lld", (long long) request.import_id));
	const char* schema = quote_identifier(request.schema);

	// Wait until the import is committed as queued and a slot is ours (or it is gone:
	// rolled back, cancelled).
	char* step_sql = psprintf("SELECT %s.crm_import_job_step($1)", schema);
	for (;;) {
		char* step = RunStep(step_sql, request.import_id);
		if (step == nullptr || strcmp(step, "gone") == 0)
			proc_exit(0);
		if (strcmp(step, "go") == 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	// The run, as the role that started it (crm_import_start's current user, as COPY would
	// decide): crm_import_run's entry point records the current user. Not the import's owner:
	// an admin starting someone's import (the superuser's too) acts as the admin.
	Oid owner = InvalidOid;
	{
		char* owner_text = RunStep(
			psprintf("SELECT coalesce(queued_by, owner_id) FROM %s.crm_imports WHERE id = $1", schema),
			request.import_id);
		if (owner_text != nullptr)
			owner = (Oid) strtoul(owner_text, nullptr, 10);
	}
	char* run_sql = psprintf("SELECT %s.crm_import_run_as($1, $2)", schema);
	crm::pg::BeginWorkerStep(run_sql);
	Oid types[2] = {INT8OID, OIDOID};
	Datum values[2] = {Int64GetDatum(request.import_id), ObjectIdGetDatum(owner)};
	if (SPI_execute_with_args(run_sql, 2, types, values, nullptr, false, 0) < 0)
		elog(ERROR, "crm_import job: the run of import %lld failed to start", (long long) request.import_id);
	crm::pg::EndWorkerStep();
	proc_exit(0);
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_run_as);
PG_FUNCTION_INFO_V1(crm_import_process_exists);
}

// crm_import_process_exists(pid integer) -> boolean: kill(pid, 0) succeeds (a process of the
// server's user with that pid exists).
extern "C" Datum crm_import_process_exists(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	int pid = PG_GETARG_INT32(0);
	PG_RETURN_BOOL(pid > 0 && kill(pid, 0) == 0);
}

// crm_import_run_as(import bigint, role oid) -> void: in a job worker only, runs
// crm_import_run(import) with role (the one that started the job) as the current user
// (SECURITY_LOCAL_USERID_CHANGE, as a SECURITY DEFINER function of that role would), then
// restores the user.
extern "C" Datum crm_import_run_as(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	if (MyBgworkerEntry == nullptr || strcmp(MyBgworkerEntry->bgw_type, "crm_import job") != 0)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("crm_import_run_as runs only in a crm_import job worker")));
	int64 import_id = PG_GETARG_INT64(0);
	Oid owner = PG_GETARG_OID(1);
	Oid save_user;
	int save_context;
	GetUserIdAndSecContext(&save_user, &save_context);
	SetUserIdAndSecContext(owner, save_context | SECURITY_LOCAL_USERID_CHANGE);
	const char* schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	Oid types[1] = {INT8OID};
	Datum values[1] = {Int64GetDatum(import_id)};
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		SPI_execute_with_args(psprintf("SELECT * FROM %s.crm_import_run($1)", schema), 1, types, values, nullptr,
							  false, 0);
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_context);
	}
	PG_END_TRY();
	PG_RETURN_VOID();
}
