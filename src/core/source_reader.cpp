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
// Bytes kept from before the chunk being fed: the window before an error, which may lie a
// few bytes before the chunk (a NUL's error waits for the 7 bytes after it; a UTF-8
// sequence or a converted character may start in the chunk before).
constexpr std::size_t kTailBytes = kWindowBytes + 64;

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
	void FailAfterText();
	void Defer(const EncodingError& e, bool from_transcoder);
	void RefuseUtf8InSingleByte();
	void Collect(const char* p, std::size_t n, std::uint64_t base);
	[[noreturn]] void RaiseDeferred();
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
	// The chunk being fed and the last kTailBytes before it (for the bytes before an error).
	const char* chunk = nullptr;
	std::size_t chunk_len = 0;
	std::uint64_t chunk_base = 0;
	std::string tail;
	std::uint64_t fed = 0;
	bool finished = false;
	std::exception_ptr failure;

	// An encoding error waits for the bytes its hint's guess reads (the first kSampleBytes,
	// and kWindowBytes on either side of an error beyond them), so that the hint does not
	// depend on how the file is split into chunks. Nothing is parsed meanwhile.
	std::unique_ptr<EncodingError> deferred;
	bool deferred_from_transcoder = false;
	bool utf8_checked = false;  // the single-byte-encoding-but-UTF-8 test ran
	std::uint64_t deferred_until = 0;  // raise once this many bytes were fed (or at Finish)
	std::string window;                // file bytes [window_start, window_start + 2 * kWindowBytes)
	std::uint64_t window_start = 0;
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
	if (deferred) {
		Collect(p, n, chunk_base);
		if (fed >= deferred_until)
			RaiseDeferred();
		return;
	}
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
	if (n > 0 && !deferred)
		Process(p, n);
	if (deferred) {
		if (fed >= deferred_until)
			RaiseDeferred();
		return;
	}
	// The last bytes of the file so far, for an error at the start of the next chunk.
	if (chunk_len >= kTailBytes) {
		tail.assign(chunk + chunk_len - kTailBytes, kTailBytes);
	} else {
		tail.append(chunk, chunk_len);
		if (tail.size() > kTailBytes)
			tail.erase(0, tail.size() - kTailBytes);
	}
	chunk = nullptr;
	chunk_len = 0;
}

namespace {

// Whether bytes are UTF-8 text with letters outside ASCII: every byte above 0x7F is part of a
// well-formed UTF-8 sequence (one cut off at the end counts as well-formed), and there are at
// least min_sequences of them. Text in a single-byte code page is almost never that: its
// letters would have to come in exactly the pairs UTF-8 makes ('Ã' then '¶').
bool IsUtf8WithNonAscii(std::string_view bytes, std::size_t min_sequences, std::string* first)
{
	std::size_t sequences = 0;
	for (std::size_t i = 0; i < bytes.size();) {
		unsigned char c = static_cast<unsigned char>(bytes[i]);
		if (c < 0x80) {
			++i;
			continue;
		}
		std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
		if (len == 0)
			return false;
		for (std::size_t k = 1; k < len; ++k) {
			if (i + k >= bytes.size())
				return sequences >= min_sequences;  // cut off by the sample's end
			if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80)
				return false;
		}
		if (sequences++ == 0 && first != nullptr)
			first->assign(bytes.substr(i, len));
		i += len;
	}
	return sequences >= min_sequences;
}

}  // namespace

// A UTF-8 file read in a single-byte code page it was not written in stores every letter
// outside ASCII as two wrong ones ("SchrÃ¶der"), silently: a weekly script whose profile
// saved windows-1252 gets this the week the export is saved as "CSV UTF-8". Refused, from
// the first 64 KiB (or the whole file when it is shorter than 4 KiB).
void SourceReader::Impl::RefuseUtf8InSingleByte()
{
	utf8_checked = true;
	std::string first;
	if (IsUtf8WithNonAscii(sample, 2, &first))
		throw UserError(sqlstate::kInvalidParameterValue, "the file is UTF-8, not " + encoding.name,
						"Read as " + encoding.name + ", each of its letters outside ASCII would be stored as two wrong "
						"ones (its first, \"" + first + "\", among them).",
						"Upload it without an encoding (UTF-8 is the default) or with encoding => 'UTF-8'; with the "
						"one-call crm_import and a profile that saved " + encoding.name + ", pass encoding => 'UTF-8' too.");
}

void SourceReader::Impl::Process(const char* p, std::size_t n)
{
	if (!transcoder) {
		FeedReader(p, n);
		return;
	}
	if (!utf8_checked && transcoder->single_byte() && sample.size() >= 4096)
		RefuseUtf8InSingleByte();
	out.clear();
	bool ok = transcoder->Convert(p, n, out);
	// The text before a refused byte is parsed first: a CSV error earlier in the file wins.
	if (!out.empty())
		FeedReader(out.data(), out.size());
	if (!ok && !deferred)
		FailAfterText();
}

// The transcoder refused a byte: parse the text before it first, so that a CSV error there
// comes first, then raise it (once the bytes for its hint are there).
void SourceReader::Impl::FailAfterText()
{
	try {
		reader.ParseHeldBack();
	} catch (const EncodingError& e) {
		Defer(e, false);
		return;
	}
	const UserError& e = transcoder->error();
	Defer(EncodingError(EncodingError::Kind::kOther, transcoder->error_offset(), e.sqlstate(), e.what(), e.detail(),
			    e.hint()),
	      true);
}

