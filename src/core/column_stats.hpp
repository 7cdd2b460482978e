// Per-column facts gathered while a file is uploaded, for the preview and the mapping
// suggester: how many data rows fill each column, a few distinct sample values, and how many
// rows have another field count than the header. Pure C++ (no PostgreSQL), unit-tested in
// tests/column_stats_test.cpp.
#pragma once

#include "csv_reader.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

// Cuts s to at most max bytes without splitting a UTF-8 character; a cut value ends in "…".
std::string CutUtf8(std::string_view s, std::size_t max);

// True for an empty or all-space value (ASCII and Unicode spaces, as Trim).
bool IsBlank(std::string_view s);

class ColumnStats {
public:
	static constexpr std::size_t kMaxSamples = 5;        // sample values kept per column
	static constexpr std::size_t kMaxSampleBytes = 200;  // longer samples are cut (UTF-8 safe)

	// max_columns: fields past it are not counted (the reader refuses wider records anyway).
	explicit ColumnStats(std::size_t max_columns) : max_columns_(max_columns) {}

	// The header's field count: a data row with another count is ragged.
	void SetColumnCount(std::size_t n) { column_count_ = n; }
	std::size_t column_count() const { return column_count_; }

	// One data row (never the header).
	void Add(const CsvRecord& record);

	long long ragged() const { return ragged_; }
	// Per column (0-based), as long as the widest data row seen: non-blank values, and up to
	// kMaxSamples distinct non-blank values in file order.
	const std::vector<long long>& filled() const { return filled_; }
	const std::vector<std::vector<std::string>>& samples() const { return samples_; }

private:
	std::size_t max_columns_;
	std::size_t column_count_ = 0;
	long long ragged_ = 0;
	std::vector<long long> filled_;
	std::vector<std::vector<std::string>> samples_;
};

}  // namespace crm::core
