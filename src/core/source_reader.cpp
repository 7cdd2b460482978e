// Raw file bytes to CSV records through an optional conversion to UTF-8 (contract in
// source_reader.hpp).
#include "source_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "error.hpp"

namespace crm::core {
namespace {

// Bytes held back to check the signature and a byte-order mark (the longest signature).
constexpr std::size_t kHeadBytes = 8;
// The first bytes of the file kept for the encoding guess ("the first chunk").
constexpr std::size_t kSampleBytes = 64u << 10;
// Bytes on either side of an error added to the guess's sample when it lies beyond it.
constexpr std::size_t kWindowBytes = 4096;

constexpr const char* kSaveAsUtf8 =
	"re-save it as \"CSV UTF-8\" (in Excel: Save As, file type \"CSV UTF-8 (Comma delimited)\") and upload that";

std::string Hex(unsigned char c)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "0x%02X", c);
	return buf;
}

struct Bom {
	const char* bytes;
	std::size_t len;
	const char* encoding;
};
// UTF-32LE before UTF-16LE: FF FE 00 00 starts both.
constexpr Bom kBoms[] = {
	{"\xEF\xBB\xBF", 3, "UTF-8"},   {"\xFF\xFE\0\0", 4, "UTF-32LE"}, {"\0\0\xFE\xFF", 4, "UTF-32BE"},
	{"\xFF\xFE", 2, "UTF-16LE"},     {"\xFE\xFF", 2, "UTF-16BE"},
};

}  // namespace

struct SourceReader::Impl {
	Impl(const CsvOptions& c, const SourceOptions& o, CsvSink& s) : options(o), reader(c, s), encoding(o.encoding) {}

	void Feed(const char* p, std::size_t n);
	void Start();
	void Process(const char* p, std::size_t n);
	void FeedReader(const char* p, std::size_t n);
	void FinishReader();
	[[noreturn]] void FailAfterText();
	[[noreturn]] void Rethrow(const EncodingError& e);
	[[noreturn]] void ThrowTranscodeError();
	EncodingGuess GuessAround(std::uint64_t offset) const;
	std::string Call(const std::string& argument) const;
	void Finish();

	SourceOptions options;
	CsvReader reader;
	SourceEncoding encoding;
	std::unique_ptr<Transcoder> transcoder;
	bool started = false;
	bool from_bom = false;
	std::string overridden;
	unsigned char head[kHeadBytes] = {};
	std::size_t head_len = 0;
	std::string sample;  // the first kSampleBytes of the file
	std::string out;     // converted text of the chunk being processed
	// The chunk being fed (for the bytes around an error) and the last bytes before it.
	const char* chunk = nullptr;
	std::size_t chunk_len = 0;
	std::uint64_t chunk_base = 0;
	std::string tail;
	std::uint64_t fed = 0;
	bool finished = false;
	std::exception_ptr failure;
};

// The head is complete (or the file ended): refuse a binary file, then pick the encoding.
void SourceReader::Impl::Start()
{
	started = true;
	CheckBinarySignature(std::string_view(reinterpret_cast<const char*>(head), head_len));
	for (const Bom& bom : kBoms) {
		if (head_len < bom.len || std::memcmp(head, bom.bytes, bom.len) != 0)
			continue;
		SourceEncoding marked = std::string(bom.encoding) == "UTF-8" ? Utf8Encoding() : ResolveEncoding(bom.encoding);
		if (options.encoding_given && marked.name != options.encoding.name) {
			// "UTF-16" and "UTF-32" (byte order from the mark) agree with a mark of theirs.
			const std::string& given = options.encoding.name;
			bool same_family = (given == "UTF-16" || given == "UTF-32") && marked.name.compare(0, 6, given) == 0;
			if (!same_family)
				overridden = given;
		}
		from_bom = !marked.IsUtf8() || !overridden.empty();
		encoding = marked;
		break;
	}
	if (!encoding.IsUtf8())
		transcoder = std::make_unique<Transcoder>(encoding);
}

