// crm_import_absorbed(row_no, line_no, names, VARIADIC values): the notes of rows absorbed
// by an earlier row of the file (issue 15). The run's merge aggregates the rows of each
// target with several rows in file order (crm_import_run_merge, merged_multi); this
// aggregate rides along in that same pass: for each field it keeps the last non-blank value
// so far, and a row whose non-blank value differs from it gets a note
//   first_name: 'Ola' replaced by 'Ole' (line 7)
// (field, the value replaced, the value that replaced it, the line of the row that won).
// The result is a text[] of pairs (row_no, note) for the rows with a note, NULL for a
// target without any. A window or a second pass over the plan table cost the 1M-row
// benchmark more than a second; this costs a comparison per value of the merged rows.
//
// Plain PostgreSQL code (no C++ object, no exception): like crm_import_last_sfunc, it needs
// no error boundary.
#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_absorbed_sfunc);
PG_FUNCTION_INFO_V1(crm_import_absorbed_final);
}

namespace {

constexpr int kFixedArgs = 4;  // state, row_no, line_no, names
constexpr int kCutChars = 100;  // as crm_import_cut

// What every group's state shares: the field names and value types of the call site,
// found once per query (fn_extra) rather than once per target with several rows (a
// hundred thousand syscache lookups on the 1M-row benchmark).
struct AbsorbedFields {
	int nfields;
	char** names;
	Oid* types;
	int16* typlen;
	bool* typbyval;
};

struct AbsorbedState {
	int nfields;
	char** names;
	Oid* types;
	int16* typlen;
	bool* typbyval;
	Datum* last;     // last non-blank value of each field (copied into the aggregate's context)
	bool* has_last;
	int nnotes;      // entries of notes: row_no, note, row_no, note, ...
	int capacity;
	Datum* notes;
};

// A value as a note shows it: consent as opted in / opted out, a date in ISO form (whatever
// DateStyle says), anything else quoted as a literal and cut to 100 characters.
void AppendValue(StringInfo out, Oid type, Datum value)
{
	if (type == BOOLOID) {
		appendStringInfoString(out, DatumGetBool(value) ? "opted in" : "opted out");
		return;
	}
	char* text;
	if (type == DATEOID) {
		DateADT date = DatumGetDateADT(value);
		if (DATE_NOT_FINITE(date)) {
			text = pstrdup(DATE_IS_NOBEGIN(date) ? "-infinity" : "infinity");
		} else {
			int year, month, day;
			j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
			text = psprintf("%04d-%02d-%02d", year, month, day);
		}
	} else {
		Oid output;
		bool varlena;
		getTypeOutputInfo(type, &output, &varlena);
		text = OidOutputFunctionCall(output, value);
	}
	int chars = pg_mbstrlen(text);
	if (chars > kCutChars) {
		int bytes = pg_mbcharcliplen(text, static_cast<int>(strlen(text)), kCutChars);
		text = psprintf("%.*s...", bytes, text);
	}
	appendStringInfoString(out, quote_literal_cstr(text));
}

bool SameValue(const AbsorbedState* s, int i, Datum value)
{
	if (s->typbyval[i] || s->typlen[i] != -1)
		return datumIsEqual(s->last[i], value, s->typbyval[i], s->typlen[i]);
	// Varlena: compare the bytes, whatever the header or compression of either copy.
	struct varlena* a = pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(s->last[i])));
	struct varlena* b = pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(value)));
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) && memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

}  // namespace

