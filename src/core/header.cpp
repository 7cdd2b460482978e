// Header-row helpers (see header.hpp).
#include "header.hpp"

#include "normalize.hpp"

#include <map>
#include <unordered_set>

namespace crm::core {

std::vector<std::string> UniqueColumnNames(const std::vector<std::string>& header, std::size_t column_count,
										   std::vector<std::string>& renamed)
{
	std::vector<std::string> names;
	std::unordered_set<std::string> used;
	for (std::size_t i = 0; i < column_count; i++)
		if (i < header.size() && !header[i].empty())
			used.insert(FoldCase(header[i]));
	std::unordered_set<std::string> taken;
	for (std::size_t i = 0; i < column_count; i++) {
		std::string base = i < header.size() ? header[i] : std::string();
		std::string name = base.empty() ? "column_" + std::to_string(i + 1) : base;
		for (int n = 2; taken.count(FoldCase(name)) != 0 || (name != base && used.count(FoldCase(name)) != 0); n++)
			name = (base.empty() ? "column_" + std::to_string(i + 1) : base) + "_" + std::to_string(n);
		taken.insert(FoldCase(name));
		if (name != base)
			renamed.push_back("column " + std::to_string(i + 1) + (base.empty() ? " (blank)" : " \"" + base + "\"") +
							  " is named \"" + name + "\"");
		names.push_back(std::move(name));
	}
	return names;
}

}  // namespace crm::core

namespace crm::core {

namespace {

bool Short(const RecordShape& r, std::size_t dominant)
{
	return 2 * r.fields <= dominant;
}

bool Title(const RecordShape& r, std::size_t dominant)
{
	return r.first_only && r.fields >= 2 && r.fields <= dominant;
}

}  // namespace

PreambleVerdict DetectPreamble(const std::vector<RecordShape>& records)
{
	PreambleVerdict v;
	if (records.size() < 2)
		return v;
	// The dominant field count: the most frequent among records of two fields or more (a
	// preamble of one-field lines may outnumber the data rows of a small file), the larger
	// on a tie.
	std::map<std::size_t, std::size_t> counts;
	for (const auto& r : records)
		if (r.fields >= 2)
			counts[r.fields]++;
	std::size_t dominant = 0, best = 0;
	for (const auto& [fields, n] : counts)
		if (n >= best) {
			best = n;
			dominant = fields;
		}
	v.dominant_fields = dominant;
	if (dominant < 3)
		return v;
	const RecordShape& first = records.front();
	if (!Short(first, dominant) && !Title(first, dominant))
		return v;
	// The header row: the first record of the dominant count that is not a title.
	std::size_t k = 0;
	while (k < records.size() && (records[k].fields != dominant || records[k].first_only))
		k++;
	if (k == records.size())
		return v;
	v.header_index = k;
	for (std::size_t i = 0; i < k; i++) {
		const RecordShape& r = records[i];
		if (!Short(r, dominant) && !Title(r, dominant)) {
			v.kind = PreambleVerdict::Kind::kAmbiguous;
			v.reason = "record " + std::to_string(i + 1) + " (line " + std::to_string(r.line_no) + ") has " +
					   std::to_string(r.fields) + " fields, not far from the " + std::to_string(dominant) +
					   " of the rows below";
			return v;
		}
	}
	std::size_t after = records.size() - k - 1, regular = 0;
	for (std::size_t i = k + 1; i < records.size(); i++)
		regular += records[i].fields == dominant ? 1 : 0;
	if (after == 0) {
		v.kind = PreambleVerdict::Kind::kAmbiguous;
		v.reason = "no record follows record " + std::to_string(k + 1);
		return v;
	}
	if (5 * regular < 4 * after) {
		v.kind = PreambleVerdict::Kind::kAmbiguous;
		v.reason = "only " + std::to_string(regular) + " of the " + std::to_string(after) + " records below record " +
				   std::to_string(k + 1) + " have its " + std::to_string(dominant) + " fields";
		return v;
	}
	v.kind = PreambleVerdict::Kind::kApplied;
	return v;
}

}  // namespace crm::core
