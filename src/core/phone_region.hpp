// The phone region of a row: its country cell read as a region code, and the row's phone
// numbers read in that region (issue 15: "each row's country decides the region of that
// row's numbers"). Called once per row per phone column by the run's normalize pass, so the
// lookup is a hash probe, not the SQL CASE of ninety names it replaced (0.85 s per million
// calls, three calls a row).
#pragma once

#include <string>
#include <string_view>

#include "normalize.hpp"

namespace crm::core {

// The region a country cell names: an ISO 3166 alpha-2 code libphonenumber knows (any
// case: "se", "NO"), or the English or Norwegian name of a common country ("Norway",
// "Norge", "United Kingdom", "UK", "Sør-Afrika"; any case, surrounding space ignored).
// Empty when the cell names neither, so the import's region applies.
std::string CountryRegion(std::string_view country);

// A phone number of a row, read in the region of the row's country when that names one,
// else in the import's region. A number that is not valid in the row's country but is in
// the import's region is read there (a Norwegian mobile number in the row of a customer
// who lives in Denmark); the run notes it on the row.
struct RowPhone {
	Normalized number;
	// The row's region when the number was read in the import's region instead; empty
	// otherwise (read in the row's region, or the row names no other region).
	std::string not_valid_in;
	// libphonenumber's type of the number read (PhoneType's names), from the same parse.
	std::string type;
};
RowPhone NormalizePhoneForRow(std::string_view raw, std::string_view country, std::string_view import_region);

// The notes the run writes on a row about its phone number (read in the import's region
// because it is not valid in the row's country; an extension E.164 cannot hold; a
// fixed-line, toll-free or premium-rate number in the mobile field), '; '-joined; empty
// when there are none or the number is not valid. label names the field ("mobile number"),
// column its column; the raw value is quoted as the run quotes values (QuoteLiteral of at
// most 100 characters, then "...").
std::string RowPhoneNotes(const RowPhone& phone, std::string_view raw, std::string_view label, int column,
						  std::string_view import_region, bool mobile_field);

// A value quoted as PostgreSQL's quote_literal (and format's %L) quotes it: in single
// quotes, quotes doubled; with E in front and backslashes doubled when it has any.
std::string QuoteLiteral(std::string_view value);
// At most max characters of a UTF-8 value, then "..." when it was longer (crm_import_cut).
std::string CutChars(std::string_view value, std::size_t max);

}  // namespace crm::core
