// COPY-style staging of CSV records (see staging.hpp).
#include "pg/staging.hpp"
#include "pg/slots.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/table.h"
#include "access/detoast.h"
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/error.hpp"

namespace crm::pg {

namespace {

// The bound behind kMaxStagedColumns. TOAST can shrink a row only by compressing or moving
// out of line values larger than MAXALIGN(TOAST_POINTER_SIZE) = 24 bytes (4-byte varlena
// header included; heaptoast.c, toast_tuple_find_biggest_attribute); a row of many short
// values cannot be TOASTed at all, hence "row is too big: size 9064" for 600 ordinary
// header names. After TOAST has done all it can, one text column takes at most
// kWorstColumnBytes in the tuple:
//   - a value of up to 24 bytes stays inline: up to 20 data bytes with a 1-byte header (21);
//   - a larger value compressed to 24 bytes or fewer stays inline, with its 4-byte header and
//     int alignment: 24 + 3 padding bytes (27);
//   - any other value leaves an 18-byte TOAST pointer (TOAST_POINTER_SIZE).
// The extra text[] column is one more such value. A row of K field columns then takes at most
//   MAXALIGN(SizeofHeapTupleHeader + BITMAPLEN(K + 4))      header and null bitmap
//   + 20                                                    record_no, padding, line_no, nfields
//   + kWorstColumnBytes * (K + 1)                           the fields and extra
// bytes, and K is the largest value for which that fits in MaxHeapTupleSize (8160 with 8 kB
// pages: K = 298).
constexpr size_t kWorstColumnBytes = 27;
static_assert(MAXALIGN(TOAST_POINTER_SIZE) + 3 == kWorstColumnBytes, "see the bound above");

constexpr size_t WorstRowBytes(size_t k)
{
	return MAXALIGN(SizeofHeapTupleHeader + BITMAPLEN(k + 4)) + 20 + kWorstColumnBytes * (k + 1);
}

constexpr size_t MaxStagedColumns()
{
	size_t k = 1;
	while (WorstRowBytes(k + 1) <= MaxHeapTupleSize)
		k++;
	return k;
}

}  // namespace

const size_t StagingWriter::kMaxStagedColumns = MaxStagedColumns();
static_assert(MaxStagedColumns() >= 100 && MaxStagedColumns() < MaxTupleAttributeNumber - 4,
			  "every file of up to 100 columns keeps one column per field");

size_t StagingWriter::StagedColumnsFor(size_t nfields)
{
	return std::min(nfields, kMaxStagedColumns);
}

std::string StagingWriter::CreateTableSql(const std::string& table, size_t staged_columns)
{
	std::string ddl = "CREATE UNLOGGED TABLE crm_import_staging." + table +
					  " (record_no integer NOT NULL, line_no bigint NOT NULL, nfields integer NOT NULL";
	for (size_t i = 1; i <= staged_columns; i++)
		ddl += ", c" + std::to_string(i) + " text";
	ddl += ", extra text[]) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false)";
	return ddl;
}

StagingWriter::StagingWriter(Oid relid, size_t staged_columns) : staged_columns_(staged_columns)
{
	Guard([&]() noexcept {
		rel_ = table_open(relid, RowExclusiveLock);
		bistate_ = GetBulkInsertState();
		command_id_ = GetCurrentCommandId(true);
		batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "crm_import staging batch", ALLOCSET_DEFAULT_SIZES);
		TupleDesc slot_desc = BatchSlotDescriptor(rel_);
		for (int i = 0; i < kMaxBufferedRows; i++)
			slots_[i] = MakeBatchSlot(rel_, slot_desc);
	});
}

StagingWriter::~StagingWriter()
{
	// On the error path transaction abort releases the relation, buffer pins and memory;
	// touching them here after a PostgreSQL error would be unsafe.
}

