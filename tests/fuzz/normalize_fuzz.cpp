// libFuzzer target: every normalizer and the suggester on arbitrary bytes. Besides "no
// crash, no exception but std::bad_alloc", it checks invariants: results are idempotent,
// the phone fast path agrees with plain libphonenumber, distances are symmetric.
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I src/core \
//     tests/fuzz/normalize_fuzz.cpp src/core/normalize.cpp src/core/suggest.cpp -lphonenumber
//   ./a.out tests/fuzz/corpus/normalize
#include "normalize.hpp"
#include "suggest.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace crm::core;

// Stops the run with a message when an invariant does not hold.
void Check(bool ok, const char* what)
{
	if (!ok) {
		std::fprintf(stderr, "invariant failed: %s\n", what);
		std::abort();
	}
}

// What plain libphonenumber says (Parse + IsValidNumber + E.164), for the differential check.
Normalized ReferencePhone(std::string_view raw, const std::string& region)
{
	using i18n::phonenumbers::PhoneNumber;
	using i18n::phonenumbers::PhoneNumberUtil;
	const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
	std::string t(Trim(raw));
	PhoneNumber n;
	if (t.empty() || util.ParseAndKeepRawInput(t, region, &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
		!util.IsValidNumber(n))
		return Normalized::Fail("x");
	// The one deliberate difference (as in normalize_test): the region's country code
	// written without + or 00 ("47 91234567" in NO) is refused, not read, unless it is also
	// the region's trunk prefix ("1 650 253 0000" in the US).
	std::string trunk;
	util.GetNddPrefixForRegion(region, true, &trunk);
	if (n.country_code_source() == PhoneNumber::FROM_NUMBER_WITHOUT_PLUS_SIGN && trunk != std::to_string(n.country_code()))
		return Normalized::Fail("x");
	std::string out;
	util.Format(n, PhoneNumberUtil::E164, &out);
	return Normalized::Ok(out);
}

// A normalizer's result must be either a value with no reason or a reason with no value,
// and normalizing the value again must give the value.
template <typename F>
void CheckIdempotent(const Normalized& n, F again, const char* what)
{
	Check(n.ok ? !n.value.empty() && n.reason.empty() : n.value.empty() && !n.reason.empty(), what);
	if (n.ok) {
		Normalized twice = again(n.value);
		Check(twice.ok && twice.value == n.value, what);
	}
}

std::vector<std::string> SplitLines(std::string_view s)
{
	std::vector<std::string> out(1);
	for (char c : s) {
		if (c == '\n')
			out.emplace_back();
		else
			out.back().push_back(c);
	}
	return out;
}

void RunAll(std::string_view s)
{
	// Trim / FoldCase / EqualsFolded
	std::string_view t = Trim(s);
	Check(t.data() >= s.data() && t.data() + t.size() <= s.data() + s.size(), "trim is a substring");
	Check(Trim(t) == t, "trim is idempotent");
	std::string folded = FoldCase(s);
	Check(folded.size() == s.size(), "fold keeps the length");
	Check(FoldCase(folded) == folded, "fold is idempotent");
	Check(EqualsFolded(s, folded) && EqualsFolded(folded, s), "equals-folded agrees with fold");

	CheckIdempotent(NormalizeEmail(s), [](const std::string& v) { return NormalizeEmail(v); }, "email");
	CheckIdempotent(NormalizeDate(s), [](const std::string& v) { return NormalizeDate(v); }, "date");
	CheckIdempotent(NormalizeNumber(s), [](const std::string& v) { return NormalizeNumber(v); }, "number");
	Normalized b = NormalizeBoolean(s);
	CheckIdempotent(b, [](const std::string& v) { return NormalizeBoolean(v); }, "boolean");
	Check(!b.ok || b.value == "true" || b.value == "false", "boolean value");
	if (NormalizeDate(s).ok)
		Check(NormalizeDate(s).value.size() == 10, "date length");

	// Phone: NO always (the fast path), plus one other region picked by the input size.
	static const char* const kRegions[] = {"SE", "US", "GB", "DE", "", "XX", "no"};
	for (std::string region : {std::string("NO"), std::string(kRegions[s.size() % 7])}) {
		Normalized p = NormalizePhone(s, region);
		CheckIdempotent(p, [&](const std::string& v) { return NormalizePhone(v, region); }, "phone");
		if (p.ok)
			Check(p.value[0] == '+' && p.value.find_first_not_of("0123456789", 1) == std::string::npos, "e164");
		std::string upper = region == "no" ? "NO" : region;
		Normalized ref = ReferencePhone(s, IsKnownRegion(upper) ? upper : "ZZ");
		Check(p.ok == ref.ok && p.value == ref.value, "phone agrees with libphonenumber");
		// The shortcuts give exactly what the full parse gives: reason, type and note too.
		std::string type, parsed_type;
		Normalized typed = NormalizePhone(s, region, &type);
		Normalized parsed = ParsePhone(s, region, &parsed_type);
		Check(typed.ok == parsed.ok && typed.value == parsed.value && typed.reason == parsed.reason &&
				  typed.note == parsed.note && type == parsed_type,
			  "phone shortcuts agree with the full parse");
	}

	// Consent: default terms, and terms made of the input's lines (first half in, rest out).
	ConsentTerms def = DefaultConsentTerms();
	Consent c = ParseConsent(s, def);
	if (c != Consent::kUnknown)  // every default term is a yes/no spelling too
		Check(b.ok && (b.value == "true") == (c == Consent::kOptIn), "consent agrees with boolean");
	std::vector<std::string> lines = SplitLines(s);
	if (lines.size() > 16)  // keeps a run fast: the suggester is quadratic here
		lines.resize(16);
	ConsentTerms custom;
	for (std::size_t i = 0; i < lines.size(); ++i)
		(i < lines.size() / 2 ? custom.opt_in : custom.opt_out).push_back(lines[i]);
	std::string problem = ValidateConsentTerms(custom);
	if (problem.empty() && !custom.opt_in.empty()) {
		Check(ParseConsent(custom.opt_in[0], custom) == Consent::kOptIn, "own opt-in term");
		Check(ParseConsent(custom.opt_out[0], custom) == Consent::kOptOut, "own opt-out term");
	}

	// Suggester: first line a header, the rest samples; all lines as headers of a mapping.
	std::vector<FieldInfo> catalog = PredefinedFields();
	std::vector<std::string> samples(lines.begin() + 1, lines.end());
	Suggestion one = SuggestField(lines[0], samples, catalog);
	Check(one.confidence >= 0.0f && one.confidence <= 1.0f, "confidence range");
	Check(one.field.empty() == (one.confidence == 0.0f), "empty field has no confidence");
	std::vector<std::vector<std::string>> column_samples(lines.size(), samples);
	std::vector<Suggestion> all = SuggestMapping(lines, column_samples, catalog);
	Check(all.size() == lines.size(), "one suggestion per column");
	for (std::size_t i = 0; i < all.size(); ++i)
		for (std::size_t j = i + 1; j < all.size(); ++j)
			Check(all[i].field.empty() || all[i].field != all[j].field, "a field for one column only");
	HeaderKey(s);

	// Distances and "did you mean"
	std::string_view a = s.substr(0, s.size() / 2), bb = s.substr(s.size() / 2);
	std::size_t limit = s.size() % 5;
	std::size_t ed = EditDistance(a, bb, limit);
	Check(ed <= limit + 1 && ed == EditDistance(bb, a, limit), "edit distance");
	Check(EditDistance(a, a, 0) == 0, "edit distance to itself");
	std::size_t td = TypoDistance(a, bb, limit);
	Check(td <= limit + 1 && td == TypoDistance(bb, a, limit), "typo distance");
	Check(TypoDistance(a, a, 0) == 0, "typo distance to itself");
	std::string m = ClosestMatch(lines[0], samples);
	bool found = m.empty();
	for (const std::string& x : samples)
		found = found || x == m;
	Check(found, "closest match is a candidate");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size > 4096)
		return 0;
	try {
		RunAll(std::string_view(reinterpret_cast<const char*>(data), size));
	} catch (const std::bad_alloc&) {
		// the only exception the normalizers may let through
	}
	return 0;
}
