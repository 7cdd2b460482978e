// Tests of SourceReader: raw bytes in any supported encoding to CSV records, byte-order
// marks, the hints naming the encoding of a file that is not UTF-8, and the C1 control
// characters of a file converted with the wrong code page.
#include "source_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "error.hpp"
#include "reader_test_util.hpp"

namespace crm::core {
namespace {

using namespace std::string_literals;

struct Result : test::Failure {
	std::vector<std::vector<std::string>> records;
	std::vector<std::uint64_t> lines;
	std::string encoding;
	bool from_bom = false, had_bom = false;
	std::string overridden;
	std::uint64_t c1_count = 0, c1_line = 0, c1_column = 0;
	std::uint32_t c1_code = 0;
	std::string c1_hint, c1_encoding;

	std::string Text() const
	{
		std::ostringstream out;
		for (std::size_t i = 0; i < records.size(); ++i) {
			out << "@" << lines[i] << ":";
			for (const std::string& f : records[i])
				out << " [" << f << "]";
			out << "\n";
		}
		if (failed)
			out << "ERROR " << sqlstate << " " << message << " | " << detail << " | " << hint << "\n";
		out << "encoding=" << encoding << " bom=" << from_bom << "/" << had_bom << " c1=" << c1_count << "@"
		    << c1_line << ":" << c1_column << "\n";
		return out.str();
	}
};

class Collect : public CsvSink {
public:
	explicit Collect(Result& r) : r_(r) {}
	void OnRecord(const CsvRecord& record) override
	{
		std::vector<std::string> fields;
		for (std::size_t i = 0; i < record.size(); ++i)
			fields.emplace_back(record.field(i));
		r_.records.push_back(fields);
		r_.lines.push_back(record.line_no);
	}

private:
	Result& r_;
};

Result Read(const std::string& input, const std::string& encoding = "", const std::vector<std::size_t>& cuts = {},
	    const std::string& retry = "crm_import_upload(list, data, encoding => '%s')")
{
	Result r;
	Collect sink(r);
	SourceOptions options;
	if (!encoding.empty()) {
		options.encoding = ResolveEncoding(encoding);
		options.encoding_given = true;
	}
	options.retry_call = retry;
	SourceReader reader(CsvOptions(), options, sink);
	try {
		for (const std::vector<char>& chunk : test::Chunks(input, cuts))
			reader.Feed(chunk.data(), chunk.size());
		reader.Finish();
	} catch (const UserError& e) {
		r.Fail(e);
	}
	r.encoding = reader.encoding().name;
	r.from_bom = reader.encoding_from_bom();
	r.had_bom = reader.csv().had_bom();
	r.overridden = reader.overridden_encoding();
	r.c1_count = reader.csv().c1_count();
	r.c1_line = reader.csv().c1_line();
	r.c1_column = reader.csv().c1_column();
	r.c1_code = reader.csv().c1_code();
	r.c1_hint = reader.C1Hint();
	r.c1_encoding = reader.C1Encoding();
	return r;
}

// The read failed with exactly this error.
void ExpectError(const Result& r, const std::string& sqlstate, const std::string& message, const std::string& detail,
		 const std::string& hint)
{
	ASSERT_TRUE(r.failed) << r.Text();
	EXPECT_EQ(r.sqlstate, sqlstate);
	EXPECT_EQ(r.message, message);
	EXPECT_EQ(r.detail, detail);
	EXPECT_EQ(r.hint, hint);
}

void ExpectSameEverySplit(const std::string& input, const std::string& encoding = "")
{
	test::ExpectSameEverySplit(input.size(),
				   [&](const std::vector<std::size_t>& cuts) { return Read(input, encoding, cuts).Text(); });
}

using Records = std::vector<std::vector<std::string>>;

const std::string kNorwegianDos =
	"Fylke;By\r\n\x9Dstfold;Sarpsborg\r\nM\x9Bre og Romsdal;\x8Flesund\r\nTr\x9Bndelag;Hj\x9Brundfjord\r\n";
const Records kNorwegian = {{"Fylke", "By"}, {"Østfold", "Sarpsborg"}, {"Møre og Romsdal", "Ålesund"},
			    {"Trøndelag", "Hjørundfjord"}};

TEST(SourceReader, Utf8IsReadAsItIs)
{
	Result r = Read("a,b\nÅse,Ø\n");
	ASSERT_FALSE(r.failed) << r.Text();
	EXPECT_EQ(r.records, (Records{{"a", "b"}, {"Åse", "Ø"}}));
	EXPECT_EQ(r.encoding, "UTF-8");
	EXPECT_FALSE(r.from_bom);
	r = Read("\xEF\xBB\xBF" "a,b\n1,2\n", "UTF-8");
	EXPECT_EQ(r.records, (Records{{"a", "b"}, {"1", "2"}}));
	EXPECT_TRUE(r.had_bom);
	EXPECT_TRUE(r.overridden.empty());
}

TEST(SourceReader, GivenEncodingsAreConverted)
{
	Result r = Read(kNorwegianDos, "cp865");
	ASSERT_FALSE(r.failed) << r.Text();
	EXPECT_EQ(r.records, kNorwegian);
	EXPECT_EQ(r.encoding, "IBM865");
	EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{1, 2, 3, 4}));
	ExpectSameEverySplit(kNorwegianDos, "cp865");
	r = Read("navn;notat\r\nKari;\x93Hei\x94 \x96 \x80 5\r\n", "WIN1252");
	ASSERT_FALSE(r.failed) << r.Text();
	EXPECT_EQ(r.records, (Records{{"navn", "notat"}, {"Kari", "“Hei” – € 5"}}));
	EXPECT_EQ(r.encoding, "windows-1252");
	EXPECT_EQ(Read("navn;notat\r\nKari;\x93Hei\x94\r\n", "windows-1252").Text(),
		  Read("navn;notat\r\nKari;\x93Hei\x94\r\n", "WIN1252").Text());
	// Multi-line quoted fields keep their physical line numbers.
	r = Read("a;b\n\"x\ny\";\xE5\n\xF8;z\n", "LATIN1");
	EXPECT_EQ(r.records, (Records{{"a", "b"}, {"x\ny", "å"}, {"ø", "z"}}));
	EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{1, 2, 4}));
	ExpectSameEverySplit("a;b\n\"x\ny\";\xE5\n\xF8;z\n", "LATIN1");
	r = Read("a;b\n\x82\xA0;\x82\xA2\n", "SJIS");
	EXPECT_EQ(r.records, (Records{{"a", "b"}, {"あ", "い"}}));
}

