// Value normalizers as SQL functions, called set-based by crm_import_run's generated SQL
// (one call per value, like lower() or a cast). Invalid input gives NULL from the
// crm_import_norm_* functions; crm_import_problem says why, for the row's reject reason.
#include "pg/boundary.hpp"
#include "pg/settings.hpp"
#include "pg/text.hpp"

#include "core/error.hpp"
#include "core/normalize.hpp"
#include "core/phone_region.hpp"

#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_trim_blank);
PG_FUNCTION_INFO_V1(crm_import_norm_email);
PG_FUNCTION_INFO_V1(crm_import_norm_phone);
PG_FUNCTION_INFO_V1(crm_import_norm_date);
PG_FUNCTION_INFO_V1(crm_import_norm_date_in_order);
PG_FUNCTION_INFO_V1(crm_import_norm_birthday);
PG_FUNCTION_INFO_V1(crm_import_detect_date_order);
PG_FUNCTION_INFO_V1(crm_import_norm_number);
PG_FUNCTION_INFO_V1(crm_import_norm_boolean);
PG_FUNCTION_INFO_V1(crm_import_norm_consent);
PG_FUNCTION_INFO_V1(crm_import_problem);
PG_FUNCTION_INFO_V1(crm_import_problem_in_order);
PG_FUNCTION_INFO_V1(crm_import_phone_type);
PG_FUNCTION_INFO_V1(crm_import_known_region);
PG_FUNCTION_INFO_V1(crm_import_country_region);
PG_FUNCTION_INFO_V1(crm_import_default_region);
PG_FUNCTION_INFO_V1(crm_import_norm_phone_for_row);
PG_FUNCTION_INFO_V1(crm_import_phone_row_notes);
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

// Returns the text make() gives, or NULL when it is empty (no problem, no type, ...).
template <typename Fn>
Datum NonEmptyText(FunctionCallInfo fcinfo, Fn&& make)
{
	return TextResult(fcinfo, [&] {
		std::string s = make();
		return s.empty() ? Normalized::Fail({}) : Normalized::Ok(std::move(s));
	});
}

