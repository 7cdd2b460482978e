// Tests of the streaming CSV reader: parsing, line numbers, encodings, errors, limits,
// delimiter detection, and that every way of splitting the input gives the same result.
#include "csv_reader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "error.hpp"

namespace crm::core {
namespace {

using namespace std::string_literals;

struct Rec {
	std::uint64_t record_no = 0;
	std::uint64_t line_no = 0;
	std::vector<std::string> fields;
};

// Everything observable about one run of the reader.
struct Outcome {
	std::vector<Rec> records;
	bool failed = false;
	std::string sqlstate, message, detail, hint;
	char delimiter = 0;
	bool detected = false;
	bool had_bom = false;
	std::uint64_t record_count = 0;

	// One text for comparisons, so that a mismatch prints readably.
	std::string Text() const
	{
		std::ostringstream out;
		for (const Rec& r : records) {
			out << "#" << r.record_no << " @" << r.line_no << ":";
			for (const std::string& f : r.fields)
				out << " [" << f << "]";
			out << "\n";
		}
		if (failed)
			out << "ERROR " << sqlstate << " " << message << " | " << detail << " | " << hint << "\n";
		out << "delimiter=" << int(delimiter) << " detected=" << detected << " bom=" << had_bom
		    << " records=" << record_count << "\n";
		return out.str();
	}
};

class Collect : public CsvSink {
public:
	explicit Collect(std::vector<Rec>& out) : out_(out) {}
	void OnRecord(const CsvRecord& r) override
	{
		Rec rec;
		rec.record_no = r.record_no;
		rec.line_no = r.line_no;
		for (std::size_t i = 0; i < r.size(); ++i)
			rec.fields.emplace_back(r.field(i));
		out_.push_back(std::move(rec));
	}

private:
	std::vector<Rec>& out_;
};

// Feeds input cut at the given ascending positions. Each chunk is copied into its own
// allocation so that AddressSanitizer sees any read past a chunk's end.
Outcome ParseCuts(const std::string& input, const std::vector<std::size_t>& cuts, const CsvOptions& options = {})
{
	Outcome o;
	Collect sink(o.records);
	CsvReader reader(options, sink);
	try {
		std::size_t begin = 0;
		for (std::size_t k = 0; k <= cuts.size(); ++k) {
			std::size_t end = k < cuts.size() ? cuts[k] : input.size();
			std::vector<char> chunk(input.begin() + begin, input.begin() + end);
			reader.Feed(chunk.data(), chunk.size());
			begin = end;
		}
		reader.Finish();
	} catch (const UserError& e) {
		o.failed = true;
		o.sqlstate = e.sqlstate();
		o.message = e.what();
		o.detail = e.detail();
		o.hint = e.hint();
	}
	o.delimiter = reader.delimiter();
	o.detected = reader.delimiter_detected();
	o.had_bom = reader.had_bom();
	o.record_count = reader.records();
	if (!o.failed) {
		EXPECT_EQ(reader.bytes_read(), input.size());
	}
	return o;
}

Outcome Parse(const std::string& input, const CsvOptions& options = {}) { return ParseCuts(input, {}, options); }

Outcome ParseBytewise(const std::string& input, const CsvOptions& options = {})
{
	std::vector<std::size_t> cuts;
	for (std::size_t i = 1; i < input.size(); ++i)
		cuts.push_back(i);
	return ParseCuts(input, cuts, options);
}

// The result of feeding input whole, in two chunks split at every position, and one byte at
// a time must be the same.
void ExpectSameEverySplit(const std::string& input, const CsvOptions& options = {})
{
	std::string whole = Parse(input, options).Text();
	for (std::size_t cut = 0; cut <= input.size(); ++cut) {
		std::string split = ParseCuts(input, {cut}, options).Text();
		ASSERT_EQ(whole, split) << "split at " << cut << " of " << testing::PrintToString(input);
	}
	ASSERT_EQ(whole, ParseBytewise(input, options).Text()) << "bytewise " << testing::PrintToString(input);
}

std::vector<std::string> Fields(std::initializer_list<std::string> f) { return f; }

CsvOptions Comma()
{
	CsvOptions o;
	o.delimiter = ',';
	return o;
}

// --- parsing ---

TEST(CsvReader, SimpleRecordsWithLineAndRecordNumbers)
{
	Outcome o = Parse("name,email\nOla,ola@x.no\nKari,kari@y.no\n");
	ASSERT_FALSE(o.failed) << o.Text();
	ASSERT_EQ(o.records.size(), 3u);
	EXPECT_EQ(o.records[0].fields, Fields({"name", "email"}));
	EXPECT_EQ(o.records[2].fields, Fields({"Kari", "kari@y.no"}));
	for (std::size_t i = 0; i < 3; ++i) {
		EXPECT_EQ(o.records[i].record_no, i + 1);
		EXPECT_EQ(o.records[i].line_no, i + 1);
	}
	EXPECT_EQ(o.record_count, 3u);
}

TEST(CsvReader, LastLineWithoutNewlineIsARecord)
{
	Outcome o = Parse("a,b\nc,d");
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[1].fields, Fields({"c", "d"}));
	EXPECT_EQ(o.records[1].line_no, 2u);
}

TEST(CsvReader, LineEndingsLfCrlfLoneCrAndMixed)
{
	for (const std::string& input : {"a\r\nb\r\nc\r\n"s, "a\rb\rc\r"s, "a\nb\rc"s, "a\r\nb\nc\r"s}) {
		Outcome o = Parse(input, Comma());
		ASSERT_EQ(o.records.size(), 3u) << testing::PrintToString(input);
		for (std::size_t i = 0; i < 3; ++i) {
			EXPECT_EQ(o.records[i].fields, Fields({std::string(1, char('a' + i))}));
			EXPECT_EQ(o.records[i].line_no, i + 1) << testing::PrintToString(input);
		}
	}
}

TEST(CsvReader, BlankLinesAreSkippedButCounted)
{
	// Lines: 1 "", 2 "", 3 "a", 4 "" (CRLF), 5 "" (CR), 6 "b", 7 "" (LF).
	Outcome o = Parse("\n\na\n\r\n\rb\n\n", Comma());
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[0].line_no, 3u);
	EXPECT_EQ(o.records[0].record_no, 1u);
	EXPECT_EQ(o.records[1].line_no, 6u);
	EXPECT_EQ(o.records[1].record_no, 2u);
}

