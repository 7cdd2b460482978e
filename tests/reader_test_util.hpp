// GoogleTest helpers of the reader tests (encoding_test.cpp, source_reader_test.cpp): the
// same outcome for every way of cutting an input, what an error said, and text in UTF-16 and
// UTF-32.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chunks.hpp"
#include "error.hpp"

namespace crm::test {

// describe(cuts) reads the size-byte input cut at cuts and describes the outcome as text. The
// outcome is the same whole, cut in two at every position, and byte by byte; what prefixes
// the failure message.
// What a read's UserError said, kept to be compared: failed, and its SQLSTATE, message,
// detail and hint.
struct Failure {
	bool failed = false;
	std::string sqlstate, message, detail, hint;

	void Fail(const core::UserError& e)
	{
		failed = true;
		sqlstate = e.sqlstate();
		message = e.what();
		detail = e.detail();
		hint = e.hint();
	}
};

template <typename Describe>
void ExpectSameEverySplit(std::size_t size, Describe describe, const std::string& what = "")
{
	std::string whole = describe(std::vector<std::size_t>{});
	for (std::size_t cut = 0; cut <= size; ++cut)
		ASSERT_EQ(whole, describe(std::vector<std::size_t>{cut})) << what << "split at " << cut;
	ASSERT_EQ(whole, describe(EveryByte(size))) << what << "byte by byte";
}

inline std::string Utf16Le(const std::u16string& s)
{
	std::string out;
	for (char16_t c : s) {
		out.push_back(static_cast<char>(c & 0xFF));
		out.push_back(static_cast<char>(c >> 8));
	}
	return out;
}

inline std::string Utf16Be(const std::u16string& s)
{
	std::string out;
	for (char16_t c : s) {
		out.push_back(static_cast<char>(c >> 8));
		out.push_back(static_cast<char>(c & 0xFF));
	}
	return out;
}

inline std::string Utf32(const std::u32string& s, bool little)
{
	std::string out;
	for (char32_t c : s)
		for (int k = 0; k < 4; ++k)
			out.push_back(static_cast<char>((c >> (little ? 8 * k : 8 * (3 - k))) & 0xFF));
	return out;
}

}  // namespace crm::test
