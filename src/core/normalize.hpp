// Value normalizers used by the import run (called set-based from SQL through thin
// wrappers). Each returns the canonical text of a value or, when it does not parse,
// nothing plus a short reason in plain words (the SQL side adds row, column and value).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

struct Normalized {
	bool ok = false;
	std::string value;   // canonical form when ok
	std::string reason;  // why not, when !ok (e.g. "missing @", "too few digits for region NO")

	static Normalized Ok(std::string v) { return {true, std::move(v), {}}; }
	static Normalized Fail(std::string why) { return {false, {}, std::move(why)}; }
};

// Trims ASCII and Unicode spaces (incl. NBSP) at both ends.
std::string_view Trim(std::string_view s) noexcept;
// Lower-cases ASCII letters and the Latin-1 supplement letters of UTF-8 (Æ Ø Å É ...).
std::string FoldCase(std::string_view s);
// True when FoldCase(a) == FoldCase(b), without building either string (hot paths).
bool EqualsFolded(std::string_view a, std::string_view b) noexcept;

// Email: trimmed, composed to Unicode NFC, lower-cased, syntax checked (one @, non-empty local part of allowed
// characters, no consecutive/leading/trailing dots, domain of labels with a dot, TLD >= 2
// letters; internationalized UTF-8 letters allowed). Blank input is !ok with reason "empty".
Normalized NormalizeEmail(std::string_view raw);

// Mobile/phone to E.164 (+4791234567) with libphonenumber; region is an ISO 3166 code used
// when the number has no country prefix ("NO"). Accepts 00-prefixes, spaces, dots, dashes,
// parentheses, "(+47)". Rejects numbers libphonenumber says are not valid.
Normalized NormalizePhone(std::string_view raw, std::string_view default_region);
// True when region is one libphonenumber knows ("NO", "SE", "US", ...).
bool IsKnownRegion(std::string_view region);

// Date to ISO YYYY-MM-DD. Accepts YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY,
// DD-MM-YYYY, DD.MM.YY is rejected as ambiguous; checks the calendar (leap years) and
// years 1800..2200. Surrounding space ignored.
Normalized NormalizeDate(std::string_view raw);

// Number to a canonical decimal text ("1234.5", "-3"): accepts '.' or ',' as the decimal
// separator and spaces/NBSP as thousands separators ("1 234,50"). Rejects anything else.
Normalized NormalizeNumber(std::string_view raw);

// Boolean: true/false, yes/no, ja/nei, sant/usant, 1/0, y/n, j/n (case-insensitive,
// trimmed). Returns "true"/"false".
Normalized NormalizeBoolean(std::string_view raw);

// Consent terms of a consent field. Matching ignores case and surrounding space.
struct ConsentTerms {
	std::vector<std::string> opt_in;
	std::vector<std::string> opt_out;
};
// The product defaults: True/Yes/Sant/Ja mean opted in; False/No/Usant/Nei mean opted out.
ConsentTerms DefaultConsentTerms();
enum class Consent { kOptIn, kOptOut, kUnknown };
Consent ParseConsent(std::string_view raw, const ConsentTerms& terms);
// Checks a terms setting: no empty term, no term in both lists, each list non-empty.
// Returns an empty string when fine, else the problem in words.
std::string ValidateConsentTerms(const ConsentTerms& terms);

}  // namespace crm::core
