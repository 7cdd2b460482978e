// Source encodings: names, the streaming ICU transcoder and the encoding guess (contract in
// encoding.hpp).
#include "encoding.hpp"

#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include "error.hpp"

namespace crm::core {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
// UTF-16 units converted per ucnv_toUnicode call on the multi-byte path.
constexpr std::size_t kUnits = 16384;

// Non-zero when some byte of v is zero; the lowest flagged byte is exact.
inline std::uint64_t ZeroBytes(std::uint64_t v) { return (v - kOnes) & ~v & kHighBits; }

std::string Hex(unsigned char c)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "0x%02X", c);
	return buf;
}

std::string HexBytes(const char* p, std::size_t n)
{
	std::string s = n == 1 ? "byte " : "bytes ";
	for (std::size_t k = 0; k < n; ++k)
		s += (k ? " " : "") + Hex(static_cast<unsigned char>(p[k]));
	return s;
}

std::string Str(std::uint64_t v) { return std::to_string(v); }

// Appends the UTF-8 form of a code point.
void AppendUtf8(std::string& out, std::uint32_t cp)
{
	if (cp < 0x80) {
		out.push_back(static_cast<char>(cp));
	} else if (cp < 0x800) {
		out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
		out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
		out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
		out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
	} else {
		out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
		out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
		out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
		out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
	}
}

// Lower case letters and digits only: how PostgreSQL compares encoding names
// (clean_encoding_name), so LATIN1, Latin-1 and latin_1 are one name.
std::string CleanName(std::string_view name)
{
	std::string s;
	for (char c : name) {
		if (c >= 'A' && c <= 'Z')
			s.push_back(static_cast<char>(c - 'A' + 'a'));
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			s.push_back(c);
	}
	return s;
}

// PostgreSQL's encoding names and aliases (pg_encname_tbl, cleaned) and the ICU converter
// of the same character set. ICU knows some of them itself (latin1, sjis), not all (win1252).
struct PgName {
	const char* pg;
	const char* icu;
};
constexpr PgName kPgNames[] = {
	{"utf8", "UTF-8"}, {"unicode", "UTF-8"},
	{"latin1", "ISO-8859-1"}, {"latin2", "ISO-8859-2"}, {"latin3", "ISO-8859-3"}, {"latin4", "ISO-8859-4"},
	{"latin5", "ISO-8859-9"}, {"latin6", "ISO-8859-10"}, {"latin7", "ISO-8859-13"}, {"latin8", "ISO-8859-14"},
	{"latin9", "ISO-8859-15"}, {"latin10", "ISO-8859-16"},
	{"iso88591", "ISO-8859-1"}, {"iso88592", "ISO-8859-2"}, {"iso88593", "ISO-8859-3"}, {"iso88594", "ISO-8859-4"},
	{"iso88595", "ISO-8859-5"}, {"iso88596", "ISO-8859-6"}, {"iso88597", "ISO-8859-7"}, {"iso88598", "ISO-8859-8"},
	{"iso88599", "ISO-8859-9"}, {"iso885910", "ISO-8859-10"}, {"iso885913", "ISO-8859-13"},
	{"iso885914", "ISO-8859-14"}, {"iso885915", "ISO-8859-15"}, {"iso885916", "ISO-8859-16"},
	{"win866", "ibm-866"}, {"alt", "ibm-866"}, {"win874", "windows-874"},
	{"win1250", "windows-1250"}, {"win1251", "windows-1251"}, {"win", "windows-1251"}, {"win1252", "windows-1252"},
	{"win1253", "windows-1253"}, {"win1254", "windows-1254"}, {"win1255", "windows-1255"},
	{"win1256", "windows-1256"}, {"win1257", "windows-1257"}, {"win1258", "windows-1258"},
	{"abc", "windows-1258"}, {"tcvn", "windows-1258"}, {"tcvn5712", "windows-1258"}, {"vscii", "windows-1258"},
	{"koi8", "KOI8-R"}, {"koi8r", "KOI8-R"}, {"koi8u", "KOI8-U"},
	{"eucjp", "EUC-JP"}, {"euccn", "EUC-CN"}, {"euckr", "EUC-KR"}, {"euctw", "EUC-TW"},
	{"sjis", "Shift_JIS"}, {"shiftjis", "Shift_JIS"}, {"mskanji", "Shift_JIS"}, {"win932", "Shift_JIS"},
	{"windows932", "Shift_JIS"},
	{"big5", "Big5"}, {"win950", "Big5"}, {"windows950", "Big5"},
	{"gbk", "GBK"}, {"win936", "GBK"}, {"windows936", "GBK"},
	{"uhc", "windows-949"}, {"win949", "windows-949"}, {"windows949", "windows-949"},
	{"gb18030", "GB18030"}, {"johab", "JOHAB"},
};

