// Mapping suggestions: which CRM field a file column most likely holds, from its header
// (English, Norwegian, Swedish, Danish, German, French and Spanish spellings, the headers of
// Google, Outlook, Thunderbird, LinkedIn, Mailchimp, HubSpot and Salesforce exports;
// case/space/punctuation-insensitive, small typos) and from its values (emails, phone
// numbers, dates, yes/no terms) when the header says nothing. Each suggestion also says
// whether it may be applied without asking: only when the sample values pass the field's
// normalizer, and never for a birthday, system ID or consent guessed from values alone.
#pragma once

#include "normalize.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

// A field of the CRM's catalog as the suggester sees it.
struct FieldInfo {
	std::string name;   // e.g. "first_name", or a custom field's name
	std::string label;  // e.g. "First name"
	std::string type;   // text, email, phone, date, boolean, number, consent, id
	bool custom = false;
};

struct Suggestion {
	std::string field;        // empty when nothing fits
	float confidence = 0.0f;  // 0..1; header exact match ~1.0, fuzzy header ~0.7, content ~0.6
	std::string basis;        // "header", "header (fuzzy)", "content"
	// The suggestion may be applied unasked: evidence strong enough (>= 0.6, and from the
	// header for birthday, system ID and consent fields) and at least 80% of the non-blank
	// sample values pass the field's normalizer (no samples: nothing contradicts it).
	bool applicable = false;
	// Why it is not applicable ("4 of 5 sample values are not valid birthdays, e.g. '15':
	// ..."); with no field, why a header that names something gets none ("home, work and
	// landline phones are not mobile numbers", "mobile is suggested for column 3 \"Mobil\"");
	// empty otherwise.
	std::string reason;
};

// What the value checks need to know besides the values.
struct SuggestOptions {
	std::string region = "NO";               // phone numbers without a country prefix
	CivilDate today;                         // birthdays after it or 130 years before it fail; year 0: not checked
	DateOrder date_order = DateOrder::kDMY;  // how the import will read dates: samples that show
											 // another order (12/31/1990 for DMY) do not pass
};

// The CRM's predefined fields (name, English label, type), in the wizard's order. The
// suggester falls back to these when it is given an empty catalog.
std::vector<FieldInfo> PredefinedFields();

// Suggests a field for one column. samples are some non-empty values of the column.
Suggestion SuggestField(std::string_view header, const std::vector<std::string>& samples,
						const std::vector<FieldInfo>& catalog, const SuggestOptions& options = {});

// Suggests for all columns at once, never proposing one field for two columns (an
// applicable suggestion before one that is not, then a column with sample values before a
// blank one, then the more confident, then the earlier column keeps it; the other gets its
// next best or nothing).
// Columns see each other where exports split one value in two: Google's "Phone 1 - Value"
// is a mobile number only when its "Phone 1 - Type" column says Mobile.
std::vector<Suggestion> SuggestMapping(const std::vector<std::string>& headers,
									   const std::vector<std::vector<std::string>>& samples,
									   const std::vector<FieldInfo>& catalog, const SuggestOptions& options = {});

// Canonical key of a header for matching: case-folded, accents kept, spaces/underscores/
// dashes/dots removed ("E-post" -> "epost", "First_Name " -> "firstname").
std::string HeaderKey(std::string_view header);

// Levenshtein distance on bytes, capped at limit+1 (for "did you mean" hints).
std::size_t EditDistance(std::string_view a, std::string_view b, std::size_t limit);
// Like EditDistance but on UTF-8 characters, and a swap of two neighbours counts as one
// edit ("emial" -> "email" is 1); capped at limit+1. Used for typos in headers and names.
std::size_t TypoDistance(std::string_view a, std::string_view b, std::size_t limit);
// The candidate closest to word within a small distance, or empty. Case-insensitive;
// distance as TypoDistance, at most max(1, characters of word / 3); ties go to the
// earlier candidate. Returns the candidate as spelled in the list.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace crm::core
