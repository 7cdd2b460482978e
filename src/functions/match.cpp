// crm_import_plan_matches: the run's dedupe-in-file and match step (see
// src/core/match_plan.hpp for the rules). Reads the good rows' key values from the run's
// work table, offers the planner the contacts (one sequential pass, or one `= ANY` query
// per key when the file holds few values against many contacts), and writes every work row
// with its plan into the run's plan table.
#include "pg/progress.hpp"
#include "pg/boundary.hpp"
#include "pg/slots.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

#include "core/match_plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type_d.h"
#include "commands/sequence.h"
#include "executor/tuptable.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_plan_matches);
}

using crm::core::MatchPlanner;
using crm::pg::Guard;

namespace {

constexpr int kFetchRows = 10000;
constexpr size_t kValuesPerQuery = 1000000;  // bounds the key array (and its memory) per query

// A text Datum as a view; the value must be detoasted (PG_DETOAST_DATUM_PACKED).
std::string_view TextView(Datum d)
{
	return crm::pg::VarView(reinterpret_cast<const struct varlena*>(DatumGetPointer(d)));
}

// One fetched batch of a cursor, deformed into plain arrays (row-major, ncols per row).
struct Batch {
	uint64 rows = 0;
	Datum* values = nullptr;
	bool* nulls = nullptr;
};

// Fetches up to kFetchRows rows of portal into batch_context; text columns detoasted.
Batch FetchBatch(Portal portal, int ncols, MemoryContext batch_context)
{
	return Guard([&]() noexcept -> Batch {
		SPI_cursor_fetch(portal, true, kFetchRows);
		Batch b;
		b.rows = SPI_processed;
		MemoryContext old = MemoryContextSwitchTo(batch_context);
		b.values = static_cast<Datum*>(palloc(sizeof(Datum) * ncols * (b.rows + 1)));
		b.nulls = static_cast<bool*>(palloc(sizeof(bool) * ncols * (b.rows + 1)));
		TupleDesc desc = SPI_tuptable->tupdesc;
		for (uint64 r = 0; r < b.rows; ++r) {
			Datum* values = b.values + r * ncols;
			bool* nulls = b.nulls + r * ncols;
			heap_deform_tuple(SPI_tuptable->vals[r], desc, values, nulls);
			for (int c = 0; c < ncols; ++c) {
				if (!nulls[c] && TupleDescAttr(desc, c)->atttypid == TEXTOID)
					values[c] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(values[c]));
			}
		}
		MemoryContextSwitchTo(old);
		return b;
	});
}

// Reads an open cursor to its end, calling on_row(values, nulls) for each row (ncols
// columns, text detoasted; valid during the call only), then closes it.
template <typename OnRow>
void DrainCursor(Portal portal, int ncols, MemoryContext batch_context, OnRow&& on_row)
{
	for (;;) {
		crm::pg::CheckInterrupts();
		Batch b = FetchBatch(portal, ncols, batch_context);
		for (uint64 r = 0; r < b.rows; ++r)
			on_row(b.values + r * ncols, b.nulls + r * ncols);
		Guard([&]() noexcept {
			SPI_freetuptable(SPI_tuptable);
			MemoryContextReset(batch_context);
		});
		if (b.rows == 0)
			break;
	}
	Guard([&]() noexcept { SPI_cursor_close(portal); });
}

// Opens a cursor for a query without parameters.
Portal OpenCursor(const std::string& sql)
{
	const char* query = sql.c_str();
	return Guard([&]() noexcept { return SPI_cursor_open_with_args(nullptr, query, 0, nullptr, nullptr, nullptr, true, 0); });
}