TEST(CsvReader, WhitespaceOnlyLinesAreBlank)
{
	Outcome o = Parse("a,b\n   \n\t\n \t \nc,d\n  ", Comma());
	ASSERT_EQ(o.records.size(), 2u) << o.Text();
	EXPECT_EQ(o.records[1].fields, Fields({"c", "d"}));
	EXPECT_EQ(o.records[1].line_no, 5u);
	// A quoted blank on its own is a value.
	o = Parse("\"  \"\n", Comma());
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"  "}));
}

TEST(CsvReader, DelimiterOnlyLinesAreBlank)
{
	// Spreadsheets write rows of delimiters below the data (Excel's ";;;"); each would become
	// an empty contact. Blank like an empty line, counted in line numbers; any value keeps
	// the row, and so does a quote anywhere in it (someone wrote those empty values).
	CsvOptions semicolon;
	semicolon.delimiter = ';';
	Outcome o = Parse("a;b;c\r\n;;\r\n ; ;\t\r\nd;;\r\n;\r\n;;;;\r\n;e;\r\n", semicolon);
	ASSERT_EQ(o.records.size(), 3u) << o.Text();
	EXPECT_EQ(o.records[1].fields, Fields({"d", "", ""}));
	EXPECT_EQ(o.records[1].line_no, 4u);
	EXPECT_EQ(o.records[1].record_no, 2u);
	EXPECT_EQ(o.records[2].fields, Fields({"", "e", ""}));
	EXPECT_EQ(o.records[2].line_no, 7u);
	o = Parse("a,b\n,\n , \n,\"\"\n\" \",\n", Comma());
	ASSERT_EQ(o.records.size(), 3u) << o.Text();
	EXPECT_EQ(o.records[1].fields, Fields({"", ""}));
	EXPECT_EQ(o.records[1].line_no, 4u);
	EXPECT_EQ(o.records[2].fields, Fields({" ", ""}));
}

TEST(CsvReader, ValuesKeepTheirSpacesAndTabs)
{
	Outcome o = Parse(" a , b ,c\t,\t\n", Comma());
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({" a ", " b ", "c\t", "\t"}));
	CsvOptions tab;
	tab.delimiter = '\t';
	o = Parse(" a \t b\t\tc \n", tab);
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({" a ", " b", "", "c "}));
}

TEST(CsvReader, EmptyFieldsAreEmptyStrings)
{
	// (A line of delimiters only is blank: DelimiterOnlyLinesAreBlank. Quoted, it is values.)
	Outcome o = Parse("\"\",,\na,\n,b\n\"\"\n", Comma());
	ASSERT_EQ(o.records.size(), 4u);
	EXPECT_EQ(o.records[0].fields, Fields({"", "", ""}));
	EXPECT_EQ(o.records[1].fields, Fields({"a", ""}));
	EXPECT_EQ(o.records[2].fields, Fields({"", "b"}));
	EXPECT_EQ(o.records[3].fields, Fields({""}));
}

TEST(CsvReader, QuotedFields)
{
	Outcome o = Parse("\"a,b\",\"say \"\"hi\"\"\",\"\",\"\"\"\"\n", Comma());
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"a,b", "say \"hi\"", "", "\""}));
}

TEST(CsvReader, NewlinesInsideQuotesAreKeptAndCounted)
{
	Outcome o = Parse("id,note\n1,\"one\ntwo\"\n2,\"cr\rlf\r\ncrlf\"\r\n3,x\n", Comma());
	ASSERT_EQ(o.records.size(), 4u) << o.Text();
	EXPECT_EQ(o.records[1].fields, Fields({"1", "one\ntwo"}));
	EXPECT_EQ(o.records[1].line_no, 2u);
	EXPECT_EQ(o.records[2].fields, Fields({"2", "cr\rlf\r\ncrlf"}));
	EXPECT_EQ(o.records[2].line_no, 4u);
	EXPECT_EQ(o.records[3].line_no, 7u);
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsLiteral)
{
	// libcsv's strict mode rejects these; the reader takes the quote literally.
	Outcome o = Parse("5\" screen,a\"b\"c,x\"\"y, \"q\"\n", Comma());
	ASSERT_FALSE(o.failed) << o.Text();
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"5\" screen", "a\"b\"c", "x\"\"y", " \"q\""}));
}

TEST(CsvReader, MultiByteCharactersPassThrough)
{
	std::string text = "Ærlig Ødegård,Åse,émoji 😀,€,\xF4\x8F\xBF\xBF,\xEF\xBF\xBF,\xED\x9F\xBF,\xEE\x80\x80\n";
	Outcome o = Parse(text, Comma());
	ASSERT_FALSE(o.failed) << o.Text();
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields[0], "Ærlig Ødegård");
	EXPECT_EQ(o.records[0].fields[2], "émoji 😀");
	EXPECT_EQ(o.records[0].fields[4], "\xF4\x8F\xBF\xBF");
}

// --- byte-order mark ---

TEST(CsvReader, BomIsSkipped)
{
	Outcome o = Parse("\xEF\xBB\xBFname,email\nOla,o@x.no\n");
	EXPECT_TRUE(o.had_bom);
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[0].fields, Fields({"name", "email"}));
	EXPECT_EQ(o.records[0].line_no, 1u);
	ExpectSameEverySplit("\xEF\xBB\xBFname,email\nOla,o@x.no\n");
}

TEST(CsvReader, OnlyALeadingBomIsSkipped)
{
	Outcome o = Parse("a\n\xEF\xBB\xBF" "b\n", Comma());
	EXPECT_FALSE(o.had_bom);
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[1].fields, Fields({"\xEF\xBB\xBF" "b"}));
	o = Parse("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n", Comma());
	EXPECT_TRUE(o.had_bom);
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"\xEF\xBB\xBF" "a"}));
}

TEST(CsvReader, BomOnlyAndEmptyFiles)
{
	Outcome o = Parse("\xEF\xBB\xBF");
	EXPECT_TRUE(o.had_bom);
	EXPECT_FALSE(o.failed);
	EXPECT_TRUE(o.records.empty());
	o = Parse("");
	EXPECT_FALSE(o.failed);
	EXPECT_TRUE(o.records.empty());
	EXPECT_EQ(o.delimiter, ',');
	EXPECT_TRUE(o.detected);
	o = Parse("\n\r\n  \n");
	EXPECT_FALSE(o.failed);
	EXPECT_TRUE(o.records.empty());
}

