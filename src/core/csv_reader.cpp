// Streaming CSV reader on libcsv (contract in csv_reader.hpp).
//
// Pipeline for each fed chunk: hold back the first kHeadBytes of the file until they tell
// whether it is a known binary format (a PNG, a PDF, an .xlsx workbook ...: an error naming
// it, before any other), hold back a possible UTF-8 byte-order mark, buffer the first
// sniff_bytes when the delimiter is to be detected, then scan the bytes once (UTF-8, NUL and
// line breaks, 8 bytes at a time while they are plain ASCII) and hand libcsv one piece at a
// time, each piece ending at a line-break byte. libcsv does not count lines, so the reader
// counts line breaks between pieces; it also checks the size limits between pieces, which
// bounds libcsv's entry buffer to about the field limit plus one piece.
//
// Every error is raised at the byte where it happens, after parsing everything before that
// byte, so the records delivered and the error raised do not depend on how the file was
// split into chunks.
//
// libcsv behaviours this relies on (libcsv 3.0.3, see libcsv.c):
// - By default it drops spaces and tabs at the start and end of unquoted fields and around
//   quoted ones; a space function that always returns 0 keeps values exactly as written.
// - It never delivers a row for an empty line (without CSV_REPALL_NL); a CR LF pair ends the
//   row at the CR and the LF is then such an empty line.
// - CSV_STRICT rejects a character other than the delimiter or a line break after a closing
//   quote ("abc"def), and also a quote inside an unquoted field (a"b). The reader takes the
//   latter literally, as PostgreSQL's COPY does, by re-feeding that one quote with strict
//   mode off. CSV_STRICT_FINI (only together with CSV_STRICT) makes csv_fini fail on an
//   unterminated quoted field instead of delivering it.
// - It grows its entry buffer linearly by blk_size; the reader raises blk_size as the buffer
//   grows so a large field costs a logarithmic number of reallocations.
#include "csv_reader.hpp"

#include "normalize.hpp"

#include <csv.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "error.hpp"

namespace crm::core {
namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
// Longest piece handed to csv_parse between two limit checks.
constexpr std::size_t kMaxPiece = 64u << 10;
// First size and smallest growth step of libcsv's entry buffer.
constexpr std::size_t kMinBlock = 4u << 10;
// Records SniffDelimiter looks at.
constexpr std::size_t kSniffRecords = 50;
// Bytes around a NUL used to tell UTF-16 text from binary data.
constexpr std::size_t kNulWindow = 8;
// Text kept from the fields holding C1 control characters (for guessing where they came from).
constexpr std::size_t kC1SampleBytes = 2048;
constexpr std::size_t kC1SampleField = 256;
// First bytes of the file held back to recognize a binary format (the longest signature).
constexpr std::size_t kHeadBytes = 8;
constexpr std::size_t kGivenSampleBytes = 4096;  // first bytes kept when the delimiter is given
constexpr unsigned char kParserOptions = CSV_STRICT | CSV_STRICT_FINI;

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

// libcsv space function: nothing is a space, so values keep their spaces and tabs.
int NeverSpace(unsigned char) { return 0; }

// Non-zero when some byte of v is zero; the lowest flagged byte is exact.
inline std::uint64_t ZeroBytes(std::uint64_t v) { return (v - kOnes) & ~v & kHighBits; }

inline bool IsLineBreak(unsigned char c) { return c == '\n' || c == '\r'; }

std::string Hex(unsigned char c)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "0x%02X", c);
	return buf;
}

std::string Str(std::uint64_t v) { return std::to_string(v); }

constexpr const char* kSaveAsUtf8 = "re-save the file as \"CSV UTF-8\" (in Excel: Save As, file type "
				"\"CSV UTF-8 (Comma delimited)\") and import it again";

constexpr const char* kImageHint =
	"an image cannot be imported: upload the contacts as a CSV file (from a spreadsheet, in Excel use File > "
	"Save As > \"CSV UTF-8 (Comma delimited)\")";
constexpr const char* kExcelHint = "in Excel use File > Save As > \"CSV UTF-8 (Comma delimited)\" and upload that file";

// A file format recognized by its first bytes. Only a full signature counts, so a CSV file
// whose text merely starts like one ("PK,Name", "GIF,") is still read as CSV.
struct Signature {
	const char* bytes;
	std::size_t len;
	const char* what;     // detail: "the file starts with <what> (bytes ...)"
	const char* message;  // the error message
	const char* hint;
};

constexpr Signature kSignatures[] = {
	{"\x89PNG\r\n\x1A\n", 8, "the PNG signature", "file is a PNG image, not a CSV file", kImageHint},
	{"GIF87a", 6, "the GIF signature", "file is a GIF image, not a CSV file", kImageHint},
	{"GIF89a", 6, "the GIF signature", "file is a GIF image, not a CSV file", kImageHint},
	{"\xFF\xD8\xFF", 3, "the JPEG signature", "file is a JPEG image, not a CSV file", kImageHint},
	{"%PDF-", 5, "the PDF signature", "file is a PDF document, not a CSV file",
	 "a PDF cannot be imported: export the contacts as CSV from the program the PDF came from (from a "
	 "spreadsheet, in Excel use File > Save As > \"CSV UTF-8 (Comma delimited)\")"},
	// .xlsx, .docx and .ods files are ZIP archives.
	{"PK\x03\x04", 4, "the ZIP signature", "file is a ZIP archive, e.g. an Excel .xlsx workbook, not a CSV file",
	 "in Excel use File > Save As > \"CSV UTF-8 (Comma delimited)\" and upload that file (LibreOffice: Save As "
	 "\"Text CSV\", character set UTF-8); from another ZIP archive, extract the CSV file and upload it"},
	// Excel 97-2003 .xls workbooks (and .doc, .ppt, .msg) are OLE2 compound files.
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "the OLE2 compound file signature",
	 "file is an Excel .xls workbook (or another Microsoft Office file), not a CSV file", kExcelHint},
	{"\x1F\x8B", 2, "the gzip signature", "file is gzip-compressed, not a CSV file",
	 "decompress it (e.g. with gunzip) and upload the CSV file inside"},
};