// Runs sql (one text[] parameter, the values) as a cursor and calls on_row(id, key) for each
// (contact id, key value) row it returns.
template <typename OnRow>
void LookUp(const std::string& sql, const std::vector<std::string_view>& keys, MemoryContext batch_context,
			OnRow&& on_row)
{
	for (size_t start = 0; start < keys.size(); start += kValuesPerQuery) {
		size_t count = std::min(kValuesPerQuery, keys.size() - start);
		const std::string_view* first = keys.data() + start;
		const char* query = sql.c_str();
		Portal portal = Guard([&]() noexcept -> Portal {
			MemoryContext old = MemoryContextSwitchTo(batch_context);
			Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * count));
			for (size_t i = 0; i < count; ++i)
				elems[i] = PointerGetDatum(cstring_to_text_with_len(first[i].data(), static_cast<int>(first[i].size())));
			Datum array = PointerGetDatum(construct_array(elems, static_cast<int>(count), TEXTOID, -1, false, TYPALIGN_INT));
			MemoryContextSwitchTo(old);
			Oid type = TEXTARRAYOID;
			return SPI_cursor_open_with_args(nullptr, query, 1, &type, &array, nullptr, true, 0);
		});
		DrainCursor(portal, 2, batch_context, [&](const Datum* v, const bool* n) {
			if (!n[0] && !n[1])
				on_row(DatumGetInt64(v[0]), TextView(v[1]));
		});
	}
}

// A match key: a predefined key (email, mobile, system_id), a custom field of type text,
// email or phone (its value in the contacts' and the work rows' custom jsonb), or none ("").
//
// Custom keys (docs/steps/05-rules.md): the contacts' values are read into the planner
// like the predefined keys' -- the one sequential pass over the contacts reads
// custom ->> 'key' beside the id, or, for a file with few values, one `= ANY ($1)` query
// (PostgreSQL hashes the array: one pass too, or an index scan where the DBA created an
// index on that expression). No expression index is created on demand: CREATE INDEX would
// lock the contacts against every writer for as long as it takes to build over a million
// rows, and every later import would pay its random B-tree inserts (the reason only email
// is indexed). Values are compared as the import stores them (trimmed text, lower-case
// email, E.164 phone); an email key's contact side is lower-cased too, so a value written
// by hand in another case still matches.
struct Key {
	const char* name;         // "" for none
	bool custom;
	bool lower_case;          // custom email: compare the contacts' values lower-cased
	const char* literal;      // a custom key's name as an SQL literal

	bool none() const { return name[0] == '\0'; }
	// The contact's key value as text (the planner's values are text).
	std::string ContactValue() const
	{
		if (none())
			return "NULL::pg_catalog.text";
		if (strcmp(name, "system_id") == 0)
			return "c.id::pg_catalog.text";
		if (!custom)
			return std::string("c.") + name;
		std::string value = std::string("(c.custom OPERATOR(pg_catalog.->>) ") + literal + "::pg_catalog.text)";
		return lower_case ? "pg_catalog.lower" + value : value;
	}
	// The work row's key value as text (normalized by the run: the same forms).
	std::string WorkValue() const
	{
		if (none())
			return "NULL::pg_catalog.text";
		if (!custom)
			return std::string("w.") + name + "::pg_catalog.text";
		return std::string("(w.custom OPERATOR(pg_catalog.->>) ") + literal + "::pg_catalog.text)";
	}
	// The query giving (contact id, key value as text) for the contacts whose key is in $1.
	std::string Query(const std::string& contacts) const
	{
		std::string where = strcmp(name, "system_id") == 0 ? "c.id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[])"
														   : ContactValue() + " OPERATOR(pg_catalog.=) ANY ($1)";
		return "SELECT c.id, " + ContactValue() + " FROM " + contacts + " c WHERE " + where;
	}
};

