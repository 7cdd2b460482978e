// libFuzzer target for CsvReader. The first input byte picks options (delimiter, sniff size,
// limits, chunking), the next two pick where the rest is split into chunks. The input is
// parsed twice, whole and in chunks; both runs must agree, delivered records must respect
// the limits and be valid UTF-8 without NUL bytes. UserError is an expected outcome; any
// other exception or a crash is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "error.hpp"

namespace {

using crm::core::CsvOptions;
using crm::core::CsvReader;
using crm::core::CsvRecord;
using crm::core::CsvSink;
using crm::core::UserError;

// Limits: the first of each is the usual one; smaller ones let short inputs reach them.
constexpr std::size_t kMaxField[4] = {4096, 256, 16, 3};
constexpr std::size_t kMaxRecord[4] = {16384, 512, 24, 5};
constexpr std::size_t kMaxColumns[2] = {64, 4};

// Stops the fuzzer with a crash when an invariant does not hold.
void Check(bool ok)
{
	if (!ok)
		std::abort();
}

// True when s is well-formed UTF-8 without NUL bytes (a plain reference implementation).
bool ValidUtf8(const std::string& s)
{
	std::size_t i = 0;
	while (i < s.size()) {
		unsigned char c = s[i];
		std::size_t len;
		std::uint32_t cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			++i;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > s.size())
			return false;
		for (std::size_t k = 1; k < len; ++k) {
			unsigned char d = s[i + k];
			if ((d & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (d & 0x3F);
		}
		static const std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

// Records everything delivered, as one string, and checks each record.
class Sink : public CsvSink {
public:
	explicit Sink(const CsvOptions& options) : options_(options) {}
	void OnRecord(const CsvRecord& r) override
	{
		Check(r.record_no == ++records_);
		Check(r.line_no > last_line_);
		last_line_ = r.line_no;
		Check(r.size() >= 1 && r.size() <= options_.max_columns);
		std::size_t bytes = 0;
		log += std::to_string(r.record_no) + "@" + std::to_string(r.line_no) + ":";
		for (std::size_t i = 0; i < r.size(); ++i) {
			std::string f(r.field(i));
			Check(f.size() <= options_.max_field_bytes);
			Check(ValidUtf8(f));
			bytes += f.size();
			log += std::to_string(f.size()) + "|" + f;
		}
		Check(bytes == r.bytes() && bytes <= options_.max_record_bytes);
		log += "\n";
	}

	std::string log;

private:
	CsvOptions options_;
	std::uint64_t records_ = 0;
	std::uint64_t last_line_ = 0;
};

// Parses data cut at the given positions; returns what was delivered and the error.
std::string Parse(const CsvOptions& options, const std::uint8_t* data, std::size_t size,
		  const std::vector<std::size_t>& cuts)
{
	Sink sink(options);
	CsvReader reader(options, sink);
	std::string outcome;
	try {
		std::size_t begin = 0;
		for (std::size_t k = 0; k <= cuts.size(); ++k) {
			std::size_t end = k < cuts.size() ? cuts[k] : size;
			// A chunk of its own, so that reading past its end is caught by ASan.
			std::vector<char> chunk(data + begin, data + end);
			reader.Feed(chunk.data(), chunk.size());
			begin = end;
		}
		reader.Finish();
		Check(reader.bytes_read() == size);
	} catch (const UserError& e) {
		outcome = std::string("ERROR ") + e.sqlstate() + " " + e.what() + " | " + e.detail() + " | " + e.hint();
	}
	Check(reader.records() * 2 <= size + 2);
	return sink.log + outcome + "\ndelimiter " + std::to_string(reader.delimiter()) +
	       (reader.had_bom() ? " bom" : "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 3)
		return 0;
	std::uint8_t mode = data[0];
	std::size_t a = data[1], b = data[2];
	data += 3;
	size -= 3;

	CsvOptions options;
	const char delimiters[4] = {0, ',', ';', '\t'};
	options.delimiter = delimiters[mode & 3];
	options.sniff_bytes = (mode & 4) ? 16 : 1024;
	options.max_field_bytes = kMaxField[(mode >> 4) & 3];
	options.max_record_bytes = kMaxRecord[(mode >> 4) & 3];
	options.max_columns = kMaxColumns[(mode >> 6) & 1];

	std::vector<std::size_t> cuts;
	if (size > 0) {
		if (mode & 8) {
			// Small chunks everywhere, like a slow stream.
			std::size_t step = 1 + a % 7;
			for (std::size_t i = step; i < size; i += step)
				cuts.push_back(i);
		} else {
			std::size_t x = a * size / 256, y = b * size / 256;
			if (x > y)
				std::swap(x, y);
			cuts = {x, y};
		}
	}
	std::string whole = Parse(options, data, size, {});
	std::string split = Parse(options, data, size, cuts);
	Check(whole == split);
	return 0;
}
