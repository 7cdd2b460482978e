// Dynamic background workers of crm_import (the run recorder, the import jobs): registered
// from a session without shared_preload_libraries, never restarted, connected to a database,
// notifying the registering backend. C frames only.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace crm::pg {

// Registers worker function (a symbol of this library) of the given type, named
// "<type> for import <import_id>", with request (at most BGW_EXTRALEN bytes) as its
// bgw_extra. False when no worker slot is free.
bool RegisterImportWorker(const char* function, const char* type, int64 import_id, const void* request,
						  size_t request_size, BackgroundWorkerHandle** handle);

}  // namespace crm::pg