// PostgreSQL encoding names that are no character set a file can be read in here.
struct PgUnsupported {
	const char* pg;
	const char* why;
};
constexpr PgUnsupported kPgUnsupported[] = {
	{"sqlascii", "SQL_ASCII is PostgreSQL's \"no encoding\": it says nothing about the bytes above 0x7F"},
	{"muleinternal", "MULE_INTERNAL is an encoding of PostgreSQL's server, not of files"},
	{"eucjis2004", "ICU has no converter for JIS X 0213 (EUC_JIS_2004)"},
	{"shiftjis2004", "ICU has no converter for JIS X 0213 (SHIFT_JIS_2004)"},
};

constexpr const char* kEncodingExamples =
	"use a PostgreSQL encoding name such as LATIN1, WIN1252, WIN1250, LATIN9, WIN866 or SJIS, or an ICU "
	"converter name such as windows-1252, ISO-8859-1, IBM850, cp865, UTF-16, UTF-16LE, UTF-32 or Shift_JIS; "
	"leave encoding NULL for UTF-8";

[[noreturn]] void ThrowUnknown(std::string_view name, const std::string& detail)
{
	throw UserError(sqlstate::kInvalidParameterValue, "unknown encoding \"" + std::string(name) + "\"", detail,
			kEncodingExamples);
}

// Characters an encoding name may have. ICU reads more (a ',' starts converter options, a
// '/' names a data file to load): those are never part of a character set's name.
bool PlainName(std::string_view name)
{
	if (name.empty() || name.size() > 64)
		return false;
	for (char c : name) {
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || c == '.' || c == ':' || c == '+' || c == ' ';
		if (!ok)
			return false;
	}
	return true;
}

std::string_view TrimSpaces(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
		s.remove_suffix(1);
	return s;
}

// The name to record for an ICU converter alias: its MIME name, else IANA, else the name
// Windows uses, else ICU's own.
std::string DisplayName(const char* alias)
{
	for (const char* standard : {"MIME", "IANA", "WINDOWS"}) {
		UErrorCode status = U_ZERO_ERROR;
		const char* n = ucnv_getStandardName(alias, standard, &status);
		if (U_SUCCESS(status) && n != nullptr && *n != '\0')
			return n;
	}
	UErrorCode status = U_ZERO_ERROR;
	const char* n = ucnv_getAlias(alias, 0, &status);
	return U_SUCCESS(status) && n != nullptr ? n : alias;
}

// Opens a converter that stops at the first byte sequence it cannot convert (instead of
// writing a substitution character).
UConverter* OpenStopping(const std::string& converter, const std::string& name)
{
	UErrorCode status = U_ZERO_ERROR;
	UConverter* cnv = ucnv_open(converter.c_str(), &status);
	if (U_FAILURE(status) || cnv == nullptr)
		throw UserError(sqlstate::kInvalidParameterValue, "encoding \"" + name + "\" is not available",
				std::string("ICU knows the name but this installation has no converter for it (") +
					u_errorName(status) + ")",
				kEncodingExamples);
	status = U_ZERO_ERROR;
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
	if (U_FAILURE(status)) {
		ucnv_close(cnv);
		throw std::runtime_error(std::string("ucnv_setToUCallBack: ") + u_errorName(status));
	}
	return cnv;
}

// A byte of a single-byte code page: its UTF-8 text, or why it is refused.
enum class ByteStatus : unsigned char { kOk, kNoCharacter, kMalformed, kNul };
struct ByteEntry {
	ByteStatus status = ByteStatus::kOk;
	unsigned char len = 0;
	char utf8[8] = {};
	std::int32_t code_point = -1;  // the first (usually the only) code point
};
using ByteTable = std::array<ByteEntry, 256>;

// True for converters that turn every byte into characters on its own, with no state: one
// conversion table of 256 entries is the whole converter.
bool IsSingleByte(UConverter* cnv)
{
	UConverterType type = ucnv_getType(cnv);
	return ucnv_getMaxCharSize(cnv) == 1 &&
	       (type == UCNV_SBCS || type == UCNV_LATIN_1 || type == UCNV_US_ASCII || type == UCNV_MBCS);
}