// UTF-32 text is refused by the reader itself (SourceReader converts it before the reader
// sees it). Checked before the UTF-16LE byte-order mark FF FE, which ThrowUtf8 recognizes.
constexpr Signature kUtf32Signatures[] = {
	{"\xFF\xFE\0\0", 4, "a UTF-32LE byte-order mark", "file is UTF-32 text, not UTF-8", kSaveAsUtf8},
	{"\0\0\xFE\xFF", 4, "a UTF-32BE byte-order mark", "file is UTF-32 text, not UTF-8", kSaveAsUtf8},
};

// Throws the error of the first signature in the list that the head starts with.
template <std::size_t N>
void CheckSignatures(const Signature (&list)[N], const unsigned char* head, std::size_t head_len)
{
	for (const Signature& sig : list) {
		if (head_len < sig.len || std::memcmp(head, sig.bytes, sig.len) != 0)
			continue;
		std::string bytes;
		for (std::size_t k = 0; k < sig.len; ++k)
			bytes += (k ? " " : "") + Hex(head[k]);
		throw UserError(sqlstate::kCharacterNotInRepertoire, sig.message,
				std::string("the file starts with ") + sig.what + " (bytes " + bytes + ")", sig.hint);
	}
}

// Delimiter detection over a sample. complete: the sample is the whole file, so a last
// line without a line break counts; otherwise it may be cut short and is ignored. The pipe
// (exports of some CRMs and databases) is tried only when none of the others splits the
// lines: a '|' in values of a comma file must not win.
char Sniff(std::string_view sample, bool complete)
{
	const char candidates[4] = {',', ';', '\t', '|'};
	char best = ',';
	std::size_t best_hits = 0, best_total = 1, best_fields = 0;
	std::vector<std::size_t> counts;
	for (char delim : candidates) {
		if (delim == '|' && best_hits > 0)
			break;
		counts.clear();
		std::size_t fields = 1;
		bool in_quotes = false, field_start = true, blank = true;
		std::size_t i = 0;
		for (; i < sample.size() && counts.size() < kSniffRecords; ++i) {
			char c = sample[i];
			if (in_quotes) {
				if (c == '"') {
					if (i + 1 < sample.size() && sample[i + 1] == '"')
						++i;
					else
						in_quotes = false;
				}
			} else if (c == '\n' || c == '\r') {
				if (!blank)
					counts.push_back(fields);
				fields = 1;
				field_start = blank = true;
			} else if (c == delim) {
				++fields;
				field_start = true;
				blank = false;
			} else if (c == '"' && field_start) {
				in_quotes = true;
				field_start = blank = false;
			} else {
				field_start = false;
				if (c != ' ' && c != '\t')
					blank = false;
			}
		}
		if (complete && i == sample.size() && !blank && !in_quotes && counts.size() < kSniffRecords)
			counts.push_back(fields);
		if (counts.empty())
			continue;
		// The most frequent field count above one; ties go to the larger count.
		std::sort(counts.begin(), counts.end());
		std::size_t mode = 0, mode_hits = 0;
		for (std::size_t a = 0; a < counts.size();) {
			std::size_t b = a;
			while (b < counts.size() && counts[b] == counts[a])
				++b;
			if (counts[a] > 1 && b - a >= mode_hits) {
				mode = counts[a];
				mode_hits = b - a;
			}
			a = b;
		}
		if (mode_hits == 0)
			continue;
		// Compare consistency mode_hits/total as fractions (at most kSniffRecords each), then
		// the field count.
		std::size_t lhs = mode_hits * best_total;
		std::size_t rhs = best_hits * counts.size();
		if (lhs > rhs || (lhs == rhs && mode > best_fields)) {
			best = delim;
			best_hits = mode_hits;
			best_total = counts.size();
			best_fields = mode;
		}
	}
	return best;
}

}  // namespace

char SniffDelimiter(std::string_view sample) { return Sniff(sample, true); }

void CheckBinarySignature(std::string_view head)
{
	CheckSignatures(kSignatures, reinterpret_cast<const unsigned char*>(head.data()), head.size());
}

std::string DelimiterName(char delimiter)
{
	switch (delimiter) {
	case ',':
		return "comma";
	case ';':
		return "semicolon";
	case '\t':
		return "tab";
	default:
		break;
	}
	unsigned char c = static_cast<unsigned char>(delimiter);
	if (c < 0x20 || c >= 0x7F)
		return "byte " + Hex(c);
	return std::string("'") + delimiter + "'";
}