// The key a rules setting names (plain PostgreSQL code: it may raise an ERROR); a custom
// field must exist in the crm_fields beside the contacts with type text, email or phone
// (crm_import_set_rules checks this for users, with the fields allowed).
Key ResolveKey(const char* name, Oid contacts)
{
	Key key{name, false, false, nullptr};
	if (key.none() || strcmp(name, "email") == 0 || strcmp(name, "mobile") == 0 || strcmp(name, "system_id") == 0)
		return key;
	key.custom = true;
	key.literal = quote_literal_cstr(name);
	char* type = nullptr;
	MemoryContext caller = CurrentMemoryContext;
	const char* sql = psprintf("SELECT f.type FROM %s.crm_fields f WHERE f.name OPERATOR(pg_catalog.=) $1 AND f.custom",
							   quote_identifier(get_namespace_name(get_rel_namespace(contacts))));
	Oid argtype = TEXTOID;
	Datum arg = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 1, &argtype, &arg, nullptr, true, 1) == SPI_OK_SELECT && SPI_processed == 1) {
		char* found = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		if (found != nullptr)
			type = MemoryContextStrdup(caller, found);
	}
	SPI_finish();
	if (type == nullptr || (strcmp(type, "text") != 0 && strcmp(type, "email") != 0 && strcmp(type, "phone") != 0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid match key \"%s\"", name),
						type == nullptr ? errdetail("It is neither a predefined key nor a custom field.")
										: errdetail("It is a custom field of type %s.", type),
						errhint("Use email, mobile, system_id, none (primary key only), or a custom field of type text, "
								"email or phone.")));
	key.lower_case = strcmp(type, "email") == 0;
	return key;
}

// pg_class.reltuples of a relation: its estimated row count, -1 when never analyzed.
double EstimatedRows(Oid relid)
{
	Relation rel = table_open(relid, AccessShareLock);
	double rows = rel->rd_rel->reltuples;
	table_close(rel, AccessShareLock);
	return rows;
}

}  // namespace

