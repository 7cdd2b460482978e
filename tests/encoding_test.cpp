// Tests of the source encodings: name resolution, the streaming transcoder (every encoding
// family, characters split at every chunk boundary, invalid bytes with line and offset) and
// the encoding guess behind the hints.
#include "encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "reader_test_util.hpp"

namespace crm::core {
namespace {

using namespace std::string_literals;

struct Converted {
	bool ok = true;
	std::string text;
	std::string sqlstate, message, detail, hint;
	std::uint64_t offset = 0;

	std::string Describe() const
	{
		return ok ? "ok [" + text + "]" : "ERROR " + sqlstate + " " + message + " | " + detail + " | [" + text + "]";
	}
};

// Converts input cut at the given ascending positions; each chunk is its own allocation so
// that AddressSanitizer sees a read past its end.
Converted Convert(const std::string& encoding, const std::string& input, const std::vector<std::size_t>& cuts = {})
{
	Converted c;
	Transcoder t(ResolveEncoding(encoding));
	for (const std::vector<char>& chunk : test::Chunks(input, cuts)) {
		c.ok = t.Convert(chunk.data(), chunk.size(), c.text);
		if (!c.ok)
			break;
	}
	if (c.ok)
		c.ok = t.Finish(c.text);
	if (!c.ok) {
		c.sqlstate = t.error().sqlstate();
		c.message = t.error().what();
		c.detail = t.error().detail();
		c.hint = t.error().hint();
		c.offset = t.error_offset();
	}
	return c;
}

// Whole, split in two at every position, and byte by byte: the same outcome.
void ExpectSameEverySplit(const std::string& encoding, const std::string& input)
{
	test::ExpectSameEverySplit(
		input.size(), [&](const std::vector<std::size_t>& cuts) { return Convert(encoding, input, cuts).Describe(); },
		encoding + " ");
}

// --- names ---

TEST(ResolveEncoding, PostgresNamesMapToTheSameCharacterSetInIcu)
{
	struct Case {
		const char* given;
		const char* name;
	} cases[] = {
		{"WIN1252", "windows-1252"}, {"win1252", "windows-1252"}, {"windows-1252", "windows-1252"},
		{"Windows-1252", "windows-1252"}, {"cp1252", "windows-1252"}, {"LATIN1", "ISO-8859-1"},
		{"latin-1", "ISO-8859-1"}, {"ISO-8859-1", "ISO-8859-1"}, {"ISO_8859_1", "ISO-8859-1"},
		{"LATIN9", "ISO-8859-15"}, {"ISO-8859-15", "ISO-8859-15"}, {"LATIN2", "ISO-8859-2"},
		{"LATIN5", "ISO-8859-9"}, {"WIN1250", "windows-1250"}, {"WIN1251", "windows-1251"},
		{"WIN", "windows-1251"}, {"WIN866", "IBM866"}, {"ALT", "IBM866"}, {"ibm-866", "IBM866"},
		{"KOI8R", "KOI8-R"}, {"KOI8", "KOI8-R"}, {"SJIS", "Shift_JIS"}, {"Shift_JIS", "Shift_JIS"},
		{"MSKANJI", "Shift_JIS"}, {"EUC_JP", "EUC-JP"}, {"BIG5", "Big5"}, {"GB18030", "GB18030"},
		{"IBM850", "IBM850"}, {"cp850", "IBM850"}, {"cp865", "IBM865"}, {"IBM865", "IBM865"},
		{"UTF-16", "UTF-16"}, {"UTF-16LE", "UTF-16LE"}, {"utf-16be", "UTF-16BE"}, {"UTF-32", "UTF-32"},
		{"UTF-32LE", "UTF-32LE"}, {"  LATIN1  ", "ISO-8859-1"},
	};
	for (const Case& c : cases) {
		SourceEncoding e = ResolveEncoding(c.given);
		EXPECT_EQ(e.name, c.name) << c.given;
		EXPECT_FALSE(e.IsUtf8()) << c.given;
	}
	for (const char* utf8 : {"UTF8", "UTF-8", "utf8", "UNICODE", "utf_8"}) {
		SourceEncoding e = ResolveEncoding(utf8);
		EXPECT_TRUE(e.IsUtf8()) << utf8;
		EXPECT_EQ(e.name, "UTF-8");
	}
}

TEST(ResolveEncoding, UnknownNamesAre22023NamingTheName)
{
	for (const char* bad : {"klingon", "WIN9999", "latin-99", "UTF-8,swaplfnl", "../../etc/passwd", "SQL_ASCII",
				"MULE_INTERNAL", "SHIFT_JIS_2004"}) {
		try {
			ResolveEncoding(bad);
			ADD_FAILURE() << bad << " was accepted";
		} catch (const UserError& e) {
			EXPECT_EQ(e.sqlstate(), "22023") << bad;
			EXPECT_EQ(std::string(e.what()), "unknown encoding \""s + bad + "\"");
			EXPECT_NE(e.hint().find("WIN1252"), std::string::npos) << e.hint();
			EXPECT_NE(e.hint().find("cp865"), std::string::npos) << e.hint();
		}
	}
	try {
		ResolveEncoding("   ");
		ADD_FAILURE() << "blank accepted";
	} catch (const UserError& e) {
		EXPECT_EQ(e.sqlstate(), "22023");
		EXPECT_EQ(std::string(e.what()), "encoding must not be empty");
	}
}

// --- the transcoder, family by family ---

TEST(Transcoder, WindowsCodePages)
{
	// Windows-1252: € ’ “ ” – and the Latin-1 letters æ ø å Æ Ø Å.
	Converted c = Convert("windows-1252", "\x80 5;Don\x92t;\x93hei\x94;1\x96" "2;\xE6\xF8\xE5\xC6\xD8\xC5\n");
	ASSERT_TRUE(c.ok) << c.Describe();
	EXPECT_EQ(c.text, "€ 5;Don’t;“hei”;1–2;æøåÆØÅ\n");
	// Windows-1250 (Polish, Czech), Windows-1251 (Cyrillic).
	c = Convert("WIN1250", "\xA3\xF3\x64\x9F;\xAF\xF3\xB3w\n");
	ASSERT_TRUE(c.ok) << c.Describe();
	EXPECT_EQ(c.text, "Łódź;Żółw\n");
	c = Convert("WIN1251", "\xCC\xEE\xF1\xEA\xE2\xE0\n");
	EXPECT_EQ(c.text, "Москва\n");
}

TEST(Transcoder, IsoCodePages)
{
	Converted c = Convert("LATIN1", "Bj\xF8rn;D\xE6hlie;K\xE5re;\xA9\n");
	ASSERT_TRUE(c.ok) << c.Describe();
	EXPECT_EQ(c.text, "Bjørn;Dæhlie;Kåre;©\n");
	// Latin-9 has € where Latin-1 has ¤.
	EXPECT_EQ(Convert("LATIN9", "\xA4").text, "€");
	EXPECT_EQ(Convert("LATIN1", "\xA4").text, "¤");
	// ISO-8859 defines 0x80..0x9F as C1 controls: converted (the C1 warning catches them).
	c = Convert("ISO-8859-1", "Don\x92t");
	ASSERT_TRUE(c.ok) << c.Describe();
	EXPECT_EQ(c.text, "Don\xC2\x92t");
}

TEST(Transcoder, DosCodePages)
{
	// A Norwegian DOS file: Ø 0x9D, ø 0x9B, å 0x86, æ 0x91, Å 0x8F, Æ 0x92.
	const std::string dos = "\x9Dstfold;Bj\x9Brn;K\x86re;D\x91hlie;\x8F" "se;\x92rlig\n";
	const std::string utf8 = "Østfold;Bjørn;Kåre;Dæhlie;Åse;Ærlig\n";
	for (const char* cp : {"cp865", "IBM865", "IBM850", "cp850"}) {
		Converted c = Convert(cp, dos);
		ASSERT_TRUE(c.ok) << cp << " " << c.Describe();
		EXPECT_EQ(c.text, utf8) << cp;
	}
	// They differ above 0xA0: ¤ in 865 is » in 437, Á in 850.
	EXPECT_EQ(Convert("cp865", "\xAF").text, "¤");
	EXPECT_EQ(Convert("IBM850", "\xB5").text, "Á");
	EXPECT_EQ(Convert("WIN866", "\x8C\xAE\xE1\xAA\xA2\xA0").text, "Москва");
	EXPECT_EQ(Convert("KOI8R", "\xED\xCF\xD3\xCB\xD7\xC1").text, "Москва");
}

TEST(Transcoder, MultiByteCodePages)
{
	// あいう (Shift_JIS 82A0 82A2 82A4, EUC-JP A4A2 A4A4 A4A6), 中文 (GBK D6D0 CEC4, Big5 A4A4 A4E5).
	EXPECT_EQ(Convert("SJIS", "a;\x82\xA0\x82\xA2\x82\xA4\n").text, "a;あいう\n");
	EXPECT_EQ(Convert("Shift_JIS", "a;\x82\xA0\x82\xA2\x82\xA4\n").text, "a;あいう\n");
	EXPECT_EQ(Convert("EUC_JP", "\xA4\xA2\xA4\xA4\xA4\xA6").text, "あいう");
	EXPECT_EQ(Convert("GBK", "\xD6\xD0\xCE\xC4").text, "中文");
	EXPECT_EQ(Convert("BIG5", "\xA4\xA4\xA4\xE5").text, "中文");
	// GB18030 has four-byte sequences: å is 81 30 8A 32, 😀 94 39 FC 36.
	EXPECT_EQ(Convert("GB18030", "\x81\x30\x8A\x32\x94\x39\xFC\x36").text, "å😀");
}

TEST(Transcoder, Utf16AndUtf32)
{
	const std::u16string text = u"navn;by\r\nÅse;Tromsø 😀\r\n";
	const std::string utf8 = "navn;by\r\nÅse;Tromsø 😀\r\n";
	EXPECT_EQ(Convert("UTF-16LE", test::Utf16Le(text)).text, utf8);
	EXPECT_EQ(Convert("UTF-16BE", test::Utf16Be(text)).text, utf8);
	// "UTF-16" reads the byte order from a byte-order mark and drops the mark.
	EXPECT_EQ(Convert("UTF-16", "\xFF\xFE"s + test::Utf16Le(text)).text, utf8);
	EXPECT_EQ(Convert("UTF-16", "\xFE\xFF"s + test::Utf16Be(text)).text, utf8);
	const std::u32string text32 = U"navn;by\nÅse;Tromsø 😀\n";
	const std::string utf8_32 = "navn;by\nÅse;Tromsø 😀\n";
	EXPECT_EQ(Convert("UTF-32LE", test::Utf32(text32, true)).text, utf8_32);
	EXPECT_EQ(Convert("UTF-32BE", test::Utf32(text32, false)).text, utf8_32);
	EXPECT_EQ(Convert("UTF-32", test::Utf32(U"\uFEFF" + text32, false)).text, utf8_32);
}

// A character split by a chunk boundary is completed by the next chunk, for every boundary.
TEST(Transcoder, SplitsAtEveryOffset)
{
	const std::u16string text = u"Åse;Tromsø 😀 ok\r\nKåre;Ørje\n";
	ExpectSameEverySplit("UTF-16LE", test::Utf16Le(text));
	ExpectSameEverySplit("UTF-16BE", test::Utf16Be(text));
	ExpectSameEverySplit("UTF-16", "\xFF\xFE"s + test::Utf16Le(text));
	ExpectSameEverySplit("UTF-32LE", test::Utf32(U"Åse;😀\n", true));
	ExpectSameEverySplit("SJIS", "a;\x82\xA0\x82\xA2\n\x82\xA4;b\n");
	ExpectSameEverySplit("GB18030", "x\x81\x30\x8A\x32y\x94\x39\xFC\x36\xD6\xD0");
	ExpectSameEverySplit("windows-1252", "\x80 5;Don\x92t;\xE6\xF8\xE5 and more ASCII text here\r\n");
	ExpectSameEverySplit("cp865", "\x9Dstfold;Bj\x9Brn\r\n");
	// Errors too: same text before them, same line and offset.
	ExpectSameEverySplit("SJIS", "a;\x82\xA0\n\x82\n");
	ExpectSameEverySplit("UTF-16LE", test::Utf16Le(u"ab\ncd") + "\x00\xDC"s + test::Utf16Le(u"x"));
	ExpectSameEverySplit("UTF-16LE", test::Utf16Le(u"ab\ncd") + "x");
	// A lead surrogate followed by a unit that is no trail (ICU reads past it when the lead
	// came in the chunk before).
	ExpectSameEverySplit("UTF-16LE", test::Utf16Le(u"ab") + "\0\xD8"s + test::Utf16Le(u"\rx"));
	ExpectSameEverySplit("UTF-16BE", test::Utf16Be(u"ab") + "\xD8\0"s + test::Utf16Be(u"\rx"));
	ExpectSameEverySplit("windows-1252", "a;b\r\nc;d\x81\n");
	ExpectSameEverySplit("UTF-16LE", test::Utf16Le(u"a\n") + "\0\0"s);
	ExpectSameEverySplit("UTF-32BE", test::Utf32(U"a,b\n\U0001F67C", false) + "\0\0\0\0\xFF"s);
	ExpectSameEverySplit("UTF-32LE", test::Utf32(U"a,\u00E5\n\U0001F600\0x", true));
	// Long text: the multi-byte path converts 16384 units per call.
	std::u16string lots;
	for (int i = 0; i < 3000; ++i)
		lots += u"Kåre 😀;";
	std::string whole = Convert("UTF-16LE", test::Utf16Le(lots)).Describe();
	std::string le = test::Utf16Le(lots);
	for (std::size_t cut : {std::size_t{1}, std::size_t{32767}, std::size_t{32768}, std::size_t{32769}, le.size() - 1})
		EXPECT_EQ(whole, Convert("UTF-16LE", le, {cut}).Describe()) << cut;
}

TEST(Transcoder, InvalidBytesNameLineAndOffset)
{
	// 0x81, 0x8D, 0x8F, 0x90 and 0x9D are not Windows-1252 (ICU maps them to C1 controls as
	// Windows' best fit does; PostgreSQL's WIN1252 refuses them): 22P05.
	Converted c = Convert("windows-1252", "navn;by\r\nKari;\x9Dstfold\r\n");
	ASSERT_FALSE(c.ok);
	EXPECT_EQ(c.sqlstate, "22P05");
	EXPECT_EQ(c.message, "file is not valid windows-1252");
	EXPECT_EQ(c.detail, "line 2, byte offset 14: byte 0x9D is not a character in windows-1252");
	EXPECT_EQ(c.offset, 14u);
	EXPECT_EQ(c.text, "navn;by\r\nKari;");  // the text before it
	for (unsigned char hole : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) {
		c = Convert("WIN1252", std::string("a") + static_cast<char>(hole));
		EXPECT_EQ(c.sqlstate, "22P05") << int(hole);
		EXPECT_EQ(c.offset, 1u);
	}
	// Lone CRs and CR LF count as one line break each, as CsvReader counts them.
	c = Convert("LATIN1", "a\rb\r\nc\n\nd\0"s);
	EXPECT_EQ(c.message, "file contains a NUL character");
	EXPECT_EQ(c.detail, "line 5, byte offset 9");
	// Shift_JIS: a lead byte without its trail byte (22021), and one cut off at the end.
	c = Convert("SJIS", "a;\x82\xA0\n\x82\n");
	EXPECT_EQ(c.sqlstate, "22021");
	EXPECT_EQ(c.message, "file is not valid Shift_JIS");
	EXPECT_EQ(c.detail, "line 2, byte offset 5: byte 0x82 is not valid Shift_JIS");
	EXPECT_EQ(c.text, "a;あ\n");
	c = Convert("SJIS", "a;\x82\xA0\n\x82");
	EXPECT_EQ(c.sqlstate, "22021");
	EXPECT_EQ(c.detail, "line 2, byte offset 5: byte 0x82 at the end of the file (a truncated character)");
	// UTF-16: an unpaired surrogate, an odd last byte, a NUL character.
	c = Convert("UTF-16LE", test::Utf16Le(u"ab\ncd") + "\x00\xDC"s + test::Utf16Le(u"x"));
	EXPECT_EQ(c.sqlstate, "22021");
	EXPECT_EQ(c.detail, "line 2, byte offset 10: bytes 0x00 0xDC are not valid UTF-16LE");
	c = Convert("UTF-16LE", test::Utf16Le(u"ab\ncd") + "x");
	EXPECT_EQ(c.detail, "line 2, byte offset 10: byte 0x78 at the end of the file (a truncated character)");
	c = Convert("UTF-16BE", test::Utf16Be(u"a\nb") + "\0\0"s);
	EXPECT_EQ(c.message, "file contains a NUL character");
	EXPECT_EQ(c.detail, "line 2, byte offset 6");
	// A code point above U+10FFFF in UTF-32.
	c = Convert("UTF-32LE", test::Utf32(U"a", true) + "\0\0\x11\0"s);
	EXPECT_EQ(c.sqlstate, "22021");
	EXPECT_EQ(c.detail, "line 1, byte offset 4: bytes 0x00 0x00 0x11 0x00 are not valid UTF-32LE");
	// US-ASCII has no byte above 0x7F.
	c = Convert("US-ASCII", "ok\n\xE5");
	EXPECT_EQ(c.detail, "line 2, byte offset 3: byte 0xE5 is not valid US-ASCII");
}

TEST(Transcoder, MemoryDoesNotGrowWithTheInput)
{
	Transcoder t(ResolveEncoding("LATIN1"));
	std::string chunk(1 << 16, 'x');
	for (std::size_t i = 0; i < chunk.size(); i += 7)
		chunk[i] = '\xE5';
	std::string out;
	for (int i = 0; i < 64; ++i) {
		out.clear();
		ASSERT_TRUE(t.Convert(chunk.data(), chunk.size(), out));
		EXPECT_LE(out.capacity(), 4 * chunk.size());
	}
	EXPECT_EQ(t.bytes_in(), 64u * chunk.size());
}

// --- the guess ---

TEST(GuessEncoding, NorwegianDosFileIsCp865)
{
	// Fylke;By / Østfold;Sarpsborg / Vestfold og Telemark;Bø / Møre og Romsdal;Ålesund /
	// Trøndelag;Trondheim / Kåre Ærlig;Hjørundfjord (Ø 0x9D, ø 0x9B, å 0x86, Å 0x8F, Æ 0x92).
	const std::string dos =
		"Fylke;By;Navn\r\n\x9Dstfold;Sarpsborg;Per\r\nVestfold og Telemark;B\x9B;Kari\r\n"
		"M\x9Bre og Romsdal;\x8Flesund;K\x86re \x92rlig\r\nTr\x9Bndelag;Trondheim;Hj\x9Brdis\r\n";
	EncodingGuess g = GuessEncoding(dos);
	EXPECT_EQ(g.argument, "cp865");
	EXPECT_EQ(g.label, "DOS code page 865");
	EXPECT_EQ(g.example, "it reads byte 0x9D as Ø");
	// One Ø is enough: 0x9D is no Windows-1252 character.
	EXPECT_EQ(GuessEncoding("navn\n\x9Dstfold\n").argument, "cp865");
	// Letters of 850 that 865 has as box drawing: 850.
	EXPECT_EQ(GuessEncoding("Jos\x82;Mu\xA4oz;\xB5lvarez;Garc\xA1" "a\n").argument, "IBM850");
}

TEST(GuessEncoding, SmartQuotesAndLatin1LettersAreWindows1252)
{
	// “Hei” sa hun – det koster € 5, Don’t.
	EncodingGuess g = GuessEncoding("notat\n\x93Hei\x94 sa hun \x96 det koster \x80 5, Don\x92t.\n");
	EXPECT_EQ(g.argument, "windows-1252");
	EXPECT_EQ(g.label, "Windows-1252");
	// Latin-1 letters only: Bjørn Dæhlie, Kåre, Åse Ødegård.
	g = GuessEncoding("Fornavn;Etternavn\nBj\xF8rn;D\xE6hlie\nK\xE5re;\xC5se\n\xD8yvind;\xD8" "deg\xE5rd\n");
	EXPECT_EQ(g.argument, "windows-1252");
	EXPECT_EQ(g.example, "it reads byte 0xF8 as ø");
	EXPECT_EQ(GuessEncoding("a,b\n1,Don\x92t\n").argument, "windows-1252");
	EXPECT_EQ(GuessEncoding("a;b\nP\xE5;x\n").argument, "windows-1252");
}

TEST(GuessEncoding, AlternatingNulsAreUtf16)
{
	EncodingGuess g = GuessEncoding(test::Utf16Le(u"navn;e-post\r\nKari;kari@example.no\r\n"));
	EXPECT_EQ(g.argument, "UTF-16LE");
	EXPECT_NE(g.description.find("without a byte-order mark"), std::string::npos) << g.description;
	EXPECT_EQ(GuessEncoding(test::Utf16Be(u"navn;e-post\r\nKari;kari@example.no\r\n")).argument, "UTF-16BE");
	EXPECT_EQ(GuessEncoding(test::Utf32(U"navn;e-post\nKari;kari@example.no\n", true)).argument, "UTF-32LE");
	EXPECT_EQ(GuessEncoding(test::Utf32(U"navn;e-post\nKari;kari@example.no\n", false)).argument, "UTF-32BE");
	// Binary data with a few NULs is no UTF-16.
	EXPECT_NE(GuessEncoding("abc\0\x01\x02\x03\x7F\x01\x01\x01"s).argument.compare(0, 4, "UTF-"), 0);
	// Plain ASCII: nothing to guess.
	EXPECT_EQ(GuessEncoding("a,b\n1,2\n").argument, "");
}

TEST(GuessEncoding, C1CharactersTellTheCodePageTheTextCameFrom)
{
	// cp865's "Østfold" and "Bjørn" converted as Latin-1.
	EncodingGuess g = GuessC1Origin("\xC2\x9Dstfold\nBj\xC2\x9Brn\n");
	EXPECT_EQ(g.argument, "cp865");
	EXPECT_EQ(CodePageChar(g.argument, 0x9D), "Ø");
	// Windows-1252's "Don’t" converted as Latin-1.
	g = GuessC1Origin("Don\xC2\x92t\n");
	EXPECT_EQ(g.argument, "windows-1252");
	EXPECT_EQ(CodePageChar(g.argument, 0x92), "’");
	EXPECT_EQ(CodePageChar("windows-1252", 0x9D), "");
	EXPECT_EQ(CodePointName(0x9D), "U+009D");
}

}  // namespace
}  // namespace crm::core
