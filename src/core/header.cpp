// Header-row helpers (see header.hpp).
#include "header.hpp"

#include "normalize.hpp"

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
