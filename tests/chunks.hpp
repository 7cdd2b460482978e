// Input cut into chunks, as a stream delivers it: the readers' tests and fuzz targets check
// that a reader gives the same outcome for an input whole and cut anywhere. No GoogleTest
// here, so that the fuzz targets can use it too.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace crm::test {

// size bytes at data cut at the ascending positions cuts: cuts.size() + 1 chunks, each an
// allocation of its own, so that AddressSanitizer sees a read past a chunk's end.
inline std::vector<std::vector<char>> Chunks(const char* data, std::size_t size, const std::vector<std::size_t>& cuts)
{
	std::vector<std::vector<char>> chunks;
	std::size_t begin = 0;
	for (std::size_t k = 0; k <= cuts.size(); ++k) {
		std::size_t end = k < cuts.size() ? cuts[k] : size;
		chunks.emplace_back(data + begin, data + end);
		begin = end;
	}
	return chunks;
}

inline std::vector<std::vector<char>> Chunks(const std::string& input, const std::vector<std::size_t>& cuts)
{
	return Chunks(input.data(), input.size(), cuts);
}

// The cuts that deliver size bytes one by one.
inline std::vector<std::size_t> EveryByte(std::size_t size)
{
	std::vector<std::size_t> every;
	for (std::size_t i = 1; i < size; ++i)
		every.push_back(i);
	return every;
}

}  // namespace crm::test
