// crm_import_entry: the one C entry point behind every wizard function.
//
// Why: wizard functions must act for the current user at the call, exactly as COPY does,
// while their implementation needs the extension owner's rights (SECURITY DEFINER) to touch
// the extension's tables. Inside a SECURITY DEFINER function the caller's identity is gone
// (GetUserId() is the owner; GetOuterUserId() is the session's SET ROLE, which is wrong
// inside another role's SECURITY DEFINER function and inside maintenance commands). So each
// wizard function is declared LANGUAGE C with this symbol (SECURITY INVOKER): it records
// GetUserId() — the caller as COPY would see it — refuses to run inside a security-restricted
// operation, and calls the implementation of the same name and argument types in schema
// crm_import_internal (SECURITY DEFINER, executable by nobody else), passing the arguments,
// the result set info and the collation through unchanged. A wizard function called from
// inside another one's implementation (running as the owner) acts for the same caller.
#include "pg/caller.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"

#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace {

struct EntryFrame {
	Oid caller;    // the role the call acts for
	Oid definer;   // the role the implementation runs as (its owner)
	Oid function;  // the wizard function called (its entry point)
};

// Wizard calls nest only a few levels (crm_import -> upload, apply profile, run).
constexpr int kMaxEntryDepth = 32;
EntryFrame entry_stack[kMaxEntryDepth];
int entry_depth = 0;

struct EntryTarget {
	FmgrInfo flinfo;  // the implementation in crm_import_internal
	Oid definer;
};

// Finds crm_import_internal.<name>(<same argument types>) for the SQL function being called.
EntryTarget* LookupTarget(FunctionCallInfo fcinfo)
{
	Oid self = fcinfo->flinfo->fn_oid;
	HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(self));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", self);
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);
	// By catalog lookup, not LookupFuncName: the caller has no USAGE on crm_import_internal,
	// and needs none (the implementation is called here, not by the caller's query).
	NameData proname;
	namestrcpy(&proname, NameStr(proc->proname));
	oidvector* argtypes = buildoidvector(proc->proargtypes.values, proc->pronargs);
	ReleaseSysCache(tuple);

	Oid internal = get_namespace_oid("crm_import_internal", true);
	Oid target = OidIsValid(internal)
					 ? GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, NameGetDatum(&proname),
									   PointerGetDatum(argtypes), ObjectIdGetDatum(internal))
					 : InvalidOid;
	if (!OidIsValid(target))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
						errmsg("the implementation of %s is missing", format_procedure(self)),
						errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION "
								"crm_import UPDATE, or drop and create the extension again.")));
	EntryTarget* entry = (EntryTarget*) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EntryTarget));
	fmgr_info_cxt(target, &entry->flinfo, fcinfo->flinfo->fn_mcxt);
	entry->flinfo.fn_expr = fcinfo->flinfo->fn_expr;
	HeapTuple target_tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(target));
	if (!HeapTupleIsValid(target_tuple))
		elog(ERROR, "cache lookup failed for function %u", target);
	entry->definer = ((Form_pg_proc) GETSTRUCT(target_tuple))->proowner;
	ReleaseSysCache(target_tuple);
	return entry;
}

}  // namespace

namespace crm::pg {
Oid EntryCaller()
{
	return entry_depth > 0 ? entry_stack[entry_depth - 1].caller : InvalidOid;
}

Oid EntryOutermostFunction()
{
	return entry_depth > 0 ? entry_stack[0].function : InvalidOid;
}
}  // namespace crm::pg

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_entry);
}

// C frame only (PG_TRY): nothing here has a destructor.
extern "C" Datum crm_import_entry(PG_FUNCTION_ARGS)
{
	EntryTarget* target = (EntryTarget*) fcinfo->flinfo->fn_extra;
	if (target == nullptr) {
		target = LookupTarget(fcinfo);
		fcinfo->flinfo->fn_extra = target;
	}

	Oid current = GetUserId();
	Oid caller;
	if (entry_depth > 0 && current == entry_stack[entry_depth - 1].definer) {
		// Called by an implementation, running as the owner: same caller.
		caller = entry_stack[entry_depth - 1].caller;
	} else {
		if (InSecurityRestrictedOperation())
			(void) crm::pg::CallerId();  // raises the explanation
		caller = current;
	}
	if (entry_depth >= kMaxEntryDepth)
		ereport(ERROR, (errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
						errmsg("crm_import functions are nested more than %d deep", kMaxEntryDepth)));

	int nargs = PG_NARGS();
	FunctionCallInfo call = (FunctionCallInfo) palloc(SizeForFunctionCallInfo(nargs));
	InitFunctionCallInfoData(*call, &target->flinfo, nargs, fcinfo->fncollation, fcinfo->context,
							 fcinfo->resultinfo);
	for (int i = 0; i < nargs; i++)
		call->args[i] = fcinfo->args[i];

	int depth = entry_depth;
	entry_stack[depth].caller = caller;
	entry_stack[depth].definer = target->definer;
	entry_stack[depth].function = fcinfo->flinfo->fn_oid;
	entry_depth = depth + 1;
	Datum result;
	PG_TRY();
	{
		result = FunctionCallInvoke(call);
	}
	PG_FINALLY();
	{
		entry_depth = depth;
	}
	PG_END_TRY();
	fcinfo->isnull = call->isnull;
	pfree(call);
	return result;
}
