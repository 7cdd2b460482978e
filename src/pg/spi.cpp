// SPI for C++ bodies (see spi.hpp).
#include "pg/spi.hpp"

#include "core/error.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace crm::pg {

SpiSession::SpiSession() : uncaught_at_start_(std::uncaught_exceptions())
{
	int rc = Guard([]() noexcept { return SPI_connect(); });
	if (rc != SPI_OK_CONNECT)
		throw std::runtime_error("SPI_connect failed");
}

SpiSession::~SpiSession()
{
	if (std::uncaught_exceptions() > uncaught_at_start_)
		return;  // unwinding: abort cleans up SPI
	// Not guarded, and need not be: SPI_finish reports failure by its result and raises
	// nothing (a Guard here could throw out of a destructor: std::terminate).
	SPI_finish();
}

uint64 SpiSession::Execute(const std::string& sql, int nargs, Oid* types, Datum* values, const char* nulls,
						   bool read_only)
{
	const char* query = sql.c_str();
	int rc = Guard([&]() noexcept {
		return nargs == 0 ? SPI_execute(query, read_only, 0)
						  : SPI_execute_with_args(query, nargs, types, values, nulls, read_only, 0);
	});
	if (rc < 0)
		throw std::runtime_error("SPI failed (" + std::to_string(rc) + ") for: " + sql.substr(0, 200));
	return SPI_processed;
}

Datum SpiSession::Value(int col, bool* isnull, uint64 row) const
{
	if (SPI_tuptable == nullptr || row >= SPI_processed)
		throw std::runtime_error("SPI result has no row " + std::to_string(row));
	HeapTuple tuple = SPI_tuptable->vals[row];
	TupleDesc desc = SPI_tuptable->tupdesc;
	return Guard([&]() noexcept { return SPI_getbinval(tuple, desc, col, isnull); });
}

int64 SpiSession::Int64(int col, uint64 row) const
{
	bool isnull = false;
	Datum d = Value(col, &isnull, row);
	if (isnull)
		throw std::runtime_error("unexpected NULL in SPI result");
	return DatumGetInt64(d);
}

std::string ExtensionSchemaQuoted()
{
	// get_extension_schema is not exported before PostgreSQL 16: read pg_extension directly.
	const char* quoted = Guard([]() noexcept {
		Oid nsp = InvalidOid;
		Relation rel = table_open(ExtensionRelationId, AccessShareLock);
		ScanKeyData key;
		ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("crm_import"));
		SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
		HeapTuple tuple = systable_getnext(scan);
		if (HeapTupleIsValid(tuple))
			nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		if (!OidIsValid(nsp))
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("extension crm_import is not installed")));
		return quote_identifier(get_namespace_name(nsp));
	});
	return std::string(quoted);
}

}  // namespace crm::pg
