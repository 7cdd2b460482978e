// The header row of an uploaded file: unique column names from its fields. Pure C++ (no
// PostgreSQL), unit-tested in tests/header_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crm::core {

// Unique, stable column names from the header: blank names become column_N, repeated names
// (case-insensitively) get _2, _3 ... A new name is never one the file already uses for
// another column (Navn,Navn,Navn_2 gives Navn,Navn_3,Navn_2). Each change is appended to
// renamed as a phrase ("column 2 \"Navn\" is named \"Navn_3\"").
std::vector<std::string> UniqueColumnNames(const std::vector<std::string>& header, std::size_t column_count,
										   std::vector<std::string>& renamed);

}  // namespace crm::core

namespace crm::core {

// The shape of one of a file's first records, as preamble detection sees it.
struct RecordShape {
	std::size_t fields = 0;         // field count
	bool first_only = false;        // every field but the first is blank ("Member list 2024;;;")
	std::uint64_t line_no = 0;      // physical line the record starts on
	std::string first_field;        // its first field, for messages
};

// Whether a file starts with a preamble: records above the header row that are not data
// (LinkedIn's "Notes:" line and quoted paragraph, an Excel title row).
struct PreambleVerdict {
	enum class Kind {
		kNone,       // record 1 is the header row (or nothing suggests otherwise)
		kApplied,    // an unambiguous preamble: header_index is the header row
		kAmbiguous,  // maybe a preamble: header_index is the likely header row; not applied
	};
	Kind kind = Kind::kNone;
	std::size_t header_index = 0;    // 0-based index into the records given
	std::size_t dominant_fields = 0;  // the file's dominant field count
	std::string reason;              // for kAmbiguous: why it is not applied
};

// Decides from the shapes of a file's first records (up to kPreambleRecords). A preamble is
// one or more records at the top each of which has at most half the dominant field count
// (the most frequent one among the records of two fields or more, at least 3) or is blank
// but for its first
// field, followed by the record that starts the run of dominant-count records. It is
// applied when that record is followed by at least one more record and at least 4 in 5 of
// the records after it have the dominant count; when some record above it is neither short
// nor a title, or the records below do not follow, it is ambiguous. A file whose first
// record is neither short nor a title has no preamble (a header row with a field more or
// less than the data is the short-rows problem, not this one).
PreambleVerdict DetectPreamble(const std::vector<RecordShape>& records);

// How many records the upload holds back to decide (they are staged anyway).
inline constexpr std::size_t kPreambleRecords = 50;

}  // namespace crm::core