TEST(CsvReader, BomPrefixThatIsNotABom)
{
	// EF BB is a valid start of U+FEC0 (EF BB 80) and data when the BOM does not complete.
	Outcome o = Parse("\xEF\xBB\x80,x\n", Comma());
	EXPECT_FALSE(o.had_bom);
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"\xEF\xBB\x80", "x"}));
	o = Parse("\xEF\xBB" "a\n", Comma());
	EXPECT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "22021");
	o = Parse("\xEF", Comma());
	EXPECT_TRUE(o.failed);
	EXPECT_EQ(o.detail, "line 1, byte offset 0: byte 0xEF at the end of the file");
}

// --- NUL bytes ---

TEST(CsvReader, NulByteIsAnError)
{
	Outcome o = Parse("a,b\nc,d\0e\n"s, Comma());
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "22021");
	EXPECT_EQ(o.message, "file contains a NUL byte");
	EXPECT_EQ(o.detail, "line 2, byte offset 7");
	EXPECT_NE(o.hint.find("binary"), std::string::npos) << o.hint;
	ASSERT_EQ(o.records.size(), 1u);  // the records before it were delivered
	// The offset counts the BOM.
	o = Parse("\xEF\xBB\xBF" "a\n\0"s, Comma());
	EXPECT_EQ(o.detail, "line 2, byte offset 5");
}

TEST(CsvReader, NulBytesOfUtf16Text)
{
	std::string le = "n\0a\0m\0e\0,\0e\0m\0a\0i\0l\0\n\0"s;
	Outcome o = Parse(le);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "22021");
	EXPECT_EQ(o.detail, "line 1, byte offset 1");
	EXPECT_NE(o.hint.find("UTF-16"), std::string::npos) << o.hint;
	EXPECT_NE(o.hint.find("re-save the file as \"CSV UTF-8\""), std::string::npos) << o.hint;
	ExpectSameEverySplit(le);
	std::string be = "\0n\0a\0m\0e\0,\0x"s;
	o = Parse(be);
	EXPECT_EQ(o.detail, "line 1, byte offset 0");
	EXPECT_NE(o.hint.find("UTF-16 text (e.g."), std::string::npos) << o.hint;
	// UTF-16 with its byte-order mark fails on the mark, which is not UTF-8.
	o = Parse("\xFF\xFEn\0a\0"s);
	EXPECT_EQ(o.detail, "line 1, byte offset 0: byte 0xFF");
	EXPECT_NE(o.hint.find("UTF-16"), std::string::npos) << o.hint;
}

TEST(CsvReader, NulBytesOfBinaryFiles)
{
	Outcome o = Parse("abc\0\x01\x02\x03\x7F\x01\x01\x01"s);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.message, "file contains a NUL byte");
	EXPECT_NE(o.hint.find("binary"), std::string::npos) << o.hint;
	EXPECT_EQ(o.hint.find("looks like UTF-16"), std::string::npos) << o.hint;
}

// --- files that are not text: recognized by their first bytes ---

struct BinaryFile {
	std::string input;
	std::string message;
	std::string detail;
	std::string hint_part;
};

TEST(CsvReader, BinaryFilesAreNamedByTheirSignature)
{
	const std::string image = "an image cannot be imported";
	const std::string excel = "in Excel use File > Save As > \"CSV UTF-8 (Comma delimited)\" and upload that file";
	const BinaryFile cases[] = {
		{"\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x01"s, "file is a PNG image, not a CSV file",
		 "the file starts with the PNG signature (bytes 0x89 0x50 0x4E 0x47 0x0D 0x0A 0x1A 0x0A)", image},
		{"GIF89a\x01\0\x01\0\x80\0\0\xFF\xFF\xFF"s, "file is a GIF image, not a CSV file",
		 "the file starts with the GIF signature (bytes 0x47 0x49 0x46 0x38 0x39 0x61)", image},
		// Valid UTF-8 text without a NUL, and shorter than the 8 bytes held back.
		{"GIF87a", "file is a GIF image, not a CSV file",
		 "the file starts with the GIF signature (bytes 0x47 0x49 0x46 0x38 0x37 0x61)", image},
		{"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01"s, "file is a JPEG image, not a CSV file",
		 "the file starts with the JPEG signature (bytes 0xFF 0xD8 0xFF)", image},
		{"\xFF\xD8\xFF", "file is a JPEG image, not a CSV file",
		 "the file starts with the JPEG signature (bytes 0xFF 0xD8 0xFF)", image},
		{"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "file is a PDF document, not a CSV file",
		 "the file starts with the PDF signature (bytes 0x25 0x50 0x44 0x46 0x2D)", "a PDF cannot be imported"},
		// A PDF whose first lines are plain ASCII would otherwise be read as CSV.
		{"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "file is a PDF document, not a CSV file",
		 "the file starts with the PDF signature (bytes 0x25 0x50 0x44 0x46 0x2D)", "CSV UTF-8"},
		{"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0b\xEE\x9Dh^\x01\0\0\x90\x04\0\0\x13\0[Content_Types].xml"s,
		 "file is a ZIP archive, e.g. an Excel .xlsx workbook, not a CSV file",
		 "the file starts with the ZIP signature (bytes 0x50 0x4B 0x03 0x04)", excel},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0>\0\x03\0\xFE\xFF"s,
		 "file is an Excel .xls workbook (or another Microsoft Office file), not a CSV file",
		 "the file starts with the OLE2 compound file signature (bytes 0xD0 0xCF 0x11 0xE0 0xA1 0xB1 0x1A 0xE1)",
		 excel},
		{"\x1F\x8B\x08\0\0\0\0\0\0\x03"s, "file is gzip-compressed, not a CSV file",
		 "the file starts with the gzip signature (bytes 0x1F 0x8B)", "gunzip"},
		{"\xFF\xFE\0\0n\0\0\0a\0\0\0,\0\0\0"s, "file is UTF-32 text, not UTF-8",
		 "the file starts with a UTF-32LE byte-order mark (bytes 0xFF 0xFE 0x00 0x00)",
		 "re-save the file as \"CSV UTF-8\""},
		{"\0\0\xFE\xFF\0\0\0n\0\0\0a"s, "file is UTF-32 text, not UTF-8",
		 "the file starts with a UTF-32BE byte-order mark (bytes 0x00 0x00 0xFE 0xFF)",
		 "re-save the file as \"CSV UTF-8\""},
	};
	for (const BinaryFile& c : cases) {
		for (const CsvOptions& options : {CsvOptions(), Comma()}) {
			Outcome o = Parse(c.input, options);
			ASSERT_TRUE(o.failed) << testing::PrintToString(c.input);
			EXPECT_EQ(o.sqlstate, "22021");
			EXPECT_EQ(o.message, c.message);
			EXPECT_EQ(o.detail, c.detail);
			EXPECT_NE(o.hint.find(c.hint_part), std::string::npos) << o.hint;
			EXPECT_TRUE(o.records.empty());
			ExpectSameEverySplit(c.input, options);
		}
	}
}