char ParseDelimiterArgument(const char* arg)
{
	if (arg == nullptr)
		return 0;
	std::string d = FoldCase(Trim(arg));
	if (d == "comma" || d == ",")
		return ',';
	if (d == "semicolon" || d == ";")
		return ';';
	if (d == "tab" || d == "\\t" || std::string(arg) == "\t")
		return '\t';
	if (d == "pipe" || d == "|")
		return '|';
	std::string raw(arg);
	if (raw.size() == 1 && raw[0] > 0 && raw[0] != '"' && raw[0] != '\r' && raw[0] != '\n')
		return raw[0];
	throw UserError(sqlstate::kInvalidParameterValue, "invalid delimiter \"" + raw + "\"",
					"The delimiter must be one ASCII character other than a quote or a line break.",
					"Pass NULL to detect comma, semicolon or tab, or one of ',' ';' 'tab' '|'.");
}

struct CsvReader::Impl {
	enum class Stage { kHead, kBom, kSniff, kParse, kFinished };
	// Why Scan stopped.
	enum class Stop { kEnd, kLineBreak, kBadUtf8, kNul };

	Impl(const CsvOptions& o, CsvSink& s);
	~Impl() { csv_free(&parser); }

	void Feed(const unsigned char* p, std::size_t n);
	void EndHead();
	void CheckSignature();
	void Take(const unsigned char* p, std::size_t n);
	void Finish();
	void ParseHeldBack(bool complete = false);
	void Forward(const unsigned char* p, std::size_t n);
	std::string GivenDelimiterHint() const;
	void StartParsing(bool complete);
	void Process(const unsigned char* p, std::size_t n);
	Stop Scan(const unsigned char* s, std::size_t& i, std::size_t end, std::uint64_t base);
	void ParsePiece(const unsigned char* p, std::size_t n);
	[[gnu::noinline, gnu::cold]] void CheckSizes(std::size_t content);
	void CheckEntry();
	void AddField(const char* p, std::size_t n);
	[[gnu::noinline, gnu::cold]] void PlaceC1(const char* p, std::size_t n);
	void EndRecord();
	void CollectNulWindow(const unsigned char* p, std::size_t n);
	[[noreturn]] void ThrowUtf8(bool at_eof, bool latin1);
	[[noreturn]] void ThrowNul();

	static void OnField(void* p, std::size_t n, void* self);
	static void OnRow(int c, void* self);

	CsvOptions options;
	CsvSink& sink;
	csv_parser parser;
	CsvRecord record;
	Stage stage = Stage::kHead;
	std::exception_ptr failure;      // the exception that made the reader unusable
	std::exception_ptr callback_error;  // thrown inside a libcsv callback, rethrown after csv_parse

	char delimiter = 0;
	bool detected = false;
	bool had_bom = false;
	bool sep_line_seen = false;  // an Excel "sep=X" line was dropped
	std::uint64_t records = 0;
	std::uint64_t bytes_read = 0;
	unsigned char head[kHeadBytes] = {};  // first bytes of the file, held back in Stage::kHead
	std::size_t head_len = 0;
	std::size_t bom_len = 0;     // bytes of a possible BOM held back
	std::string sniff_buffer;
	// The first bytes of a file read with a given delimiter, to name the delimiter they
	// suggest when the given one ends in a quoting error; the file offset of its first byte.
	std::string given_sample;
	std::uint64_t given_sample_base = 0;
	bool given_sample_started = false;
	std::uint64_t piece_offset = 0;   // file offset of the piece being parsed
	std::uint64_t record_offset = 0;  // file offset of the first byte of the current record

	// Position of the next byte to be scanned.
	std::uint64_t offset = 0;
	std::uint64_t line = 1;
	bool prev_cr = false;       // the last piece ended with CR (a following LF is the same break)
	unsigned char last_byte = 0;  // byte before the next one to be scanned

	// The record and field being read.
	bool in_record = false;
	bool first_quoted = false;  // the record starts with a quote
	bool any_quote = false;     // the record has a quote anywhere (a quoted blank is a value)
	std::uint64_t record_line = 0;
	std::uint64_t field_line = 0;

	// UTF-8 validation: continuation bytes still expected and the range of the next one.
	int need = 0;
	unsigned char lo = 0x80, hi = 0xBF;
	unsigned char seq[4] = {};
	int seq_len = 0;
	std::uint64_t seq_offset = 0;

	// A NUL byte was found; its error waits for the bytes around it (see CollectNulWindow).
	bool nul_pending = false;
	std::uint64_t nul_offset = 0;
	std::uint64_t nul_line = 0;
	unsigned char nul_window[kNulWindow] = {};
	std::size_t nul_window_len = 0;
	std::size_t last_entry_size = 0;

	// C1 control characters (U+0080..U+009F): counted by Scan, located by AddField in the
	// field that holds them (c1_unplaced: counted but not yet found in a delivered field).
	std::uint64_t c1_count = 0;
	std::uint64_t c1_unplaced = 0;
	std::uint64_t c1_line = 0;
	std::uint64_t c1_column = 0;
	std::uint32_t c1_code = 0;
	std::string c1_sample;
};