// crm_import_plan_matches(work regclass, target regclass, contacts regclass, primary_key text,
//                         secondary_key text, id_sequence regclass) RETURNS bigint
//
// Writes every row of work (the run's normalized rows, with a column named after each key
// field) into target, an empty table with
// work's columns followed by
//   unit int, tgt bigint, matched_by text, reject_reason text, lead_row int, n bigint,
//   contact_id bigint
// (NULL for rows normalization already rejected). contact_id: the matched contact, or for a
// new one the next value of id_sequence, taken in file order of the new contacts' first rows
// (NULL when id_sequence is NULL: a dry run). Writing the plan beside each row's values
// saves the later steps a join of two million-row tables. Returns the rows written.
extern "C" Datum crm_import_plan_matches(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(6);
	constexpr int kPlanColumns = 7;
	Oid work = PG_GETARG_OID(0);
	Oid target = PG_GETARG_OID(1);
	Oid contacts = PG_GETARG_OID(2);
	char* primary_key = PG_ARGISNULL(3) ? pstrdup("") : text_to_cstring(PG_GETARG_TEXT_PP(3));
	char* secondary_key = PG_ARGISNULL(4) ? pstrdup("") : text_to_cstring(PG_GETARG_TEXT_PP(4));
	Oid id_sequence = PG_ARGISNULL(5) ? InvalidOid : PG_GETARG_OID(5);
	if (strcmp(primary_key, "none") == 0)
		primary_key[0] = '\0';
	// Plain PostgreSQL code before the C++ body (RunEntry): an invalid key is an ERROR here.
	const Key pkey = ResolveKey(primary_key, contacts);
	const Key skey = ResolveKey(secondary_key, contacts);
	char* work_name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(work)), get_rel_name(work));
	char* contacts_name =
		quote_qualified_identifier(get_namespace_name(get_rel_namespace(contacts)), get_rel_name(contacts));
	double contacts_rows = EstimatedRows(contacts);

	// The target: work's columns, then the plan's. Only the run writes it (no index, trigger
	// or constraint to honour), so rows go straight to the heap.
	Relation rel = table_open(target, AccessExclusiveLock);
	AclResult acl = pg_class_aclcheck(target, GetUserId(), ACL_INSERT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, RelationGetRelationName(rel));
	Relation work_rel = table_open(work, AccessShareLock);
	int work_natts = RelationGetDescr(work_rel)->natts;
	double work_rows = work_rel->rd_rel->reltuples;
	AttrNumber row_no_att = attnameAttNum(work_rel, "row_no", false);
	table_close(work_rel, AccessShareLock);
	if (RelationGetDescr(rel)->natts != work_natts + kPlanColumns || row_no_att <= 0 ||
		rel->rd_rel->relkind != RELKIND_RELATION || RelationGetIndexList(rel) != NIL || rel->trigdesc != nullptr ||
		RelationGetNumberOfBlocks(rel) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("\"%s\" is not an empty plan table for \"%s\"", RelationGetRelationName(rel), work_name),
						errhint("Create it empty, without indexes or triggers: CREATE UNLOGGED TABLE t (LIKE work, unit integer, "
								"tgt bigint, matched_by text, reject_reason text, lead_row integer, n bigint, contact_id bigint).")));
	TupleTableSlot** slots = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * kFetchRows));
	TupleDesc slot_desc = crm::pg::BatchSlotDescriptor(rel);
	for (int i = 0; i < kFetchRows; ++i)
		slots[i] = crm::pg::MakeBatchSlot(rel, slot_desc);
	BulkInsertState bistate = GetBulkInsertState();
	CommandId cid = GetCurrentCommandId(true);
	MemoryContext batch_context = AllocSetContextCreate(CurrentMemoryContext, "crm_import match batch",
														ALLOCSET_DEFAULT_SIZES);
	int64 written = 0;

	crm::pg::RunEntry([&]() -> Datum {
		MatchPlanner planner(primary_key, secondary_key, work_rows > 0 ? static_cast<size_t>(work_rows) : 0);
		crm::pg::SpiSession spi;
		// The key values are the work table's columns of the predefined key fields (system_id
		// as text), or a custom key's value in its custom jsonb.
		std::string rows_sql = "SELECT w.row_no, " + pkey.WorkValue() + ", " + skey.WorkValue() +
							   " FROM " + work_name + " w WHERE w.reason IS NULL";
		DrainCursor(OpenCursor(rows_sql), 3, batch_context, [&](const Datum* v, const bool* n) {
			std::optional<std::string_view> pk, sk;
			if (!n[1])
				pk = TextView(v[1]);
			if (!n[2])
				sk = TextView(v[2]);
			planner.AddRow(DatumGetInt32(v[0]), pk, sk);
		});

		// Few values against many contacts: one query per key with the values as an array,
		// planned like any query (an index scan where the key is indexed). Otherwise one
		// sequential pass over the contacts offers every contact to both keys.
		size_t values = planner.distinct_values();
		if (contacts_rows >= 0 && static_cast<double>(values) * 4 < contacts_rows) {
			if (!pkey.none()) {
				LookUp(pkey.Query(contacts_name), planner.PrimaryValues(), batch_context,
					   [&](int64 id, std::string_view key) { planner.AddPrimaryMatch(key, id); });
			}
			if (!skey.none()) {
				LookUp(skey.Query(contacts_name), planner.SecondaryValues(), batch_context,
					   [&](int64 id, std::string_view key) { planner.AddSecondaryMatch(key, id); });
			}
		} else if (values > 0) {
			std::string scan_sql = "SELECT c.id, " + pkey.ContactValue() + ", " + skey.ContactValue() + " FROM " +
								   contacts_name + " c";
			DrainCursor(OpenCursor(scan_sql), 3, batch_context, [&](const Datum* v, const bool* n) {
				if (!n[1])
					planner.AddPrimaryMatch(TextView(v[1]), DatumGetInt64(v[0]));
				if (!n[2])
					planner.AddSecondaryMatch(TextView(v[2]), DatumGetInt64(v[0]));
			});
		}
		std::vector<MatchPlanner::RowPlan> plan = planner.Finish();

		// Contact ids, in row order: a new target is minus its first row, which comes first.
		int32_t max_row = plan.empty() ? 0 : plan.back().row_no;
		std::vector<int64> contact_ids(plan.size(), 0);
		std::vector<int64> new_ids(static_cast<size_t>(max_row) + 1, 0);
		std::vector<int32_t> plan_of_row(static_cast<size_t>(max_row) + 1, -1);
		for (size_t i = 0; i < plan.size(); ++i) {
			const MatchPlanner::RowPlan& p = plan[i];
			plan_of_row[p.row_no] = static_cast<int32_t>(i);
			if (p.target && *p.target > 0)
				contact_ids[i] = *p.target;
			else if (p.target && OidIsValid(id_sequence)) {
				int64 founder = -*p.target;
				if (p.row_no == founder) {
					crm::pg::CheckInterrupts();
					new_ids[founder] = Guard([&]() noexcept { return nextval_internal(id_sequence, true); });
				}
				contact_ids[i] = new_ids[founder];
			}
		}

		// Every work row with its plan, 10,000 rows per fetch and multi-insert.
		std::string all_sql = std::string("SELECT * FROM ") + work_name;
		Portal portal = OpenCursor(all_sql);
		const MatchPlanner::RowPlan* plans = plan.data();
		const int64* ids = contact_ids.data();
		const int32_t* index = plan_of_row.data();
		for (;;) {
			crm::pg::CheckInterrupts();
			uint64 n = Guard([&]() noexcept -> uint64 {
				SPI_cursor_fetch(portal, true, kFetchRows);
				uint64 rows = SPI_processed;
				MemoryContext old = MemoryContextSwitchTo(batch_context);
				for (uint64 r = 0; r < rows; ++r) {
					TupleTableSlot* slot = slots[r];
					ExecClearTuple(slot);
					heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, slot->tts_values, slot->tts_isnull);
					Datum* v = slot->tts_values + work_natts;
					bool* isnull = slot->tts_isnull + work_natts;
					for (int c = 0; c < kPlanColumns; ++c)
						isnull[c] = true;
					int32 row_no = DatumGetInt32(slot->tts_values[row_no_att - 1]);
					int32 at = (!slot->tts_isnull[row_no_att - 1] && row_no >= 0 && row_no <= max_row) ? index[row_no] : -1;
					if (at >= 0) {
						const MatchPlanner::RowPlan& p = plans[at];
						v[0] = Int32GetDatum(p.unit);
						isnull[0] = false;
						if (p.target) {
							v[1] = Int64GetDatum(*p.target);
							isnull[1] = false;
							v[4] = Int32GetDatum(p.lead_row);
							isnull[4] = false;
							v[5] = Int64GetDatum(p.rows_for_target);
							isnull[5] = false;
						}
						if (p.matched_by != nullptr) {
							v[2] = CStringGetTextDatum(p.matched_by);
							isnull[2] = false;
						}
						if (p.reject_reason != nullptr) {
							v[3] = PointerGetDatum(cstring_to_text_with_len(p.reject_reason->data(),
																			 static_cast<int>(p.reject_reason->size())));
							isnull[3] = false;
						}
						if (ids[at] != 0) {
							v[6] = Int64GetDatum(ids[at]);
							isnull[6] = false;
						}
					}
					ExecStoreVirtualTuple(slot);
				}
				MemoryContextSwitchTo(old);
				if (rows > 0)
					table_multi_insert(rel, slots, static_cast<int>(rows), cid, 0, bistate);
				crm::pg::ProgressAddRows(static_cast<int64>(rows));
				SPI_freetuptable(SPI_tuptable);
				MemoryContextReset(batch_context);
				return rows;
			});
			if (n == 0)
				break;
			written += static_cast<int64>(n);
		}
		Guard([&]() noexcept { SPI_cursor_close(portal); });
		return (Datum) 0;
	}, [&]() noexcept {
		// On every path. Every Guard above is entered in this call's context or SPI's
		// procedure context, never in batch_context, so the copy of a caught error is not in
		// the memory deleted here.
		MemoryContextDelete(batch_context);
	});
	for (int i = 0; i < kFetchRows; ++i)
		ExecDropSingleTupleTableSlot(slots[i]);
	FreeBulkInsertState(bistate);
	table_finish_bulk_insert(rel, 0);
	table_close(rel, NoLock);
	PG_RETURN_INT64(written);
}