// Asks ICU what each byte is. In a code page that uses 0x80..0x9F for characters (every
// Windows and DOS code page), a byte ICU maps to a C1 control is a hole of the code page
// (ICU follows Windows' best-fit table there; PostgreSQL's WIN1252 refuses them): refused.
// ISO-8859 code pages define 0x80..0x9F as the C1 controls: those stay (and a file holding
// them gets the C1 warning).
void FillByteTable(UConverter* cnv, ByteTable& table)
{
	bool c1_range_used = false;
	for (int b = 0; b < 256; ++b) {
		ByteEntry& e = table[b];
		ucnv_resetToUnicode(cnv);
		char byte = static_cast<char>(b);
		const char* src = &byte;
		UChar units[8];
		UChar* target = units;
		UErrorCode status = U_ZERO_ERROR;
		ucnv_toUnicode(cnv, &target, units + 8, &src, &byte + 1, nullptr, true, &status);
		if (U_FAILURE(status) || target == units) {
			e.status = status == U_INVALID_CHAR_FOUND ? ByteStatus::kNoCharacter : ByteStatus::kMalformed;
			continue;
		}
		std::string utf8;
		std::int32_t n = static_cast<std::int32_t>(target - units);
		for (std::int32_t k = 0; k < n;) {
			UChar32 cp;
			U16_NEXT(units, k, n, cp);
			if (e.code_point < 0)
				e.code_point = cp;
			AppendUtf8(utf8, static_cast<std::uint32_t>(cp));
		}
		if (utf8.size() > sizeof e.utf8) {
			e.status = ByteStatus::kNoCharacter;
			continue;
		}
		e.len = static_cast<unsigned char>(utf8.size());
		std::memcpy(e.utf8, utf8.data(), utf8.size());
		if (e.code_point == 0)
			e.status = ByteStatus::kNul;
		if (b >= 0x80 && b < 0xA0 && !(e.code_point >= 0x80 && e.code_point < 0xA0))
			c1_range_used = true;
	}
	ucnv_resetToUnicode(cnv);
	if (c1_range_used)
		for (int b = 0x80; b < 0x100; ++b)
			if (table[b].status == ByteStatus::kOk && table[b].code_point >= 0x80 && table[b].code_point < 0xA0)
				table[b].status = ByteStatus::kNoCharacter;
}

}  // namespace

std::string CodePointName(std::uint32_t code_point)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "U+%04X", code_point);
	return buf;
}

SourceEncoding Utf8Encoding() { return SourceEncoding{"UTF-8", ""}; }

SourceEncoding ResolveEncoding(std::string_view raw)
{
	std::string_view name = TrimSpaces(raw);
	if (name.empty())
		throw UserError(sqlstate::kInvalidParameterValue, "encoding must not be empty", "", kEncodingExamples);
	std::string clean = CleanName(name);
	for (const PgUnsupported& u : kPgUnsupported)
		if (clean == u.pg)
			ThrowUnknown(name, std::string(u.why));
	std::string converter;
	for (const PgName& p : kPgNames)
		if (clean == p.pg) {
			converter = p.icu;
			break;
		}
	if (converter.empty()) {
		if (!PlainName(name))
			ThrowUnknown(name, "An encoding name has letters, digits, spaces and - _ . : + only.");
		converter = std::string(name);
	}
	UErrorCode status = U_ZERO_ERROR;
	std::uint16_t aliases = ucnv_countAliases(converter.c_str(), &status);
	if (U_FAILURE(status) || aliases == 0)
		ThrowUnknown(name, "It is neither a PostgreSQL encoding name nor a character set ICU knows.");
	std::string display = DisplayName(converter.c_str());
	status = U_ZERO_ERROR;
	const char* canonical = ucnv_getAlias(converter.c_str(), 0, &status);
	if (U_SUCCESS(status) && canonical != nullptr && std::strcmp(canonical, "UTF-8") == 0)
		return Utf8Encoding();
	// Opened once here so that an unavailable converter is refused before any byte is read.
	UConverter* cnv = OpenStopping(converter, std::string(name));
	ucnv_close(cnv);
	return SourceEncoding{display, converter};
}

// --- Transcoder ---

struct Transcoder::Impl {
	explicit Impl(const SourceEncoding& e);
	~Impl()
	{
		if (cnv != nullptr)
			ucnv_close(cnv);
	}

	bool ConvertSingle(const unsigned char* p, std::size_t n, std::string& out);
	bool ConvertMulti(const char* p, std::size_t n, bool flush, std::string& out);
	bool Emit(const UChar* units, const std::int32_t* offsets, std::size_t count, std::uint64_t call_base,
		  std::uint64_t pending_start, std::string& out);
	void CountLine(char c)
	{
		if (c == '\n') {
			if (!prev_cr)
				++lines;
			prev_cr = false;
		} else if (c == '\r') {
			++lines;
			prev_cr = true;
		} else {
			prev_cr = false;
		}
	}
	bool FailBytes(ByteStatus status, std::uint64_t offset, const char* bytes, std::size_t n, bool at_eof);
	bool FailNul(std::uint64_t offset);
	bool FailSurrogate(std::uint64_t offset, UChar unit);
	bool Fail(const char* sqlstate, const std::string& message, std::uint64_t offset, const std::string& what,
		  const std::string& hint);

