// Value normalizers as SQL functions, called set-based by crm_import_run's generated SQL
// (one call per value, like lower() or a cast). Invalid input gives NULL from the
// crm_import_norm_* functions; crm_import_problem says why, for the row's reject reason.
#include "pg/boundary.hpp"
#include "pg/text.hpp"

#include "core/normalize.hpp"

#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_norm_email);
PG_FUNCTION_INFO_V1(crm_import_norm_phone);
PG_FUNCTION_INFO_V1(crm_import_norm_date);
PG_FUNCTION_INFO_V1(crm_import_norm_number);
PG_FUNCTION_INFO_V1(crm_import_norm_boolean);
PG_FUNCTION_INFO_V1(crm_import_norm_consent);
PG_FUNCTION_INFO_V1(crm_import_problem);
}

using crm::core::Normalized;
using crm::pg::RunEntry;
using crm::pg::VarView;

namespace {

// Returns the normalized text, or NULL (Datum 0 with *isnull) when the value does not parse.
template <typename Fn>
Datum TextResult(FunctionCallInfo fcinfo, Fn&& normalize)
{
	text* result = nullptr;
	RunEntry([&]() -> Datum {
		Normalized n = normalize();
		if (n.ok)
			result = crm::pg::MakeText(n.value);
		return (Datum) 0;
	});
	if (result == nullptr)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

// Consent terms parsed once per call site when the term arrays are constants (as in the
// run's generated SQL); otherwise parsed on every call. The parsed terms are a C++ object on
// the heap, owned by the call site: a reset callback of fn_mcxt (the memory the FmgrInfo lives
// in, the query's for a query expression) deletes them when that memory goes, so they live
// as long as the query, not as long as the backend.
struct ConsentCache {
	crm::core::ConsentTerms* terms;
	MemoryContextCallback free_terms;
};

void FreeConsentTerms(void* arg) noexcept
{
	auto* cache = static_cast<ConsentCache*>(arg);
	delete cache->terms;
	cache->terms = nullptr;
}

}  // namespace

extern "C" Datum crm_import_norm_email(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* raw = PG_GETARG_TEXT_PP(0);
	return TextResult(fcinfo, [&] { return crm::core::NormalizeEmail(VarView(raw)); });
}

extern "C" Datum crm_import_norm_phone(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	text* raw = PG_GETARG_TEXT_PP(0);
	text* region = PG_GETARG_TEXT_PP(1);
	return TextResult(fcinfo, [&] { return crm::core::NormalizePhone(VarView(raw), VarView(region)); });
}

extern "C" Datum crm_import_norm_date(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* raw = PG_GETARG_TEXT_PP(0);
	return TextResult(fcinfo, [&] { return crm::core::NormalizeDate(VarView(raw)); });
}

extern "C" Datum crm_import_norm_number(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* raw = PG_GETARG_TEXT_PP(0);
	return TextResult(fcinfo, [&] { return crm::core::NormalizeNumber(VarView(raw)); });
}

extern "C" Datum crm_import_norm_boolean(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* raw = PG_GETARG_TEXT_PP(0);
	int result = -1;
	RunEntry([&]() -> Datum {
		Normalized n = crm::core::NormalizeBoolean(VarView(raw));
		if (n.ok)
			result = n.value == "true" ? 1 : 0;
		return (Datum) 0;
	});
	if (result < 0)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(result == 1);
}

// crm_import_norm_consent(value, opt_in text[], opt_out text[]) -> true/false, NULL when the
// value is neither an opt-in nor an opt-out term.
extern "C" Datum crm_import_norm_consent(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	text* raw = PG_GETARG_TEXT_PP(0);
	bool constant_terms = get_fn_expr_arg_stable(fcinfo->flinfo, 1) && get_fn_expr_arg_stable(fcinfo->flinfo, 2);
	ConsentCache* cache = constant_terms ? static_cast<ConsentCache*>(fcinfo->flinfo->fn_extra) : nullptr;
	Datum *in_elems = nullptr, *out_elems = nullptr;
	bool *in_nulls = nullptr, *out_nulls = nullptr;
	int n_in = 0, n_out = 0;
	if (cache == nullptr || cache->terms == nullptr) {
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &in_elems, &in_nulls, &n_in);
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false, TYPALIGN_INT, &out_elems, &out_nulls, &n_out);
	}
	if (constant_terms && cache == nullptr) {
		cache = static_cast<ConsentCache*>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ConsentCache)));
		cache->free_terms.func = FreeConsentTerms;
		cache->free_terms.arg = cache;
		MemoryContextRegisterResetCallback(fcinfo->flinfo->fn_mcxt, &cache->free_terms);
		fcinfo->flinfo->fn_extra = cache;
	}
	int result = -1;
	RunEntry([&]() -> Datum {
		crm::core::ConsentTerms local;
		const crm::core::ConsentTerms* terms = cache != nullptr ? cache->terms : nullptr;
		if (terms == nullptr) {
			crm::core::ConsentTerms parsed;
			for (auto v : crm::pg::TextElements(in_elems, in_nulls, n_in))
				parsed.opt_in.emplace_back(v);
			for (auto v : crm::pg::TextElements(out_elems, out_nulls, n_out))
				parsed.opt_out.emplace_back(v);
			if (cache != nullptr) {
				// Kept for the life of the call site's FmgrInfo; FreeConsentTerms deletes it.
				cache->terms = new crm::core::ConsentTerms(std::move(parsed));
				terms = cache->terms;
			} else {
				local = std::move(parsed);
				terms = &local;
			}
		}
		crm::core::Consent c = crm::core::ParseConsent(VarView(raw), *terms);
		result = c == crm::core::Consent::kOptIn ? 1 : c == crm::core::Consent::kOptOut ? 0 : -1;
		return (Datum) 0;
	});
	if (result < 0)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(result == 1);
}

// crm_import_problem(kind, value, region) -> why value is not a valid kind (email, phone,
// date, number, boolean), or NULL when it is.
extern "C" Datum crm_import_problem(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	text* kind = PG_GETARG_TEXT_PP(0);
	text* raw = PG_GETARG_TEXT_PP(1);
	text* region = PG_GETARG_TEXT_PP(2);
	text* result = nullptr;
	RunEntry([&]() -> Datum {
		std::string_view k = VarView(kind);
		std::string_view v = VarView(raw);
		Normalized n;
		if (k == "email")
			n = crm::core::NormalizeEmail(v);
		else if (k == "phone")
			n = crm::core::NormalizePhone(v, VarView(region));
		else if (k == "date")
			n = crm::core::NormalizeDate(v);
		else if (k == "number")
			n = crm::core::NormalizeNumber(v);
		else if (k == "boolean")
			n = crm::core::NormalizeBoolean(v);
		else
			n = Normalized::Fail("unknown kind " + std::string(k));
		if (!n.ok)
			result = crm::pg::MakeText(n.reason);
		return (Datum) 0;
	});
	if (result == nullptr)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_last_sfunc);
}

// Transition function of crm_import_last: strict, so PostgreSQL skips NULL inputs and the
// state ends as the last non-null value in input order.
extern "C" Datum crm_import_last_sfunc(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	PG_RETURN_DATUM(PG_GETARG_DATUM(1));
}
