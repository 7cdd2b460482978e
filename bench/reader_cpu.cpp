// Process CPU time of the core reader over a file, without PostgreSQL: CsvReader alone, and
// SourceReader on the same file as UTF-8 and on its Latin-1 copy with encoding => 'LATIN1'
// and 'windows-1252'. CPU time rather than wall time, so that other work on a shared machine
// moves the numbers less. Five rounds; 1 MiB chunks as the upload feeds them.
//   g++ -O2 -std=c++17 -Isrc/core bench/reader_cpu.cpp src/core/csv_reader.cpp \
//       src/core/source_reader.cpp src/core/encoding.cpp -lcsv -licuuc -o /tmp/reader_cpu
//   /tmp/reader_cpu contacts.csv contacts_latin1.csv
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>

#include "csv_reader.hpp"
#include "source_reader.hpp"

using namespace crm::core;

namespace {

struct Count : CsvSink {
	std::size_t fields = 0;
	void OnRecord(const CsvRecord& r) override { fields += r.size(); }
};

double Cpu()
{
	timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

std::string Load(const char* path)
{
	std::ifstream f(path, std::ios::binary);
	return std::string(std::istreambuf_iterator<char>(f), {});
}

template <class Reader>
double Run(Reader& reader, const std::string& s)
{
	double t0 = Cpu();
	for (std::size_t i = 0; i < s.size(); i += 1 << 20)
		reader.Feed(s.data() + i, std::min<std::size_t>(1 << 20, s.size() - i));
	reader.Finish();
	return (Cpu() - t0) * 1000;
}

double Source(const std::string& s, const char* encoding)
{
	Count sink;
	SourceOptions options;
	if (encoding != nullptr) {
		options.encoding = ResolveEncoding(encoding);
		options.encoding_given = true;
	}
	SourceReader reader(CsvOptions(), options, sink);
	return Run(reader, s);
}

}  // namespace

int main(int argc, char** argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s utf8.csv latin1.csv\n", argv[0]);
		return 2;
	}
	std::string utf8 = Load(argv[1]), latin1 = Load(argv[2]);
	for (int round = 1; round <= 5; ++round) {
		Count sink;
		CsvReader csv(CsvOptions(), sink);
		double c = Run(csv, utf8);
		std::printf("round %d: CsvReader %.0f ms, SourceReader UTF-8 %.0f ms, LATIN1 %.0f ms, windows-1252 %.0f ms\n",
			    round, c, Source(utf8, nullptr), Source(latin1, "LATIN1"), Source(latin1, "windows-1252"));
	}
	return 0;
}