CsvReader::Impl::Impl(const CsvOptions& o, CsvSink& s) : options(o), sink(s)
{
	unsigned char d = static_cast<unsigned char>(o.delimiter);
	if (d == '"' || d == '\n' || d == '\r' || d >= 0x80)
		throw UserError(sqlstate::kInvalidParameterValue, "invalid delimiter " + DelimiterName(o.delimiter),
				"the delimiter must be an ASCII character other than a quote, CR or LF",
				"use ',', ';', '\\t' or leave the delimiter empty to detect it");
	if (csv_init(&parser, kParserOptions) != 0)
		throw std::bad_alloc();
	csv_set_space_func(&parser, NeverSpace);
	csv_set_blk_size(&parser, kMinBlock);
	if (d != 0) {
		delimiter = o.delimiter;
		csv_set_delim(&parser, d);
	}
}

// Takes the next chunk: the first kHeadBytes are held back until they are complete (so the
// result does not depend on how the file is split), then go on with the rest.
void CsvReader::Impl::Feed(const unsigned char* p, std::size_t n)
{
	bytes_read += n;
	if (stage == Stage::kHead) {
		std::size_t take = std::min(n, kHeadBytes - head_len);
		std::memcpy(head + head_len, p, take);
		head_len += take;
		p += take;
		n -= take;
		if (head_len < kHeadBytes)
			return;
		EndHead();
	}
	Take(p, n);
}

// The head of the file is complete (or the file ended): refuse a known binary format, then
// process the held-back bytes.
void CsvReader::Impl::EndHead()
{
	CheckSignature();
	stage = Stage::kBom;
	Take(head, head_len);
}

// A file that starts with the signature of an image, a document, an archive or a workbook
// is not CSV text: say what it is, before any other error (its bytes may even be valid
// UTF-8 without a NUL, like a GIF's or a PDF's first line).
void CsvReader::Impl::CheckSignature()
{
	CheckSignatures(kSignatures, head, head_len);
	CheckSignatures(kUtf32Signatures, head, head_len);
}

// Bytes after the head check: the first ones go through the BOM check, then on.
void CsvReader::Impl::Take(const unsigned char* p, std::size_t n)
{
	if (stage == Stage::kBom) {
		while (n > 0 && bom_len < 3 && *p == kBom[bom_len]) {
			++bom_len;
			++p;
			--n;
		}
		if (bom_len == 3) {
			had_bom = true;
			offset = 3;
			last_byte = kBom[2];
		} else if (n == 0) {
			return;  // still a possible BOM
		}
		stage = delimiter == 0 ? Stage::kSniff : Stage::kParse;
		if (!had_bom && bom_len > 0)
			Forward(kBom, bom_len);  // a BOM prefix that turned out to be data
		bom_len = 0;
	}
	Forward(p, n);
}

// Data bytes after the BOM: buffered while sniffing the delimiter, else parsed.
void CsvReader::Impl::Forward(const unsigned char* p, std::size_t n)
{
	if (stage == Stage::kSniff) {
		std::size_t take = std::min(n, options.sniff_bytes - std::min(options.sniff_bytes, sniff_buffer.size()));
		sniff_buffer.append(reinterpret_cast<const char*>(p), take);
		p += take;
		n -= take;
		if (sniff_buffer.size() < options.sniff_bytes)
			return;
		StartParsing(false);
	}
	Process(p, n);
}

bool LooksLikeAFilePath(std::string_view data)
{
	if (data.empty() || data.size() > 4096 || data.find_first_of("\r\n") != std::string_view::npos)
		return false;
	std::string_view s = Trim(data);
	if (s.empty())
		return false;
	std::string lower = FoldCase(s);
	for (const char* ext : {".csv", ".txt", ".tsv"}) {
		std::size_t n = std::strlen(ext);
		if (lower.size() > n && lower.compare(lower.size() - n, n, ext) == 0)
			return true;
	}
	// An absolute path of a few words at most: a one-line CSV with a leading slash has
	// delimiters in it.
	bool absolute = s[0] == '/' || s.substr(0, 2) == "~/" || s.substr(0, 2) == "\\\\" ||
					(s.size() >= 3 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) && s[1] == ':' &&
					 (s[2] == '\\' || s[2] == '/'));
	return absolute && s.find_first_of(",;\t|") == std::string_view::npos;
}

// For a quoting error in a file read with a given delimiter: the delimiter its first lines
// suggest, when another ("" when the delimiter was detected or is what they suggest too).
// Only the whole lines before the failing record count (at most the first 4 KiB): those
// were read however the file was cut into chunks, so the hint is the same for every
// cutting (the fuzzer compares them).
std::string CsvReader::Impl::GivenDelimiterHint() const
{
	if (detected || delimiter == 0 || record_offset <= given_sample_base)
		return "";
	std::size_t avail = static_cast<std::size_t>(
		std::min<std::uint64_t>(given_sample.size(), record_offset - given_sample_base));
	std::size_t end = avail == 0 ? std::string::npos : given_sample.find_last_of("\r\n", avail - 1);
	if (end == std::string::npos)
		return "";
	char suggested = SniffDelimiter(std::string_view(given_sample).substr(0, end + 1));
	if (suggested == delimiter)
		return "";
	return "the file was read with the " + DelimiterName(delimiter) + " delimiter given, but its first lines are " +
		   DelimiterName(suggested) + "-separated: upload it again with delimiter => " +
		   (suggested == '\t' ? std::string("E'\\t'") : "'" + std::string(1, suggested) + "'") +
		   " or delimiter => NULL to detect it; otherwise ";
}

