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
#include "fuzz_common.hpp"
#include "source_reader.hpp"

namespace {

using namespace crm::core;
using crm::fuzz::Check;

const char* const kEncodings[] = {"", "UTF-8", "windows-1252", "cp865", "ISO-8859-1",
				  "UTF-16", "UTF-16LE", "UTF-32BE", "Shift_JIS", "GB18030"};
constexpr std::size_t kEncodingCount = sizeof kEncodings / sizeof kEncodings[0];

class Sink : public CsvSink {
public:
	void OnRecord(const CsvRecord& r) override
	{
		log += std::to_string(r.record_no) + "@" + std::to_string(r.line_no) + ":";
		for (std::size_t i = 0; i < r.size(); ++i) {
			std::string f(r.field(i));
			Check(crm::fuzz::ValidUtf8(f));
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
		crm::fuzz::FeedInChunks(reader, data, size, cuts);
	} catch (const UserError& e) {
		outcome = crm::fuzz::ErrorOutcome(e);
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
	crm::fuzz::Input in;
	if (!crm::fuzz::SplitInput(data, size, 0x80, 5, &in))
		return 0;
	SourceOptions options;
	const char* name = kEncodings[in.mode % kEncodingCount];
	if (*name != '\0') {
		options.encoding = ResolveEncoding(name);
		options.encoding_given = true;
	}
	Check(Read(options, in.data, in.size, {}) == Read(options, in.data, in.size, in.cuts));
	return 0;
}