void SourceReader::Impl::Feed(const char* p, std::size_t n)
{
	chunk = p;
	chunk_len = n;
	chunk_base = fed;
	fed += n;
	if (sample.size() < kSampleBytes)
		sample.append(p, std::min(n, kSampleBytes - sample.size()));
	if (!started) {
		std::size_t take = std::min(n, kHeadBytes - head_len);
		std::memcpy(head + head_len, p, take);
		head_len += take;
		p += take;
		n -= take;
		if (head_len == kHeadBytes) {
			Start();
			Process(reinterpret_cast<const char*>(head), head_len);
		}
	}
	if (n > 0)
		Process(p, n);
	// The last bytes of the file so far, for an error at the end of the file.
	if (chunk_len >= kWindowBytes) {
		tail.assign(chunk + chunk_len - kWindowBytes, kWindowBytes);
	} else {
		tail.append(chunk, chunk_len);
		if (tail.size() > kWindowBytes)
			tail.erase(0, tail.size() - kWindowBytes);
	}
	chunk = nullptr;
	chunk_len = 0;
}

void SourceReader::Impl::Process(const char* p, std::size_t n)
{
	if (!transcoder) {
		FeedReader(p, n);
		return;
	}
	out.clear();
	bool ok = transcoder->Convert(p, n, out);
	// The text before a refused byte is parsed first: a CSV error earlier in the file wins.
	if (!out.empty())
		FeedReader(out.data(), out.size());
	if (!ok)
		FailAfterText();
}

// The transcoder refused a byte: parse the text before it first, so that a CSV error there
// comes first, then raise it.
void SourceReader::Impl::FailAfterText()
{
	try {
		reader.ParseHeldBack();
	} catch (const EncodingError& e) {
		Rethrow(e);
	}
	ThrowTranscodeError();
}

void SourceReader::Impl::FeedReader(const char* p, std::size_t n)
{
	try {
		reader.Feed(p, n);
	} catch (const EncodingError& e) {
		Rethrow(e);
	}
}

void SourceReader::Impl::FinishReader()
{
	try {
		reader.Finish();
	} catch (const EncodingError& e) {
		Rethrow(e);
	}
}

std::string SourceReader::Impl::Call(const std::string& argument) const
{
	std::string call = options.retry_call.empty() ? "encoding => '%s'" : options.retry_call;
	std::size_t at = call.find("%s");
	if (at != std::string::npos)
		call.replace(at, 2, argument);
	return call;
}

// The guess over the first 64 KiB (a UTF-8 byte-order mark left out) and the bytes around
// an error beyond them; its example shows the byte at the error.
EncodingGuess SourceReader::Impl::GuessAround(std::uint64_t offset) const
{
	std::size_t skip = sample.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
	std::string s = sample.substr(skip);
	std::size_t focus = std::string::npos;
	if (offset < sample.size()) {
		if (offset >= skip)
			focus = static_cast<std::size_t>(offset) - skip;
	} else {
		s.push_back('\n');
		if (chunk != nullptr && offset >= chunk_base && offset < chunk_base + chunk_len) {
			std::size_t at = static_cast<std::size_t>(offset - chunk_base);
			std::size_t from = at > kWindowBytes ? at - kWindowBytes : 0;
			std::size_t to = std::min(chunk_len, at + kWindowBytes);
			focus = s.size() + (at - from);
			s.append(chunk + from, to - from);
		} else if (std::uint64_t tail_end = chunk != nullptr ? chunk_base : fed;
			   offset + tail.size() >= tail_end && offset < tail_end) {
			// The tail holds the bytes before the chunk being fed (or the last ones at Finish).
			focus = s.size() + static_cast<std::size_t>(offset + tail.size() - tail_end);
			s += tail;
		} else {
			s += tail;
		}
	}
	return GuessEncoding(s, focus);
}

// A file that is not UTF-8 (or has a NUL byte): name what it most likely is, and how to
// upload it as that.
void SourceReader::Impl::Rethrow(const EncodingError& e)
{
	EncodingGuess guess;
	if (e.kind() == EncodingError::Kind::kLegacyBytes)
		guess = GuessAround(e.offset());
	else if (e.kind() == EncodingError::Kind::kNul)
		guess = GuessEncoding(sample);
	if (guess.argument.empty() ||
	    (e.kind() == EncodingError::Kind::kNul && guess.argument.compare(0, 4, "UTF-") != 0))
		throw e;
	std::string hint = "the file looks like " + guess.description +
			   (guess.example.empty() ? "" : " (" + guess.example + ")") + ": upload it with " +
			   Call(guess.argument) + ", or " + kSaveAsUtf8;
	throw EncodingError(e.kind(), e.offset(), e.sqlstate(), e.what(), e.detail(), hint);
}