TEST(SourceReader, Utf16AndUtf32ByteOrderMarksNeedNoArgument)
{
	const std::u16string text = u"navn;by\r\nÅse;Tromsø\r\n";
	const Records expected = {{"navn", "by"}, {"Åse", "Tromsø"}};
	struct Case {
		std::string bytes;
		const char* encoding;
	} cases[] = {
		{"\xFF\xFE"s + test::Utf16Le(text), "UTF-16LE"},
		{"\xFE\xFF"s + test::Utf16Be(text), "UTF-16BE"},
		{test::Utf32(U"\uFEFFnavn;by\r\nÅse;Tromsø\r\n", true), "UTF-32LE"},
		{test::Utf32(U"\uFEFFnavn;by\r\nÅse;Tromsø\r\n", false), "UTF-32BE"},
	};
	for (const Case& c : cases) {
		Result r = Read(c.bytes);
		ASSERT_FALSE(r.failed) << c.encoding << " " << r.Text();
		EXPECT_EQ(r.records, expected) << c.encoding;
		EXPECT_EQ(r.encoding, c.encoding);
		EXPECT_TRUE(r.from_bom);
		EXPECT_TRUE(r.had_bom);  // the mark is skipped like a UTF-8 one
		ExpectSameEverySplit(c.bytes);
		// "UTF-16" / "UTF-32" given agree with the mark.
		std::string family = std::string(c.encoding).substr(0, 6);
		r = Read(c.bytes, family);
		EXPECT_EQ(r.records, expected);
		EXPECT_TRUE(r.overridden.empty()) << r.overridden;
	}
	// A mark overrides an encoding that contradicts it, and says so.
	Result r = Read("\xFF\xFE"s + test::Utf16Le(text), "windows-1252");
	EXPECT_EQ(r.records, expected);
	EXPECT_EQ(r.encoding, "UTF-16LE");
	EXPECT_EQ(r.overridden, "windows-1252");
	r = Read("\xEF\xBB\xBF" "a;b\n\xC3\xA5;x\n", "LATIN1");
	EXPECT_EQ(r.records, (Records{{"a", "b"}, {"å", "x"}}));
	EXPECT_EQ(r.encoding, "UTF-8");
	EXPECT_EQ(r.overridden, "ISO-8859-1");
}

