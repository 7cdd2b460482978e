// Dynamic background workers of crm_import (the run recorder, the import jobs): registered
// from a session without shared_preload_libraries, never restarted, connected to a database
// as the extension owner, notifying the registering backend, running their SQL in steps of a
// transaction each. C frames only.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace crm::pg {

// What every import worker needs to connect and to find the extension's objects: the head of
// its request (bgw_extra), filled by the registering backend.
struct WorkerTarget {
	Oid database;
	Oid extension_owner;  // whom the worker connects as
	int64 import_id;
	char schema[NAMEDATALEN];  // the extension's schema (quote it)
};

// Fills target in a call of the SQL function of fcinfo, which runs as the extension owner and
// lives in the extension's schema.
void SetWorkerTarget(WorkerTarget* target, FunctionCallInfo fcinfo, int64 import_id);

// In the worker: unblocks signals and connects to target's database as the extension owner.
void ConnectWorker(const WorkerTarget& target);

// In the worker, one step in a transaction of its own: starts the transaction with a snapshot
// and SPI, and shows activity in pg_stat_activity; EndWorkerStep commits it and shows the
// worker idle. Errors end the worker (logged).
void BeginWorkerStep(const char* activity);
void EndWorkerStep();

// Registers worker function (a symbol of this library) of the given type, named
// "<type> for import <import_id>", with request (at most BGW_EXTRALEN bytes) as its
// bgw_extra. False when no worker slot is free.
bool RegisterImportWorker(const char* function, const char* type, int64 import_id, const void* request,
						  size_t request_size, BackgroundWorkerHandle** handle);

}  // namespace crm::pg
