// crm_import_bulk_insert(target regclass, columns text[], query text) RETURNS bigint
//
// INSERT INTO target (columns) query, written the way COPY writes: rows go to the heap in
// batches with table_multi_insert (one WAL record per page instead of one per row, a bulk
// insert buffer strategy), then into the indexes; defaults fill the columns not given and
// NOT NULL / CHECK constraints are checked. The run uses it for new contacts, list members
// and row results, where a plain INSERT ... SELECT cost 2-3x more.
//
// Whenever the direct path could skip something INSERT does (row or statement insert
// triggers, row-level security, stored generated columns, deferrable unique indexes, a
// partitioned or foreign target) it runs the plain INSERT instead, so the result is
// always what INSERT would give.
//
// No C++ object lives in this file's frames: it is PostgreSQL API code only, so a
// PostgreSQL error may longjmp through it (like crm_import_report_phase).
#include "pg/progress.hpp"
#include "pg/postgres.hpp"
#include "pg/slots.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_bulk_insert);
}

namespace {

constexpr int kBatchRows = 1000;

// Can rows go straight to the heap and indexes and still give what INSERT gives?
bool CanInsertDirectly(Relation rel)
{
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		return false;
	// Rules (CREATE RULE ... ON INSERT) rewrite the INSERT itself: only the rewriter applies them.
	if (rel->rd_rules != nullptr)
		return false;
	TriggerDesc* trig = rel->trigdesc;
	if (trig != nullptr &&
		(trig->trig_insert_before_row || trig->trig_insert_after_row || trig->trig_insert_instead_row ||
		 trig->trig_insert_before_statement || trig->trig_insert_after_statement || trig->trig_insert_new_table))
		return false;
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return false;
	TupleDesc desc = RelationGetDescr(rel);
	if (desc->constr != nullptr && desc->constr->has_generated_stored)
		return false;
	List* indexes = RelationGetIndexList(rel);
	ListCell* lc;
	bool deferrable = false;
	foreach (lc, indexes) {
		Relation index = index_open(lfirst_oid(lc), AccessShareLock);
		if (!index->rd_index->indimmediate)
			deferrable = true;
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	return !deferrable;
}

}  // namespace

extern "C" Datum crm_import_bulk_insert(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	Oid relid = PG_GETARG_OID(0);
	ArrayType* column_array = PG_GETARG_ARRAYTYPE_P(1);
	char* query = text_to_cstring(PG_GETARG_TEXT_PP(2));
	Datum* column_datums;
	bool* column_nulls;
	int ncolumns;
	deconstruct_array(column_array, TEXTOID, -1, false, TYPALIGN_INT, &column_datums, &column_nulls, &ncolumns);

	Relation rel = table_open(relid, RowExclusiveLock);
	AclResult acl = pg_class_aclcheck(relid, GetUserId(), ACL_INSERT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, get_relkind_objtype(rel->rd_rel->relkind), RelationGetRelationName(rel));
	TupleDesc rdesc = RelationGetDescr(rel);
	char* target = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel));

	// Column i of the query goes to attribute attnums[i]; the query is wrapped so every
	// value arrives as the attribute's exact type (a cast the planner drops when it is one).
	AttrNumber* attnums = static_cast<AttrNumber*>(palloc(sizeof(AttrNumber) * ncolumns));
	StringInfoData names, casts;
	initStringInfo(&names);
	initStringInfo(&casts);
	for (int i = 0; i < ncolumns; ++i) {
		if (column_nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("column names must not be NULL")));
		char* name = TextDatumGetCString(column_datums[i]);
		attnums[i] = attnameAttNum(rel, name, false);
		if (attnums[i] <= 0)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
							errmsg("column \"%s\" of relation \"%s\" does not exist", name, RelationGetRelationName(rel))));
		for (int j = 0; j < i; ++j) {
			if (attnums[j] == attnums[i])
				ereport(ERROR, (errcode(ERRCODE_DUPLICATE_COLUMN), errmsg("column \"%s\" given twice", name)));
		}
		Form_pg_attribute att = TupleDescAttr(rdesc, attnums[i] - 1);
		appendStringInfo(&names, "%s%s", i ? ", " : "", quote_identifier(name));
		appendStringInfo(&casts, "%sq.%s::%s", i ? ", " : "", quote_identifier(name),
						 format_type_with_typemod(att->atttypid, att->atttypmod));
	}
	bool direct = CanInsertDirectly(rel);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	uint64 inserted = 0;
	if (!direct) {
		char* sql = psprintf("INSERT INTO %s (%s) %s", target, names.data, query);
		// With rules the statement may become several, or none of them an INSERT.
		int rc = SPI_execute(sql, false, 0);
		if (rc < 0 || (rc != SPI_OK_INSERT && rel->rd_rules == nullptr))
			elog(ERROR, "bulk insert into %s failed", target);
		inserted = SPI_processed;
	} else {
		char* sql = psprintf("SELECT %s FROM (%s) q(%s)", casts.data, query, names.data);

		// An executor state for one result relation, as COPY FROM sets it up.
		EState* estate = CreateExecutorState();
		RangeTblEntry* rte = makeNode(RangeTblEntry);
		rte->rtekind = RTE_RELATION;
		rte->relid = relid;
		rte->relkind = rel->rd_rel->relkind;
		rte->rellockmode = RowExclusiveLock;
		rte->requiredPerms = ACL_INSERT;
		for (int i = 0; i < ncolumns; ++i)
			rte->insertedCols = bms_add_member(rte->insertedCols, attnums[i] - FirstLowInvalidHeapAttributeNumber);
		ExecInitRangeTable(estate, list_make1(rte));
		ResultRelInfo* rri = makeNode(ResultRelInfo);
		ExecInitResultRelation(estate, rri, 1);
		ExecOpenIndices(rri, false);
		ExprContext* econtext = GetPerTupleExprContext(estate);

		// Defaults of the attributes the query does not give.
		int natts = rdesc->natts;
		int* source = static_cast<int*>(palloc(sizeof(int) * natts));
		ExprState** defaults = static_cast<ExprState**>(palloc0(sizeof(ExprState*) * natts));
		for (int a = 0; a < natts; ++a)
			source[a] = -1;
		for (int i = 0; i < ncolumns; ++i)
			source[attnums[i] - 1] = i;
		for (int a = 0; a < natts; ++a) {
			Form_pg_attribute att = TupleDescAttr(rdesc, a);
			if (att->attisdropped || source[a] >= 0)
				continue;
			Node* expr = build_column_default(rel, a + 1);
			if (expr != nullptr)
				defaults[a] = ExecPrepareExpr(expression_planner(reinterpret_cast<Expr*>(expr)), estate);
		}

		CommandId cid = GetCurrentCommandId(true);
		BulkInsertState bistate = GetBulkInsertState();
		TupleTableSlot* slots[kBatchRows];
		TupleDesc slot_desc = crm::pg::BatchSlotDescriptor(rel);
		for (int s = 0; s < kBatchRows; ++s)
			slots[s] = crm::pg::MakeBatchSlot(rel, slot_desc);
		Portal portal = SPI_cursor_open_with_args(nullptr, sql, 0, nullptr, nullptr, nullptr, true, 0);
		Datum* qvalues = static_cast<Datum*>(palloc(sizeof(Datum) * ncolumns));
		bool* qnulls = static_cast<bool*>(palloc(sizeof(bool) * ncolumns));
		for (;;) {
			CHECK_FOR_INTERRUPTS();
			SPI_cursor_fetch(portal, true, kBatchRows);
			uint64 n = SPI_processed;
			if (n == 0)
				break;
			MemoryContext old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
			for (uint64 r = 0; r < n; ++r) {
				TupleTableSlot* slot = slots[r];
				ExecClearTuple(slot);
				heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, qvalues, qnulls);
				for (int a = 0; a < natts; ++a) {
					if (source[a] >= 0) {
						slot->tts_values[a] = qvalues[source[a]];
						slot->tts_isnull[a] = qnulls[source[a]];
					} else if (defaults[a] != nullptr) {
						slot->tts_values[a] = ExecEvalExpr(defaults[a], econtext, &slot->tts_isnull[a]);
					} else {
						slot->tts_values[a] = (Datum) 0;
						slot->tts_isnull[a] = true;
					}
				}
				ExecStoreVirtualTuple(slot);
				if (rdesc->constr != nullptr)
					ExecConstraints(rri, slot, estate);
			}
			MemoryContextSwitchTo(old);
			table_multi_insert(rel, slots, static_cast<int>(n), cid, 0, bistate);
			crm::pg::ProgressAddRows(static_cast<int64>(n));
			if (rri->ri_NumIndices > 0) {
				for (uint64 r = 0; r < n; ++r) {
					List* recheck = ExecInsertIndexTuples(rri, slots[r], estate, false, false, nullptr, NIL);
					list_free(recheck);
				}
			}
			inserted += n;
			SPI_freetuptable(SPI_tuptable);
			ResetPerTupleExprContext(estate);
		}
		SPI_cursor_close(portal);
		for (int s = 0; s < kBatchRows; ++s)
			ExecDropSingleTupleTableSlot(slots[s]);
		FreeBulkInsertState(bistate);
		table_finish_bulk_insert(rel, 0);
		ExecCloseResultRelations(estate);
		ExecCloseRangeTableRelations(estate);
		FreeExecutorState(estate);
	}
	SPI_finish();
	table_close(rel, NoLock);
	PG_RETURN_INT64(static_cast<int64>(inserted));
}
