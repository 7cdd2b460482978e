// libFuzzer target for SourceReader (encodings in front of CsvReader). The first input byte
// picks the encoding argument (none, UTF-8, windows-1252, cp865, ISO-8859-1, UTF-16,
// UTF-16LE, UTF-32BE, Shift_JIS, GB18030), the next two where the rest is split into chunks.
// The input is read twice, whole and in chunks: both runs must agree (records, error; and
// without an error the encoding and the C1 facts), and delivered fields must be valid UTF-8
// without NUL bytes. UserError
// is an expected outcome; any other exception or a crash is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "error.hpp"
#include "source_reader.hpp"

namespace {

using crm::core::CsvOptions;
using crm::core::CsvRecord;
using crm::core::CsvSink;
using crm::core::SourceOptions;
using crm::core::SourceReader;
using crm::core::UserError;

const char* const kEncodings[] = {"", "UTF-8", "windows-1252", "cp865", "ISO-8859-1",
				  "UTF-16", "UTF-16LE", "UTF-32BE", "Shift_JIS", "GB18030"};
constexpr std::size_t kEncodingCount = sizeof kEncodings / sizeof kEncodings[0];

void Check(bool ok)
{
	if (!ok)
		std::abort();
}

// Well-formed UTF-8 without NUL (a plain reference implementation).
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

class Sink : public CsvSink {
public:
	void OnRecord(const CsvRecord& r) override
	{
		log += std::to_string(r.record_no) + "@" + std::to_string(r.line_no) + ":";
		for (std::size_t i = 0; i < r.size(); ++i) {
			std::string f(r.field(i));
			Check(ValidUtf8(f));
			log += std::to_string(f.size()) + "|" + f;
		}
		log += "\n";
	}
	std::string log;
};

std::string Read(const SourceOptions& options, const std::uint8_t* data, std::size_t size,
		 const std::vector<std::size_t>& cuts)
{
	CsvOptions csv;
	csv.sniff_bytes = 256;
	csv.max_field_bytes = 4096;
	csv.max_record_bytes = 16384;
	csv.max_columns = 64;
	Sink sink;
	SourceReader reader(csv, options, sink);
	std::string outcome;
	try {
		std::size_t begin = 0;
		for (std::size_t k = 0; k <= cuts.size(); ++k) {
			std::size_t end = k < cuts.size() ? cuts[k] : size;
			std::vector<char> chunk(data + begin, data + end);
			reader.Feed(chunk.data(), chunk.size());
			begin = end;
		}
		reader.Finish();
	} catch (const UserError& e) {
		outcome = std::string("ERROR ") + e.sqlstate() + " " + e.what() + " | " + e.detail() + " | " + e.hint();
	}
	// After an error the counts are those of whatever was scanned: not compared.
	if (!outcome.empty())
		return sink.log + outcome;
	const auto& c = reader.csv();
	return sink.log + reader.encoding().name + " c1=" + std::to_string(c.c1_count()) + "@" +
	       std::to_string(c.c1_line()) + ":" + std::to_string(c.c1_column()) + " " + reader.C1Hint();
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
	SourceOptions options;
	const char* name = kEncodings[mode % kEncodingCount];
	if (*name != '\0') {
		options.encoding = crm::core::ResolveEncoding(name);
		options.encoding_given = true;
	}
	std::vector<std::size_t> cuts;
	if (size > 0) {
		if (mode & 0x80) {
			std::size_t step = 1 + a % 5;
			for (std::size_t i = step; i < size; i += step)
				cuts.push_back(i);
		} else {
			std::size_t x = a * size / 256, y = b * size / 256;
			if (x > y)
				std::swap(x, y);
			cuts = {x, y};
		}
	}
	Check(Read(options, data, size, {}) == Read(options, data, size, cuts));
	return 0;
}
