// Per-column upload statistics (see column_stats.hpp).
#include "column_stats.hpp"

#include "normalize.hpp"

#include <algorithm>

namespace crm::core {

std::string CutUtf8(std::string_view s, std::size_t max)
{
	if (s.size() <= max)
		return std::string(s);
	std::size_t end = max;
	while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
		end--;
	return std::string(s.substr(0, end)) + "…";
}

// Most fields start with a letter or digit: decide those on the first byte and leave Unicode
// spaces to Trim.
bool IsBlank(std::string_view s)
{
	if (s.empty())
		return true;
	unsigned char first = static_cast<unsigned char>(s.front());
	if (first > ' ' && first < 0x80)
		return false;
	return Trim(s).empty();
}

void ColumnStats::Add(const CsvRecord& record)
{
	if (record.size() != column_count_)
		ragged_++;
	std::size_t n = std::min(record.size(), max_columns_);
	if (filled_.size() < n) {
		filled_.resize(n, 0);
		samples_.resize(n);
	}
	for (std::size_t i = 0; i < n; i++) {
		std::string_view v = record.field(i);
		if (IsBlank(v))
			continue;
		filled_[i]++;
		std::vector<std::string>& samples = samples_[i];
		if (samples.size() < kMaxSamples) {
			std::string sample = CutUtf8(v, kMaxSampleBytes);
			if (std::find(samples.begin(), samples.end(), sample) == samples.end())
				samples.push_back(std::move(sample));
		}
	}
}

}  // namespace crm::core