TEST(SourceReader, BinarySignaturesComeFirst)
{
	for (const std::string& enc : {""s, "windows-1252"s, "UTF-16LE"s}) {
		Result r = Read("\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s, enc);
		ASSERT_TRUE(r.failed);
		EXPECT_EQ(r.message, "file is a PNG image, not a CSV file") << enc;
		r = Read("PK\x03\x04\x14\0\x06\0"s, enc);
		EXPECT_EQ(r.message, "file is a ZIP archive, e.g. an Excel .xlsx workbook, not a CSV file") << enc;
	}
}

TEST(SourceReader, UnconvertedCp865FileGetsTheCp865Hint)
{
	Result r = Read(kNorwegianDos, "", {}, "crm_import_upload_lo(list, lo, encoding => '%s')");
	ExpectError(r, "22021", "file is not valid UTF-8", "line 2, byte offset 10: byte 0x9D",
		    "the file looks like DOS code page 865 (Nordic DOS) text (it reads byte 0x9D as Ø): upload it with "
		    "crm_import_upload_lo(list, lo, encoding => 'cp865'), or re-save it as \"CSV UTF-8\" (in Excel: Save "
		    "As, file type \"CSV UTF-8 (Comma delimited)\") and upload that");
	ExpectSameEverySplit(kNorwegianDos);
}

TEST(SourceReader, UnconvertedCp1252FileGetsTheWindows1252Hint)
{
	Result r = Read("Fornavn;Etternavn\r\nBj\xF8rn;D\xE6hlie\r\n");
	ASSERT_TRUE(r.failed);
	EXPECT_EQ(r.detail, "line 2, byte offset 21: byte 0xF8");
	EXPECT_NE(r.hint.find("Windows-1252 (Western European Windows) text, e.g. an Excel \"CSV (comma delimited)\" "
			      "export (it reads byte 0xF8 as ø): upload it with crm_import_upload(list, data, encoding => "
			      "'windows-1252')"),
		  std::string::npos)
		<< r.hint;
	r = Read("a,b\n1,Don\x92t\n");
	EXPECT_NE(r.hint.find("encoding => 'windows-1252'"), std::string::npos) << r.hint;
	// The guess also sees bytes around an error beyond the first 64 KiB.
	std::string big = "a;b\n" + std::string(70000, 'x') + ";y\n\x9Dstfold;B\x9Brn\n";
	r = Read(big);
	EXPECT_NE(r.hint.find("encoding => 'cp865'"), std::string::npos) << r.hint;
	r = Read(big, "", {65536, 70010});
	EXPECT_NE(r.hint.find("encoding => 'cp865'"), std::string::npos) << r.hint;
	// The example shows the byte of the error, also after a UTF-8 byte-order mark.
	r = Read("\xEF\xBB\xBF" "a;b\n\xEFx;\xF8\n", "", {8});
	EXPECT_EQ(r.detail, "line 2, byte offset 7: byte 0xEF");
	EXPECT_NE(r.hint.find("it reads byte 0xEF as ï"), std::string::npos) << r.hint;
	// An error at the end of the file, beyond the first 64 KiB: the tail of the file.
	std::string cut_off = "a;b\n" + std::string(70000, 'x') + ";y\nabc\xC3";
	r = Read(cut_off, "", {60000});
	EXPECT_EQ(r.detail, "line 3, byte offset 70010: byte 0xC3 at the end of the file");
	EXPECT_NE(r.hint.find("it reads byte 0xC3 as Ã"), std::string::npos) << r.hint;
	// Damaged UTF-8 (a cut-off sequence) is no other encoding: the hint stays.
	r = Read("a,b\n1,\xE2\x82");
	EXPECT_EQ(r.hint.find("encoding =>"), std::string::npos) << r.hint;
}

TEST(SourceReader, Utf16WithoutByteOrderMarkIsNamed)
{
	std::string le = test::Utf16Le(u"navn;e-post\r\nKari;kari@example.no\r\n");
	Result r = Read(le);
	ASSERT_TRUE(r.failed);
	EXPECT_EQ(r.message, "file contains a NUL byte");
	EXPECT_NE(r.hint.find("UTF-16LE text without a byte-order mark"), std::string::npos) << r.hint;
	EXPECT_NE(r.hint.find("encoding => 'UTF-16LE'"), std::string::npos) << r.hint;
	r = Read(le, "UTF-16LE");
	ASSERT_FALSE(r.failed) << r.Text();
	EXPECT_EQ(r.records, (Records{{"navn", "e-post"}, {"Kari", "kari@example.no"}}));
	r = Read(test::Utf16Be(u"navn;e-post\r\nKari;kari@example.no\r\n"));
	EXPECT_NE(r.hint.find("encoding => 'UTF-16BE'"), std::string::npos) << r.hint;
	// Binary data keeps the binary hint.
	r = Read("abc\0\x01\x02\x03\x7F\x01\x01\x01"s);
	EXPECT_NE(r.hint.find("binary"), std::string::npos) << r.hint;
}

TEST(SourceReader, InvalidInTheGivenEncoding)
{
	// A DOS file passed as Windows-1252: 0x9D is no Windows-1252 character (22P05), and the
	// hint names cp865.
	Result r = Read(kNorwegianDos, "windows-1252");
	ExpectError(r, "22P05", "file is not valid windows-1252",
		    "line 2, byte offset 10: byte 0x9D is not a character in windows-1252",
		    "the file looks like DOS code page 865 (Nordic DOS) text (it reads byte 0x9D as Ø), not windows-1252: "
		    "upload it with crm_import_upload(list, data, encoding => 'cp865')");
	EXPECT_EQ(r.records, (Records{{"Fylke", "By"}}));  // what came before it
	ExpectSameEverySplit(kNorwegianDos, "windows-1252");
	// Shift_JIS cut off: 22021 and the generic hint.
	r = Read("a;b\n\x82\xA0;\x82", "SJIS");
	EXPECT_EQ(r.sqlstate, "22021");
	EXPECT_EQ(r.detail, "line 2, byte offset 7: byte 0x82 at the end of the file (a truncated character)");
	EXPECT_EQ(r.hint, "check that the file is Shift_JIS text and pass the encoding it was saved in");
	// UTF-16 without a mark passed as Windows-1252: its NULs name UTF-16LE.
	r = Read(test::Utf16Le(u"navn;by\nKari;Oslo\n"), "windows-1252");
	EXPECT_EQ(r.message, "file contains a NUL character");
	EXPECT_NE(r.hint.find("encoding => 'UTF-16LE'"), std::string::npos) << r.hint;
	// A broken UTF-16 file says nothing about 8-bit code pages.
	r = Read("\xFF\xFE" "a\0\n\0b"s);
	EXPECT_EQ(r.detail, "line 2, byte offset 6: byte 0x62 at the end of the file (a truncated character)");
	EXPECT_EQ(r.hint, "check that the file is UTF-16LE text and pass the encoding it was saved in");
	// A CSV error before the bad byte wins, however the file is split.
	std::string csv_first = "a;b\n\"x\"y;1\n\x81\n";
	r = Read(csv_first, "windows-1252");
	EXPECT_EQ(r.message, "malformed quoted field");
	ExpectSameEverySplit(csv_first, "windows-1252");
}

// Found with a real German staff list: saved once as Windows-1252 (the profile kept the
// encoding), the next week's export as "CSV UTF-8" was read as windows-1252 and every
// "Schröder" became "SchrÃ¶der", silently. A UTF-8 file given a single-byte encoding is
// refused; a real windows-1252 file still reads.
TEST(SourceReader, Utf8FileGivenASingleByteEncodingIsRefused)
{
	Result r = Read("Name;Ort\nBeate Schr\xC3\xB6" "der;G\xC3\xBC" "strow\n", "windows-1252");
	ASSERT_TRUE(r.failed) << r.Text();
	EXPECT_EQ(r.sqlstate, "22023");
	EXPECT_EQ(r.message, "the file is UTF-8, not windows-1252");
	EXPECT_NE(r.hint.find("encoding => 'UTF-8'"), std::string::npos) << r.hint;
	std::string big = "Name;Ort\n";
	while (big.size() < 70000)
		big += "Hans-J\xC3\xBC" "rgen Stelter;M\xC3\xBC" "ritz\n";
	EXPECT_TRUE(Read(big, "ISO-8859-1").failed);  // larger than the sample: decided on its start
	Result latin = Read("Name;Ort\nBeate Schr\xF6" "der;G\xFC" "strow\n", "windows-1252");
	EXPECT_FALSE(latin.failed) << latin.Text();
	Result ascii = Read("Name;Ort\nBeate;Oslo\n", "windows-1252");  // nothing outside ASCII: fine
	EXPECT_FALSE(ascii.failed) << ascii.Text();
}

TEST(SourceReader, C1ControlCharactersAreCountedAndLocated)
{
	// cp865's "Østfold" read as Latin-1 and saved as UTF-8: U+009D.
	std::string mojibake = "Fylke;By\n\xC2\x9Dstfold;Sarpsborg\nM\xC2\x9Bre;\"x\ny\xC2\x86\"\n";
	Result r = Read(mojibake, "", {}, "crm_import_upload_lo(list, lo, encoding => '%s')");
	ASSERT_FALSE(r.failed) << r.Text();
	EXPECT_EQ(r.records.size(), 3u);
	EXPECT_EQ(r.records[1][0], "\xC2\x9Dstfold");  // delivered as it is
	EXPECT_EQ(r.c1_count, 3u);
	EXPECT_EQ(r.c1_line, 2u);
	EXPECT_EQ(r.c1_column, 1u);
	EXPECT_EQ(r.c1_code, 0x9Du);
	EXPECT_EQ(r.c1_encoding, "cp865");
	EXPECT_EQ(r.c1_hint,
		  "the file was probably saved in a DOS or Windows code page (most likely DOS code page 865) and "
		  "converted to UTF-8 as if it were Latin-1 (U+009D is byte 0x9D read as Latin-1; in DOS code page 865 "
		  "that byte is Ø): upload the original file with crm_import_upload_lo(list, lo, encoding => 'cp865')");
	ExpectSameEverySplit(mojibake);
	// The first one in the second column of a record, inside a multi-line field.
	r = Read("a;b\n1;\"x\ny\nz\xC2\x92t\"\n");
	EXPECT_EQ(r.c1_line, 4u);
	EXPECT_EQ(r.c1_column, 2u);
	EXPECT_NE(r.c1_hint.find("encoding => 'windows-1252'"), std::string::npos) << r.c1_hint;
	// Windows-1252 punctuation in a file read as Latin-1 gives C1 characters too.
	r = Read("a;b\nDon\x92t;1\n", "LATIN1");
	EXPECT_EQ(r.c1_count, 1u);
	EXPECT_EQ(r.c1_hint,
		  "the file is probably Windows-1252 text, not ISO-8859-1 (U+0092 is byte 0x92 read as Latin-1; in "
		  "Windows-1252 that byte is ’): upload it again with crm_import_upload(list, data, encoding => "
		  "'windows-1252')");
	// None: no hint.
	r = Read("a;b\nÅse;ü\n");
	EXPECT_EQ(r.c1_count, 0u);
	EXPECT_EQ(r.c1_line, 0u);
	EXPECT_EQ(r.c1_hint, "");
	EXPECT_EQ(r.c1_encoding, "");
}

}  // namespace
}  // namespace crm::core
