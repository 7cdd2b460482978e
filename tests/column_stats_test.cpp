// Unit tests of the per-column upload statistics (src/core/column_stats.cpp): UTF-8-safe
// cutting, blank tests, filled counts, distinct samples and ragged rows.
#include "column_stats.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm::core {
namespace {

CsvRecord Record(const std::vector<std::string>& fields, std::uint64_t no = 2)
{
	CsvRecord r;
	r.record_no = no;
	r.line_no = no;
	for (const auto& f : fields)
		r.AppendField(f.data(), f.size());
	return r;
}

TEST(CutUtf8, ShortValuesAreKept)
{
	EXPECT_EQ(CutUtf8("Ola", 3), "Ola");
	EXPECT_EQ(CutUtf8("", 0), "");
}

TEST(CutUtf8, CutsAtACharacterBoundary)
{
	// "Ø" is two bytes: cutting after one byte of it must drop it whole.
	EXPECT_EQ(CutUtf8("AØB", 2), "A…");
	EXPECT_EQ(CutUtf8("AØB", 3), "AØ…");
	EXPECT_EQ(CutUtf8("abcdef", 4), "abcd…");
	// A three-byte character (€) cut in its middle.
	EXPECT_EQ(CutUtf8("x€y", 3), "x…");
}

TEST(IsBlank, AsciiAndUnicodeSpaces)
{
	EXPECT_TRUE(IsBlank(""));
	EXPECT_TRUE(IsBlank("   "));
	EXPECT_TRUE(IsBlank("\t "));
	EXPECT_TRUE(IsBlank("\xC2\xA0"));  // no-break space
	EXPECT_FALSE(IsBlank("a"));
	EXPECT_FALSE(IsBlank(" a "));
	EXPECT_FALSE(IsBlank("Ø"));
	EXPECT_FALSE(IsBlank("\xC2\xA0x"));
}

TEST(ColumnStats, CountsFilledValuesAndKeepsDistinctSamples)
{
	ColumnStats stats(100);
	stats.SetColumnCount(3);
	stats.Add(Record({"Ola", "", "1"}));
	stats.Add(Record({"Kari", " ", "1"}));
	stats.Add(Record({"Ola", "x", "2"}));
	ASSERT_EQ(stats.filled().size(), 3u);
	EXPECT_EQ(stats.filled()[0], 3);
	EXPECT_EQ(stats.filled()[1], 1);
	EXPECT_EQ(stats.filled()[2], 3);
	EXPECT_EQ(stats.samples()[0], (std::vector<std::string>{"Ola", "Kari"}));
	EXPECT_EQ(stats.samples()[1], (std::vector<std::string>{"x"}));
	EXPECT_EQ(stats.samples()[2], (std::vector<std::string>{"1", "2"}));
	EXPECT_EQ(stats.ragged(), 0);
}

TEST(ColumnStats, KeepsAtMostFiveSamplesCutTo200Bytes)
{
	ColumnStats stats(100);
	stats.SetColumnCount(1);
	for (int i = 0; i < 10; i++)
		stats.Add(Record({"v" + std::to_string(i)}));
	stats.Add(Record({std::string(300, 'x')}));
	EXPECT_EQ(stats.filled()[0], 11);
	EXPECT_EQ(stats.samples()[0].size(), ColumnStats::kMaxSamples);
	EXPECT_EQ(stats.samples()[0].back(), "v4");

	ColumnStats longer(100);
	longer.SetColumnCount(1);
	longer.Add(Record({std::string(300, 'x')}));
	EXPECT_EQ(longer.samples()[0][0], std::string(200, 'x') + "…");
}

TEST(ColumnStats, RaggedRowsAreCountedAndWidenTheColumns)
{
	ColumnStats stats(100);
	stats.SetColumnCount(2);
	stats.Add(Record({"a"}));
	stats.Add(Record({"a", "b", "c"}));
	stats.Add(Record({"a", "b"}));
	EXPECT_EQ(stats.ragged(), 2);
	ASSERT_EQ(stats.filled().size(), 3u);
	EXPECT_EQ(stats.filled()[2], 1);
}

TEST(ColumnStats, FieldsPastMaxColumnsAreNotCounted)
{
	ColumnStats stats(2);
	stats.SetColumnCount(4);
	stats.Add(Record({"a", "b", "c", "d"}));
	EXPECT_EQ(stats.filled().size(), 2u);
	EXPECT_EQ(stats.ragged(), 0);
}

}  // namespace
}  // namespace crm::core
