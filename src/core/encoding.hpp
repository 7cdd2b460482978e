// Source encodings of uploaded files: the names a user may give (PostgreSQL's encoding names
// and ICU's converter names and aliases), a streaming converter to UTF-8 on ICU's ucnv API,
// and a guess of the encoding of a file that is not UTF-8 (for the hint of its error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace crm::core {

class UserError;

// An encoding to read a file in.
struct SourceEncoding {
	std::string name;       // as recorded and shown: "UTF-8", "windows-1252", "ISO-8859-1", "IBM865", "UTF-16LE"
	std::string converter;  // the ICU converter to open; empty for UTF-8, which is read as it is
	bool IsUtf8() const noexcept { return converter.empty(); }
};

// UTF-8, the default: no conversion.
SourceEncoding Utf8Encoding();

// Resolves a name: PostgreSQL's encoding names and aliases first, spelled as PostgreSQL
// accepts them (case and punctuation ignored: LATIN1, latin-1, WIN1252, WIN866, LATIN9, SJIS,
// UTF8, ...), mapped to the ICU converter of the same character set; then ICU's converter
// names and aliases (windows-1252, ISO-8859-1, IBM850, cp865, UTF-16, UTF-16LE, UTF-32,
// Shift_JIS, ...). The name recorded is the character set's MIME or IANA name, so every
// spelling of one encoding records the same name (WIN1252 and windows-1252: windows-1252).
// Throws UserError 22023 for an empty or unknown name (the message names it, the hint lists
// examples), and for an encoding this build of ICU has no converter for.
SourceEncoding ResolveEncoding(std::string_view name);

// Streaming conversion of a file's bytes to UTF-8. Bytes go in chunk by chunk, split
// anywhere (also inside a multi-byte character); memory does not grow with the input. A
// single-byte code page is converted through a 256-entry table filled by ICU when the
// converter is opened; other encodings through ucnv_toUnicode with source offsets.
//
// Refused, with the line (counted in the converted text as CsvReader counts it: LF, CR LF
// or a lone CR ends a line) and the byte offset in the file:
// - a byte sequence that is not a character of the encoding: 22021 when it is malformed or
//   cut off at the end of the file, 22P05 when it is well-formed but has no character (in a
//   code page that uses 0x80..0x9F for characters, such as windows-1252 or IBM850, also a
//   byte ICU maps to a C1 control character, as PostgreSQL's WIN1252 does: 0x81, 0x8D, 0x8F,
//   0x90 and 0x9D are not Windows-1252);
// - a NUL character and an unpaired UTF-16 surrogate (22021).
class Transcoder {
public:
	// Opens the converter; throws UserError 22023 when ICU cannot.
	explicit Transcoder(const SourceEncoding& encoding);
	~Transcoder();
	Transcoder(const Transcoder&) = delete;
	Transcoder& operator=(const Transcoder&) = delete;

	// Converts the next n bytes, appending UTF-8 to out. Returns false when it stopped at a
	// byte sequence it refuses: out then holds the text before it, error() says what it is,
	// and the transcoder is unusable.
	bool Convert(const char* data, std::size_t n, std::string& out);
	// End of input: flushes a character still held back; false for one cut off.
	bool Finish(std::string& out);

	// Valid after Convert or Finish returned false.
	const UserError& error() const;
	std::uint64_t error_offset() const noexcept;

	std::uint64_t bytes_in() const noexcept;  // bytes converted so far
	bool single_byte() const noexcept;        // a single-byte code page (converted by table)
	const SourceEncoding& encoding() const noexcept;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

// What a file that is not UTF-8 most likely is.
struct EncodingGuess {
	std::string argument;     // what to pass as encoding: "windows-1252", "cp865", "IBM850", "UTF-16LE"; empty: no idea
	std::string label;        // "Windows-1252", "DOS code page 865", "UTF-16LE"
	std::string description;  // "Windows-1252 (Western European Windows) text, e.g. an Excel ... export"
	std::string example;      // "it reads byte 0x9D as Ø"; empty when there is no high byte to show
};

// Guesses the encoding of a sample of a file (its first chunk). Alternating NUL bytes: UTF-16
// (little- or big-endian by where the NULs are; three NULs in four: UTF-32). Otherwise the
// bytes 0x80..0xFF are scored, in their context, as windows-1252, IBM850 and cp865: a letter
// next to letters scores, a byte a code page has no character for, a box-drawing character
// or a symbol inside a word costs, cp1252 punctuation (quotes 0x91..0x94 where quotes go,
// the dashes 0x96/0x97 between spaces or digits, the euro sign 0x80 by a number) scores. So
// a Norwegian DOS file (Ø = 0x9D, ø = 0x9B, å = 0x86) is cp865 or IBM850 (cp865 when
// they tie and the Nordic letters occur), smart quotes and Latin-1 letters are
// windows-1252, and windows-1252 is the answer when nothing else fits. Empty argument when
// the sample has no NUL and no byte above 0x7F.
// focus: the index in sample of the byte an error is about; the example shows how the guess
// reads it (when it is above 0x7F; else the first byte above 0x7F it reads as a letter).
EncodingGuess GuessEncoding(std::string_view sample, std::size_t focus = std::string_view::npos);

// The code page a UTF-8 text holding C1 control characters was most likely converted from
// as if it were Latin-1: the text's characters U+0000..U+00FF are taken back to the bytes
// Latin-1 gives them and guessed as by GuessEncoding ("\u009Dstfold" is cp865's "Østfold",
// "Don\u0092t" windows-1252's "Don’t").
EncodingGuess GuessC1Origin(std::string_view utf8_text);

// The character (UTF-8) a byte is in one of the code pages a guess names ("windows-1252",
// "IBM850", "cp865"); empty when it has none there.
std::string CodePageChar(std::string_view argument, unsigned char byte);

// "U+009D"
std::string CodePointName(std::uint32_t code_point);

}  // namespace crm::core