// Only the full signature counts: CSV text that starts with the same letters is CSV.
TEST(CsvReader, TextThatStartsLikeASignatureIsCsv)
{
	Outcome o = Parse("PK,Name\n1,a\n");
	ASSERT_FALSE(o.failed) << o.Text();
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[0].fields, Fields({"PK", "Name"}));
	EXPECT_EQ(o.records[1].fields, Fields({"1", "a"}));
	const std::string texts[] = {"PK\n1\n", "PK;ID\n", "GIF,JPEG,PDF\n1,2,3\n", "GIF89,x\n", "%PDF,x\n",
				     "PK\x03,x\n", "\x1F,x\n", "P", "", "\xEF\xBB\xBF" "PK\x03\x04,x\n"};
	for (const std::string& text : texts) {
		o = Parse(text);
		EXPECT_FALSE(o.failed) << testing::PrintToString(text) << " " << o.Text();
		ExpectSameEverySplit(text);
	}
	// Part of a signature is not one: the bytes fail as what they are.
	o = Parse("\xFF\xD8,x\n");
	EXPECT_EQ(o.message, "file is not valid UTF-8");
	o = Parse("\xD0\xCF\x11\xE0,x\n");
	EXPECT_EQ(o.message, "file is not valid UTF-8");
	// The UTF-16LE byte-order mark (FF FE, then not two NULs) is still UTF-16.
	o = Parse("\xFF\xFE" "a\0\0\0"s);
	EXPECT_NE(o.hint.find("UTF-16"), std::string::npos) << o.hint;
}

// The signature is checked before any other error and before any record is delivered.
TEST(CsvReader, SignatureComesFirst)
{
	std::vector<Rec> records;
	Collect sink(records);
	CsvReader reader(Comma(), sink);
	reader.Feed("%PD", 3);  // not yet decided: held back
	EXPECT_TRUE(records.empty());
	try {
		reader.Feed("F-1.4\n\xFF", 7);
		FAIL() << "no error";
	} catch (const UserError& e) {
		EXPECT_STREQ(e.what(), "file is a PDF document, not a CSV file");
	}
	EXPECT_TRUE(records.empty());
	EXPECT_THROW(reader.Finish(), UserError);
	// A normal file is delivered as soon as the first 8 bytes are in.
	CsvReader reader2(Comma(), sink);
	reader2.Feed("a,b\nc,d\n", 8);
	EXPECT_EQ(records.size(), 2u);
}

// --- invalid UTF-8 ---

struct BadUtf8 {
	std::string input;
	std::string detail;
	bool latin1;
};

TEST(CsvReader, InvalidUtf8)
{
	const BadUtf8 cases[] = {
		{"Bj\xF8rn,x\n", "line 1, byte offset 2: byte 0xF8", true},
		{"navn\nBl\xE5" "b\xE6r\n", "line 2, byte offset 7: byte 0xE5", true},
		{"a\r\n\xE6\xF8\xE5\n", "line 2, byte offset 3: byte 0xE6", true},
		{"\xC6\xD8\xC5,\xE9\n", "line 1, byte offset 0: byte 0xC6", true},
		{"it\x92s\n", "line 1, byte offset 2: byte 0x92", true},
		{"\"quoted\nB\xF8rge\"", "line 2, byte offset 9: byte 0xF8", true},
		{"x\xC0\x80y", "line 1, byte offset 1: bytes 0xC0 0x80", false},
		{"x\xC1\xBF", "line 1, byte offset 1: bytes 0xC1 0xBF", false},
		{"\xE0\x80\x80", "line 1, byte offset 0: bytes 0xE0 0x80", false},
		{"\xE0\x9F\xBF", "line 1, byte offset 0: bytes 0xE0 0x9F", false},
		{"\xED\xA0\x80", "line 1, byte offset 0: bytes 0xED 0xA0", false},
		{"\xED\xBF\xBF", "line 1, byte offset 0: bytes 0xED 0xBF", false},
		{"\xF0\x80\x80\x80", "line 1, byte offset 0: bytes 0xF0 0x80", false},
		{"\xF4\x90\x80\x80", "line 1, byte offset 0: bytes 0xF4 0x90", false},
		{"\xF5\x80\x80\x80", "line 1, byte offset 0: bytes 0xF5 0x80", false},
		{"\xF0\x9F\x98" "a", "line 1, byte offset 0: byte 0xF0", true},
		{"\xF0\x9F\x98\xF0", "line 1, byte offset 0: byte 0xF0", true},
		{"\xE2\x82\xAC\xE2\x82",
		 "line 1, byte offset 3: bytes 0xE2 0x82 at the end of the file (a truncated character)", false},
		{"ab\nc\xC3", "line 2, byte offset 4: byte 0xC3 at the end of the file", true},
		{"\xFE\xFF\0a"s, "line 1, byte offset 0: byte 0xFE", true},
		{"\xEF\xBB\xBF" "a\nB\xF8", "line 2, byte offset 6: byte 0xF8", true},
	};
	for (const BadUtf8& c : cases) {
		Outcome o = Parse(c.input, Comma());
		ASSERT_TRUE(o.failed) << testing::PrintToString(c.input);
		EXPECT_EQ(o.sqlstate, "22021");
		EXPECT_EQ(o.message, "file is not valid UTF-8");
		EXPECT_EQ(o.detail, c.detail) << testing::PrintToString(c.input);
		EXPECT_NE(o.hint.find("\"CSV UTF-8\""), std::string::npos) << o.hint;
		if (c.input[0] != '\xFE') {
			EXPECT_EQ(o.hint.find("Windows-1252/Latin-1") != std::string::npos, c.latin1)
				<< testing::PrintToString(c.input) << " " << o.hint;
		}
		ExpectSameEverySplit(c.input, Comma());
	}
}

TEST(CsvReader, Latin1ExcelExportHint)
{
	// "Fornavn;Etternavn;By\nBjørn;Ås;Tromsø" as Windows-1252.
	std::string input = "Fornavn,Etternavn,By\nBj\xF8rn,\xC5s,Troms\xF8\n";
	Outcome o = Parse(input);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.detail, "line 2, byte offset 23: byte 0xF8");
	EXPECT_NE(o.hint.find("Windows-1252/Latin-1"), std::string::npos);
	EXPECT_NE(o.hint.find("CSV (comma delimited)"), std::string::npos);
	EXPECT_NE(o.hint.find("re-save the file as \"CSV UTF-8\""), std::string::npos);
	ASSERT_EQ(o.records.size(), 1u);
}

