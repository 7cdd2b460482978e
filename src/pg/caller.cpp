#include "pg/caller.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "utils/acl.h"
}

namespace crm::pg {

// Defined in src/functions/entry.cpp: the caller recorded by the innermost wizard call, or
// InvalidOid outside any.
Oid EntryCaller();

static void RefuseSecurityRestricted()
{
	if (InSecurityRestrictedOperation())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("crm_import cannot be used inside a security-restricted operation"),
				 errdetail("Maintenance commands (ANALYZE, VACUUM, CREATE INDEX, REINDEX, CLUSTER, REFRESH "
						   "MATERIALIZED VIEW) and autovacuum run index and view expressions as the table owner "
						   "on behalf of another role; crm_import refuses to act for either."),
				 errhint("Call crm_import functions directly, not from index expressions, materialized views "
						 "or other code that maintenance commands run.")));
}

Oid CallerId()
{
	Oid caller = EntryCaller();
	if (OidIsValid(caller))
		return caller;
	RefuseSecurityRestricted();
	return GetUserId();
}

void RequireEntry()
{
	if (!OidIsValid(EntryCaller()))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("this crm_import function must be called through its wizard entry point"),
				 errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION crm_import "
						 "UPDATE.")));
}

bool CallerIsAdmin()
{
	Oid caller = CallerId();
	if (superuser_arg(caller))
		return true;
	Oid admin = get_role_oid("crm_import_admin", true);
	return OidIsValid(admin) && has_privs_of_role(caller, admin);
}

}  // namespace crm::pg
