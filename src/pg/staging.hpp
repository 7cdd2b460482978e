// Writes CSV records into an import's staging table the way COPY FROM does: slots buffered
// and flushed with table_multi_insert through a BulkInsertState, no executor, no SPI per row.
// A staged row is (record_no int4, line_no int8, nfields int4, c1 text, ..., cK text,
// extra text[]): one text column per field of the first record, like a COPY target, so a
// row costs what COPY's costs (short varlena headers, a null bitmap for missing fields);
// fields past K of a longer (ragged) record go to extra.
#pragma once

#include "pg/boundary.hpp"

#include "core/csv_reader.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

namespace crm::pg {

class StagingWriter {
public:
	// The first field columns of the table; tables can have at most 1600 columns.
	static constexpr size_t kMaxStagedColumns = 1500;

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

	Relation rel_ = nullptr;
	BulkInsertState bistate_ = nullptr;
	TupleTableSlot* slots_[kMaxBufferedRows] = {};
	MemoryContext batch_context_ = nullptr;  // array datums of the buffered rows
	CommandId command_id_ = 0;
	size_t staged_columns_ = 0;
	int buffered_rows_ = 0;
	size_t buffered_bytes_ = 0;
	bool finished_ = false;
};

}  // namespace crm::pg