// --- quoting errors ---

TEST(CsvReader, UnterminatedQuoteNamesTheLineItOpened)
{
	struct Case {
		std::string input, detail_start;
	};
	const Case cases[] = {
		{"a,b\n\"open\nmore\n", "line 2, column 1:"},
		{"a,\"x\ny", "line 1, column 2:"},
		{"a\nb,c,\"q\n\nz", "line 2, column 3:"},
		{"a,\"ok\nstill\",\"open\nmore", "line 2, column 3:"},
		{"\r\n\r\nx,\"", "line 3, column 2:"},
	};
	for (const Case& c : cases) {
		Outcome o = Parse(c.input, Comma());
		ASSERT_TRUE(o.failed) << testing::PrintToString(c.input);
		EXPECT_EQ(o.sqlstate, "22P04");
		EXPECT_EQ(o.message, "unterminated quoted field");
		EXPECT_EQ(o.detail.rfind(c.detail_start, 0), 0u) << o.detail;
		EXPECT_NE(o.hint.find("quote"), std::string::npos);
		ExpectSameEverySplit(c.input, Comma());
	}
}

TEST(CsvReader, TextAfterClosingQuoteIsMalformed)
{
	Outcome o = Parse("h\n\"abc\"def,x\n", Comma());
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "22P04");
	EXPECT_EQ(o.message, "malformed quoted field");
	EXPECT_EQ(o.detail.rfind("line 2, column 1:", 0), 0u) << o.detail;
	EXPECT_NE(o.hint.find("\"\""), std::string::npos);
	ASSERT_EQ(o.records.size(), 1u);
	o = Parse("a\nb,\"x\ny\" ,c", Comma());  // a space after the closing quote is text too
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.detail, "line 3, column 2: text follows the closing quote of the field (the field starts on line 2)");
	ExpectSameEverySplit("a\nb,\"x\ny\" ,c", Comma());
}

// --- limits ---

TEST(CsvReader, FieldSizeLimit)
{
	CsvOptions o5 = Comma();
	o5.max_field_bytes = 5;
	EXPECT_FALSE(Parse("abcde,\"vwxyz\",\"a\"\"b\"\"c\"\n", o5).failed);
	Outcome o = Parse("x\nabc,abcdef\n", o5);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "54000");
	EXPECT_EQ(o.message, "field exceeds the maximum size of 5 bytes");
	EXPECT_EQ(o.detail, "line 2, column 2");
	EXPECT_NE(o.hint.find("crm_import.max_field_size"), std::string::npos);
	o = Parse("a,\"multi\nline field\"\n", o5);
	EXPECT_EQ(o.detail, "line 1, column 2");
	for (const char* input :
	     {"abcde,\"vwxyz\"\n", "\"abcdef\"", "\"abcde\"\"\"", "ab,\"abcde\"x", "a,\"a\nb\nc\nd\ne\n"})
		ExpectSameEverySplit(input, o5);
}

TEST(CsvReader, RecordSizeLimit)
{
	CsvOptions o8 = Comma();
	o8.max_record_bytes = 8;
	EXPECT_FALSE(Parse("abcd,efgh\n\"ab\nc\",\"\"\"\"\n", o8).failed);
	Outcome o = Parse("1\n\n\"abcd\",efghi\n", o8);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "54000");
	EXPECT_EQ(o.message, "record exceeds the maximum size of 8 bytes");
	EXPECT_EQ(o.detail, "line 3, column 2");
	EXPECT_NE(o.hint.find("crm_import.max_record_size"), std::string::npos);
	o = Parse("x\na,\"b\nccccccc\"\n", o8);  // the record starts on line 2
	EXPECT_EQ(o.detail, "line 2, column 2");
	ExpectSameEverySplit("x\na,\"b\nccccccc\"\n", o8);
	// With both limits crossed, the one reached first while the field grows is reported.
	CsvOptions both = Comma();
	both.max_field_bytes = 10;
	both.max_record_bytes = 15;
	o = Parse("abcdefgh,abcdefghijkl\n", both);
	EXPECT_EQ(o.message, "record exceeds the maximum size of 15 bytes");
	o = Parse("ab,abcdefghijkl\n", both);
	EXPECT_EQ(o.message, "field exceeds the maximum size of 10 bytes");
	ExpectSameEverySplit("abcdefgh,abcdefghijkl\n", both);
	ExpectSameEverySplit("abcde,abcdefghijk\n", both);  // both at once: the field limit
}

TEST(CsvReader, ColumnLimit)
{
	CsvOptions o3 = Comma();
	o3.max_columns = 3;
	EXPECT_FALSE(Parse("a,b,c\n,,\n", o3).failed);
	Outcome o = Parse("a,b,c\n\nd,e,f,\n", o3);
	ASSERT_TRUE(o.failed);
	EXPECT_EQ(o.sqlstate, "54000");
	EXPECT_EQ(o.message, "record has more than 3 columns");
	EXPECT_EQ(o.detail, "line 3");
	EXPECT_NE(o.hint.find("crm_import.max_columns"), std::string::npos);
	EXPECT_NE(o.hint.find("comma"), std::string::npos);
	ExpectSameEverySplit("a,b,c\n\nd,e,f,\n", o3);
}

TEST(CsvReader, OneMebibyteFieldWorksWithDefaults)
{
	std::string big(1u << 20, 'x');
	for (std::size_t i = 1000; i < big.size(); i += 1000)
		big[i] = i % 3000 == 0 ? '\n' : ',';
	std::string input = "a,b\n1,\"" + big + "\"\n2," + std::string(1u << 20, 'y') + "\n";
	Outcome o = Parse(input);
	ASSERT_FALSE(o.failed) << o.message;
	ASSERT_EQ(o.records.size(), 3u);
	EXPECT_EQ(o.records[1].fields[1], big);
	EXPECT_EQ(o.records[2].fields[1].size(), 1u << 20);
	EXPECT_EQ(o.records[2].line_no, 3u + 349u);  // 349 line breaks inside the big field
}