	SourceEncoding encoding;
	UConverter* cnv = nullptr;
	bool single_byte = false;
	ByteTable table;
	bool ascii_identity = false;  // bytes 0x01..0x7F are themselves
	std::size_t max_len = 1;      // longest UTF-8 text of one byte
	std::unique_ptr<UChar[]> units;
	std::unique_ptr<std::int32_t[]> offsets;
	UChar lead = 0;  // a lead surrogate whose trail is still to come
	std::uint64_t lead_offset = 0;

	std::uint64_t consumed = 0;  // bytes converted
	std::uint64_t lines = 0;     // line breaks in the text converted
	bool prev_cr = false;
	bool failed = false;
	bool finished = false;
	std::unique_ptr<UserError> error;
	std::uint64_t error_offset = 0;
};

Transcoder::Impl::Impl(const SourceEncoding& e) : encoding(e)
{
	if (e.IsUtf8())
		throw std::logic_error("Transcoder: UTF-8 is read as it is");
	cnv = OpenStopping(e.converter, e.name);
	single_byte = IsSingleByte(cnv);
	if (single_byte) {
		FillByteTable(cnv, table);
		ascii_identity = true;
		for (int b = 1; b < 0x80; ++b)
			if (table[b].status != ByteStatus::kOk || table[b].len != 1 || table[b].utf8[0] != static_cast<char>(b))
				ascii_identity = false;
		for (const ByteEntry& entry : table)
			max_len = std::max<std::size_t>(max_len, entry.len);
	} else {
		units.reset(new UChar[kUnits]);
		offsets.reset(new std::int32_t[kUnits]);
	}
}

bool Transcoder::Impl::Fail(const char* sqlstate, const std::string& message, std::uint64_t offset,
			    const std::string& what, const std::string& hint)
{
	failed = true;
	error_offset = offset;
	error = std::make_unique<UserError>(sqlstate, message,
					    "line " + Str(lines + 1) + ", byte offset " + Str(offset) + (what.empty() ? "" : ": " + what),
					    hint);
	return false;
}

bool Transcoder::Impl::FailBytes(ByteStatus status, std::uint64_t offset, const char* bytes, std::size_t n, bool at_eof)
{
	std::string what = HexBytes(bytes, n);
	const char* verb = n == 1 ? " is" : " are";
	if (at_eof)
		what += " at the end of the file (a truncated character)";
	else if (status == ByteStatus::kNoCharacter)
		what += std::string(verb) + " not a character in " + encoding.name;
	else
		what += std::string(verb) + " not valid " + encoding.name;
	return Fail(status == ByteStatus::kNoCharacter ? sqlstate::kUntranslatableCharacter
						       : sqlstate::kCharacterNotInRepertoire,
		    "file is not valid " + encoding.name, offset, what,
		    "check that the file is " + encoding.name + " text and pass the encoding it was saved in");
}

bool Transcoder::Impl::FailNul(std::uint64_t offset)
{
	return Fail(sqlstate::kCharacterNotInRepertoire, "file contains a NUL character", offset, "",
		    "a CSV file holds no NUL: the file is binary data, or not " + encoding.name +
			    " text (check the encoding argument)");
}

bool Transcoder::Impl::FailSurrogate(std::uint64_t offset, UChar unit)
{
	return Fail(sqlstate::kCharacterNotInRepertoire, "file is not valid " + encoding.name, offset,
		    CodePointName(unit) + " is half of a UTF-16 surrogate pair without the other half",
		    "check that the file is " + encoding.name + " text and pass the encoding it was saved in");
}