// The date order named by a date_order argument, or a 22023 error naming the choices.
crm::core::DateOrder DateOrderArg(std::string_view text)
{
	crm::core::DateOrder order;
	if (!crm::core::ParseDateOrder(text, &order))
		throw crm::core::UserError("22023", "invalid date order \"" + std::string(text) + "\"",
								   "The date order says how numeric dates with the year last are read.",
								   "Use 'DMY' (31.12.1990, day first), 'MDY' (12/31/1990, month first) or 'YMD' "
								   "(1990-12-31, year first).");
	return order;
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

// crm_import_trim_blank(value): nullif(btrim(value, crm_import_blank_chars()), ''), the text
// fields' normalizer, without btrim's per-character multibyte search through a set of 26
// characters (a tenth of a million-row normalize). Nothing here can throw: no guard.
extern "C" Datum crm_import_trim_blank(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* raw = PG_GETARG_TEXT_PP(0);
	std::string_view value = VarView(raw);
	std::string_view trimmed = crm::core::TrimBlanks(value, GetDatabaseEncoding() == PG_UTF8);
	if (trimmed.empty())
		PG_RETURN_NULL();
	if (trimmed.size() == value.size())
		PG_RETURN_TEXT_P(raw);  // the detoasted value, not a TOAST pointer into the source row
	PG_RETURN_TEXT_P(cstring_to_text_with_len(trimmed.data(), static_cast<int>(trimmed.size())));
}

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

// crm_import_norm_date(value, date_order): the two-argument form (crm_import_norm_date,
// one argument, stays for SQL objects of version 0.1.0 until ALTER EXTENSION UPDATE).
extern "C" Datum crm_import_norm_date_in_order(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	text* raw = PG_GETARG_TEXT_PP(0);
	text* order = PG_GETARG_TEXT_PP(1);
	return TextResult(fcinfo, [&] { return crm::core::NormalizeDate(VarView(raw), DateOrderArg(VarView(order))); });
}

// crm_import_norm_birthday(value, date_order): a date that is no later than today and at
// most 130 years before it, or NULL.
extern "C" Datum crm_import_norm_birthday(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	text* raw = PG_GETARG_TEXT_PP(0);
	text* order = PG_GETARG_TEXT_PP(1);
	crm::core::CivilDate today = crm::pg::CurrentDate();
	return TextResult(fcinfo,
					  [&] { return crm::core::NormalizeBirthday(VarView(raw), DateOrderArg(VarView(order)), today); });
}

// crm_import_detect_date_order(samples text[]) -> TABLE(date_order text, verdict text,
// reason text): one row; date_order is NULL unless the verdict is "decided".
extern "C" Datum crm_import_detect_date_order(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	ArrayType* samples = PG_GETARG_ARRAYTYPE_P(0);
	Datum* elems = nullptr;
	bool* nulls = nullptr;
	int n = 0;
	deconstruct_array(samples, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo* rsinfo = (ReturnSetInfo*) fcinfo->resultinfo;
	return RunEntry([&]() -> Datum {
		std::vector<std::string> values;
		for (auto v : crm::pg::TextElements(elems, nulls, n))
			values.emplace_back(v);
		crm::core::DateOrderGuess g = crm::core::DetectDateOrder(values);
		bool decided = g.verdict == crm::core::DateOrderVerdict::kDecided;
		text* order = decided ? crm::pg::MakeText(crm::core::DateOrderName(g.order)) : nullptr;
		text* verdict = crm::pg::MakeText(crm::core::DateOrderVerdictName(g.verdict));
		text* reason = crm::pg::MakeText(g.reason);
		crm::pg::Guard([&]() noexcept {
			Datum values[3] = {PointerGetDatum(order), PointerGetDatum(verdict), PointerGetDatum(reason)};
			bool isnull[3] = {order == nullptr, false, false};
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		});
		return (Datum) 0;
	});
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

namespace {

// Why value is not a valid kind; empty when it is. See crm_import_problem.
std::string Problem(std::string_view kind, std::string_view value, std::string_view region,
					crm::core::DateOrder order, const crm::core::CivilDate& today)
{
	Normalized n;
	if (kind == "email")
		n = crm::core::NormalizeEmail(value);
	else if (kind == "phone")
		n = crm::core::NormalizePhone(value, region);
	else if (kind == "date")
		n = crm::core::NormalizeDate(value, order);
	else if (kind == "birthday")
		n = crm::core::NormalizeBirthday(value, order, today);
	else if (kind == "number")
		n = crm::core::NormalizeNumber(value);
	else if (kind == "boolean")
		n = crm::core::NormalizeBoolean(value);
	else
		n = Normalized::Fail("unknown kind " + std::string(kind));
	return n.ok ? std::string() : n.reason;
}

}  // namespace

// crm_import_problem(kind, value, region) -> why value is not a valid kind (email, phone,
// date, number, boolean), or NULL when it is. The three-argument form of version 0.1.0,
// kept for its SQL object until ALTER EXTENSION UPDATE; it has no birthday kind (it is
// immutable, a birthday depends on today).
extern "C" Datum crm_import_problem(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	text* kind = PG_GETARG_TEXT_PP(0);
	text* raw = PG_GETARG_TEXT_PP(1);
	text* region = PG_GETARG_TEXT_PP(2);
	return NonEmptyText(fcinfo, [&] {
		std::string_view k = VarView(kind);
		return k == "birthday" ? std::string("unknown kind birthday")
							   : Problem(k, VarView(raw), VarView(region), crm::core::DateOrder::kDMY, {});
	});
}

// crm_import_problem(kind, value, region, date_order) -> why value is not a valid kind
// (email, phone, date, birthday, number, boolean), dates read in date_order; NULL when valid.
extern "C" Datum crm_import_problem_in_order(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(4);
	text* kind = PG_GETARG_TEXT_PP(0);
	text* raw = PG_GETARG_TEXT_PP(1);
	text* region = PG_GETARG_TEXT_PP(2);
	text* order = PG_GETARG_TEXT_PP(3);
	crm::core::CivilDate today = crm::pg::CurrentDate();
	return NonEmptyText(fcinfo, [&] {
		return Problem(VarView(kind), VarView(raw), VarView(region), DateOrderArg(VarView(order)), today);
	});
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

// crm_import_phone_type(value, region): libphonenumber's type of a valid number (mobile,
// fixed_line, toll_free, premium_rate, ...), NULL when the number is not valid.
extern "C" Datum crm_import_phone_type(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
	text* raw = PG_GETARG_TEXT_PP(0);
	text* region = PG_GETARG_TEXT_PP(1);
	return NonEmptyText(fcinfo, [&] { return crm::core::PhoneType(VarView(raw), VarView(region)); });
}

// crm_import_known_region(region): whether libphonenumber knows the ISO 3166 region code.
extern "C" Datum crm_import_known_region(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* region = PG_GETARG_TEXT_PP(0);
	bool known = false;
	RunEntry([&]() -> Datum {
		known = crm::core::IsKnownRegion(VarView(region));
		return (Datum) 0;
	});
	PG_RETURN_BOOL(known);
}

// crm_import_country_region(country): the phone region a country cell names, or NULL.
extern "C" Datum crm_import_country_region(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* country = PG_GETARG_TEXT_PP(0);
	return NonEmptyText(fcinfo, [&] { return crm::core::CountryRegion(VarView(country)); });
}

namespace {

// The run reads a row's phone number (crm_import_norm_phone_for_row) and then asks for the
// row's notes about it (crm_import_phone_row_notes) with the same arguments, in the same
// process, a moment later. The last few answers are kept so the second call does not parse
// the number again (a failed libphonenumber parse is
// the expensive part). Keyed by every argument: a stale answer is impossible. Each process
// (a parallel worker too) has its own.
struct PhoneForRowMemo {
	struct Entry {
		std::string raw, country, region;
		crm::core::RowPhone phone;
		bool used = false;
	};
	Entry entries[4];
	unsigned next = 0;

	const crm::core::RowPhone& Get(std::string_view raw, std::string_view country, std::string_view region)
	{
		for (const Entry& e : entries)
			if (e.used && e.raw == raw && e.country == country && e.region == region)
				return e.phone;
		Entry& e = entries[next++ % 4];
		e.used = false;
		e.phone = crm::core::NormalizePhoneForRow(raw, country, region);
		e.raw.assign(raw);
		e.country.assign(country);
		e.region.assign(region);
		e.used = true;
		return e.phone;
	}
};

PhoneForRowMemo& RowPhoneMemo()
{
	static PhoneForRowMemo memo;
	return memo;
}


}  // namespace

// crm_import_norm_phone_for_row(value, country, region): value in E.164, read in the region
// country names (crm_import_country_region) or, when it names none or the number is not
// valid there, in region; NULL when not valid. Not strict: a NULL country means region.
extern "C" Datum crm_import_norm_phone_for_row(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(3);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	text* raw = PG_GETARG_TEXT_PP(0);
	text* country = PG_ARGISNULL(1) ? nullptr : PG_GETARG_TEXT_PP(1);
	text* region = PG_GETARG_TEXT_PP(2);
	return TextResult(fcinfo, [&] {
		return RowPhoneMemo().Get(VarView(raw), country ? VarView(country) : std::string_view(), VarView(region)).number;
	});
}

// crm_import_default_region(): the session's crm_import.default_region.
extern "C" Datum crm_import_default_region(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	// Set in any letter case (the check accepts "no"); region codes are upper case.
	char* region = pstrdup(crm::pg::g_settings.default_region);
	for (char* c = region; *c; c++)
		*c = pg_ascii_toupper(static_cast<unsigned char>(*c));
	PG_RETURN_TEXT_P(cstring_to_text(region));
}



// crm_import_phone_row_notes(value, country, region, label, column_no, mobile_field): the
// notes the run writes on a row about the phone number crm_import_norm_phone_for_row just
// read with the same arguments (core::RowPhoneNotes), from that parse; NULL when none.
extern "C" Datum crm_import_phone_row_notes(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(6);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
		PG_RETURN_NULL();
	text* raw = PG_GETARG_TEXT_PP(0);
	text* country = PG_ARGISNULL(1) ? nullptr : PG_GETARG_TEXT_PP(1);
	text* region = PG_GETARG_TEXT_PP(2);
	text* label = PG_GETARG_TEXT_PP(3);
	int32 column = PG_GETARG_INT32(4);
	bool mobile = PG_GETARG_BOOL(5);
	return NonEmptyText(fcinfo, [&] {
		const crm::core::RowPhone& phone =
			RowPhoneMemo().Get(VarView(raw), country ? VarView(country) : std::string_view(), VarView(region));
		return crm::core::RowPhoneNotes(phone, VarView(raw), VarView(label), column, VarView(region), mobile);
	});
}
