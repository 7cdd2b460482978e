// Mapping suggestions (wizard steps 3-4): crm_import_suggest_fields runs core::SuggestMapping
// over an import's column names and sample values against the field catalog.
#include "pg/boundary.hpp"
#include "pg/text.hpp"

#include "core/error.hpp"
#include "core/suggest.hpp"

#include <string>
#include <vector>

extern "C" {
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_suggest_fields);
PG_FUNCTION_INFO_V1(crm_import_suggest_fields_checked);
}

namespace {

struct ArrayArg {
	Datum* elems = nullptr;
	bool* nulls = nullptr;
	int n = 0;
};

void Deconstruct(ArrayType* array, Oid type, ArrayArg* out)
{
	int16 len;
	bool byval;
	char align;
	get_typlenbyvalalign(type, &len, &byval, &align);
	deconstruct_array(array, type, len, byval, align, &out->elems, &out->nulls, &out->n);
}

std::string TextAt(const ArrayArg& a, int i)
{
	if (i >= a.n || a.nulls[i])
		return std::string();
	return std::string(crm::pg::VarView(reinterpret_cast<struct varlena*>(DatumGetPointer(a.elems[i]))));
}

// Both forms of crm_import_suggest_fields. checked: the 0.2.0 form, with region and
// date_order arguments and the columns applicable and reason; otherwise the 0.1.0 form (7 arguments, 4 columns),
// kept for its SQL object until ALTER EXTENSION UPDATE.
Datum SuggestFields(FunctionCallInfo fcinfo, bool checked)
{
	ArrayArg headers, samples, sample_no, names, labels, types, custom;
	Deconstruct(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, &headers);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, &samples);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(2), INT4OID, &sample_no);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(3), TEXTOID, &names);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(4), TEXTOID, &labels);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(5), TEXTOID, &types);
	Deconstruct(PG_GETARG_ARRAYTYPE_P(6), BOOLOID, &custom);
	crm::core::SuggestOptions options;
	std::string date_order;
	if (checked) {
		options.region = std::string(crm::pg::VarView(PG_GETARG_TEXT_PP(7)));
		date_order = std::string(crm::pg::VarView(PG_GETARG_TEXT_PP(8)));
		options.today = crm::pg::CurrentDate();
	}
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo* rsinfo = (ReturnSetInfo*) fcinfo->resultinfo;

	return crm::pg::RunEntry([&]() -> Datum {
		if (checked && !crm::core::ParseDateOrder(date_order, &options.date_order))
			throw crm::core::UserError("22023", "invalid date order \"" + date_order + "\"", "",
									   "Use 'DMY' (31.12.1990), 'MDY' (12/31/1990) or 'YMD' (1990-12-31).");
		std::vector<std::string> header_list;
		for (int i = 0; i < headers.n; i++)
			header_list.push_back(TextAt(headers, i));
		std::vector<std::vector<std::string>> sample_lists(header_list.size());
		for (int i = 0; i < samples.n && i < sample_no.n; i++) {
			int col = sample_no.nulls[i] ? 0 : DatumGetInt32(sample_no.elems[i]);
			if (col >= 1 && static_cast<size_t>(col) <= sample_lists.size())
				sample_lists[col - 1].push_back(TextAt(samples, i));
		}
		std::vector<crm::core::FieldInfo> catalog;
		for (int i = 0; i < names.n; i++)
			catalog.push_back({TextAt(names, i), TextAt(labels, i), TextAt(types, i),
							   i < custom.n && !custom.nulls[i] && DatumGetBool(custom.elems[i])});
		std::vector<crm::core::Suggestion> result =
			crm::core::SuggestMapping(header_list, sample_lists, catalog, options);
		for (size_t i = 0; i < result.size(); i++) {
			const crm::core::Suggestion* s = &result[i];
			text* field = s->field.empty() ? nullptr : crm::pg::MakeText(s->field);
			text* basis = crm::pg::MakeText(s->basis);
			text* reason = s->reason.empty() ? nullptr : crm::pg::MakeText(s->reason);
			crm::pg::Guard([&]() noexcept {
				Datum values[6] = {Int32GetDatum(static_cast<int32>(i + 1)), PointerGetDatum(field),
								   Float4GetDatum(s->confidence), PointerGetDatum(basis),
								   BoolGetDatum(s->applicable), PointerGetDatum(reason)};
				bool nulls[6] = {false, field == nullptr, field == nullptr, false, false, reason == nullptr};
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			});
		}
		return (Datum) 0;
	});
}

}  // namespace

// crm_import_suggest_fields(headers text[], samples text[], sample_no int[], names text[],
//   labels text[], types text[], custom bool[]) -> TABLE(column_no int, field text, confidence real, basis text)
extern "C" Datum crm_import_suggest_fields(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(7);
	return SuggestFields(fcinfo, false);
}

// crm_import_suggest_fields(headers, samples, sample_no, names, labels, types, custom,
//   region text, date_order text) -> TABLE(column_no int, field text, confidence real,
//   basis text, applicable boolean, reason text)
extern "C" Datum crm_import_suggest_fields_checked(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(9);
	return SuggestFields(fcinfo, true);
}