// A byte not valid in the encoding given: when the bytes look like another encoding, say so.
// Only for a single-byte code page (a byte it lacks says little about a multi-byte file, and
// nothing when a character is cut off at its end), or when the NULs say UTF-16/UTF-32.
void SourceReader::Impl::ThrowTranscodeError()
{
	const UserError& e = transcoder->error();
	std::uint64_t offset = transcoder->error_offset();
	EncodingGuess guess = GuessAround(offset);
	bool unicode = guess.argument.compare(0, 4, "UTF-") == 0;
	if (!guess.argument.empty() && (transcoder->single_byte() || unicode)) {
		std::string guessed_name;
		try {
			guessed_name = ResolveEncoding(guess.argument).name;
		} catch (const UserError&) {
		}
		if (!guessed_name.empty() && guessed_name != encoding.name) {
			std::string hint = "the file looks like " + guess.description +
					   (guess.example.empty() ? "" : " (" + guess.example + ")") + ", not " + encoding.name +
					   ": upload it with " + Call(guess.argument);
			throw EncodingError(EncodingError::Kind::kOther, offset, e.sqlstate(), e.what(), e.detail(), hint);
		}
	}
	throw EncodingError(EncodingError::Kind::kOther, offset, e.sqlstate(), e.what(), e.detail(), e.hint());
}

void SourceReader::Impl::Finish()
{
	if (!started) {
		Start();
		Process(reinterpret_cast<const char*>(head), head_len);
	}
	if (transcoder) {
		out.clear();
		bool ok = transcoder->Finish(out);
		if (!out.empty())
			FeedReader(out.data(), out.size());
		if (!ok)
			FailAfterText();
	}
	FinishReader();
}

SourceReader::SourceReader(const CsvOptions& csv_options, const SourceOptions& options, CsvSink& sink)
	: impl_(std::make_unique<Impl>(csv_options, options, sink))
{
}

SourceReader::~SourceReader() = default;

void SourceReader::Feed(const char* data, std::size_t n)
{
	Impl& impl = *impl_;
	if (impl.failure)
		std::rethrow_exception(impl.failure);
	if (impl.finished)
		throw std::logic_error("SourceReader::Feed called after Finish");
	if (n == 0)
		return;
	try {
		impl.Feed(data, n);
	} catch (...) {
		impl.chunk = nullptr;
		impl.failure = std::current_exception();
		throw;
	}
}

void SourceReader::Finish()
{
	Impl& impl = *impl_;
	if (impl.failure)
		std::rethrow_exception(impl.failure);
	if (impl.finished)
		throw std::logic_error("SourceReader::Finish called twice");
	impl.finished = true;
	try {
		impl.Finish();
	} catch (...) {
		impl.failure = std::current_exception();
		throw;
	}
}

const CsvReader& SourceReader::csv() const noexcept { return impl_->reader; }
const SourceEncoding& SourceReader::encoding() const noexcept { return impl_->encoding; }
bool SourceReader::encoding_from_bom() const noexcept { return impl_->from_bom; }
const std::string& SourceReader::overridden_encoding() const noexcept { return impl_->overridden; }

std::string SourceReader::C1Encoding() const
{
	if (impl_->reader.c1_count() == 0)
		return {};
	return GuessC1Origin(impl_->reader.c1_sample()).argument;
}

std::string SourceReader::C1Hint() const
{
	const Impl& impl = *impl_;
	const CsvReader& r = impl.reader;
	if (r.c1_count() == 0)
		return {};
	EncodingGuess guess = GuessC1Origin(r.c1_sample());
	if (guess.argument.empty())
		return {};
	unsigned char byte = static_cast<unsigned char>(r.c1_code());
	std::string ch = CodePageChar(guess.argument, byte);
	std::string reading = CodePointName(r.c1_code()) + " is byte " + Hex(byte) + " read as Latin-1" +
			      (ch.empty() ? "" : "; in " + guess.label + " that byte is " + ch);
	// An ISO-8859 file read as asked holds them because it is not ISO-8859 at all.
	if (impl.transcoder && impl.encoding.name.compare(0, 9, "ISO-8859-") == 0)
		return "the file is probably " + guess.label + " text, not " + impl.encoding.name + " (" + reading +
		       "): upload it again with " + impl.Call(guess.argument);
	return "the file was probably saved in a DOS or Windows code page (most likely " + guess.label +
	       ") and converted to UTF-8 as if it were Latin-1 (" + reading + "): upload the original file with " +
	       impl.Call(guess.argument);
}

}  // namespace crm::core
