// What the libFuzzer targets of the readers share (csv_reader_fuzz.cpp, source_reader_fuzz.cpp):
// the invariant check, a reference UTF-8 validator, where an input is cut into chunks, feeding
// it chunk by chunk, and how a UserError is written into the outcome the runs compare.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "../chunks.hpp"
#include "error.hpp"

namespace crm::fuzz {

// Stops the fuzzer with a crash when an invariant does not hold.
inline void Check(bool ok)
{
	if (!ok)
		std::abort();
}

// True when s is well-formed UTF-8 without NUL bytes (a plain reference implementation).
inline bool ValidUtf8(const std::string& s)
{
	std::size_t i = 0;
	while (i < s.size()) {
		unsigned char c = s[i];
		std::size_t len;
		std::uint32_t cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			++i;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > s.size())
			return false;
		for (std::size_t k = 1; k < len; ++k) {
			unsigned char d = s[i + k];
			if ((d & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (d & 0x3F);
		}
		static const std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

// A fuzz input as both reader targets take it: the first byte (mode) picks the options, the
// next two where the rest (data, size) is cut into chunks.
struct Input {
	std::uint8_t mode = 0;
	const std::uint8_t* data = nullptr;
	std::size_t size = 0;
	std::vector<std::size_t> cuts;
};

// Splits a fuzz input; false when it is shorter than the three leading bytes a, b. The rest is
// cut every 1 + a % max_step bytes, like a slow stream, when mode has small_chunks_bit; else at
// two places picked by a and b.
inline bool SplitInput(const std::uint8_t* data, std::size_t size, std::uint8_t small_chunks_bit,
		       std::size_t max_step, Input* in)
{
	if (size < 3)
		return false;
	in->mode = data[0];
	std::size_t a = data[1], b = data[2];
	in->data = data + 3;
	in->size = size - 3;
	in->cuts.clear();
	if (in->size == 0)
		return true;
	if (in->mode & small_chunks_bit) {
		std::size_t step = 1 + a % max_step;
		for (std::size_t i = step; i < in->size; i += step)
			in->cuts.push_back(i);
	} else {
		std::size_t x = a * in->size / 256, y = b * in->size / 256;
		if (x > y)
			std::swap(x, y);
		in->cuts = {x, y};
	}
	return true;
}

// Feeds data to reader cut at the ascending positions cuts (each chunk an allocation of its
// own, so that reading past its end is caught by ASan), then finishes it.
template <typename Reader>
void FeedInChunks(Reader& reader, const std::uint8_t* data, std::size_t size, const std::vector<std::size_t>& cuts)
{
	for (const std::vector<char>& chunk : crm::test::Chunks(reinterpret_cast<const char*>(data), size, cuts))
		reader.Feed(chunk.data(), chunk.size());
	reader.Finish();
}

// A UserError as the outcome the whole and the chunked run must agree on.
inline std::string ErrorOutcome(const crm::core::UserError& e)
{
	return std::string("ERROR ") + e.sqlstate() + " " + e.what() + " | " + e.detail() + " | " + e.hint();
}

}  // namespace crm::fuzz
