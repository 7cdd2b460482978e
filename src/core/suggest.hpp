// Mapping suggestions: which CRM field a file column most likely holds, from its header
// (English and Norwegian spellings, case/space/punctuation-insensitive, small typos) and
// from its values (emails, phone numbers, dates, yes/no terms) when the header says nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

// A field of the CRM's catalog as the suggester sees it.
struct FieldInfo {
	std::string name;   // e.g. "first_name", or a custom field's name
	std::string label;  // e.g. "First name"
	std::string type;   // text, email, phone, date, boolean, number, consent
	bool custom = false;
};

struct Suggestion {
	std::string field;        // empty when nothing fits
	float confidence = 0.0f;  // 0..1; header exact match ~1.0, fuzzy header ~0.7, content ~0.6
	std::string basis;        // "header", "header (fuzzy)", "content"
};

// The CRM's predefined fields (name, English label, type), in the wizard's order. The
// suggester falls back to these when it is given an empty catalog.
std::vector<FieldInfo> PredefinedFields();

// Suggests a field for one column. samples are some non-empty values of the column.
Suggestion SuggestField(std::string_view header, const std::vector<std::string>& samples,
						const std::vector<FieldInfo>& catalog);

// Suggests for all columns at once, never proposing one field for two columns (the more
// confident column keeps it; the other gets its next best or nothing).
std::vector<Suggestion> SuggestMapping(const std::vector<std::string>& headers,
									   const std::vector<std::vector<std::string>>& samples,
									   const std::vector<FieldInfo>& catalog);

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
