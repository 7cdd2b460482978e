// The one way C++ in src/pg and src/functions includes PostgreSQL's C headers.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

// First statement of every SQL entry point: the number of arguments its C code reads must be
// the number the SQL definition passes. A library newer than the extension's SQL objects
// (installed without ALTER EXTENSION ... UPDATE) would otherwise read arguments that were
// never passed and crash the backend. Nothing with a destructor exists yet where it is used,
// so the ereport may longjmp.
#define CRM_REQUIRE_NARGS(n)                                                                              \
	do {                                                                                                  \
		if (unlikely(PG_NARGS() != (n)))                                                                  \
			ereport(ERROR,                                                                                \
					(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),                              \
					 errmsg("%s was called with %d arguments; this crm_import library expects %d", __func__, \
							PG_NARGS(), (n)),                                                              \
					 errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION "  \
							 "crm_import UPDATE, or drop and create the extension again.")));             \
	} while (0)