// Transition function (not strict: the first call has no state, and values may be NULL).
extern "C" Datum crm_import_absorbed_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("crm_import_absorbed_sfunc called in a non-aggregate context")));
	if (PG_NARGS() < kFixedArgs || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("crm_import_absorbed needs a row number, a line number and the field names")));
	AbsorbedState* s = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<AbsorbedState*>(PG_GETARG_POINTER(0));
	if (s == nullptr) {
		auto* fields = static_cast<AbsorbedFields*>(fcinfo->flinfo->fn_extra);
		if (fields == nullptr) {
			MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
			fields = static_cast<AbsorbedFields*>(palloc0(sizeof(AbsorbedFields)));
			fields->nfields = PG_NARGS() - kFixedArgs;
			Datum* name_values;
			bool* name_nulls;
			int nnames;
			deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), TEXTOID, -1, false, TYPALIGN_INT, &name_values, &name_nulls,
							  &nnames);
			if (nnames != fields->nfields)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("crm_import_absorbed got %d field names for %d values", nnames, fields->nfields)));
			fields->names = static_cast<char**>(palloc(sizeof(char*) * (fields->nfields + 1)));
			fields->types = static_cast<Oid*>(palloc(sizeof(Oid) * (fields->nfields + 1)));
			fields->typlen = static_cast<int16*>(palloc(sizeof(int16) * (fields->nfields + 1)));
			fields->typbyval = static_cast<bool*>(palloc(sizeof(bool) * (fields->nfields + 1)));
			for (int i = 0; i < fields->nfields; ++i) {
				fields->names[i] = name_nulls[i] ? pstrdup("?") : TextDatumGetCString(name_values[i]);
				fields->types[i] = get_fn_expr_argtype(fcinfo->flinfo, kFixedArgs + i);
				if (!OidIsValid(fields->types[i]))
					ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
									errmsg("crm_import_absorbed cannot tell the type of value %d", i + 1)));
				get_typlenbyval(fields->types[i], &fields->typlen[i], &fields->typbyval[i]);
			}
			MemoryContextSwitchTo(old);
			fcinfo->flinfo->fn_extra = fields;
		}
		MemoryContext old = MemoryContextSwitchTo(aggcontext);
		s = static_cast<AbsorbedState*>(palloc0(sizeof(AbsorbedState)));
		s->nfields = fields->nfields;
		s->names = fields->names;
		s->types = fields->types;
		s->typlen = fields->typlen;
		s->typbyval = fields->typbyval;
		s->last = static_cast<Datum*>(palloc0(sizeof(Datum) * (s->nfields + 1)));
		s->has_last = static_cast<bool*>(palloc0(sizeof(bool) * (s->nfields + 1)));
		MemoryContextSwitchTo(old);
	}
	int32 row_no = PG_GETARG_INT32(1);
	int64 line_no = PG_GETARG_INT64(2);
	StringInfoData note;
	note.data = nullptr;
	for (int i = 0; i < s->nfields; ++i) {
		if (PG_ARGISNULL(kFixedArgs + i))
			continue;  // a blank replaces nothing
		Datum value = PG_GETARG_DATUM(kFixedArgs + i);
		if (s->has_last[i] && SameValue(s, i, value))
			continue;
		if (s->has_last[i]) {
			if (note.data == nullptr)
				initStringInfo(&note);
			else
				appendStringInfoString(&note, "; ");
			appendStringInfo(&note, "%s: ", s->names[i]);
			AppendValue(&note, s->types[i], s->last[i]);
			appendStringInfoString(&note, " replaced by ");
			AppendValue(&note, s->types[i], value);
			appendStringInfo(&note, " (line " INT64_FORMAT ")", line_no);
		}
		MemoryContext old = MemoryContextSwitchTo(aggcontext);
		if (s->has_last[i] && !s->typbyval[i])
			pfree(DatumGetPointer(s->last[i]));
		s->last[i] = datumCopy(value, s->typbyval[i], s->typlen[i]);
		s->has_last[i] = true;
		MemoryContextSwitchTo(old);
	}
	if (note.data != nullptr) {
		MemoryContext old = MemoryContextSwitchTo(aggcontext);
		if (s->nnotes + 2 > s->capacity) {
			int capacity = s->capacity == 0 ? 8 : s->capacity * 2;
			s->notes = s->notes == nullptr ? static_cast<Datum*>(palloc(sizeof(Datum) * capacity))
										   : static_cast<Datum*>(repalloc(s->notes, sizeof(Datum) * capacity));
			s->capacity = capacity;
		}
		s->notes[s->nnotes++] = CStringGetTextDatum(psprintf("%d", row_no));
		s->notes[s->nnotes++] = CStringGetTextDatum(note.data);
		MemoryContextSwitchTo(old);
		pfree(note.data);
	}
	PG_RETURN_POINTER(s);
}

// Final function: the (row_no, note) pairs as a text[], or NULL when no row has a note.
extern "C" Datum crm_import_absorbed_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	const AbsorbedState* s = reinterpret_cast<const AbsorbedState*>(PG_GETARG_POINTER(0));
	if (s->nnotes == 0)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(construct_array(s->notes, s->nnotes, TEXTOID, -1, false, TYPALIGN_INT));
}
