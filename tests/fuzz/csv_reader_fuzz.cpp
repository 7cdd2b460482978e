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
#include "fuzz_common.hpp"

namespace {

using namespace crm::core;
using crm::fuzz::Check;

// Limits: the first of each is the usual one; smaller ones let short inputs reach them.
constexpr std::size_t kMaxField[4] = {4096, 256, 16, 3};
constexpr std::size_t kMaxRecord[4] = {16384, 512, 24, 5};
constexpr std::size_t kMaxColumns[2] = {64, 4};

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
			Check(crm::fuzz::ValidUtf8(f));
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
		crm::fuzz::FeedInChunks(reader, data, size, cuts);
		Check(reader.bytes_read() == size);
	} catch (const UserError& e) {
		outcome = crm::fuzz::ErrorOutcome(e);
	}
	Check(reader.records() * 2 <= size + 2);
	return sink.log + outcome + "\ndelimiter " + std::to_string(reader.delimiter()) +
	       (reader.had_bom() ? " bom" : "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	crm::fuzz::Input in;
	if (!crm::fuzz::SplitInput(data, size, 8, 7, &in))
		return 0;
	std::uint8_t mode = in.mode;
	CsvOptions options;
	const char delimiters[4] = {0, ',', ';', '\t'};
	options.delimiter = delimiters[mode & 3];
	options.sniff_bytes = (mode & 4) ? 16 : 1024;
	options.max_field_bytes = kMaxField[(mode >> 4) & 3];
	options.max_record_bytes = kMaxRecord[(mode >> 4) & 3];
	options.max_columns = kMaxColumns[(mode >> 6) & 1];

	std::string whole = Parse(options, in.data, in.size, {});
	std::string split = Parse(options, in.data, in.size, in.cuts);
	Check(whole == split);
	return 0;
}