// Single-byte code pages: one table lookup per byte; runs of plain ASCII (no NUL, CR or LF)
// are copied 8 bytes at a time when the code page has ASCII as its lower half.
bool Transcoder::Impl::ConvertSingle(const unsigned char* p, std::size_t n, std::string& out)
{
	std::size_t old = out.size();
	out.resize(old + n * max_len);
	char* base = &out[0];
	char* o = base + old;
	std::size_t i = 0;
	while (i < n) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (ascii_identity) {
			while (n - i >= 8) {
				std::uint64_t w;
				std::memcpy(&w, p + i, 8);
				std::uint64_t flags = (w & kHighBits) | ZeroBytes(w) | ZeroBytes(w ^ (kOnes * '\n')) |
						      ZeroBytes(w ^ (kOnes * '\r'));
				if (flags != 0) {
					std::size_t plain = static_cast<std::size_t>(__builtin_ctzll(flags)) >> 3;
					if (plain > 0) {
						std::memcpy(o, p + i, plain);
						o += plain;
						i += plain;
						prev_cr = false;
					}
					break;
				}
				std::memcpy(o, &w, 8);
				o += 8;
				i += 8;
				prev_cr = false;
			}
			if (i == n)
				break;
		}
#endif
		unsigned char c = p[i];
		const ByteEntry& e = table[c];
		if (e.status != ByteStatus::kOk) {
			out.resize(static_cast<std::size_t>(o - base));
			std::uint64_t offset = consumed + i;
			consumed += i;
			if (e.status == ByteStatus::kNul)
				return FailNul(offset);
			char byte = static_cast<char>(c);
			return FailBytes(e.status, offset, &byte, 1, false);
		}
		if (e.len == 1) {
			CountLine(e.utf8[0]);
			*o++ = e.utf8[0];
		} else {
			std::memcpy(o, e.utf8, e.len);
			o += e.len;
			prev_cr = false;
		}
		++i;
	}
	out.resize(static_cast<std::size_t>(o - base));
	consumed += n;
	return true;
}

// UTF-16 units from ICU to UTF-8. offsets[i] is the source offset of unit i relative to
// call_base, or -1 for a unit made of bytes held over from an earlier call (they start at
// pending_start). Counts line breaks; stops at a NUL or an unpaired surrogate.
bool Transcoder::Impl::Emit(const UChar* u, const std::int32_t* offs, std::size_t count, std::uint64_t call_base,
			    std::uint64_t pending_start, std::string& out)
{
	std::size_t old = out.size();
	out.resize(old + count * 3 + 4);
	char* base = &out[0];
	char* o = base + old;
	for (std::size_t i = 0; i < count; ++i) {
		UChar c = u[i];
		std::uint64_t offset = offs[i] >= 0 ? call_base + static_cast<std::uint64_t>(offs[i]) : pending_start;
		if (lead != 0) {
			if (U16_IS_TRAIL(c)) {
				std::uint32_t cp = U16_GET_SUPPLEMENTARY(lead, c);
				*o++ = static_cast<char>(0xF0 | (cp >> 18));
				*o++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
				*o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
				*o++ = static_cast<char>(0x80 | (cp & 0x3F));
				lead = 0;
				continue;
			}
			out.resize(static_cast<std::size_t>(o - base));
			return FailSurrogate(lead_offset, lead);
		}
		if (c < 0x80) {
			if (c == 0) {
				out.resize(static_cast<std::size_t>(o - base));
				return FailNul(offset);
			}
			CountLine(static_cast<char>(c));
			*o++ = static_cast<char>(c);
			continue;
		}
		prev_cr = false;
		if (c < 0x800) {
			*o++ = static_cast<char>(0xC0 | (c >> 6));
			*o++ = static_cast<char>(0x80 | (c & 0x3F));
		} else if (U16_IS_LEAD(c)) {
			lead = c;
			lead_offset = offset;
		} else if (U16_IS_TRAIL(c)) {
			out.resize(static_cast<std::size_t>(o - base));
			return FailSurrogate(offset, c);
		} else {
			*o++ = static_cast<char>(0xE0 | (c >> 12));
			*o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
			*o++ = static_cast<char>(0x80 | (c & 0x3F));
		}
	}
	out.resize(static_cast<std::size_t>(o - base));
	return true;
}

