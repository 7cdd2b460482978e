// Tuple slots for batched inserts (table_multi_insert) into one relation.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "access/tableam.h"
#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

namespace crm::pg {

// One copy of rel's tuple descriptor for all the batch's slots, made in the current memory
// context. Slots made on the relation's own (reference-counted) descriptor each pin it in
// the resource owner, which looks the one repeated pointer up in a hash that degrades with
// every pin: 10,000 slots cost ~50 ms per call, a fifth of a 10,000-row run. The copy is
// not reference counted; it has the same attributes, so tuples formed from it are the
// relation's (constraints and defaults, which it lacks, are checked and filled from the
// relation itself).
inline TupleDesc BatchSlotDescriptor(Relation rel)
{
	return CreateTupleDescCopy(RelationGetDescr(rel));
}

// A slot of rel's own kind on the shared descriptor; drop it with
// ExecDropSingleTupleTableSlot before the descriptor's memory goes.
inline TupleTableSlot* MakeBatchSlot(Relation rel, TupleDesc shared)
{
	return MakeSingleTupleTableSlot(shared, table_slot_callbacks(rel));
}

}  // namespace crm::pg