// Picks the delimiter from the buffered sample and parses the sample.
void CsvReader::Impl::StartParsing(bool complete)
{
	// Excel's "sep=;" first line names the delimiter; EndRecord drops that line.
	std::string_view head(sniff_buffer);
	if (head.size() >= 5 && head.compare(0, 4, "sep=") == 0 && head[4] > ' ' && head[4] < 0x7f && head[4] != '"' &&
		(head.size() == 5 || head[5] == '\r' || head[5] == '\n'))
		delimiter = head[4];
	else
		delimiter = Sniff(sniff_buffer, complete);
	detected = true;
	csv_set_delim(&parser, static_cast<unsigned char>(delimiter));
	stage = Stage::kParse;
	std::string sample;
	sample.swap(sniff_buffer);
	Process(reinterpret_cast<const unsigned char*>(sample.data()), sample.size());
}

// Validates and parses data bytes piece by piece. An error is raised only after the bytes
// before it were parsed, so it comes out the same for every chunking.
void CsvReader::Impl::Process(const unsigned char* p, std::size_t n)
{
	if (!given_sample_started) {
		given_sample_started = true;
		given_sample_base = offset;
	}
	if (!detected && given_sample.size() < kGivenSampleBytes)
		given_sample.append(reinterpret_cast<const char*>(p), std::min(n, kGivenSampleBytes - given_sample.size()));
	if (nul_pending) {
		CollectNulWindow(p, n);
		return;
	}
	std::size_t i = 0;
	while (i < n) {
		std::size_t start = i;
		Stop stop = Scan(p, i, std::min(n, start + kMaxPiece), offset);
		piece_offset = offset + start;
		ParsePiece(p + start, i - start);
		if (stop == Stop::kBadUtf8)
			ThrowUtf8(false, false);
		if (stop == Stop::kNul) {
			nul_pending = true;
			nul_offset = offset + i;
			nul_line = line;
			// From the byte before an odd offset (UTF-16LE pairs start at even offsets).
			if (nul_offset % 2 == 1)
				nul_window[nul_window_len++] = i > 0 ? p[i - 1] : last_byte;
			CollectNulWindow(p + i, n - i);
			return;
		}
	}
	offset += n;
	if (n > 0)
		last_byte = p[n - 1];
}

// Scans s[i, end) from i: stops after a line break, at a NUL, at the byte where UTF-8 goes
// wrong (i is then that byte), or at end. Plain ASCII goes 8 bytes at a time.
CsvReader::Impl::Stop CsvReader::Impl::Scan(const unsigned char* s, std::size_t& i, std::size_t end,
					   std::uint64_t base)
{
	while (i < end) {
		if (need == 0) {
			while (end - i >= 8) {
				std::uint64_t w;
				std::memcpy(&w, s + i, 8);
				std::uint64_t flags = (w & kHighBits) | ZeroBytes(w) | ZeroBytes(w ^ (kOnes * '\n')) |
						      ZeroBytes(w ^ (kOnes * '\r'));
				if (flags != 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
					i += static_cast<std::size_t>(__builtin_ctzll(flags)) >> 3;
#endif
					break;
				}
				i += 8;
			}
			if (i == end)
				break;
			unsigned char c = s[i];
			if (c < 0x80) {
				++i;
				if (c == '\n' || c == '\r')
					return Stop::kLineBreak;
				if (c == 0) {
					--i;
					return Stop::kNul;
				}
				continue;
			}
			seq[0] = c;
			seq_len = 1;
			seq_offset = base + i;
			lo = 0x80;
			hi = 0xBF;
			if (c >= 0xC2 && c <= 0xDF) {
				need = 1;
			} else if (c >= 0xE0 && c <= 0xEF) {
				need = 2;
				if (c == 0xE0)
					lo = 0xA0;  // no overlongs
				else if (c == 0xED)
					hi = 0x9F;  // no surrogates
			} else if (c >= 0xF0 && c <= 0xF4) {
				need = 3;
				if (c == 0xF0)
					lo = 0x90;  // no overlongs
				else if (c == 0xF4)
					hi = 0x8F;  // nothing above U+10FFFF
			} else if (c == 0xC0 || c == 0xC1 || (c >= 0xF5 && c <= 0xF7)) {
				// Never valid, but shaped like a lead byte: the byte after it tells an
				// overlong or out-of-range sequence from a Latin-1 letter (see ThrowUtf8).
				need = c <= 0xC1 ? 1 : 3;
				lo = 0xFF;
				hi = 0x00;
			} else {
				return Stop::kBadUtf8;  // stray continuation byte or 0xF8..0xFF
			}
			++i;
		} else {
			unsigned char c = s[i];
			seq[seq_len++] = c;
			if (c < lo || c > hi)
				return Stop::kBadUtf8;
			lo = 0x80;
			hi = 0xBF;
			--need;
			++i;
			// U+0080..U+009F is C2 80..C2 9F: mojibake of a code page converted as Latin-1.
			if (need == 0 && seq_len == 2 && seq[0] == 0xC2 && c < 0xA0) {
				++c1_count;
				++c1_unplaced;
			}
		}
	}
	return Stop::kEnd;
}

