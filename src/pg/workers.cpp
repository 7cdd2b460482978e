#include "pg/workers.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace crm::pg {

void SetWorkerTarget(WorkerTarget* target, FunctionCallInfo fcinfo, int64 import_id)
{
	memset(target, 0, sizeof(*target));
	target->database = MyDatabaseId;
	target->extension_owner = GetUserId();  // the implementation runs as the extension owner
	target->import_id = import_id;
	// The calling function lives in the extension's schema, beside its tables and functions.
	strlcpy(target->schema, get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)), NAMEDATALEN);
}

void ConnectWorker(const WorkerTarget& target)
{
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(target.database, target.extension_owner, 0);
}

void BeginWorkerStep(const char* activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

void EndWorkerStep()
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, nullptr);
}

bool RegisterImportWorker(const char* function, const char* type, int64 import_id, const void* request,
						  size_t request_size, BackgroundWorkerHandle** handle)
{
	Assert(request_size <= BGW_EXTRALEN);
	BackgroundWorker worker;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "crm_import", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, function, BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s for import %lld", type, (long long) import_id);
	strlcpy(worker.bgw_type, type, BGW_MAXLEN);
	worker.bgw_notify_pid = MyProcPid;
	memcpy(worker.bgw_extra, request, request_size);
	return RegisterDynamicBackgroundWorker(&worker, handle);
}

}  // namespace crm::pg