// Lines longer than the reader's internal piece size (64 KiB), with characters cut there.
TEST(CsvReader, LongLines)
{
	std::string row;
	for (int i = 0; i < 40000; ++i)
		row += "æ";
	std::string input = "a," + row + ",\"" + row + "\n" + row + "\"\r\nb,c\r\n";
	Outcome o = Parse(input);
	ASSERT_FALSE(o.failed) << o.message;
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[0].fields, Fields({"a", row, row + "\n" + row}));
	EXPECT_EQ(o.records[1].line_no, 3u);
	std::string whole = o.Text();
	for (std::size_t cut : {std::size_t(1), std::size_t(65535), std::size_t(65536), std::size_t(65537),
				std::size_t(80003), input.size() - 3})
		EXPECT_EQ(ParseCuts(input, {cut}).Text(), whole) << cut;
	std::vector<std::size_t> cuts;
	for (std::size_t i = 777; i < input.size(); i += 777)
		cuts.push_back(i);
	EXPECT_EQ(ParseCuts(input, cuts).Text(), whole);
}

// A field that never ends is stopped about at the limit, not when memory runs out.
TEST(CsvReader, FieldLimitIsNoticedWhileTheFieldGrows)
{
	for (bool quoted : {false, true}) {
		CsvOptions options = Comma();
		options.max_field_bytes = 4096;
		std::vector<Rec> records;
		Collect sink(records);
		CsvReader reader(options, sink);
		std::string chunk(1024, 'a');
		if (quoted)
			reader.Feed("\"", 1);
		bool thrown = false;
		try {
			for (int i = 0; i < 100000; ++i)
				reader.Feed(chunk.data(), chunk.size());
		} catch (const UserError& e) {
			thrown = true;
			EXPECT_EQ(e.sqlstate(), "54000");
		}
		EXPECT_TRUE(thrown);
		EXPECT_LE(reader.bytes_read(), 4096u + (64u << 10) + 2048u);
	}
}

// --- delimiter ---

TEST(CsvReader, GivenDelimiterIsObeyed)
{
	CsvOptions semi;
	semi.delimiter = ';';
	Outcome o = Parse("a;b,c\n", semi);
	ASSERT_EQ(o.records.size(), 1u);
	EXPECT_EQ(o.records[0].fields, Fields({"a", "b,c"}));
	EXPECT_EQ(o.delimiter, ';');
	EXPECT_FALSE(o.detected);
	CsvOptions pipe;
	pipe.delimiter = '|';
	o = Parse("a|\"b|c\"|d\n", pipe);
	EXPECT_EQ(o.records[0].fields, Fields({"a", "b|c", "d"}));
}

TEST(CsvReader, InvalidDelimiterOption)
{
	for (char d : {'"', '\n', '\r', '\xE5'}) {
		CsvOptions options;
		options.delimiter = d;
		std::vector<Rec> records;
		Collect sink(records);
		try {
			CsvReader reader(options, sink);
			ADD_FAILURE() << "accepted delimiter " << int(d);
		} catch (const UserError& e) {
			EXPECT_EQ(e.sqlstate(), "22023");
		}
	}
}

TEST(CsvReader, DetectsSemicolonOfANorwegianExcelExport)
{
	Outcome o = Parse("Fornavn;Etternavn;E-post\nOla;Nordmann;ola@x.no");
	EXPECT_EQ(o.delimiter, ';');
	EXPECT_TRUE(o.detected);
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[1].fields, Fields({"Ola", "Nordmann", "ola@x.no"}));
	ExpectSameEverySplit("\xEF\xBB\xBF" "Fornavn;Etternavn;E-post\r\nOla;Nordmann;ola@x.no\r\n");
}

TEST(CsvReader, DetectionIgnoresCommasInQuotes)
{
	std::string input = "Navn;Notat;By\nOla;\"Ringt, ingen svar, ring igjen\";Oslo\n"
			    "Kari;\"a, b, c, d, e\nf, g\";Bergen\nPer;;\"Ås, Akershus\"\n";
	EXPECT_EQ(SniffDelimiter(input), ';');
	Outcome o = Parse(input);
	EXPECT_EQ(o.delimiter, ';');
	ASSERT_EQ(o.records.size(), 4u);
	EXPECT_EQ(o.records[3].line_no, 5u);
}

TEST(CsvReader, SniffDelimiter)
{
	EXPECT_EQ(SniffDelimiter("email\na@x.no\nb@y.no\n"), ',');
	EXPECT_EQ(SniffDelimiter(""), ',');
	EXPECT_EQ(SniffDelimiter("a\tb\tc\n1\t2\t3\n"), '\t');
	EXPECT_EQ(SniffDelimiter("a,b;c\n1,2;3\n"), ',');  // equally consistent: more fields wins, then comma
	EXPECT_EQ(SniffDelimiter("a;b;c\n1;2,5;3\n4;5;6\n"), ';');
	EXPECT_EQ(SniffDelimiter("name,notes\nOla,Semi;colon;separated\nKari,x\nPer,y\n"), ',');
	EXPECT_EQ(SniffDelimiter("\"a;b\",c\n\"d;e\",f\n"), ',');
	EXPECT_EQ(SniffDelimiter("a\tb c,d\n1\t2 3\n5\t6,7\n"), '\t');
	// Pipe only when nothing else splits the lines (a sweep found pipe files read as one column).
	EXPECT_EQ(SniffDelimiter("first_name|last_name|email\nKari|Nordmann|k@x.no\n"), '|');
	EXPECT_EQ(SniffDelimiter("name,notes\nOla,a|b|c\nKari,d|e|f\n"), ',');
	EXPECT_EQ(SniffDelimiter("a|b;c\n1|2;3\n"), ';');
	// Only the first 50 records count.
	std::string many;
	for (int i = 0; i < 60; ++i)
		many += i < 50 ? "a;b;c\n" : "a,b,c,d,e\n";
	EXPECT_EQ(SniffDelimiter(many), ';');
}

TEST(CsvReader, DetectionOnAShortSniffBuffer)
{
	CsvOptions options;
	options.sniff_bytes = 20;
	std::string input = "a;b;c\n1;2;3\n\"x;\ny\";z;w\n4;5;6\n7;8;9\n";
	Outcome o = Parse(input, options);
	EXPECT_EQ(o.delimiter, ';');
	ASSERT_EQ(o.records.size(), 5u);
	EXPECT_EQ(o.records[2].fields, Fields({"x;\ny", "z", "w"}));
	EXPECT_EQ(o.records[4].line_no, 6u);
	ExpectSameEverySplit(input, options);
	options.sniff_bytes = 0;
	EXPECT_EQ(Parse(input, options).delimiter, ',');
}

