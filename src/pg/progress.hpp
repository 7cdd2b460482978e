// Run progress published in shared memory, so any session can read a run's phase and rows
// while its transaction (which no other session sees) is in progress.
//
// A run creates a small dynamic shared memory segment (ProgressBegin, from
// crm_import_progress_begin) whose handle is committed with the run's record in
// crm_import_runs; readers attach by handle (crm_import_progress_read). The run's C code adds
// rows as it streams them (ProgressAddRows: the writers and the match planner); the phase
// changes between the run's statements.
#pragma once

#include "pg/postgres.hpp"

namespace crm::pg {

// Rows processed in the current phase; no-op when this backend runs no import. Cheap: call
// it per batch, not per row.
void ProgressAddRows(int64 rows);

}  // namespace crm::pg