bool Transcoder::Impl::ConvertMulti(const char* p, std::size_t n, bool flush, std::string& out)
{
	static const char kEmpty[1] = {0};
	if (n == 0)
		p = kEmpty;
	const char* src = p;
	const char* limit = p + n;
	for (;;) {
		UErrorCode status = U_ZERO_ERROR;
		std::int32_t pending = ucnv_toUCountPending(cnv, &status);
		if (U_FAILURE(status) || pending < 0)
			pending = 0;
		std::uint64_t call_base = consumed + static_cast<std::uint64_t>(src - p);
		UChar* target = units.get();
		status = U_ZERO_ERROR;
		ucnv_toUnicode(cnv, &target, units.get() + kUnits, &src, limit, offsets.get(), flush, &status);
		std::uint64_t pending_start = call_base - std::min<std::uint64_t>(call_base, static_cast<std::uint64_t>(pending));
		// Offsets count from the start of this call's source, the units of a character held
		// over from the last call getting -1 (UTF-16, the MBCS converters); ICU's UTF-32
		// converters instead count from the start of the held-over bytes.
		std::size_t count = static_cast<std::size_t>(target - units.get());
		std::uint64_t offsets_base = pending > 0 && count > 0 && offsets[0] >= 0 ? pending_start : call_base;
		if (!Emit(units.get(), offsets.get(), count, offsets_base, pending_start, out)) {
			consumed += static_cast<std::uint64_t>(src - p);
			return false;
		}
		if (status == U_BUFFER_OVERFLOW_ERROR)
			continue;
		if (U_FAILURE(status)) {
			char bad[32];
			std::int8_t len = sizeof bad;
			UErrorCode s2 = U_ZERO_ERROR;
			ucnv_getInvalidChars(cnv, bad, &len, &s2);
			if (U_FAILURE(s2) || len < 0)
				len = 0;
			std::uint64_t end = consumed + static_cast<std::uint64_t>(src - p);
			consumed = end;
			std::uint64_t offset;
			if (target == units.get() && pending > 0) {
				// Nothing converted in this call: the invalid sequence starts with the bytes
				// held over from the previous one. (ICU may also have read a byte past it that
				// it keeps to convert again, e.g. the first byte of a unit after a UTF-16 lead
				// surrogate, so the source pointer is no measure here.)
				offset = pending_start;
			} else {
				// The bytes ICU read and keeps to convert again come after the invalid ones.
				UErrorCode s3 = U_ZERO_ERROR;
				std::int32_t replay = ucnv_toUCountPending(cnv, &s3);
				if (U_FAILURE(s3) || replay < 0)
					replay = 0;
				std::uint64_t back = static_cast<std::uint64_t>(len) + static_cast<std::uint64_t>(replay);
				offset = end - std::min<std::uint64_t>(end, back);
			}
			ByteStatus kind = status == U_INVALID_CHAR_FOUND ? ByteStatus::kNoCharacter : ByteStatus::kMalformed;
			return FailBytes(kind, offset, bad, static_cast<std::size_t>(len), status == U_TRUNCATED_CHAR_FOUND);
		}
		break;
	}
	consumed += n;
	if (flush && lead != 0)
		return FailSurrogate(lead_offset, lead);
	return true;
}

Transcoder::Transcoder(const SourceEncoding& encoding) : impl_(std::make_unique<Impl>(encoding)) {}

Transcoder::~Transcoder() = default;

bool Transcoder::Convert(const char* data, std::size_t n, std::string& out)
{
	Impl& impl = *impl_;
	if (impl.failed)
		return false;
	if (impl.finished)
		throw std::logic_error("Transcoder::Convert called after Finish");
	if (n == 0)
		return true;
	if (impl.single_byte)
		return impl.ConvertSingle(reinterpret_cast<const unsigned char*>(data), n, out);
	return impl.ConvertMulti(data, n, false, out);
}

bool Transcoder::Finish(std::string& out)
{
	Impl& impl = *impl_;
	if (impl.failed)
		return false;
	if (impl.finished)
		throw std::logic_error("Transcoder::Finish called twice");
	impl.finished = true;
	if (impl.single_byte)
		return true;
	return impl.ConvertMulti(nullptr, 0, true, out);
}

const UserError& Transcoder::error() const
{
	if (!impl_->error)
		throw std::logic_error("Transcoder::error: no error");
	return *impl_->error;
}

std::uint64_t Transcoder::error_offset() const noexcept { return impl_->error_offset; }
std::uint64_t Transcoder::bytes_in() const noexcept { return impl_->consumed; }
bool Transcoder::single_byte() const noexcept { return impl_->single_byte; }
const SourceEncoding& Transcoder::encoding() const noexcept { return impl_->encoding; }

// --- the guess ---

