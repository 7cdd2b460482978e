#include "pg/workers.hpp"

namespace crm::pg {

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