TEST(CsvReader, DelimiterIsZeroUntilDetected)
{
	std::vector<Rec> records;
	Collect sink(records);
	CsvReader reader(CsvOptions{}, sink);
	reader.Feed("a;b\n", 4);
	EXPECT_EQ(reader.delimiter(), 0);
	EXPECT_FALSE(reader.delimiter_detected());
	EXPECT_EQ(reader.records(), 0u);
	reader.Finish();
	EXPECT_EQ(reader.delimiter(), ';');
	EXPECT_TRUE(reader.delimiter_detected());
	EXPECT_EQ(reader.records(), 1u);
}

TEST(CsvReader, DelimiterName)
{
	EXPECT_EQ(DelimiterName(','), "comma");
	EXPECT_EQ(DelimiterName(';'), "semicolon");
	EXPECT_EQ(DelimiterName('\t'), "tab");
	EXPECT_EQ(DelimiterName('|'), "'|'");
	EXPECT_EQ(DelimiterName('\x01'), "byte 0x01");
}

// --- sink exceptions ---

struct Cancel {
	int code;
};

class ThrowAt : public CsvSink {
public:
	explicit ThrowAt(std::uint64_t at) : at_(at) {}
	void OnRecord(const CsvRecord& r) override
	{
		++calls;
		if (r.record_no == at_)
			throw Cancel{42};
	}
	int calls = 0;

private:
	std::uint64_t at_;
};

TEST(CsvReader, SinkExceptionsAreRethrownAndTheReaderStaysFailed)
{
	ThrowAt sink(2);
	CsvReader reader(Comma(), sink);
	std::string input = "a\nb\nc\nd\n";
	try {
		reader.Feed(input.data(), input.size());
		FAIL() << "no exception";
	} catch (const Cancel& c) {
		EXPECT_EQ(c.code, 42);
	}
	EXPECT_EQ(sink.calls, 2);  // nothing delivered after the exception
	EXPECT_THROW(reader.Feed("e\n", 2), Cancel);
	EXPECT_THROW(reader.Finish(), Cancel);
	EXPECT_EQ(sink.calls, 2);
}

TEST(CsvReader, SinkExceptionFromFinish)
{
	ThrowAt sink(2);
	CsvReader reader(Comma(), sink);
	reader.Feed("a\nb", 3);
	EXPECT_THROW(reader.Finish(), Cancel);
	EXPECT_EQ(reader.records(), 2u);
}

TEST(CsvReader, UserErrorsRepeatAfterFailure)
{
	std::vector<Rec> records;
	Collect sink(records);
	CsvReader reader(Comma(), sink);
	// (The first 8 bytes are held back for the signature check: the error needs 8 bytes.)
	EXPECT_THROW(reader.Feed("a\xFF" "bcdefgh", 9), UserError);
	EXPECT_THROW(reader.Feed("b\n", 2), UserError);
	EXPECT_THROW(reader.Finish(), UserError);
}

// A NUL error waits for the few bytes after the NUL (to tell UTF-16 from binary data), so
// it may come from the next call.
TEST(CsvReader, NulErrorMayComeFromTheNextCall)
{
	std::vector<Rec> records;
	Collect sink(records);
	CsvReader reader(Comma(), sink);
	reader.Feed("a\n\0"s.data(), 3);
	EXPECT_THROW(reader.Finish(), UserError);
	CsvReader reader2(Comma(), sink);
	EXPECT_THROW(reader2.Feed("a\n\0bcdefghij"s.data(), 13), UserError);
}

TEST(CsvReader, AccessorsAndMisuse)
{
	std::vector<Rec> records;
	Collect sink(records);
	CsvReader reader(Comma(), sink);
	reader.Feed("\xEF\xBB", 2);
	EXPECT_EQ(reader.bytes_read(), 2u);
	EXPECT_FALSE(reader.had_bom());
	reader.Feed("\xBF" "a,b\nc", 6);
	EXPECT_TRUE(reader.had_bom());
	EXPECT_EQ(reader.records(), 1u);
	EXPECT_EQ(reader.bytes_read(), 8u);
	EXPECT_EQ(reader.delimiter(), ',');
	reader.Feed(nullptr, 0);
	reader.Finish();
	EXPECT_EQ(reader.records(), 2u);
	EXPECT_THROW(reader.Feed("x", 1), std::logic_error);
	EXPECT_THROW(reader.Finish(), std::logic_error);
}

// --- every split gives the same result ---

const char kContacts[] =
	"first_name,last_name,email,mobile,company,city,country,birthday,email_optin,sms_optin,notes\n"
	"Linda,Våge,linda_vaage99@gmail.com,,Vinmonopolet,Bodø,Norge,1945-06-19,No,True,\n"
	"Liv,Gundersen,liv.g101@yahoo.no,004791153860,Sopra Steria,Bergen,Norway,1958-08-19,Yes,OptOut,\"Adresse:\n"
	"Storgata 1\n"
	"0155 Oslo\"\n"
	"Bjørn,Pettersen,bjorn_pettersen85@altibox.no,+4794433972,\"Acme, Inc.\",Bodø,Norway,09.12.1987,Nei,OptOut,\n"
	"Zoë,van der Berg,vanderberg.zoe102@lyse.net,0047 990 73 853,,Bergen,Norway,07.09.1973,No,Ja,Newsletter signup\n"
	"Aksel,Sæther,saether.aksel106@outlook.com,90753825,Orkla ASA,Førde,Norway,1986-12-11,False,OptIn,\"Complaint re. "
	"order #1234, \"\"damaged\"\"\n"
	"follow up next week\"\n"
	"Kirsten,Sæterbakken,k.s90@outlook.com,940 33 937,\"\"\"Den Gode Bakeren\"\" AS\",Tønsberg,NO,1997-05-16,Yes,Nei,"
	"Æøå test: blåbærsyltetøy\n"
	"Tor Øystein,Bøe,toroystein.boe0@gmail.com,(+47) 91234567,,Haugesund,Norway,09.06.1949,OptIn,Nei,Semi;colon;"
	"separated;values\n"
	"Emoji,Ünïcödé,e@x.no,,,,,,,,\"Tab\there 😀 \"\"quoted\"\"\r\nTrailing spaces   \"\n";

