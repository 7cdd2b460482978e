// Who a crm_import call acts for, decided as COPY decides it: the current user at the wizard
// call (GetUserId() where the SQL entry point was called), not the extension owner the
// implementation runs as, and not the session's outer user.
//
// Every wizard function is a C entry point (crm_import_entry, src/functions/entry.cpp) that
// records the caller on a small stack, then calls its implementation in the schema
// crm_import_internal, which runs as the extension owner (SECURITY DEFINER). Code running
// inside an implementation asks CallerId() for the role it acts for.
#pragma once

#include "pg/postgres.hpp"

namespace crm::pg {

// The role this call acts for: the innermost wizard call's caller, or GetUserId() outside
// any wizard call (the monitoring views run as the querying role). Raises 42501 inside a
// security-restricted operation (index expressions run by ANALYZE, VACUUM, CREATE INDEX,
// REFRESH MATERIALIZED VIEW as the table owner, with a superuser as the outer user): no
// crm_import code acts there. PostgreSQL errors are raised directly: call from C frames or
// inside Guard.
Oid CallerId();

// The wizard function the user called (the outermost wizard call: crm_import when the
// one-call import runs an upload), or InvalidOid outside any wizard call. Defined in
// src/functions/entry.cpp.
Oid EntryOutermostFunction();

// True when the caller is a superuser or has the privileges of crm_import_admin.
bool CallerIsAdmin();

// Raises unless called inside a wizard call (crm_import_entry). For implementations that
// decide privileges (the uploads): called any other way — by the SQL objects of an older
// version still installed with this library — they cannot know their caller.
void RequireEntry();

}  // namespace crm::pg