// Hands one piece (no line break except maybe its last byte) to libcsv, then checks the
// limits and counts the line break.
void CsvReader::Impl::ParsePiece(const unsigned char* p, std::size_t n)
{
	if (n == 0)
		return;
	if (!in_record && !IsLineBreak(p[0])) {
		// libcsv starts a row at the first byte that is not a line break.
		in_record = true;
		record_offset = piece_offset;
		first_quoted = p[0] == '"';
		any_quote = false;
		record_line = field_line = line;
	}
	// A piece holds at most one line break, as its last byte: it belongs to one record.
	if (!any_quote && std::memchr(p, '"', n) != nullptr)
		any_quote = true;
	if (parser.entry_size != last_entry_size) {
		// Grow geometrically, but not far beyond what the field limit lets through.
		std::size_t size = parser.entry_size;
		std::size_t block = std::max(kMinBlock, size);
		std::size_t cap = options.max_field_bytes + std::min<std::size_t>(SIZE_MAX - options.max_field_bytes,
									     2 + kMaxPiece);
		if (size < cap && block > cap - size)
			block = std::max(kMinBlock, cap - size);
		csv_set_blk_size(&parser, block);
		last_entry_size = size;
	}
	std::size_t done = 0;
	while (done < n) {
		done += csv_parse(&parser, p + done, n - done, OnField, OnRow, this);
		if (done == n || callback_error)
			break;
		if (csv_error(&parser) != CSV_EPARSE)
			throw std::bad_alloc();  // CSV_ENOMEM or CSV_ETOOBIG
		CheckEntry();
		if (parser.quoted) {
			std::string detail = "line " + Str(line) + ", column " + Str(record.size() + 1) +
					     ": text follows the closing quote of the field";
			if (field_line != line)
				detail += " (the field starts on line " + Str(field_line) + ")";
			throw UserError(sqlstate::kBadCopyFileFormat, "malformed quoted field", detail,
					GivenDelimiterHint() +
					"a closing quote must be followed by the delimiter or the end of the line; "
					"double a quote that is part of a quoted value (\"\")");
		}
		// A quote inside an unquoted field: take it literally, like COPY does.
		parser.status = CSV_SUCCESS;
		csv_set_opts(&parser, kParserOptions & ~CSV_STRICT);
		csv_parse(&parser, p + done, 1, OnField, OnRow, this);
		csv_set_opts(&parser, kParserOptions);
		++done;
	}
	if (callback_error)
		std::rethrow_exception(callback_error);
	CheckEntry();
	// A piece ends at its only line break; an LF is the second half of CR LF only when it
	// is a piece of its own right after a piece that ended with CR.
	unsigned char last = p[n - 1];
	if (last == '\r' || (last == '\n' && !(n == 1 && prev_cr)))
		++line;
	prev_cr = last == '\r';
}

// Raises the field or record size error when content bytes of the current field exceed a
// limit; when both do, the one its growing field reached first.
void CsvReader::Impl::CheckSizes(std::size_t content)
{
	std::size_t prior = record.bytes();
	bool field_over = content > options.max_field_bytes;
	bool record_over = content > options.max_record_bytes - std::min(prior, options.max_record_bytes);
	if (!field_over && !record_over)
		return;
	if (field_over && record_over && options.max_record_bytes - prior < options.max_field_bytes)
		field_over = false;
	if (field_over)
		throw UserError(sqlstate::kProgramLimitExceeded,
				"field exceeds the maximum size of " + Str(options.max_field_bytes) + " bytes",
				"line " + Str(field_line) + ", column " + Str(record.size() + 1),
				"raise crm_import.max_field_size if the value is genuine; a quote that is never "
				"closed also makes one field swallow the lines after it");
	throw UserError(sqlstate::kProgramLimitExceeded,
			"record exceeds the maximum size of " + Str(options.max_record_bytes) + " bytes",
			"line " + Str(record_line) + ", column " + Str(record.size() + 1),
			"raise crm_import.max_record_size if the record is genuine; a quote that is never "
			"closed also makes one record swallow the lines after it");
}

// Size check of the field libcsv is still accumulating. Its buffer may hold the closing
// quote of a quoted field on top of the content, so one byte less is certain content.
void CsvReader::Impl::CheckEntry()
{
	if (parser.entry_pos > 1)
		CheckSizes(parser.entry_pos - 1);
}

// One complete field from libcsv.
void CsvReader::Impl::AddField(const char* p, std::size_t n)
{
	// record.bytes() never exceeds max_record_bytes, so the subtraction cannot wrap.
	if (n > options.max_field_bytes || n > options.max_record_bytes - record.bytes())
		CheckSizes(n);
	if (record.size() >= options.max_columns)
		throw UserError(sqlstate::kProgramLimitExceeded,
				"record has more than " + Str(options.max_columns) + " columns",
				"line " + Str(record_line),
				"raise crm_import.max_columns if the file really is that wide; otherwise check the "
				"delimiter (the file is read as " + DelimiterName(delimiter) + "-separated)");
	if (c1_unplaced > 0 && n > 0)
		PlaceC1(p, n);
	record.AppendField(n > 0 ? p : "", n);
	field_line = line;  // the next field starts after the delimiter, on this line
}

