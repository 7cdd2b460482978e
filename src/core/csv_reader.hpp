// Streaming CSV reader on libcsv: bytes go in chunk by chunk (any split, even inside a
// multi-byte character or between CR and LF), records come out through a sink. It checks
// UTF-8, rejects NUL bytes, skips a UTF-8 byte-order mark and blank lines, detects the
// delimiter, tracks the physical line each record starts on, and enforces size limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

struct CsvOptions {
	char delimiter = 0;                       // 0: detect among ',', ';', '\t' from the first sniff_bytes
	std::size_t max_field_bytes = 16u << 20;  // one field larger than this is an error (54000)
	std::size_t max_record_bytes = 256u << 20;  // all fields of one record together
	std::size_t max_columns = 100000;         // fields in one record
	std::size_t sniff_bytes = 64u << 10;      // bytes buffered before detecting the delimiter
};

// One record, valid only during CsvSink::OnRecord. Fields are stored back to back in one
// buffer so a record costs no allocation per field.
class CsvRecord {
public:
	std::uint64_t record_no = 0;  // 1-based count of records (a header row is record 1)
	std::uint64_t line_no = 0;    // 1-based physical line on which the record starts

	std::size_t size() const noexcept { return ends_.size(); }
	std::string_view field(std::size_t i) const noexcept
	{
		std::size_t begin = i == 0 ? 0 : ends_[i - 1];
		return std::string_view(data_.data() + begin, ends_[i] - begin);
	}
	std::size_t bytes() const noexcept { return data_.size(); }  // sum of field lengths

	void Clear() noexcept
	{
		data_.clear();
		ends_.clear();
	}
	void AppendField(const char* p, std::size_t n)
	{
		data_.append(p, n);
		ends_.push_back(data_.size());
	}

private:
	std::string data_;
	std::vector<std::size_t> ends_;
};

class CsvSink {
public:
	virtual ~CsvSink() = default;
	// Called once per record in file order. May throw; the reader stops and rethrows the
	// exception from Feed/Finish (never through libcsv's C frames).
	virtual void OnRecord(const CsvRecord& record) = 0;
};

class CsvReader {
public:
	CsvReader(const CsvOptions& options, CsvSink& sink);
	~CsvReader();
	CsvReader(const CsvReader&) = delete;
	CsvReader& operator=(const CsvReader&) = delete;

	// Feed the next bytes of the file. Throws UserError (see error.hpp) for invalid UTF-8
	// (22021, detail names line and byte offset, hint says re-save as "CSV UTF-8" and says
	// when the bytes look like Windows-1252/Latin-1), NUL bytes (22021): both as
	// EncodingError, which carries the kind and the byte offset; limits (54000),
	// malformed quoting (22P04); rethrows whatever the sink threw.
	// A file that starts with the full signature of a PNG, GIF, JPEG, PDF, ZIP (.xlsx),
	// OLE2 (.xls) or gzip file, or with a UTF-32 byte-order mark, is refused before anything
	// else (22021, the message names the format, the hint how to get a CSV file): the first
	// 8 bytes are held back until they are all there (or Finish), so no record is delivered
	// before that.
	// Records and errors do not depend on how the file is split into chunks. A NUL byte
	// error waits for up to 7 bytes after the NUL (to tell UTF-16 text from binary data),
	// so it may come from the next Feed or from Finish.
	// After any exception the reader is unusable: later Feed/Finish calls rethrow the same
	// exception and deliver nothing. Feed after Finish throws std::logic_error.
	// Values are kept exactly as written (no trimming); a quote inside an unquoted field is
	// literal (a"b); text after a closing quote ("a"b) is a 22P04 error. A line of only
	// spaces/tabs (one unquoted whitespace field), or of delimiters and spaces/tabs only
	// (";;;" below a spreadsheet's data), is blank and skipped like an empty line.
	void Feed(const char* data, std::size_t len);
	// Parses the bytes held back so far (the first 8 and the delimiter sniffing's sample,
	// the delimiter then detected from what came so far), delivering the complete records
	// among them; errors as Feed. For a caller about to raise an error at the end of what it
	// fed, so that a CSV error earlier in the file comes first, as it does within the reader.
	void ParseHeldBack();
	// End of file: flushes a last line without newline; an unterminated quoted field is a
	// 22P04 error naming the line where the quote opened. Call once.
	void Finish();

	char delimiter() const noexcept;            // the one in use (0 until detected)
	bool delimiter_detected() const noexcept;  // true when it was sniffed, not given
	bool had_bom() const noexcept;
	std::uint64_t records() const noexcept;    // records delivered so far
	std::uint64_t bytes_read() const noexcept; // bytes fed so far (BOM included)

	// C1 control characters (U+0080..U+009F, valid UTF-8 that no text holds): what a file
	// saved in a DOS or Windows code page and converted to UTF-8 as if it were Latin-1
	// looks like ("\u009Dstfold" for "Østfold"). They are delivered as they are; these say
	// how many there were, where the first one is (physical line, 1-based field number) and
	// give some of the fields holding them (each cut to 256 bytes, one per line, 2 KiB in all).
	std::uint64_t c1_count() const noexcept;
	std::uint64_t c1_line() const noexcept;     // 0 when none
	std::uint64_t c1_column() const noexcept;
	std::uint32_t c1_code() const noexcept;     // the first one's code point
	const std::string& c1_sample() const noexcept;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

// Throws the 22021 error naming a PNG, GIF, JPEG, PDF, ZIP (.xlsx), OLE2 (.xls) or gzip file
// when head (the first bytes of a file, 8 suffice) starts with its full signature; the
// check CsvReader makes first, for readers of the raw bytes of a file that is converted
// before CsvReader sees it.
void CheckBinarySignature(std::string_view head);

// Picks the delimiter of a CSV sample among ',', ';' and '\t': the one that gives the most
// consistent, greater-than-one field count over the sample's first lines (quotes respected).
// Returns ',' when nothing is conclusive.
char SniffDelimiter(std::string_view sample);

// Human name of a delimiter for messages and reports: "comma", "semicolon", "tab", or the
// character itself.
std::string DelimiterName(char delimiter);

// Parses an upload's delimiter argument: nullptr (SQL NULL) is 0, detect; "comma" / ",",
// "semicolon" / ";", "tab" / "\\t" / a tab character, "pipe" / "|" (names trimmed and
// case-insensitive), or any one ASCII character but a quote or a line break. Anything else
// is a 22023 UserError whose hint lists the accepted values.
char ParseDelimiterArgument(const char* arg);

// True when an upload's data is a file path rather than a file: no line break, at most
// 4096 bytes, and it ends in .csv, .txt or .tsv (any case, spaces around ignored) or looks
// like an absolute path (/..., ~/..., C:\... or \\server\...). crm_import_upload refuses
// such data: a contact list is never one line naming a file.
bool LooksLikeAFilePath(std::string_view data);

}  // namespace crm::core