TEST(CsvReader, ContactsSample)
{
	Outcome o = Parse(kContacts);
	ASSERT_FALSE(o.failed) << o.Text();
	EXPECT_EQ(o.delimiter, ',');
	ASSERT_EQ(o.records.size(), 9u);
	for (const Rec& r : o.records)
		EXPECT_EQ(r.fields.size(), 11u);
	EXPECT_EQ(o.records[2].fields[10], "Adresse:\nStorgata 1\n0155 Oslo");
	EXPECT_EQ(o.records[3].line_no, 6u);
	EXPECT_EQ(o.records[5].fields[10], "Complaint re. order #1234, \"damaged\"\nfollow up next week");
	EXPECT_EQ(o.records[6].fields[4], "\"Den Gode Bakeren\" AS");
	EXPECT_EQ(o.records[6].line_no, 10u);
	EXPECT_EQ(o.records[8].fields[10], "Tab\there 😀 \"quoted\"\r\nTrailing spaces   ");
	EXPECT_EQ(o.records[8].line_no, 12u);
	ExpectSameEverySplit(kContacts);
	std::string crlf;
	for (char c : std::string(kContacts)) {
		if (c == '\n')
			crlf += '\r';
		crlf += c;
	}
	ExpectSameEverySplit(crlf);
}

TEST(CsvReader, TrickyInputsGiveTheSameResultForEverySplit)
{
	const std::string inputs[] = {
		"\"a\"\"b\",\"\"\"\",\"\"\n\"x\ny\"\r\n",
		"a\r\nb\r\n\r\nc\rd\n\re",
		"\r\r\n\n\r",
		"\"cr\r\",\"crlf\r\n\",\"lf\n\"\r\n\"\r\"\r",
		"æ,ø,å\nÆ,Ø,Å\n😀,€,é\n",
		"\xEF\xBB\xBF\"æ\"\"ø\",😀\r\n",
		"\xEF\xBB\xBF",
		"\xEF\xBB",
		"  \n\t\n  x  \n \"y\" \n",
		"a\"b,\"c\"\"\",d\"\"\n",
		"Bj\xF8rn,\xC5s\n",
		"ok\n\xE2\x82",
		"ok\n\"abc\"x",
		"ok,\"never\nclosed",
		"x\0y"s,
		"n\0a\0m\0e\0"s,
		"a;b;c\n1;\"2,3\";4\n",
		"a\tb\n\"c\td\"\te\n",
		"\"\"\"\"\"\"\"\"\n\"\"\n\"\n\"\n",
	};
	for (const std::string& input : inputs) {
		ExpectSameEverySplit(input);
		ExpectSameEverySplit(input, Comma());
		CsvOptions small = Comma();
		small.max_field_bytes = 3;
		small.max_record_bytes = 5;
		small.max_columns = 2;
		ExpectSameEverySplit(input, small);
	}
}

// Random records written as CSV (quoting as needed, random line ends, random chunking)
// come back as written.
TEST(CsvReader, RandomRoundTrip)
{
	std::mt19937 rng(12345);
	const std::vector<std::string> pieces = {"a", "Z", "0", " ", "\t", ",", "\"", "\n", "\r", "\r\n", "æ", "Ø",
						 "😀", "€", "x y", ";"};
	for (int round = 0; round < 300; ++round) {
		std::vector<std::vector<std::string>> rows(1 + rng() % 6);
		std::string csv;
		for (auto& row : rows) {
			row.resize(1 + rng() % 5);
			bool blank_row = true;  // written without quotes it would be a blank line
			for (std::string& field : row) {
				std::size_t len = rng() % 5;
				for (std::size_t k = 0; k < len; ++k)
					field += pieces[rng() % pieces.size()];
				blank_row = blank_row && field.find_first_not_of(" \t") == std::string::npos;
			}
			for (std::size_t f = 0; f < row.size(); ++f) {
				bool needs_quotes = row[f].find_first_of(",\"\r\n") != std::string::npos || (blank_row && f == 0) ||
						    (!row[f].empty() && row[f][0] == '"');
				if (f)
					csv += ',';
				if (needs_quotes || rng() % 4 == 0) {
					csv += '"';
					for (char c : row[f]) {
						if (c == '"')
							csv += '"';
						csv += c;
					}
					csv += '"';
				} else {
					csv += row[f];
				}
			}
			const char* ends[] = {"\n", "\r\n", "\r"};
			csv += ends[rng() % 3];
		}
		std::vector<std::size_t> cuts;
		for (std::size_t i = 1; i < csv.size(); ++i)
			if (rng() % 7 == 0)
				cuts.push_back(i);
		Outcome o = ParseCuts(csv, cuts, Comma());
		ASSERT_FALSE(o.failed) << o.Text() << testing::PrintToString(csv);
		ASSERT_EQ(o.records.size(), rows.size()) << testing::PrintToString(csv);
		std::uint64_t line = 1;
		for (std::size_t r = 0; r < rows.size(); ++r) {
			EXPECT_EQ(o.records[r].fields, rows[r]) << testing::PrintToString(csv);
			EXPECT_EQ(o.records[r].line_no, line);
			for (const std::string& f : rows[r])
				for (std::size_t k = 0; k < f.size(); ++k)
					if (f[k] == '\n' || (f[k] == '\r' && (k + 1 == f.size() || f[k + 1] != '\n')))
						++line;
			++line;
		}
	}
}

// Excel writes a "sep=;" line first when asked for a list-separator hint: it names the
// delimiter and is not a record; the header that follows is on line 2.
TEST(CsvReader, ExcelSepLineNamesTheDelimiter)
{
	const std::string input = "sep=;\r\nFornavn;E-post\r\nOla;ola@x.no\r\n";
	Outcome o = Parse(input);
	ASSERT_FALSE(o.failed) << o.message;
	EXPECT_EQ(o.delimiter, ';');
	ASSERT_EQ(o.records.size(), 2u);
	EXPECT_EQ(o.records[0].fields, Fields({"Fornavn", "E-post"}));
	EXPECT_EQ(o.records[0].record_no, 1u);
	EXPECT_EQ(o.records[0].line_no, 2u);
	EXPECT_EQ(o.records[1].fields, Fields({"Ola", "ola@x.no"}));
	ExpectSameEverySplit(input);
	// With the delimiter given, the line is dropped too; with a BOM before it as well.
	CsvOptions semicolon;
	semicolon.delimiter = ';';
	EXPECT_EQ(Parse(input, semicolon).records.size(), 2u);
	Outcome bom = Parse("\xEF\xBB\xBFsep=,\na,b\n1,2\n");
	EXPECT_EQ(bom.delimiter, ',');
	ASSERT_EQ(bom.records.size(), 2u);
	EXPECT_EQ(bom.records[0].fields, Fields({"a", "b"}));
	// Only as the very first line: later it is data.
	Outcome later = Parse("a;b\nsep=;\n", semicolon);
	EXPECT_EQ(later.records.size(), 2u);
}

}  // namespace
}  // namespace crm::core
