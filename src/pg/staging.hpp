// Writes CSV records into an import's staging table the way COPY FROM does: slots buffered
// and flushed with table_multi_insert through a BulkInsertState, no executor, no SPI per row.
// A staged row is (record_no int4, line_no int8, nfields int4, c1 text, ..., cK text,
// extra text[]): one text column per field of the first record, like a COPY target, so a
// row costs what COPY's costs (short varlena headers, a null bitmap for missing fields);
// fields past K go to extra: the fields of a file wider than kMaxStagedColumns, and the
// further fields of a longer (ragged) record. The layout is defined here only
// (CreateTableSql); SQL reads it through crm_import_field_ref / crm_import_fields_expr.
#pragma once

#include "pg/boundary.hpp"

#include "core/csv_reader.hpp"

#include <string>

extern "C" {
#include "access/heapam.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

namespace crm::pg {

class StagingWriter {
public:
	// How many leading fields get a column of their own: as many as can never make a row
	// overflow a heap page, whatever their values (see MaxStagedColumns in staging.cpp).
	// ~298 with 8 kB pages; files up to that width (the benchmark file has 15 columns) keep
	// one column per field, wider ones put the rest into extra, one varlena that can be
	// compressed and TOASTed as a whole.
	static const size_t kMaxStagedColumns;

	// The staged columns for a file whose header record has nfields fields.
	static size_t StagedColumnsFor(size_t nfields);
	// CREATE UNLOGGED TABLE crm_import_staging.<table> with staged_columns field columns.
	static std::string CreateTableSql(const std::string& table, size_t staged_columns);

	StagingWriter(Oid relid, size_t staged_columns);
	~StagingWriter();
	StagingWriter(const StagingWriter&) = delete;
	StagingWriter& operator=(const StagingWriter&) = delete;

	// Buffers one record; flushes when the buffer holds 1000 rows or 64 kB of field data.
	void Add(const core::CsvRecord& record);
	// Flushes what is buffered and releases the relation. Call once, on success.
	void Finish();

private:
	static constexpr int kMaxBufferedRows = 1000;
	static constexpr size_t kMaxBufferedBytes = 65535;

	void Flush();
	void InsertBuffered();

	Relation rel_ = nullptr;
	BulkInsertState bistate_ = nullptr;
	TupleTableSlot* slots_[kMaxBufferedRows] = {};
	MemoryContext batch_context_ = nullptr;  // array datums of the buffered rows
	CommandId command_id_ = 0;
	size_t staged_columns_ = 0;
	int buffered_rows_ = 0;
	size_t buffered_bytes_ = 0;
	// The largest buffered row, named by an error that still refuses a row.
	uint64 largest_line_ = 0;
	size_t largest_fields_ = 0;
	size_t largest_bytes_ = 0;
	bool finished_ = false;
};

}  // namespace crm::pg
