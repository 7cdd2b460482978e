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
	std::string note;    // what the canonical form leaves out, when ok (a phone extension)

	static Normalized Ok(std::string v) { return {true, std::move(v), {}, {}}; }
	static Normalized Fail(std::string why) { return {false, {}, std::move(why), {}}; }
};

// Trims ASCII and Unicode spaces (incl. NBSP) at both ends.
std::string_view Trim(std::string_view s) noexcept;
// Trims the blanks a run trims from text values at both ends, exactly the characters of
// SQL crm_import_blank_chars(): ASCII white space and, with unicode (a UTF-8 database),
// U+00A0, U+1680, U+2000..U+200B, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF
// (not NEL or U+2060, which Trim also takes). s must be valid in its encoding.
std::string_view TrimBlanks(std::string_view s, bool unicode) noexcept;
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
// With type, also gives libphonenumber's type of a valid number (as PhoneType names it)
// from the same parse.
Normalized NormalizePhone(std::string_view raw, std::string_view default_region, std::string* type = nullptr);
// NormalizePhone without its shortcuts (the Norwegian, national-digits and length fast
// paths): libphonenumber's Parse and GetNumberType for every input. The reference the tests
// and the fuzz target hold NormalizePhone to: same value, reason, type and note.
Normalized ParsePhone(std::string_view raw, std::string_view default_region, std::string* type = nullptr);
// True when region is one libphonenumber knows ("NO", "SE", "US", ...).
bool IsKnownRegion(std::string_view region);
// The type libphonenumber gives a valid number (read as NormalizePhone reads it):
// "mobile", "fixed_line", "fixed_line_or_mobile", "toll_free", "premium_rate",
// "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail" or "unknown";
// empty when the number is not valid.
std::string PhoneType(std::string_view raw, std::string_view default_region);

// The order of day, month and year in numeric dates whose year comes last: 31.12.1990 is
// DMY, 12/31/1990 is MDY. A four-digit year first (1990-12-31) is read year, month, day in
// every order; YMD accepts only that form and rejects a year at the end.
enum class DateOrder { kDMY, kMDY, kYMD };
// "DMY", "MDY" or "YMD" in any letter case, surrounding space ignored; false otherwise.
bool ParseDateOrder(std::string_view text, DateOrder* order);
const char* DateOrderName(DateOrder order);  // "DMY", "MDY", "YMD"

// Date to ISO YYYY-MM-DD. Accepts, surrounding space ignored:
//  - numbers: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD; with the year last DD.MM.YYYY, D.M.YYYY,
//    DD/MM/YYYY, DD-MM-YYYY read in the given order (MM/DD/YYYY with kMDY); YYYYMMDD;
//  - month names (English, Norwegian, Danish, Swedish, German, French, Spanish; full or
//    abbreviated, any case): "09 Oct 2024", "9 October 2024", "Oct 9, 2024", "9th of October
//    2024", "9. oktober 2024", "09.okt.2024", "1er janvier 1990", "9 de octubre de 2024",
//    "2024-Oct-09";
//  - any of these followed by a time of day ("2024-10-09T12:34:56Z", "2024-10-09 12:34:56"),
//    which is dropped without time zone conversion.
// Rejected with a reason: a two-digit year (ambiguous), Google's year-less birthday
// "--03-04" ("birthday without a year"), a day and month alone such as Mailchimp's "03/04"
// ("date without a year"), days and months the calendar does not have (leap years
// checked), years outside 1800..2200.
Normalized NormalizeDate(std::string_view raw, DateOrder order = DateOrder::kDMY);

// A calendar day; year 0 means "unknown".
struct CivilDate {
	int year = 0;
	int month = 0;
	int day = 0;
};

// A birthday: NormalizeDate, and then not after today and not more than 130 years before
// it ("birthday in the future", "birthday more than 130 years ago"). A today with year 0
// skips the plausibility check. Generic dates (NormalizeDate) have no such limits.
Normalized NormalizeBirthday(std::string_view raw, DateOrder order, const CivilDate& today);

// The date order of a column, from sample values whose year comes last: a first part above
// 12 can only be a day (DMY), a second part above 12 only a day too (MDY). Both seen is a
// contradiction; neither (03/04/1990, or only year-first dates and month names) is undecided.
enum class DateOrderVerdict { kDecided, kUndecided, kContradictory, kNoDates };
struct DateOrderGuess {
	DateOrderVerdict verdict = DateOrderVerdict::kNoDates;
	DateOrder order = DateOrder::kDMY;  // meaningful when decided
	std::size_t day_first = 0;          // values whose first part is above 12
	std::size_t month_first = 0;        // values whose second part is above 12
	std::size_t ambiguous = 0;          // year last, both parts 1..12
	std::size_t order_free = 0;         // year first, YYYYMMDD, month names
	std::size_t not_dates = 0;          // non-blank values that are no date in any order
	std::string reason;                 // the verdict in words, with an example value
};
DateOrderGuess DetectDateOrder(const std::vector<std::string>& samples);
const char* DateOrderVerdictName(DateOrderVerdict verdict);  // "decided", "undecided", ...

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