void StagingWriter::Add(const core::CsvRecord& record)
{
	const core::CsvRecord* rec = &record;
	TupleTableSlot* slot = slots_[buffered_rows_];
	size_t nfields = rec->size();
	size_t in_columns = std::min(nfields, staged_columns_);
	// One allocation per row: the text values of the field columns, then the extra array.
	size_t column_bytes = 0;
	for (size_t i = 0; i < in_columns; i++)
		column_bytes += INTALIGN(VARHDRSZ + rec->field(i).size());
	size_t extra_bytes = 0;
	if (nfields > staged_columns_) {
		extra_bytes = ARR_OVERHEAD_NONULLS(1);
		for (size_t i = staged_columns_; i < nfields; i++)
			extra_bytes += INTALIGN(VARHDRSZ + rec->field(i).size());
	}
	size_t total = column_bytes + extra_bytes;
	if (total > MaxAllocSize)
		throw std::length_error("record too large to stage");

	Guard([&]() noexcept {
		char* block = static_cast<char*>(MemoryContextAlloc(batch_context_, total > 0 ? total : 1));
		ExecClearTuple(slot);
		Datum* values = slot->tts_values;
		bool* isnull = slot->tts_isnull;
		values[0] = Int32GetDatum(static_cast<int32>(rec->record_no));
		values[1] = Int64GetDatum(static_cast<int64>(rec->line_no));
		values[2] = Int32GetDatum(static_cast<int32>(nfields));
		isnull[0] = isnull[1] = isnull[2] = false;
		char* p = block;
		for (size_t i = 0; i < staged_columns_; i++) {
			if (i < nfields) {
				std::string_view f = rec->field(i);
				SET_VARSIZE(p, VARHDRSZ + f.size());
				if (!f.empty())
					memcpy(VARDATA(p), f.data(), f.size());
				values[3 + i] = PointerGetDatum(p);
				isnull[3 + i] = false;
				p += INTALIGN(VARHDRSZ + f.size());
			} else {
				values[3 + i] = (Datum) 0;
				isnull[3 + i] = true;  // a short (ragged) record: nfields says how many it had
			}
		}
		size_t extra_column = 3 + staged_columns_;
		if (extra_bytes > 0) {
			// text[] laid out as construct_array would: 4-byte headers, int alignment.
			ArrayType* array = reinterpret_cast<ArrayType*>(p);
			memset(array, 0, ARR_OVERHEAD_NONULLS(1));
			SET_VARSIZE(array, extra_bytes);
			array->ndim = 1;
			array->dataoffset = 0;
			array->elemtype = TEXTOID;
			ARR_DIMS(array)[0] = static_cast<int>(nfields - staged_columns_);
			ARR_LBOUND(array)[0] = 1;
			char* e = ARR_DATA_PTR(array);
			for (size_t i = staged_columns_; i < nfields; i++) {
				std::string_view f = rec->field(i);
				size_t len = INTALIGN(VARHDRSZ + f.size());
				memset(e, 0, len);
				SET_VARSIZE(e, VARHDRSZ + f.size());
				if (!f.empty())
					memcpy(VARDATA(e), f.data(), f.size());
				e += len;
			}
			values[extra_column] = PointerGetDatum(array);
			isnull[extra_column] = false;
		} else {
			values[extra_column] = (Datum) 0;
			isnull[extra_column] = true;
		}
		ExecStoreVirtualTuple(slot);
	});
	buffered_rows_++;
	buffered_bytes_ += total;
	if (total + nfields >= largest_bytes_) {
		largest_bytes_ = total + nfields;
		largest_line_ = rec->line_no;
		largest_fields_ = nfields;
	}
	if (buffered_rows_ == kMaxBufferedRows || buffered_bytes_ >= kMaxBufferedBytes)
		Flush();
}

void StagingWriter::Flush()
{
	if (buffered_rows_ == 0)
		return;
	try {
		InsertBuffered();
	} catch (const PgError& e) {
		// The bound above keeps every row within a page; should a row still be refused (a
		// server built with another page size, a TOAST table gone), say which one.
		if (e.data()->sqlerrcode != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			throw;
		std::string message = e.data()->message != nullptr ? e.data()->message : "row is too big";
		throw core::UserError(core::sqlstate::kProgramLimitExceeded,
							  "line " + std::to_string(largest_line_) + " could not be staged: " + message,
							  "The line has " + std::to_string(largest_fields_) + " fields; " +
								  std::to_string(staged_columns_) + " are staged in columns of their own.",
							  "Check that the delimiter is right (crm_import_upload(..., delimiter => ...)); "
							  "if the line is right, split the file into fewer columns.");
	}
	buffered_rows_ = 0;
	buffered_bytes_ = 0;
	largest_bytes_ = 0;
}

void StagingWriter::InsertBuffered()
{
	Guard([&]() noexcept {
		// heap_multi_insert allocates per call (its tuple array, toasted copies) in the current
		// context: run it in the batch context, reset right after, as COPY does with its
		// per-tuple context. Otherwise a 1 GB upload kept ~100 MB of such arrays.
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		table_multi_insert(rel_, slots_, buffered_rows_, command_id_, TABLE_INSERT_SKIP_FSM, bistate_);
		MemoryContextSwitchTo(old);
		for (int i = 0; i < buffered_rows_; i++)
			ExecClearTuple(slots_[i]);
		MemoryContextReset(batch_context_);
	});
}

void StagingWriter::Finish()
{
	if (finished_)
		return;
	Flush();
	Guard([&]() noexcept {
		for (int i = 0; i < kMaxBufferedRows; i++)
			ExecDropSingleTupleTableSlot(slots_[i]);
		table_finish_bulk_insert(rel_, TABLE_INSERT_SKIP_FSM);
		FreeBulkInsertState(bistate_);
		table_close(rel_, NoLock);
		MemoryContextDelete(batch_context_);
	});
	finished_ = true;
}

}  // namespace crm::pg
