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

}  // namespace
}  // namespace crm::core