// A field of the record being read may hold the C1 characters Scan counted: note where the
// first one is (line and column) and keep some of the text around them.
void CsvReader::Impl::PlaceC1(const char* p, std::size_t n)
{
	const unsigned char* s = reinterpret_cast<const unsigned char*>(p);
	const unsigned char* end = s + n;
	std::uint64_t found = 0;
	const unsigned char* q = s;
	while (q + 1 < end) {
		q = static_cast<const unsigned char*>(std::memchr(q, 0xC2, static_cast<std::size_t>(end - 1 - q)));
		if (q == nullptr)
			break;
		if (q[1] < 0x80 || q[1] >= 0xA0) {
			++q;
			continue;
		}
		if (c1_line == 0) {
			// The field starts on field_line; count the line breaks inside it before q.
			std::uint64_t breaks = 0;
			for (const unsigned char* r = s; r < q; ++r)
				if (*r == '\r' || (*r == '\n' && !(r > s && r[-1] == '\r')))
					++breaks;
			c1_line = field_line + breaks;
			c1_column = record.size() + 1;
			c1_code = q[1];
		}
		++found;
		q += 2;
	}
	if (found == 0)
		return;
	if (c1_sample.size() < kC1SampleBytes) {
		c1_sample.append(p, std::min(n, kC1SampleField));
		c1_sample.push_back('\n');
	}
	c1_unplaced -= std::min(found, c1_unplaced);
}

// End of a row from libcsv: deliver it unless it is blank: a line of spaces/tabs, or of
// delimiters and spaces only (";;;", the rows spreadsheets write below the data). A
// record with a quote in it ("  " or "",) holds values someone wrote: not blank.
void CsvReader::Impl::EndRecord()
{
	in_record = false;
	if (!any_quote) {
		bool blank = true;
		for (std::size_t i = 0; i < record.size() && blank; ++i)
			blank = record.field(i).find_first_not_of(" \t") == std::string_view::npos;
		if (blank) {
			record.Clear();
			return;
		}
	}
	// An Excel "sep=X" line before the first record names the delimiter; it is not data.
	if (records == 0 && !sep_line_seen && record.size() == 2 && !first_quoted && record.field(0) == "sep=" &&
		record.field(1).empty()) {
		sep_line_seen = true;
		record.Clear();
		return;
	}
	record.record_no = ++records;
	record.line_no = record_line;
	sink.OnRecord(record);
	record.Clear();
}

// libcsv field callback. Exceptions must not cross libcsv's C frames: keep the first one,
// ignore the callbacks after it, and rethrow once csv_parse has returned.
void CsvReader::Impl::OnField(void* p, std::size_t n, void* self)
{
	auto* impl = static_cast<Impl*>(self);
	if (impl->callback_error)
		return;
	try {
		impl->AddField(static_cast<const char*>(p), n);
	} catch (...) {
		impl->callback_error = std::current_exception();
	}
}

// libcsv row callback; exceptions handled like in OnField.
void CsvReader::Impl::OnRow(int, void* self)
{
	auto* impl = static_cast<Impl*>(self);
	if (impl->callback_error)
		return;
	try {
		impl->EndRecord();
	} catch (...) {
		impl->callback_error = std::current_exception();
	}
}

// Gathers the bytes after a NUL (up to the window size) and then raises the NUL error.
void CsvReader::Impl::CollectNulWindow(const unsigned char* p, std::size_t n)
{
	std::size_t take = std::min(n, kNulWindow - nul_window_len);
	std::memcpy(nul_window + nul_window_len, p, take);
	nul_window_len += take;
	if (nul_window_len == kNulWindow)
		ThrowNul();
}

// The NUL byte error, with a hint telling UTF-16 text and other binary data apart (known
// binary formats were refused by CheckSignature before).
void CsvReader::Impl::ThrowNul()
{
	// UTF-16 text of mostly ASCII characters: every other byte is NUL.
	bool little = nul_offset % 2 == 1;  // the window starts one byte before the NUL
	std::size_t pairs = nul_window_len / 2, matches = 0;
	for (std::size_t k = 0; k < pairs; ++k) {
		unsigned char a = nul_window[2 * k], b = nul_window[2 * k + 1];
		if (little ? (a != 0 && b == 0) : (a == 0 && b != 0))
			++matches;
	}
	std::string hint;
	if (pairs >= 2 && matches * 4 >= pairs * 3)
		hint = std::string("the file looks like UTF-16 text (e.g. Excel's \"Unicode Text\"), not UTF-8: ") +
		       kSaveAsUtf8;
	else
		hint = std::string("the file is probably binary data or UTF-16 text, not a CSV file: ") + kSaveAsUtf8;
	throw EncodingError(EncodingError::Kind::kNul, nul_offset, sqlstate::kCharacterNotInRepertoire,
			    "file contains a NUL byte", "line " + Str(nul_line) + ", byte offset " + Str(nul_offset), hint);
}

