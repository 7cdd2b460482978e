// A file's raw bytes to CSV records: the binary-format check, byte-order marks, conversion
// of a non-UTF-8 file to UTF-8 (Transcoder) and the CSV reader (CsvReader) behind them, with
// hints that name the encoding a file that is not UTF-8 most likely is.
//
//   raw chunks ─► first 8 bytes held back: a PNG/ZIP/PDF/... signature is refused first,
//                 then a byte-order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE) decides the
//                 encoding; else the given one (UTF-8 when none is given)
//              ─► UTF-8: as it is; otherwise Transcoder (chunk by chunk, memory flat)
//              ─► CsvReader (UTF-8 check, delimiter, records) ─► sink
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "csv_reader.hpp"
#include "encoding.hpp"

namespace crm::core {

struct SourceOptions {
	// The encoding to read the file in (ResolveEncoding), used unless the file starts with
	// a byte-order mark. encoding_given: the user chose it (a byte-order mark that says
	// otherwise is then reported by overridden_encoding()).
	SourceEncoding encoding = Utf8Encoding();
	bool encoding_given = false;
	// How a hint tells to upload the file again with an encoding: "%s" stands for the
	// encoding, as in "crm_import_upload_lo(list, lo, encoding => '%s')". Empty: "encoding =>
	// '%s'".
	std::string retry_call;
};

class SourceReader {
public:
	// Throws UserError 22023 when the converter of the encoding cannot be opened.
	SourceReader(const CsvOptions& csv_options, const SourceOptions& options, CsvSink& sink);
	~SourceReader();
	SourceReader(const SourceReader&) = delete;
	SourceReader& operator=(const SourceReader&) = delete;

	// Errors are CsvReader's and Transcoder's, raised at the byte where they happen after
	// everything before it was parsed, so they do not depend on how the file is split; a
	// file that is not UTF-8 (read without an encoding, or with UTF-8) gets a hint naming
	// the encoding it most likely is and the call to make (GuessEncoding over the first 64
	// KiB and the bytes around the error); a byte not valid in the given encoding the same
	// when the guess is another encoding. After an exception the reader is unusable and
	// rethrows it.
	void Feed(const char* data, std::size_t n);
	void Finish();

	const CsvReader& csv() const noexcept;
	// The encoding the file was read in (after Finish, or once 8 bytes were fed).
	const SourceEncoding& encoding() const noexcept;
	// True when a UTF-16 or UTF-32 byte-order mark chose the encoding, or a byte-order mark
	// overrode the given one.
	bool encoding_from_bom() const noexcept;
	// The name of the given encoding when a byte-order mark overrode it, else empty.
	const std::string& overridden_encoding() const noexcept;

	// The hint of the warning about C1 control characters (CsvReader::c1_count() > 0):
	// which code page the text most likely came from and the call to upload it with that
	// encoding. Empty when the text has none.
	std::string C1Hint() const;
	// The encoding argument C1Hint suggests ("cp865", "windows-1252"); empty without C1.
	std::string C1Encoding() const;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

}  // namespace crm::core
