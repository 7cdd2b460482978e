// A guarded, RAII view of SPI for C++ bodies: connect on construction, finish on normal
// destruction. On an exception the connection is left for transaction abort to clean up
// (AtEOXact_SPI), since PostgreSQL state must not be touched after a caught error.
#pragma once

#include "pg/boundary.hpp"

#include <exception>
#include <string>

extern "C" {
#include "executor/spi.h"
}

namespace crm::pg {

class SpiSession {
public:
	SpiSession();
	~SpiSession();
	SpiSession(const SpiSession&) = delete;
	SpiSession& operator=(const SpiSession&) = delete;

	// Runs sql with $n parameters; returns SPI_processed. types/values/nulls as SPI takes them
	// (nulls: ' ' not null, 'n' null; nullptr when none is null).
	uint64 Execute(const std::string& sql, int nargs = 0, Oid* types = nullptr, Datum* values = nullptr,
				   const char* nulls = nullptr, bool read_only = false);
	// Column col (1-based) of result row 0; *isnull set. Valid until the next Execute.
	Datum Value(int col, bool* isnull, uint64 row = 0) const;
	// Value(col) as int64, throwing when NULL is not expected.
	int64 Int64(int col, uint64 row = 0) const;

private:
	int uncaught_at_start_;
};

// The schema crm_import was created in, quoted for splicing into SQL ("public").
std::string ExtensionSchemaQuoted();

}  // namespace crm::pg