void SourceReader::Impl::FeedReader(const char* p, std::size_t n)
{
	if (deferred)
		return;
	try {
		reader.Feed(p, n);
	} catch (const EncodingError& e) {
		Defer(e, false);
	}
}

void SourceReader::Impl::FinishReader()
{
	try {
		reader.Finish();
	} catch (const EncodingError& e) {
		Defer(e, false);
	}
}

// Keeps an encoding error until the bytes its guess reads have come: the first
// kSampleBytes, or for an error beyond them kWindowBytes after it (the ones before it have
// all been fed: the chunk being fed and the tail before it hold them).
void SourceReader::Impl::Defer(const EncodingError& e, bool from_transcoder)
{
	deferred = std::make_unique<EncodingError>(e);
	deferred_from_transcoder = from_transcoder;
	std::uint64_t offset = e.offset();
	deferred_until = kSampleBytes;
	if (offset >= kSampleBytes) {
		deferred_until = offset + kWindowBytes;
		window_start = offset - kWindowBytes;
		window.clear();
		std::uint64_t tail_base = (chunk != nullptr ? chunk_base : fed) - tail.size();
		Collect(tail.data(), tail.size(), tail_base);
		if (chunk != nullptr)
			Collect(chunk, chunk_len, chunk_base);
	}
}

// Adds the file bytes [base, base + n) that fall into the deferred error's window.
void SourceReader::Impl::Collect(const char* p, std::size_t n, std::uint64_t base)
{
	if (!deferred || deferred->offset() < kSampleBytes)
		return;
	std::uint64_t want_from = window_start + window.size();
	std::uint64_t want_to = window_start + 2 * kWindowBytes;
	std::uint64_t from = std::max(want_from, base), to = std::min(want_to, base + n);
	if (from < to && from == want_from)
		window.append(p + (from - base), static_cast<std::size_t>(to - from));
}

// The guess over the first 64 KiB (a UTF-8 byte-order mark left out) and, for an error
// beyond them, the bytes around it; its example shows the byte at the error.
EncodingGuess SourceReader::Impl::GuessAround(std::uint64_t offset) const
{
	std::size_t skip = sample.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
	std::string s = sample.substr(skip);
	std::size_t focus = std::string::npos;
	if (offset < kSampleBytes) {
		if (offset >= skip && offset < sample.size())
			focus = static_cast<std::size_t>(offset) - skip;
	} else {
		s.push_back('\n');
		if (offset >= window_start && offset < window_start + window.size())
			focus = s.size() + static_cast<std::size_t>(offset - window_start);
		s += window;
	}
	return GuessEncoding(s, focus);
}

// The deferred error with its hint: what the bytes most likely are, and how to upload them
// as that.
void SourceReader::Impl::RaiseDeferred()
{
	const EncodingError e = *deferred;
	EncodingGuess guess;
	if (deferred_from_transcoder) {
		// A byte not valid in the encoding given: when the bytes look like another encoding,
		// say so. Only for a single-byte code page (a byte it lacks says little about a
		// multi-byte file, and nothing when a character is cut off at its end), or when the
		// NULs say UTF-16/UTF-32.
		guess = GuessAround(e.offset());
		bool unicode = guess.argument.compare(0, 4, "UTF-") == 0;
		if (!guess.argument.empty() && (transcoder->single_byte() || unicode)) {
			std::string guessed_name;
			try {
				guessed_name = ResolveEncoding(guess.argument).name;
			} catch (const UserError&) {
			}
			if (!guessed_name.empty() && guessed_name != encoding.name)
				throw EncodingError(e.kind(), e.offset(), e.sqlstate(), e.what(), e.detail(),
						    "the file looks like " + guess.description +
							    (guess.example.empty() ? "" : " (" + guess.example + ")") + ", not " +
							    encoding.name + ": upload it with " + Call(guess.argument));
		}
		throw e;
	}
	// A file that is not UTF-8 (or has a NUL byte).
	if (e.kind() == EncodingError::Kind::kLegacyBytes)
		guess = GuessAround(e.offset());
	else if (e.kind() == EncodingError::Kind::kNul)
		guess = GuessEncoding(sample);
	if (guess.argument.empty() ||
	    (e.kind() == EncodingError::Kind::kNul && guess.argument.compare(0, 4, "UTF-") != 0))
		throw e;
	throw EncodingError(e.kind(), e.offset(), e.sqlstate(), e.what(), e.detail(),
			    "the file looks like " + guess.description +
				    (guess.example.empty() ? "" : " (" + guess.example + ")") + ": upload it with " +
				    Call(guess.argument) + ", or " + kSaveAsUtf8);
}

std::string SourceReader::Impl::Call(const std::string& argument) const
{
	std::string call = options.retry_call.empty() ? "encoding => '%s'" : options.retry_call;
	std::size_t at = call.find("%s");
	if (at != std::string::npos)
		call.replace(at, 2, argument);
	return call;
}

void SourceReader::Impl::Finish()
{
	chunk = nullptr;
	chunk_len = 0;
	if (!deferred && !started) {
		Start();
		Process(reinterpret_cast<const char*>(head), head_len);
	}
	if (!deferred && transcoder && !utf8_checked && transcoder->single_byte())
		RefuseUtf8InSingleByte();
	if (!deferred && transcoder) {
		out.clear();
		bool ok = transcoder->Finish(out);
		if (!out.empty())
			FeedReader(out.data(), out.size());
		if (!ok && !deferred)
			FailAfterText();
	}
	if (!deferred)
		FinishReader();
	if (deferred)
		RaiseDeferred();
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