namespace {

// The 8-bit code pages a guess chooses among, in the order ties go.
struct Candidate {
	const char* argument;
	const char* converter;
	const char* label;
	const char* description;
};
constexpr Candidate kCandidates[] = {
	{"windows-1252", "windows-1252", "Windows-1252",
	 "Windows-1252 (Western European Windows) text, e.g. an Excel \"CSV (comma delimited)\" export"},
	{"IBM850", "IBM850", "DOS code page 850", "DOS code page 850 (Western European DOS) text"},
	{"cp865", "IBM865", "DOS code page 865", "DOS code page 865 (Nordic DOS) text"},
};
constexpr std::size_t kCandidateCount = sizeof kCandidates / sizeof kCandidates[0];
constexpr std::size_t kWindows1252 = 0, kIbm850 = 1, kCp865 = 2;

// Code points of the candidates' bytes (-1: no character), filled by ICU on first use.
struct CandidateTables {
	std::array<std::array<std::int32_t, 256>, kCandidateCount> cp;
	CandidateTables()
	{
		for (std::size_t k = 0; k < kCandidateCount; ++k) {
			cp[k].fill(-1);
			UErrorCode status = U_ZERO_ERROR;
			UConverter* cnv = ucnv_open(kCandidates[k].converter, &status);
			if (U_FAILURE(status) || cnv == nullptr)
				continue;
			status = U_ZERO_ERROR;
			ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
			ByteTable table;
			FillByteTable(cnv, table);
			ucnv_close(cnv);
			for (int b = 0; b < 256; ++b)
				if (table[b].status == ByteStatus::kOk || table[b].status == ByteStatus::kNul)
					cp[k][b] = table[b].code_point;
		}
	}
};

const CandidateTables& Tables()
{
	static const CandidateTables tables;
	return tables;
}

bool IsLatinLetter(std::int32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	       (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}
bool IsDigit(std::int32_t cp) { return cp >= '0' && cp <= '9'; }
bool IsWordChar(std::int32_t cp) { return IsLatinLetter(cp) || IsDigit(cp); }

// Score (in half points) of a byte above 0x7F read as cp between prev and next (-1 at the
// edges of the sample).
int ScoreChar(std::int32_t cp, std::int32_t prev, std::int32_t next)
{
	if (cp < 0)
		return -20;  // no character in this code page
	if (cp < 0xA0)
		return -20;  // a C1 control: no text holds one
	bool prev_letter = IsLatinLetter(prev), next_letter = IsLatinLetter(next);
	if (IsLatinLetter(cp)) {
		if (!prev_letter && !next_letter)
			return 2;  // a one-letter word (å, ø) or a letter beside a digit
		// A capital after a small letter is rare inside a word ("sØr").
		if (u_isupper(cp) && prev_letter && u_islower(prev))
			return 1;
		return 4;
	}
	if (u_isalpha(cp))
		return prev_letter || next_letter ? -4 : 0;  // a Greek letter among Latin ones
	if (cp >= 0x2500 && cp <= 0x259F)
		return -6;  // box drawing and blocks: DOS screens, not CSV values
	switch (cp) {
	case 0x2019:  // ’ apostrophe or closing quote
		if (prev_letter && next_letter)
			return 4;
		[[fallthrough]];
	case 0x201D:  // ”
	case 0x00BB:  // »
		return (IsWordChar(prev) || prev == '.' || prev == '!' || prev == '?') && !next_letter ? 4 : -2;
	case 0x2018:  // ‘
	case 0x201C:  // “
	case 0x201E:  // „
	case 0x201A:  // ‚
	case 0x00AB:  // «
		return IsWordChar(next) && !prev_letter ? 4 : -2;
	case 0x2013:  // –
	case 0x2014:  // —
		return (prev == ' ' || IsDigit(prev)) && (next == ' ' || IsDigit(next)) ? 4 : (prev_letter && next_letter ? -2 : 0);
	case 0x20AC:  // €
		return IsDigit(prev) || IsDigit(next) || prev == ' ' || next == ' ' ? 4 : -2;
	case 0x2026:  // …
		return prev_letter ? 2 : 0;
	case 0x2022:  // •
		return next == ' ' ? 2 : 0;
	case 0x00A0:  // no-break space
		return 0;
	default:
		break;
	}
	return prev_letter && next_letter ? -4 : 0;  // a symbol inside a word ("Bj°rn")
}

std::int32_t Decode(const std::array<std::int32_t, 256>& table, const unsigned char* s, std::size_t n, std::size_t i)
{
	if (i >= n)
		return -1;
	unsigned char b = s[i];
	return b < 0x80 ? b : table[b];
}

// Bytes the Nordic code page 865 and code page 850 share as letters: å Å æ Æ ø Ø.
bool IsNordicByte(unsigned char b) { return b == 0x86 || b == 0x8F || b == 0x91 || b == 0x92 || b == 0x9B || b == 0x9D; }

EncodingGuess GuessCodePage(const unsigned char* s, std::size_t n, std::size_t focus)
{
	const CandidateTables& tables = Tables();
	long scores[kCandidateCount] = {};
	bool any_high = false, nordic = false;
	for (std::size_t i = 0; i < n; ++i) {
		if (s[i] < 0x80)
			continue;
		any_high = true;
		nordic = nordic || IsNordicByte(s[i]);
		for (std::size_t k = 0; k < kCandidateCount; ++k) {
			const auto& t = tables.cp[k];
			std::int32_t prev = i > 0 ? Decode(t, s, n, i - 1) : -1;
			scores[k] += ScoreChar(t[s[i]], prev, Decode(t, s, n, i + 1));
		}
	}
	if (!any_high)
		return {};
	std::size_t best = kWindows1252;
	for (std::size_t k = 1; k < kCandidateCount; ++k)
		if (scores[k] > scores[best])
			best = k;
	// The DOS code pages share their letters; a Nordic file is most likely 865.
	if (best == kIbm850 && scores[kCp865] == scores[kIbm850] && nordic)
		best = kCp865;
	EncodingGuess guess;
	guess.argument = kCandidates[best].argument;
	guess.label = kCandidates[best].label;
	guess.description = kCandidates[best].description;
	// Show how the guess reads the first high byte it takes for a letter (else the first).
	const auto& t = tables.cp[best];
	std::size_t shown = focus < n && s[focus] >= 0x80 && t[s[focus]] >= 0xA0 ? focus : n;
	for (std::size_t i = 0; i < n && shown == n; ++i)
		if (s[i] >= 0x80 && IsLatinLetter(t[s[i]]))
			shown = i;
	for (std::size_t i = 0; i < n && shown == n; ++i)
		if (s[i] >= 0x80 && t[s[i]] >= 0xA0)
			shown = i;
	if (shown < n) {
		std::string ch;
		AppendUtf8(ch, static_cast<std::uint32_t>(t[s[shown]]));
		guess.example = "it reads byte " + Hex(s[shown]) + " as " + ch;
	}
	return guess;
}

}  // namespace

EncodingGuess GuessEncoding(std::string_view sample, std::size_t focus)
{
	const unsigned char* s = reinterpret_cast<const unsigned char*>(sample.data());
	std::size_t n = sample.size();
	// NUL bytes where UTF-16 or UTF-32 text of mostly ASCII characters has them.
	std::size_t head = std::min<std::size_t>(n, 4096) & ~static_cast<std::size_t>(3);
	if (head >= 4) {
		std::size_t z[4] = {};
		for (std::size_t i = 0; i < head; ++i)
			if (s[i] == 0)
				++z[i % 4];
		std::size_t per = head / 4;
		auto most = [&](std::size_t k) { return z[k] * 10 >= per * 9; };
		auto few = [&](std::size_t k) { return z[k] * 2 < per; };
		EncodingGuess g;
		if (most(1) && most(2) && most(3) && few(0))
			g.argument = "UTF-32LE";
		else if (most(0) && most(1) && most(2) && few(3))
			g.argument = "UTF-32BE";
		else if ((z[1] + z[3]) * 4 >= per * 2 * 3 && (z[0] + z[2]) * 4 < per * 2)
			g.argument = "UTF-16LE";
		else if ((z[0] + z[2]) * 4 >= per * 2 * 3 && (z[1] + z[3]) * 4 < per * 2)
			g.argument = "UTF-16BE";
		if (!g.argument.empty()) {
			bool little = g.argument.compare(g.argument.size() - 2, 2, "LE") == 0;
			bool utf16 = g.argument.compare(0, 6, "UTF-16") == 0;
			g.label = g.argument;
			g.description = g.argument + " text without a byte-order mark (" +
					(little ? "little-endian" : "big-endian") +
					(utf16 && little ? ", e.g. Excel's \"Unicode Text\")" : ")");
			return g;
		}
	}
	return GuessCodePage(s, n, focus);
}

EncodingGuess GuessC1Origin(std::string_view text)
{
	// The bytes a Latin-1 reading turned into the text's first 256 code points.
	std::string bytes;
	const unsigned char* s = reinterpret_cast<const unsigned char*>(text.data());
	std::size_t n = text.size();
	for (std::size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			bytes.push_back(static_cast<char>(c));
			++i;
		} else if ((c == 0xC2 || c == 0xC3) && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			bytes.push_back(static_cast<char>(((c & 0x03) << 6) | (s[i + 1] & 0x3F)));
			i += 2;
		} else {
			bytes.push_back(' ');  // a character no Latin-1 reading gives
			++i;
			while (i < n && (s[i] & 0xC0) == 0x80)
				++i;
		}
	}
	return GuessCodePage(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), std::string::npos);
}

std::string CodePageChar(std::string_view argument, unsigned char byte)
{
	for (std::size_t k = 0; k < kCandidateCount; ++k) {
		if (argument != kCandidates[k].argument)
			continue;
		std::int32_t cp = byte < 0x80 ? byte : Tables().cp[k][byte];
		if (cp < 0)
			return {};
		std::string ch;
		AppendUtf8(ch, static_cast<std::uint32_t>(cp));
		return ch;
	}
	return {};
}

}  // namespace crm::core
