// Errors the core raises. The core never includes postgres.h, so an error carries its
// SQLSTATE as five characters; the PostgreSQL boundary (src/pg/boundary.hpp) turns it
// into an ereport after every C++ destructor has run.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace crm::core {

// SQLSTATE codes the core uses (see PostgreSQL's errcodes.txt).
namespace sqlstate {
inline constexpr const char* kBadCopyFileFormat = "22P04";       // malformed CSV
inline constexpr const char* kCharacterNotInRepertoire = "22021";  // invalid UTF-8, NUL byte
inline constexpr const char* kUntranslatableCharacter = "22P05";   // a byte with no character in its encoding
inline constexpr const char* kProgramLimitExceeded = "54000";      // field/line/column limits
inline constexpr const char* kInvalidParameterValue = "22023";     // bad option value
inline constexpr const char* kInvalidTextRepresentation = "22P02"; // a value that does not parse
inline constexpr const char* kInternalError = "XX000";
}  // namespace sqlstate

// A problem the user can fix: message (lower case, no final period), detail with the
// position it applies to, hint with the fix.
class UserError : public std::runtime_error {
public:
	UserError(std::string sqlstate, const std::string& message, std::string detail = {}, std::string hint = {})
		: std::runtime_error(message), sqlstate_(std::move(sqlstate)), detail_(std::move(detail)),
		  hint_(std::move(hint))
	{
	}

	const std::string& sqlstate() const noexcept { return sqlstate_; }
	const std::string& detail() const noexcept { return detail_; }
	const std::string& hint() const noexcept { return hint_; }

private:
	std::string sqlstate_;
	std::string detail_;
	std::string hint_;
};

// A file whose bytes are not text in the encoding it is read in (invalid UTF-8, a NUL byte):
// a UserError that also says where and what kind, so that a reader of the raw file
// (SourceReader) can replace the hint with the encoding the bytes most likely are.
class EncodingError : public UserError {
public:
	enum class Kind {
		kLegacyBytes,  // a high byte that cannot start or continue UTF-8 here: an 8-bit code page?
		kBrokenUtf8,   // a UTF-8 sequence cut short or overlong: damaged UTF-8, not another encoding
		kNul,          // a NUL byte (UTF-16/UTF-32 text, or binary data)
		kOther,
	};
	EncodingError(Kind kind, std::uint64_t offset, std::string sqlstate, const std::string& message,
		      std::string detail = {}, std::string hint = {})
		: UserError(std::move(sqlstate), message, std::move(detail), std::move(hint)), kind_(kind), offset_(offset)
	{
	}

	Kind kind() const noexcept { return kind_; }
	std::uint64_t offset() const noexcept { return offset_; }  // byte offset in the file read

private:
	Kind kind_;
	std::uint64_t offset_;
};

}  // namespace crm::core
