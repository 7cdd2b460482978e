// Unit tests of the header-row helpers (src/core/header.cpp) and of the upload's delimiter
// argument (ParseDelimiterArgument, src/core/csv_reader.cpp).
#include "csv_reader.hpp"
#include "error.hpp"
#include "header.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm::core {
namespace {

TEST(UniqueColumnNames, KeepsUniqueNames)
{
	std::vector<std::string> renamed;
	auto names = UniqueColumnNames({"Navn", "E-post"}, 2, renamed);
	EXPECT_EQ(names, (std::vector<std::string>{"Navn", "E-post"}));
	EXPECT_TRUE(renamed.empty());
}

TEST(UniqueColumnNames, BlankAndMissingNamesBecomeColumnN)
{
	std::vector<std::string> renamed;
	auto names = UniqueColumnNames({"Navn", ""}, 3, renamed);
	EXPECT_EQ(names, (std::vector<std::string>{"Navn", "column_2", "column_3"}));
	ASSERT_EQ(renamed.size(), 2u);
	EXPECT_EQ(renamed[0], "column 2 (blank) is named \"column_2\"");
}

TEST(UniqueColumnNames, RepeatsGetSuffixesNotUsedElsewhere)
{
	std::vector<std::string> renamed;
	// Navn_2 is taken by the third column: the repeated Navn becomes Navn_3.
	auto names = UniqueColumnNames({"Navn", "Navn", "Navn_2"}, 3, renamed);
	EXPECT_EQ(names, (std::vector<std::string>{"Navn", "Navn_3", "Navn_2"}));
	ASSERT_EQ(renamed.size(), 1u);
	EXPECT_EQ(renamed[0], "column 2 \"Navn\" is named \"Navn_3\"");
}

TEST(UniqueColumnNames, RepeatsAreCaseInsensitive)
{
	std::vector<std::string> renamed;
	auto names = UniqueColumnNames({"Email", "EMAIL", "email"}, 3, renamed);
	EXPECT_EQ(names, (std::vector<std::string>{"Email", "EMAIL_2", "email_3"}));
}

TEST(ParseDelimiterArgument, NamesAndCharacters)
{
	EXPECT_EQ(ParseDelimiterArgument(nullptr), 0);
	EXPECT_EQ(ParseDelimiterArgument(","), ',');
	EXPECT_EQ(ParseDelimiterArgument(" Comma "), ',');
	EXPECT_EQ(ParseDelimiterArgument("semicolon"), ';');
	EXPECT_EQ(ParseDelimiterArgument(";"), ';');
	EXPECT_EQ(ParseDelimiterArgument("TAB"), '\t');
	EXPECT_EQ(ParseDelimiterArgument("\\t"), '\t');
	EXPECT_EQ(ParseDelimiterArgument("\t"), '\t');
	EXPECT_EQ(ParseDelimiterArgument("pipe"), '|');
	EXPECT_EQ(ParseDelimiterArgument(":"), ':');
}

TEST(ParseDelimiterArgument, RefusesQuotesLineBreaksAndWords)
{
	for (const char* bad : {"\"", "\n", "\r", "colon", ";;", ""}) {
		try {
			ParseDelimiterArgument(bad);
			ADD_FAILURE() << "accepted \"" << bad << "\"";
		} catch (const UserError& e) {
			EXPECT_EQ(e.sqlstate(), "22023");
			EXPECT_NE(e.hint().find("Pass NULL"), std::string::npos);
		}
	}
}

// Shapes from field counts; a negative count is a title row of that many fields (blank but
// for the first).
std::vector<RecordShape> Shapes(const std::vector<int>& counts)
{
	std::vector<RecordShape> out;
	std::uint64_t line = 1;
	for (int c : counts) {
		RecordShape r;
		r.fields = static_cast<std::size_t>(c < 0 ? -c : c);
		r.first_only = c < 0;
		r.line_no = line++;
		out.push_back(r);
	}
	return out;
}

TEST(DetectPreamble, LinkedInNotesAreAPreamble)
{
	// Notes:, the quoted paragraph, then the 7-field header and rows.
	PreambleVerdict v = DetectPreamble(Shapes({1, 1, 7, 7, 7, 7, 7}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kApplied);
	EXPECT_EQ(v.header_index, 2u);
	EXPECT_EQ(v.dominant_fields, 7u);
}

TEST(DetectPreamble, OneFieldLinesMayOutnumberTheRows)
{
	PreambleVerdict v = DetectPreamble(Shapes({1, 1, 1, 7, 7}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kApplied);
	EXPECT_EQ(v.header_index, 3u);
}

TEST(DetectPreamble, ATitlePaddedWithDelimitersIsAPreamble)
{
	PreambleVerdict v = DetectPreamble(Shapes({-5, 5, 5, 5}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kApplied);
	EXPECT_EQ(v.header_index, 1u);
	// A title, then a short line, then the header.
	v = DetectPreamble(Shapes({-4, 1, 4, 4, 4}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kApplied);
	EXPECT_EQ(v.header_index, 2u);
}

TEST(DetectPreamble, PlainFilesHaveNone)
{
	EXPECT_EQ(DetectPreamble(Shapes({5, 5, 5})).kind, PreambleVerdict::Kind::kNone);
	EXPECT_EQ(DetectPreamble(Shapes({5})).kind, PreambleVerdict::Kind::kNone);
	EXPECT_EQ(DetectPreamble(Shapes({})).kind, PreambleVerdict::Kind::kNone);
	// A header one field short of its rows: not a preamble (short rows are another matter).
	EXPECT_EQ(DetectPreamble(Shapes({4, 5, 5, 5})).kind, PreambleVerdict::Kind::kNone);
	// Single-column and two-column files: too few fields to tell a title from data.
	EXPECT_EQ(DetectPreamble(Shapes({1, 1, 1, 1})).kind, PreambleVerdict::Kind::kNone);
	EXPECT_EQ(DetectPreamble(Shapes({1, 2, 2, 2})).kind, PreambleVerdict::Kind::kNone);
}

TEST(DetectPreamble, UnsureCasesAreAmbiguous)
{
	// A record between the title and the header that is neither short nor a title.
	PreambleVerdict v = DetectPreamble(Shapes({1, 3, 5, 5, 5}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kAmbiguous);
	EXPECT_EQ(v.header_index, 2u);
	EXPECT_NE(v.reason.find("record 2 (line 2) has 3 fields"), std::string::npos);
	// Nothing below the header candidate.
	v = DetectPreamble(Shapes({1, 3}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kAmbiguous);
	EXPECT_EQ(v.header_index, 1u);
	// The records below it do not follow it.
	v = DetectPreamble(Shapes({1, 5, 2, 2, 5, 5, 2, 5}));
	EXPECT_EQ(v.kind, PreambleVerdict::Kind::kAmbiguous);
	EXPECT_EQ(v.header_index, 1u);
	EXPECT_NE(v.reason.find("only 3 of the 6 records below record 2"), std::string::npos) << v.reason;
}

}  // namespace
}  // namespace crm::core
