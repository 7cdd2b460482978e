// Unit tests of the upload's argument checks (src/core/csv_reader.cpp): a file path passed
// as the file, and the hint of a quoting error in a file read with a given delimiter.
#include "csv_reader.hpp"
#include "error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crm::core {
namespace {

TEST(LooksLikeAFilePath, PathsAreRecognized)
{
	EXPECT_TRUE(LooksLikeAFilePath("/home/kari/Downloads/Connections.csv"));
	EXPECT_TRUE(LooksLikeAFilePath("  kontakter.CSV "));
	EXPECT_TRUE(LooksLikeAFilePath("medlemmer.txt"));
	EXPECT_TRUE(LooksLikeAFilePath("export.tsv"));
	EXPECT_TRUE(LooksLikeAFilePath("C:\\Users\\kari\\Desktop\\medlemmer"));
	EXPECT_TRUE(LooksLikeAFilePath("c:/data/list"));
	EXPECT_TRUE(LooksLikeAFilePath("\\\\fileserver\\share\\members"));
	EXPECT_TRUE(LooksLikeAFilePath("~/exports/members"));
	EXPECT_TRUE(LooksLikeAFilePath("/srv/exports/members"));
}

TEST(LooksLikeAFilePath, FilesAreNot)
{
	EXPECT_FALSE(LooksLikeAFilePath(""));
	EXPECT_FALSE(LooksLikeAFilePath("Email"));
	EXPECT_FALSE(LooksLikeAFilePath("/home/kari/a.csv\n"));     // a one-line file with its line break
	EXPECT_FALSE(LooksLikeAFilePath("Email,Name\nkari@example.no,Kari"));
	EXPECT_FALSE(LooksLikeAFilePath("/path,Email"));            // a one-line CSV with a slash
	EXPECT_FALSE(LooksLikeAFilePath(".csv"));
	EXPECT_FALSE(LooksLikeAFilePath(std::string(5000, 'a') + ".csv"));
}

class Collect : public CsvSink {
public:
	void OnRecord(const CsvRecord&) override {}
};

std::string QuotingHint(const std::string& data, char delimiter)
{
	Collect sink;
	CsvOptions options;
	options.delimiter = delimiter;
	CsvReader reader(options, sink);
	try {
		reader.Feed(data.data(), data.size());
		reader.Finish();
	} catch (const UserError& e) {
		EXPECT_EQ(e.sqlstate(), "22P04");
		return e.hint();
	}
	ADD_FAILURE() << "no error";
	return "";
}

TEST(GivenDelimiterHint, NamesTheDelimiterTheFirstLinesSuggest)
{
	std::string comma = "Name,Email,City\n\"Hansen, Ola\",ola@example.no,Oslo\n\"Berg, Per\",per@example.no,Bergen\n";
	std::string hint = QuotingHint(comma, ';');
	EXPECT_NE(hint.find("semicolon delimiter given"), std::string::npos) << hint;
	EXPECT_NE(hint.find("comma-separated"), std::string::npos) << hint;
	EXPECT_NE(hint.find("delimiter => ','"), std::string::npos) << hint;
	// An unterminated quote gets the same advice.
	hint = QuotingHint("Name,Email\n\"Kari,kari@example.no\n", ';');
	EXPECT_NE(hint.find("delimiter => ','"), std::string::npos) << hint;
}

TEST(GivenDelimiterHint, NotWhenTheDelimiterIsRightOrDetected)
{
	std::string broken = "Name;Email\n\"Kari \"K\" Nordmann\";kari@example.no\n";
	EXPECT_EQ(QuotingHint(broken, ';').find("delimiter =>"), std::string::npos);
	EXPECT_EQ(QuotingHint(broken, 0).find("delimiter =>"), std::string::npos);
}

}  // namespace
}  // namespace crm::core
