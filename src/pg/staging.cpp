// COPY-style staging of CSV records (see staging.hpp).
#include "pg/staging.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

#include <cstring>
#include <stdexcept>

namespace crm::pg {

StagingWriter::StagingWriter(Oid relid)
{
	Guard([&] {
		rel_ = table_open(relid, RowExclusiveLock);
		bistate_ = GetBulkInsertState();
		command_id_ = GetCurrentCommandId(true);
		batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "crm_import staging batch", ALLOCSET_DEFAULT_SIZES);
		for (int i = 0; i < kMaxBufferedRows; i++)
			slots_[i] = table_slot_create(rel_, NULL);
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
	// Build the text[] in one allocation: header, then each element with a 4-byte varlena
	// header, int-aligned, exactly as construct_array would lay it out.
	size_t nfields = rec->size();
	size_t data_bytes = 0;
	for (size_t i = 0; i < nfields; i++)
		data_bytes += INTALIGN(VARHDRSZ + rec->field(i).size());
	size_t total = ARR_OVERHEAD_NONULLS(1) + data_bytes;
	if (total > MaxAllocSize)
		throw std::length_error("record too large to stage");

	Guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		ArrayType* array = static_cast<ArrayType*>(palloc0(total));
		MemoryContextSwitchTo(old);
		SET_VARSIZE(array, total);
		array->ndim = 1;
		array->dataoffset = 0;
		array->elemtype = TEXTOID;
		ARR_DIMS(array)[0] = static_cast<int>(nfields);
		ARR_LBOUND(array)[0] = 1;
		char* p = ARR_DATA_PTR(array);
		for (size_t i = 0; i < nfields; i++) {
			std::string_view f = rec->field(i);
			SET_VARSIZE(p, VARHDRSZ + f.size());
			if (!f.empty())
				memcpy(VARDATA(p), f.data(), f.size());
			p += INTALIGN(VARHDRSZ + f.size());
		}
		ExecClearTuple(slot);
		slot->tts_values[0] = Int32GetDatum(static_cast<int32>(rec->record_no));
		slot->tts_values[1] = Int64GetDatum(static_cast<int64>(rec->line_no));
		slot->tts_values[2] = PointerGetDatum(array);
		slot->tts_isnull[0] = slot->tts_isnull[1] = slot->tts_isnull[2] = false;
		ExecStoreVirtualTuple(slot);
	});
	buffered_rows_++;
	buffered_bytes_ += total;
	if (buffered_rows_ == kMaxBufferedRows || buffered_bytes_ >= kMaxBufferedBytes)
		Flush();
}

void StagingWriter::Flush()
{
	if (buffered_rows_ == 0)
		return;
	Guard([&] {
		table_multi_insert(rel_, slots_, buffered_rows_, command_id_, TABLE_INSERT_SKIP_FSM, bistate_);
		for (int i = 0; i < buffered_rows_; i++)
			ExecClearTuple(slots_[i]);
		MemoryContextReset(batch_context_);
	});
	buffered_rows_ = 0;
	buffered_bytes_ = 0;
}

void StagingWriter::Finish()
{
	if (finished_)
		return;
	Flush();
	Guard([&] {
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