// The invalid UTF-8 error for the sequence in seq (its last byte is where it went wrong,
// unless at_eof). A single high byte followed by a byte that cannot continue it is how
// Windows-1252/Latin-1 text looks (æ ø å as 0xE6 0xF8 0xE5, quotes as 0x92...).
void CsvReader::Impl::ThrowUtf8(bool at_eof, bool latin1)
{
	std::string what;
	if (!at_eof) {
		unsigned char bad = seq[seq_len - 1];
		latin1 = seq_len == 1 || bad < 0x80 || bad >= 0xC0;
		if (latin1)
			seq_len = 1;  // only the lead byte is wrong; what follows is fine on its own
	}
	what = seq_len == 1 ? "byte " : "bytes ";
	for (int k = 0; k < seq_len; ++k)
		what += (k ? " " : "") + Hex(seq[k]);
	if (at_eof)
		what += seq_len == 1 ? " at the end of the file" : " at the end of the file (a truncated character)";
	std::string hint;
	EncodingError::Kind kind = EncodingError::Kind::kBrokenUtf8;
	if (seq_offset == 0 && (seq[0] == 0xFF || seq[0] == 0xFE)) {
		hint = std::string("the file looks like UTF-16 text (it starts with a UTF-16 byte-order mark, e.g. "
				   "Excel's \"Unicode Text\"): ") +
		       kSaveAsUtf8;
		kind = EncodingError::Kind::kOther;
	} else if (latin1) {
		hint = std::string("the file looks like Windows-1252/Latin-1 text (e.g. an Excel \"CSV (comma "
				   "delimited)\" export): ") +
		       kSaveAsUtf8;
		kind = EncodingError::Kind::kLegacyBytes;
	} else {
		hint = kSaveAsUtf8;
	}
	throw EncodingError(kind, seq_offset, sqlstate::kCharacterNotInRepertoire, "file is not valid UTF-8",
			    "line " + Str(line) + ", byte offset " + Str(seq_offset) + ": " + what, hint);
}

// Parses what the head, BOM and delimiter checks hold back, as if no more bytes came for
// them (the delimiter is detected from what came so far; complete: the input has ended).
void CsvReader::Impl::ParseHeldBack(bool complete)
{
	if (stage == Stage::kHead)
		EndHead();
	if (stage == Stage::kBom) {
		stage = delimiter == 0 ? Stage::kSniff : Stage::kParse;
		std::size_t held = bom_len;
		bom_len = 0;
		Forward(kBom, held);
	}
	if (stage == Stage::kSniff)
		StartParsing(complete);
}

// End of input: flush held-back bytes, check for a cut-off character, let libcsv deliver
// the last record and report an unterminated quote.
void CsvReader::Impl::Finish()
{
	ParseHeldBack(true);
	if (nul_pending)
		ThrowNul();
	if (need > 0)
		ThrowUtf8(true, seq_len == 1);
	stage = Stage::kFinished;
	if (csv_fini(&parser, OnField, OnRow, this) != 0) {
		throw UserError(sqlstate::kBadCopyFileFormat, "unterminated quoted field",
				"line " + Str(field_line) + ", column " + Str(record.size() + 1) +
					": the quote that opens this field is never closed, so the rest of the "
					"file was read as part of it",
				GivenDelimiterHint() +
				"close the quoted field with a quote, and double a quote that is part of a quoted "
				"value (\"\")");
	}
	if (callback_error)
		std::rethrow_exception(callback_error);
}

CsvReader::CsvReader(const CsvOptions& options, CsvSink& sink) : impl_(std::make_unique<Impl>(options, sink)) {}

CsvReader::~CsvReader() = default;

// Public entry: runs the work and keeps whatever it throws, so that a reader that failed
// once keeps failing the same way.
void CsvReader::Feed(const char* data, std::size_t len)
{
	Impl& impl = *impl_;
	if (impl.failure)
		std::rethrow_exception(impl.failure);
	if (impl.stage == Impl::Stage::kFinished)
		throw std::logic_error("CsvReader::Feed called after Finish");
	if (len == 0)
		return;
	try {
		impl.Feed(reinterpret_cast<const unsigned char*>(data), len);
	} catch (...) {
		impl.failure = std::current_exception();
		throw;
	}
}

void CsvReader::ParseHeldBack()
{
	Impl& impl = *impl_;
	if (impl.failure)
		std::rethrow_exception(impl.failure);
	if (impl.stage == Impl::Stage::kFinished)
		throw std::logic_error("CsvReader::ParseHeldBack called after Finish");
	try {
		impl.ParseHeldBack();
	} catch (...) {
		impl.failure = std::current_exception();
		throw;
	}
}

void CsvReader::Finish()
{
	Impl& impl = *impl_;
	if (impl.failure)
		std::rethrow_exception(impl.failure);
	if (impl.stage == Impl::Stage::kFinished)
		throw std::logic_error("CsvReader::Finish called twice");
	try {
		impl.Finish();
	} catch (...) {
		impl.failure = std::current_exception();
		throw;
	}
}

char CsvReader::delimiter() const noexcept { return impl_->delimiter; }
bool CsvReader::delimiter_detected() const noexcept { return impl_->detected; }
bool CsvReader::had_bom() const noexcept { return impl_->had_bom; }
std::uint64_t CsvReader::records() const noexcept { return impl_->records; }
std::uint64_t CsvReader::bytes_read() const noexcept { return impl_->bytes_read; }
std::uint64_t CsvReader::c1_count() const noexcept { return impl_->c1_count; }
std::uint64_t CsvReader::c1_line() const noexcept { return impl_->c1_line; }
std::uint64_t CsvReader::c1_column() const noexcept { return impl_->c1_column; }
std::uint32_t CsvReader::c1_code() const noexcept { return impl_->c1_code; }
const std::string& CsvReader::c1_sample() const noexcept { return impl_->c1_sample; }

}  // namespace crm::core
