// Value normalizers of the import run: email, phone (libphonenumber), date, number,
// boolean and consent terms. They run once per value of a file (a million times for a
// large import), so the common path avoids allocations beyond the returned value.
#include "normalize.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <vector>

// libphonenumber's compiled-in metadata (its metadata.h is not installed).
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace crm::core {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Byte length of the blank starting at s[i], or 0: ASCII white space and, with unicode,
// U+00A0, U+1680, U+2000..U+200B, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF
// (crm_import_blank_chars); with extras also NEL and U+2060 word joiner (Trim's spaces).
std::size_t BlankAt(std::string_view s, std::size_t i, bool unicode, bool extras) noexcept
{
	unsigned char c = static_cast<unsigned char>(s[i]);
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	if (!unicode || c < 0x80)
		return 0;
	std::size_t left = s.size() - i;
	if (c == 0xC2 && left >= 2) {
		unsigned char d = static_cast<unsigned char>(s[i + 1]);
		return (d == 0xA0 || (extras && d == 0x85)) ? 2 : 0;  // NBSP, NEL
	}
	if (left < 3)
		return 0;
	unsigned char d = static_cast<unsigned char>(s[i + 1]);
	unsigned char e = static_cast<unsigned char>(s[i + 2]);
	if (c == 0xE1 && d == 0x9A && e == 0x80)  // U+1680 ogham space mark
		return 3;
	if (c == 0xE2 && d == 0x80 && (e <= 0x8B || e == 0xA8 || e == 0xA9 || e == 0xAF))  // U+2000..200B, 2028/9, 202F
		return 3;
	if (c == 0xE2 && d == 0x81 && (e == 0x9F || (extras && e == 0xA0)))  // U+205F, U+2060 word joiner
		return 3;
	if (c == 0xE3 && d == 0x80 && e == 0x80)  // U+3000 ideographic space
		return 3;
	if (c == 0xEF && d == 0xBB && e == 0xBF)  // U+FEFF byte-order mark
		return 3;
	return 0;
}

// Byte length of the blank (as BlankAt) that ends at s[end-1], or 0.
std::size_t BlankBefore(std::string_view s, std::size_t end, bool unicode, bool extras) noexcept
{
	// Most values end in an ASCII byte: what the table gives there without three lookups
	// (white space; else only BlankAt's E2 80 row, which on broken UTF-8 also takes an ASCII
	// third byte).
	unsigned char last = static_cast<unsigned char>(s[end - 1]);
	if (last < 0x80) {
		if (last == ' ' || (last >= '\t' && last <= '\r'))
			return 1;
		return unicode && end >= 3 && static_cast<unsigned char>(s[end - 3]) == 0xE2 &&
					   static_cast<unsigned char>(s[end - 2]) == 0x80
				   ? 3
				   : 0;
	}
	for (std::size_t len = 1; len <= 3 && len <= end; ++len)
		if (BlankAt(s.substr(0, end), end - len, unicode, extras) == len)
			return len;
	return 0;
}

// Byte length of the space character starting at s[i] (ASCII white space, NBSP, NEL, the
// Unicode spaces, zero-width space, word joiner, BOM), or 0 when s[i] starts none.
std::size_t SpaceAt(std::string_view s, std::size_t i) noexcept { return BlankAt(s, i, true, true); }

// s without the blanks of BlankBefore at either end.
std::string_view TrimSet(std::string_view s, bool unicode, bool extras) noexcept
{
	std::size_t begin = 0;
	while (begin < s.size()) {
		std::size_t n = BlankAt(s, begin, unicode, extras);
		if (n == 0)
			break;
		begin += n;
	}
	std::size_t end = s.size();
	while (end > begin) {
		std::size_t n = BlankBefore(s, end, unicode, extras);
		if (n == 0 || end - n < begin)
			break;
		end -= n;
	}
	return s.substr(begin, end - begin);
}

// Lower-cases one ASCII byte (other bytes unchanged).
inline unsigned char FoldByte(unsigned char c) noexcept
{
	return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

// True when c2 (after a 0xC3 lead byte) is an upper-case Latin-1 supplement letter
// (U+00C0..U+00DE except the multiplication sign U+00D7).
inline bool IsLatin1Upper(unsigned char c2) noexcept { return c2 >= 0x80 && c2 <= 0x9E && c2 != 0x97; }

// Decodes one UTF-8 character at s[i]; returns its byte length (0 when invalid: bad lead
// or continuation byte, overlong form, surrogate, beyond U+10FFFF).
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t* cp) noexcept
{
	unsigned char c = static_cast<unsigned char>(s[i]);
	std::size_t len;
	char32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (s.size() - i < len)
		return 0;
	for (std::size_t k = 1; k < len; ++k) {
		unsigned char d = static_cast<unsigned char>(s[i + k]);
		if ((d & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (d & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

// True for a non-ASCII code point that may stand for a letter in an internationalized
// address: from U+00C0 up, minus the spaces, punctuation, symbol and special blocks that
// are certainly not letters. (No Unicode tables: a permissive approximation.)
bool IsUnicodeLetterish(char32_t cp) noexcept
{
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return false;
	if (cp >= 0x2000 && cp <= 0x2BFF)  // punctuation, symbols, arrows, math, boxes, dingbats
		return false;
	if (cp >= 0x2E00 && cp <= 0x2E7F)  // supplemental punctuation
		return false;
	if (cp >= 0x3000 && cp <= 0x303F)  // CJK symbols and punctuation, ideographic space
		return false;
	if (cp >= 0xD800 && cp <= 0xF8FF)  // surrogates, private use
		return false;
	if (cp >= 0xFE00 && cp <= 0xFE0F)  // variation selectors
		return false;
	if (cp >= 0xFE30 && cp <= 0xFE6F)  // compatibility forms, small forms
		return false;
	if (cp >= 0xFEFF && cp <= 0xFF20)  // BOM, full-width punctuation and digits
		return false;
	if (cp >= 0xFFF0)  // specials, and everything above the BMP but letters of planes 1-2
		return cp >= 0x10000 && cp <= 0x2FFFF && !(cp >= 0x1F000 && cp <= 0x1FFFF);  // not emoji
	return true;
}

// The character c (or the code point cp of len bytes at s[i]) as a message shows it:
// quoted when visible, U+XXXX when it is a control or space character.
std::string ShowChar(std::string_view s, std::size_t i, std::size_t len, char32_t cp)
{
	if (cp == ' ' || (cp > 0x20 && cp < 0x7F))
		return "'" + std::string(1, static_cast<char>(cp)) + "'";
	char buf[16];
	if (len == 0) {
		std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(static_cast<unsigned char>(s[i])));
		return buf;
	}
	if (cp < 0xA0 || SpaceAt(s, i) != 0 || cp == 0xAD) {
		std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
		return buf;
	}
	return "'" + std::string(s.substr(i, len)) + "'";
}

// True for the ASCII characters RFC 5322 allows in an unquoted local part ("atext"),
// besides letters, digits and the dot.
bool IsLocalPartSymbol(unsigned char c) noexcept
{
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '/': case '=':
	case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~': case '-':
		return true;
	default:
		return false;
	}
}

inline bool IsAsciiAlnum(unsigned char c) noexcept
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

inline bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }

// Checks the (folded) local part of an address; empty string when fine.
std::string CheckLocalPart(std::string_view local)
{
	if (local.size() > 64)
		return "local part longer than 64 bytes";
	if (local.front() == '.')
		return "local part starts with a dot";
	for (std::size_t i = 0; i < local.size();) {
		unsigned char c = static_cast<unsigned char>(local[i]);
		if (c == '.') {
			if (i + 1 < local.size() && local[i + 1] == '.')
				return "two dots in a row in local part";
			++i;
			continue;
		}
		if (c < 0x80) {
			if (!IsAsciiAlnum(c) && !IsLocalPartSymbol(c))
				return "invalid character " + ShowChar(local, i, 1, c) + " in local part";
			++i;
			continue;
		}
		char32_t cp = 0;
		std::size_t len = DecodeUtf8(local, i, &cp);
		if (len == 0)
			return "invalid utf-8 in local part";
		if (!IsUnicodeLetterish(cp))
			return "invalid character " + ShowChar(local, i, len, cp) + " in local part";
		i += len;
	}
	if (local.back() == '.')
		return "local part ends with a dot";
	return {};
}

// Checks the (folded) domain of an address; empty string when fine.
std::string CheckDomain(std::string_view domain)
{
	if (domain.size() > 253)
		return "domain longer than 253 bytes";
	if (domain.front() == '.')
		return "domain starts with a dot";
	if (domain.back() == '.')
		return "domain ends with a dot";
	if (domain.find('.') == std::string_view::npos) {
		// Report a bad character first: "ola@gmail com" is about the space, not the dot.
		for (std::size_t i = 0; i < domain.size(); ++i) {
			unsigned char c = static_cast<unsigned char>(domain[i]);
			if (c < 0x80 && !IsAsciiAlnum(c) && c != '-')
				return "invalid character " + ShowChar(domain, i, 1, c) + " in domain";
		}
		return "domain has no dot";
	}
	std::size_t label_start = 0;
	std::string_view last_label;
	while (label_start <= domain.size()) {
		std::size_t dot = domain.find('.', label_start);
		std::size_t label_end = dot == std::string_view::npos ? domain.size() : dot;
		std::string_view label = domain.substr(label_start, label_end - label_start);
		if (label.empty())
			return "two dots in a row in domain";
		if (label.size() > 63)
			return "domain label longer than 63 bytes";
		for (std::size_t i = 0; i < label.size();) {
			unsigned char c = static_cast<unsigned char>(label[i]);
			if (c < 0x80) {
				if (!IsAsciiAlnum(c) && c != '-')
					return "invalid character " + ShowChar(label, i, 1, c) + " in domain";
				++i;
				continue;
			}
			char32_t cp = 0;
			std::size_t len = DecodeUtf8(label, i, &cp);
			if (len == 0)
				return "invalid utf-8 in domain";
			if (!IsUnicodeLetterish(cp))
				return "invalid character " + ShowChar(label, i, len, cp) + " in domain";
			i += len;
		}
		if (label.front() == '-')
			return "domain label starts with a hyphen";
		if (label.back() == '-')
			return "domain label ends with a hyphen";
		last_label = label;
		if (dot == std::string_view::npos)
			break;
		label_start = dot + 1;
	}
	// Top-level domain: letters only (ASCII or not), at least two; or a punycode label.
	if (last_label.size() > 4 && last_label.substr(0, 4) == "xn--")
		return {};
	std::size_t letters = 0;
	for (std::size_t i = 0; i < last_label.size();) {
		char32_t cp = 0;
		std::size_t len = DecodeUtf8(last_label, i, &cp);  // valid: checked above
		if (len == 0)
			return "invalid utf-8 in domain";
		if (len == 1 && !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')))
			return "top-level domain is not all letters";
		++letters;
		i += len;
	}
	if (letters < 2)
		return "top-level domain shorter than 2 letters";
	return {};
}

// ---- phone ----

// libphonenumber's singleton, with its logging silenced once (it would write parse
// problems of user data to stderr, i.e. into the server log).
const PhoneNumberUtil& PhoneUtil()
{
	static PhoneNumberUtil* util = [] {
		PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
		u->SetLogger(new i18n::phonenumbers::NullLogger());  // takes ownership
		return u;
	}();
	return *util;
}

// libphonenumber's compiled-in metadata, parsed once (empty if it does not parse: every
// shortcut built from it is then off and the full parse decides).
const i18n::phonenumbers::PhoneMetadataCollection& PhoneMetadata()
{
	static const i18n::phonenumbers::PhoneMetadataCollection collection = [] {
		i18n::phonenumbers::PhoneMetadataCollection c;
		if (!c.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()))
			c.Clear();
		return c;
	}();
	return collection;
}

// A region's numbers as libphonenumber's metadata describes them, matched as its
// GetNumberType matches them (the same patterns, the same ICU engine, the same order of
// types) but with the patterns compiled once: libphonenumber goes through a pattern cache
// for each of up to eleven types, and its Parse runs several large patterns over the input
// first, 10-20 us a number in all. Built once per region a run meets, from the compiled-in
// metadata. Checked against Parse + GetNumberType by normalize_test (every leading range of
// every length) and the fuzz target.
class RegionNumbers {
public:
	// Null when libphonenumber has no metadata for region or a pattern does not compile.
	static const RegionNumbers* For(const std::string& region)
	{
		static std::map<std::string, std::unique_ptr<RegionNumbers>, std::less<>> built;
		auto found = built.find(region);
		if (found != built.end())
			return found->second.get();
		std::unique_ptr<RegionNumbers> numbers;
		for (const auto& metadata : PhoneMetadata().metadata()) {
			if (metadata.id() == region) {
				numbers.reset(new RegionNumbers(metadata));
				if (!numbers->usable_)
					numbers.reset();
				break;
			}
		}
		return built.emplace(region, std::move(numbers)).first->second.get();
	}

	int country_code() const { return country_code_; }
	const std::string& country_code_digits() const { return country_code_digits_; }
	const std::string& national_prefix() const { return national_prefix_; }
	// Every international prefix begins with 0 ("00", "011"): Parse reads digits that begin
	// otherwise as a national number. Finland's "99x" carrier prefixes make it read
	// "99666666666666" as +66 6666 6666 (Thailand), Australia's "14xx0011" alike.
	bool idd_starts_with_zero() const { return idd_starts_with_zero_; }
	// The international prefix is exactly "00": "0047 ..." is read as "+47 ...".
	bool idd_is_00() const { return idd_ == "00"; }
	// Parse takes digits that begin with neither 0, the national prefix nor the country code
	// as the national number unchanged: its calling code is the region's alone (no other
	// region's numbers to try), the national prefix for parsing is that prefix or nothing,
	// no transform rule, and every international prefix begins with 0.
	bool reads_national_digits_as_they_are() const { return reads_national_digits_; }

	// nsn: the national significant number, digits only, no leading zero. Valid when it has
	// a type; mobile and fixed line, nearly every real number, are tried first (the order of
	// an "any type" test does not change its answer).
	bool IsValid(std::string_view nsn) const
	{
		icu::UnicodeString text = Text(nsn);
		int length = static_cast<int>(nsn.size());
		if (!Matches(general_, text, length))
			return false;
		if (Matches(mobile_, text, length) || Matches(fixed_line_, text, length))
			return true;
		for (const auto& special : special_)
			if (Matches(special.second, text, length))
				return true;
		return false;
	}

	// GetNumberType's answer for +country_code nsn within this region's metadata.
	PhoneNumberUtil::PhoneNumberType Type(std::string_view nsn) const
	{
		icu::UnicodeString text = Text(nsn);
		int length = static_cast<int>(nsn.size());
		if (!Matches(general_, text, length))
			return PhoneNumberUtil::UNKNOWN;
		for (const auto& special : special_)
			if (Matches(special.second, text, length))
				return special.first;
		if (Matches(fixed_line_, text, length))
			return same_mobile_and_fixed_line_ || Matches(mobile_, text, length) ? PhoneNumberUtil::FIXED_LINE_OR_MOBILE
																				  : PhoneNumberUtil::FIXED_LINE;
		if (!same_mobile_and_fixed_line_ && Matches(mobile_, text, length))
			return PhoneNumberUtil::MOBILE;
		return PhoneNumberUtil::UNKNOWN;
	}

private:
	struct Desc {
		std::vector<int> lengths;
		std::unique_ptr<icu::RegexPattern> pattern;
		std::unique_ptr<icu::RegexMatcher> matcher;  // null: the type does not exist
	};

	static icu::UnicodeString Text(std::string_view nsn)
	{
		return icu::UnicodeString::fromUTF8(icu::StringPiece(nsn.data(), static_cast<int32_t>(nsn.size())));
	}

	// As libphonenumber's IsNumberMatchingDesc: the length must be one of the possible
	// lengths (when any are listed), then the whole number must match the pattern.
	static bool Matches(const Desc& desc, const icu::UnicodeString& text, int length)
	{
		if (!desc.lengths.empty() && std::find(desc.lengths.begin(), desc.lengths.end(), length) == desc.lengths.end())
			return false;
		if (!desc.matcher)
			return false;
		UErrorCode status = U_ZERO_ERROR;
		desc.matcher->reset(text);
		bool matched = desc.matcher->matches(status);
		return U_SUCCESS(status) && matched;
	}

	static bool Load(const i18n::phonenumbers::PhoneNumberDesc& from, Desc* to)
	{
		to->lengths.assign(from.possible_length().begin(), from.possible_length().end());
		if (from.national_number_pattern().empty())
			return true;
		UErrorCode status = U_ZERO_ERROR;
		UParseError parse_error;
		to->pattern.reset(icu::RegexPattern::compile(
			icu::UnicodeString::fromUTF8(from.national_number_pattern()), 0, parse_error, status));
		if (U_FAILURE(status) || !to->pattern)
			return false;
		// The matcher uses the pattern; declared after it, it is destroyed first.
		to->matcher.reset(to->pattern->matcher(status));
		return U_SUCCESS(status) && to->matcher != nullptr;
	}

	explicit RegionNumbers(const i18n::phonenumbers::PhoneMetadata& metadata)
		: country_code_(metadata.country_code()),
		  country_code_digits_(std::to_string(metadata.country_code())),
		  national_prefix_(metadata.national_prefix()),
		  idd_(metadata.international_prefix()),
		  same_mobile_and_fixed_line_(metadata.same_mobile_and_fixed_line_pattern())
	{
		bool ok = Load(metadata.general_desc(), &general_) && Load(metadata.mobile(), &mobile_) &&
				  Load(metadata.fixed_line(), &fixed_line_);
		// GetNumberType's order before fixed line and mobile.
		const std::pair<PhoneNumberUtil::PhoneNumberType, const i18n::phonenumbers::PhoneNumberDesc*> specials[] = {
			{PhoneNumberUtil::PREMIUM_RATE, &metadata.premium_rate()}, {PhoneNumberUtil::TOLL_FREE, &metadata.toll_free()},
			{PhoneNumberUtil::SHARED_COST, &metadata.shared_cost()},   {PhoneNumberUtil::VOIP, &metadata.voip()},
			{PhoneNumberUtil::PERSONAL_NUMBER, &metadata.personal_number()}, {PhoneNumberUtil::PAGER, &metadata.pager()},
			{PhoneNumberUtil::UAN, &metadata.uan()},                   {PhoneNumberUtil::VOICEMAIL, &metadata.voicemail()}};
		special_.reserve(std::size(specials));
		for (const auto& [type, desc] : specials) {
			special_.emplace_back(type, Desc());
			ok = ok && Load(*desc, &special_.back().second);
		}
		// The top-level alternatives of the international prefix pattern must each start with 0.
		idd_starts_with_zero_ = !idd_.empty();
		int depth = 0;
		bool at_start = true;
		for (char c : idd_) {
			if (at_start && c != '0')
				idd_starts_with_zero_ = false;
			at_start = false;
			if (c == '(' || c == '[')
				++depth;
			else if (c == ')' || c == ']')
				--depth;
			else if (c == '|' && depth == 0)
				at_start = true;
		}
		idd_starts_with_zero_ = idd_starts_with_zero_ && !at_start;
		std::list<std::string> sharing;
		PhoneUtil().GetRegionCodesForCountryCallingCode(country_code_, &sharing);
		const std::string& parsing_prefix = metadata.national_prefix_for_parsing();
		reads_national_digits_ = idd_starts_with_zero_ && sharing.size() == 1 &&
								 metadata.national_prefix_transform_rule().empty() &&
								 (parsing_prefix.empty() || parsing_prefix == national_prefix_) &&
								 national_prefix_.find_first_not_of("0123456789") == std::string::npos;
		usable_ = ok;
	}

	int country_code_;
	std::string country_code_digits_;
	std::string national_prefix_;
	std::string idd_;
	bool same_mobile_and_fixed_line_;
	bool idd_starts_with_zero_ = false;
	bool reads_national_digits_ = false;
	Desc general_, mobile_, fixed_line_;
	std::vector<std::pair<PhoneNumberUtil::PhoneNumberType, Desc>> special_;
	bool usable_ = false;
};

// The regions libphonenumber has metadata for.
const std::set<std::string, std::less<>>& SupportedRegions()
{
	static const std::set<std::string, std::less<>> regions = [] {
		std::set<std::string> r;
		PhoneUtil().GetSupportedRegions(&r);
		return std::set<std::string, std::less<>>(r.begin(), r.end());
	}();
	return regions;
}

// Upper-cases a region code ("no" -> "NO") into a small string.
std::string UpperRegion(std::string_view region)
{
	std::string r(Trim(region));
	for (char& c : r)
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 32);
	return r;
}

// The digits of s with one leading '+', when s holds nothing but digits, a leading '+'
// and the separators people type (space, NBSP, '-', '.', '/', parentheses); returns false
// otherwise (letters, extensions, a '+' in the middle, tabs ...) and for more than 20
// digits. Only separators that libphonenumber itself ignores are dropped, so Parse reads
// the compact form as it reads the original.
bool CompactPhone(std::string_view s, char* out, std::size_t* out_len) noexcept
{
	std::size_t n = 0;
	bool plus = false;
	for (std::size_t i = 0; i < s.size();) {
		char c = s[i];
		if (IsDigit(c)) {
			if (n >= 21)
				return false;
			out[n++] = c;
			++i;
		} else if (c == '+') {
			if (plus || n != 0)
				return false;
			plus = true;
			out[n++] = '+';
			++i;
		} else if (c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')') {
			++i;
		} else if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {  // NBSP
			i += 2;
		} else {
			return false;
		}
	}
	*out_len = n;
	return true;
}

// Fast path for Norwegian numbers, the bulk of this product's data: compacted input c of
// "+47" followed by 8 digits, "0047" and 8 digits where the region's international prefix
// is exactly 00 (Parse reads it as +47 there: a Swedish row's "0047 912 34 567"), or 8
// digits alone with region NO. Builds the number directly and checks it against NO's
// patterns, skipping Parse (most of the cost). Returns true with the E.164 text in *e164
// only when valid; anything else goes through the full Parse path, so this can only accept
// what Parse + IsValidNumber accept (checked against plain libphonenumber by the unit tests
// and the fuzz target).
bool TryNorwegianFastPath(std::string_view c, const std::string& region, const RegionNumbers* numbers,
						  std::string* e164)
{
	bool region_is_no = region == "NO";
	std::string_view nsn;
	if (c.size() == 11 && c.substr(0, 3) == "+47")
		nsn = c.substr(3);
	else if (c.size() == 12 && c.substr(0, 4) == "0047" && (region_is_no || (numbers != nullptr && numbers->idd_is_00())))
		nsn = c.substr(4);
	else if (region_is_no && c.size() == 8)
		nsn = c;
	else
		return false;
	if (nsn[0] == '0' || nsn[0] == '+')
		return false;
	static const RegionNumbers* const no = RegionNumbers::For("NO");
	if (no != nullptr) {
		if (!no->IsValid(nsn))
			return false;
	} else {
		std::uint64_t national = 0;
		for (char d : nsn)
			national = national * 10 + static_cast<std::uint64_t>(d - '0');
		PhoneNumber number;
		number.set_country_code(47);
		number.set_national_number(national);
		if (!PhoneUtil().IsValidNumberForRegion(number, "NO"))
			return false;
	}
	e164->reserve(11);
	e164->assign("+47");
	e164->append(nsn.data(), nsn.size());
	return true;
}

// Region code for messages about a parsed number: "NO", or "+882" for non-geographic
// codes.
std::string RegionForMessage(const PhoneNumber& number)
{
	std::string region;
	PhoneUtil().GetRegionCodeForCountryCode(number.country_code(), &region);
	if (region.empty() || region == "ZZ" || region == "001")
		return "+" + std::to_string(number.country_code());
	return region;
}

// Regions whose numbers written nationally Parse reads as they are: no national prefix for
// parsing besides their trunk prefix, no carrier codes, no transform rules, international
// prefixes that begin with 0 (RegionNumbers checks all of it again from the metadata). There
// a string of digits that starts with neither 0, the trunk prefix nor the country code is the
// national number itself, typed without a parse (about 10 us each: the run reads every
// number of a row whose country is another region in that region first). normalize_test
// checks the shortcuts against Parse for each of them over every leading range.
const std::set<std::string, std::less<>>& PlainNationalRegions()
{
	static const std::set<std::string, std::less<>> regions = {
		"NO", "SE", "DK", "GB", "IE", "DE", "NL", "BE", "FR", "ES", "PT", "IT", "CH", "AT",
		"PL", "EE", "LV", "LT", "US", "CA", "NZ", "IN"};
	return regions;
}

// National number lengths a valid number can have under each country calling code: the
// union of the general possible lengths of every region sharing the code. IsValidNumber
// tries each of those regions (a 7-digit "310 9232" read in the US is a valid Canadian
// number although 7 digits are "local only" in the US), and a region matches no number
// whose length is not in its general lengths. A code with a region that lists no lengths
// is left out: no shortcut there.
const std::map<int, std::set<std::size_t>>& ValidLengthsByCallingCode()
{
	static const std::map<int, std::set<std::size_t>> lengths = [] {
		std::map<int, std::set<std::size_t>> by_code;
		std::set<int> unbounded;
		for (const auto& metadata : PhoneMetadata().metadata()) {
			const auto& possible = metadata.general_desc().possible_length();
			if (possible.empty())
				unbounded.insert(metadata.country_code());
			by_code[metadata.country_code()].insert(possible.begin(), possible.end());
		}
		for (int code : unbounded)
			by_code.erase(code);
		return by_code;
	}();
	return lengths;
}

// Digits (compacted, no '+') that Parse would take as a national number unchanged in a
// region whose metadata lets it (RegionNumbers::reads_national_digits_as_they_are, or the
// weaker idd_starts_with_zero for ImpossibleByLength): a plain length, no leading 0, not
// beginning with the national prefix nor with the country code (Parse may read that as the
// code written without +).
bool NationalDigits(std::string_view digits, const std::string& region, const RegionNumbers& numbers)
{
	if (digits.size() < 4 || digits.size() > 15 || digits[0] == '0' || PlainNationalRegions().count(region) == 0)
		return false;
	for (char c : digits)
		if (!IsDigit(c))
			return false;
	const std::string& code = numbers.country_code_digits();
	const std::string& trunk = numbers.national_prefix();
	return digits.compare(0, code.size(), code) != 0 && (trunk.empty() || digits.compare(0, trunk.size(), trunk) != 0);
}

// Why number cannot be valid by its length alone, from libphonenumber's possibility
// verdict on it; empty when the length is possible (or the country code unknown).
std::string LengthProblem(PhoneNumberUtil::ValidationResult possible, const PhoneNumber& number)
{
	switch (possible) {
	case PhoneNumberUtil::TOO_SHORT:
	case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
		return "too few digits for region " + RegionForMessage(number);
	case PhoneNumberUtil::TOO_LONG:
		return "too many digits for region " + RegionForMessage(number);
	case PhoneNumberUtil::INVALID_LENGTH:
		return "wrong number of digits for region " + RegionForMessage(number);
	default:
		return {};
	}
}

// Why a parsed number libphonenumber gives no type is not valid.
Normalized InvalidNumber(const PhoneNumber& number)
{
	PhoneNumberUtil::ValidationResult possible = PhoneUtil().IsPossibleNumberWithReason(number);
	if (std::string why = LengthProblem(possible, number); !why.empty())
		return Normalized::Fail(std::move(why));
	if (possible == PhoneNumberUtil::INVALID_COUNTRY_CODE)
		return Normalized::Fail("unknown country code +" + std::to_string(number.country_code()));
	return Normalized::Fail("invalid number for region " + RegionForMessage(number));
}

PhoneNumber NationalNumber(int country_code, std::string_view digits)
{
	PhoneNumber number;
	number.set_country_code(country_code);
	number.set_national_number(std::stoull(std::string(digits)));
	return number;
}

// True, with the reason the full parse would give, when digits (compacted, no '+') cannot
// be a valid number of region because of their length alone. For regions that share their
// calling code (GB with GG, IM, JE), where the national fast path below does not apply.
bool ImpossibleByLength(std::string_view digits, const std::string& region, const RegionNumbers* numbers,
						std::string* reason)
{
	if (numbers == nullptr || !numbers->idd_starts_with_zero() || !NationalDigits(digits, region, *numbers))
		return false;
	auto valid_lengths = ValidLengthsByCallingCode().find(numbers->country_code());
	if (valid_lengths == ValidLengthsByCallingCode().end() || valid_lengths->second.count(digits.size()) != 0)
		return false;
	PhoneNumber number = NationalNumber(numbers->country_code(), digits);
	// Possible for the main region: only the parse tells valid from not.
	*reason = LengthProblem(PhoneUtil().IsPossibleNumberWithReason(number), number);
	return !reason->empty();
}

// Digits written nationally ("08 123 456 78" less its 0, "912 34 567" in a Danish row) in a
// region where Parse reads them as they are: typed with the region's compiled patterns as
// GetNumberType types them, without a parse. False when it does not apply; otherwise *out
// is what the full path would give (value and type, or its reason).
const char* PhoneTypeName(PhoneNumberUtil::PhoneNumberType type);

bool TryNationalFastPath(std::string_view digits, const std::string& region, const RegionNumbers* numbers,
						 Normalized* out, std::string* type)
{
	if (numbers == nullptr || !numbers->reads_national_digits_as_they_are() || !NationalDigits(digits, region, *numbers))
		return false;
	PhoneNumberUtil::PhoneNumberType number_type = numbers->Type(digits);
	if (number_type == PhoneNumberUtil::UNKNOWN) {
		*out = InvalidNumber(NationalNumber(numbers->country_code(), digits));
		return true;
	}
	std::string e164;
	e164.reserve(1 + numbers->country_code_digits().size() + digits.size());
	e164.append("+").append(numbers->country_code_digits()).append(digits.data(), digits.size());
	*out = Normalized::Ok(std::move(e164));
	if (type != nullptr)
		*type = PhoneTypeName(number_type);
	return true;
}

// ---- dates ----

bool IsLeapYear(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) noexcept
{
	static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// True when s is a time of day as it follows the date in a timestamp: H:MM[:SS[.f...]]
// with an optional zone (Z, +HH, +HH:MM, +HHMM).
bool IsTimeOfDay(std::string_view s) noexcept
{
	std::size_t i = 0;
	auto two = [&](int max) {
		if (i + 2 > s.size() || !IsDigit(s[i]) || !IsDigit(s[i + 1]))
			return false;
		int v = (s[i] - '0') * 10 + (s[i + 1] - '0');
		i += 2;
		return v <= max;
	};
	// hour: one or two digits
	if (i < s.size() && IsDigit(s[i]) && (i + 1 >= s.size() || !IsDigit(s[i + 1]))) {
		++i;
	} else if (!two(24)) {
		return false;
	}
	if (i >= s.size() || s[i] != ':')
		return false;
	++i;
	if (!two(59))
		return false;
	if (i < s.size() && s[i] == ':') {
		++i;
		if (!two(60))
			return false;
		if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
			++i;
			std::size_t start = i;
			while (i < s.size() && IsDigit(s[i]))
				++i;
			if (i == start)
				return false;
		}
	}
	while (i < s.size() && s[i] == ' ')
		++i;
	if (i == s.size())
		return true;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size())
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	++i;
	if (!two(23))
		return false;
	if (i < s.size() && s[i] == ':')
		++i;
	if (i == s.size())
		return true;
	return two(59) && i == s.size();
}

// Splits a date into its three numbers; returns false unless it is exactly
// digits sep digits sep digits with one separator character of "-./".
bool SplitDate(std::string_view s, std::string_view parts[3], char* sep) noexcept
{
	std::size_t start = 0;
	int k = 0;
	*sep = 0;
	for (std::size_t i = 0; i <= s.size(); ++i) {
		if (i < s.size() && IsDigit(s[i]))
			continue;
		if (i < s.size()) {
			char c = s[i];
			if (c != '-' && c != '.' && c != '/')
				return false;
			if (*sep == 0)
				*sep = c;
			else if (c != *sep)
				return false;
		}
		if (k == 3 || i == start)
			return false;
		parts[k++] = s.substr(start, i - start);
		start = i + 1;
	}
	return k == 3;
}

// Byte length of a thousands separator at s[i] (space, NBSP, thin or narrow NBSP), or 0.
std::size_t ThousandsSeparatorAt(std::string_view s, std::size_t i) noexcept
{
	if (s[i] == ' ')
		return 1;
	std::string_view rest = s.substr(i);
	if (rest.substr(0, 2) == "\xC2\xA0")
		return 2;
	if (rest.substr(0, 3) == "\xE2\x80\xAF" || rest.substr(0, 3) == "\xE2\x80\x89")
		return 3;
	return 0;
}

// Value of a short run of decimal digits.
int ToInt(std::string_view digits) noexcept
{
	int v = 0;
	for (char c : digits)
		v = v * 10 + (c - '0');
	return v;
}

}  // namespace

// Trims ASCII and Unicode spaces (incl. NBSP) at both ends.
std::string_view Trim(std::string_view s) noexcept
{
	return TrimSet(s, true, true);
}

std::string_view TrimBlanks(std::string_view s, bool unicode) noexcept
{
	return TrimSet(s, unicode, false);
}

// Lower-cases ASCII letters and the Latin-1 supplement letters of UTF-8 (Æ Ø Å É ...);
// the byte length never changes.
std::string FoldCase(std::string_view s)
{
	std::string out(s);
	for (std::size_t i = 0; i < out.size(); ++i) {
		unsigned char c = static_cast<unsigned char>(out[i]);
		if (c == 0xC3 && i + 1 < out.size() && IsLatin1Upper(static_cast<unsigned char>(out[i + 1]))) {
			out[i + 1] = static_cast<char>(static_cast<unsigned char>(out[i + 1]) + 0x20);
			++i;
		} else {
			out[i] = static_cast<char>(FoldByte(c));
		}
	}
	return out;
}

// Compares as FoldCase would, byte by byte: folding keeps byte lengths, and a byte is
// folded as a Latin-1 letter exactly when the byte before it is the 0xC3 lead byte.
bool EqualsFolded(std::string_view a, std::string_view b) noexcept
{
	if (a.size() != b.size())
		return false;
	auto fold_at = [](std::string_view s, std::size_t i) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		if (i > 0 && static_cast<unsigned char>(s[i - 1]) == 0xC3 && IsLatin1Upper(c))
			return static_cast<unsigned char>(c + 0x20);
		return FoldByte(c);
	};
	for (std::size_t i = 0; i < a.size(); ++i)
		if (fold_at(a, i) != fold_at(b, i))
			return false;
	return true;
}

namespace {

// s in Unicode normalization form C. Files from macOS spell "å" as "a" + combining ring
// (NFD), Windows and most CRMs as one character: the same address must be one key. ASCII
// (nearly every address) is NFC already and is not copied.
std::string_view ComposeNfc(std::string_view s, std::string* storage)
{
	bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
	if (ascii)
		return s;
	UErrorCode status = U_ZERO_ERROR;
	const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
	if (U_FAILURE(status))
		return s;
	icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
	if (nfc->isNormalized(text, status) || U_FAILURE(status))
		return s;
	status = U_ZERO_ERROR;
	icu::UnicodeString composed = nfc->normalize(text, status);
	if (U_FAILURE(status))
		return s;
	storage->clear();
	composed.toUTF8String(*storage);
	return *storage;
}

}  // namespace

// Email: trimmed, composed (NFC), folded to lower case and syntax checked; see normalize.hpp.
Normalized NormalizeEmail(std::string_view raw)
{
	std::string composed;
	std::string_view t = ComposeNfc(Trim(raw), &composed);
	if (t.empty())
		return Normalized::Fail("empty");
	std::string folded = FoldCase(t);
	std::string_view s = folded;
	std::size_t at = s.find('@');
	if (at == std::string_view::npos)
		return Normalized::Fail("missing @");
	if (s.find('@', at + 1) != std::string_view::npos)
		return Normalized::Fail("more than one @");
	std::string_view local = s.substr(0, at);
	std::string_view domain = s.substr(at + 1);
	if (local.empty())
		return Normalized::Fail("no local part before @");
	if (domain.empty())
		return Normalized::Fail("no domain");
	if (std::string why = CheckLocalPart(local); !why.empty())
		return Normalized::Fail(std::move(why));
	if (std::string why = CheckDomain(domain); !why.empty())
		return Normalized::Fail(std::move(why));
	return Normalized::Ok(std::move(folded));
}

namespace {

const char* PhoneTypeName(PhoneNumberUtil::PhoneNumberType type)
{
	switch (type) {
	case PhoneNumberUtil::FIXED_LINE: return "fixed_line";
	case PhoneNumberUtil::MOBILE: return "mobile";
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return "fixed_line_or_mobile";
	case PhoneNumberUtil::TOLL_FREE: return "toll_free";
	case PhoneNumberUtil::PREMIUM_RATE: return "premium_rate";
	case PhoneNumberUtil::SHARED_COST: return "shared_cost";
	case PhoneNumberUtil::VOIP: return "voip";
	case PhoneNumberUtil::PERSONAL_NUMBER: return "personal_number";
	case PhoneNumberUtil::PAGER: return "pager";
	case PhoneNumberUtil::UAN: return "uan";
	case PhoneNumberUtil::VOICEMAIL: return "voicemail";
	default: return "unknown";
	}
}

// The type of a valid Norwegian number in E.164 (+47 and eight digits) from the fast path:
// libphonenumber's metadata for NO makes every valid number beginning 4 or 9 a mobile
// number (checked by normalize_test); others are typed from the digits, without a parse.
std::string NorwegianNumberType(const std::string& e164)
{
	if (e164[3] == '4' || e164[3] == '9')
		return "mobile";
	PhoneNumber number;
	number.set_country_code(47);
	number.set_national_number(std::stoull(e164.substr(3)));
	return PhoneTypeName(PhoneUtil().GetNumberType(number));
}

Normalized ParseCompactPhone(std::string_view input, const std::string& region, std::string* type);

}  // namespace

// Mobile/phone to E.164 with libphonenumber; see normalize.hpp. Norwegian numbers take a
// fast path; everything else, and every rejection, goes through Parse + IsValidNumber.
Normalized NormalizePhone(std::string_view raw, std::string_view default_region, std::string* type)
{
	std::string_view t = Trim(raw);
	if (t.empty())
		return Normalized::Fail("empty");
	std::string region = UpperRegion(default_region);
	std::string e164;
	// Parse is cheaper on "+4791234567" than on "+47 (912) 34-567" and reads both alike.
	char buf[24];
	std::size_t n = 0;
	bool compacted = CompactPhone(t, buf, &n);
	// The region's metadata for the shortcuts, looked up once per number.
	const RegionNumbers* numbers = compacted ? RegionNumbers::For(region) : nullptr;
	if (compacted && TryNorwegianFastPath(std::string_view(buf, n), region, numbers, &e164)) {
		if (type != nullptr)
			*type = NorwegianNumberType(e164);
		return Normalized::Ok(std::move(e164));
	}
	if (t.size() > 250)  // libphonenumber's own input limit
		return Normalized::Fail("too long for a phone number");
	std::string_view input = compacted ? std::string_view(buf, n) : t;
	if (std::string why; compacted && ImpossibleByLength(input, region, numbers, &why))
		return Normalized::Fail(std::move(why));
	if (Normalized national; compacted && TryNationalFastPath(input, region, numbers, &national, type))
		return national;
	return ParseCompactPhone(input, region, type);
}

// The full path alone (see normalize.hpp): what NormalizePhone's shortcuts must agree with.
Normalized ParsePhone(std::string_view raw, std::string_view default_region, std::string* type)
{
	std::string_view t = Trim(raw);
	if (t.empty())
		return Normalized::Fail("empty");
	if (t.size() > 250)
		return Normalized::Fail("too long for a phone number");
	char buf[24];
	std::size_t n = 0;
	return ParseCompactPhone(CompactPhone(t, buf, &n) ? std::string_view(buf, n) : t, UpperRegion(default_region), type);
}

namespace {

// Parse + GetNumberType of input (compacted where it could be) in region, upper case: the
// full path of NormalizePhone and ParsePhone.
Normalized ParseCompactPhone(std::string_view input, const std::string& region, std::string* type)
{
	std::string e164;
	const PhoneNumberUtil& util = PhoneUtil();
	bool known_region = IsKnownRegion(region);
	const std::string& parse_region = known_region ? region : std::string("ZZ");
	PhoneNumber number;
	// ParseAndKeepRawInput: it also says where the country code came from (below).
	PhoneNumberUtil::ErrorType err = util.ParseAndKeepRawInput(std::string(input), parse_region, &number);
	switch (err) {
	case PhoneNumberUtil::NO_PARSING_ERROR:
		break;
	case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
		if (!known_region && (input.empty() || input.front() != '+'))
			return Normalized::Fail(region.empty() ? "no country code (+NN) and no default region"
												   : "no country code (+NN) and unknown region " + region);
		return Normalized::Fail("unknown country code");
	case PhoneNumberUtil::NOT_A_NUMBER:
		return Normalized::Fail("not a phone number");
	case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
		return Normalized::Fail("too few digits after the international prefix");
	case PhoneNumberUtil::TOO_SHORT_NSN:
		return Normalized::Fail("too few digits");
	case PhoneNumberUtil::TOO_LONG_NSN:
		return Normalized::Fail("too many digits");
	default:
		return Normalized::Fail("not a phone number");
	}
	// libphonenumber reads "479-925-1234" in region NO as +47 99 25 12 34: the region's
	// country code written without + or 00 in front of a valid national number. It is as
	// likely a US number (area code 479) as a Norwegian one: refused, not guessed.
	// (Not where the country code is also the national prefix: "1 650 253 0000" in the US.)
	std::string national_prefix;
	if (number.country_code_source() == PhoneNumber::FROM_NUMBER_WITHOUT_PLUS_SIGN)
		util.GetNddPrefixForRegion(parse_region, true, &national_prefix);
	if (number.country_code_source() == PhoneNumber::FROM_NUMBER_WITHOUT_PLUS_SIGN &&
		national_prefix != std::to_string(number.country_code()))
		return Normalized::Fail("begins with " + std::to_string(number.country_code()) + ", the country code of region " +
								region + ", without + or 00: write +" + std::to_string(number.country_code()) +
								" in front if that is what it is, or read the numbers in their own region");
	// A number is valid exactly when libphonenumber gives it a type (IsValidNumber is that
	// test): asking for the type costs the same and keeps it for the caller.
	PhoneNumberUtil::PhoneNumberType number_type = util.GetNumberType(number);
	if (number_type == PhoneNumberUtil::UNKNOWN)
		return InvalidNumber(number);
	util.Format(number, PhoneNumberUtil::E164, &e164);
	if (type != nullptr)
		*type = PhoneTypeName(number_type);
	Normalized ok = Normalized::Ok(std::move(e164));
	// E.164 has no extension: the run says so on the row rather than drop it unseen.
	if (number.has_extension())
		ok.note = "extension " + number.extension() + " left out";
	return ok;
}

}  // namespace

// The libphonenumber type of a valid number; empty when it is not valid. The number is
// taken in the form NormalizePhone gives it, so the type is that of the imported value.
std::string PhoneType(std::string_view raw, std::string_view default_region)
{
	std::string type;
	NormalizePhone(raw, default_region, &type);
	return type;
}

// True when region is one libphonenumber knows ("NO", "SE", "US", ...; any letter case).
bool IsKnownRegion(std::string_view region)
{
	if (region.size() != 2)
		return false;
	const auto& regions = SupportedRegions();
	return regions.find(UpperRegion(region)) != regions.end();
}

namespace {

constexpr const char* kNotADateDmy = "not a date (expected YYYY-MM-DD or DD.MM.YYYY)";
constexpr const char* kNotADateMdy = "not a date (expected YYYY-MM-DD or MM/DD/YYYY)";
constexpr const char* kNotADateYmd = "not a date (expected YYYY-MM-DD)";
constexpr const char* kTwoDigitYear = "two-digit year is ambiguous (write the year with four digits)";
constexpr const char* kNoYear = "birthday without a year";     // Google's --MM-DD
constexpr const char* kDayMonthOnly = "date without a year";  // 03/04, 9 October

const char* NotADate(DateOrder order) noexcept
{
	return order == DateOrder::kMDY ? kNotADateMdy : order == DateOrder::kYMD ? kNotADateYmd : kNotADateDmy;
}

// Month names and abbreviations, folded (FoldCase), of the languages contact files come in:
// English, Norwegian, Danish, Swedish, German, French, Spanish. No spelling means two months.
struct MonthName {
	const char* name;
	int month;
};
constexpr MonthName kMonthNames[] = {
	{"january", 1}, {"jan", 1}, {"januar", 1}, {"januari", 1}, {"janvier", 1}, {"janv", 1}, {"jän", 1},
	{"jänner", 1}, {"enero", 1}, {"ene", 1},
	{"february", 2}, {"feb", 2}, {"februar", 2}, {"februari", 2}, {"février", 2}, {"fevrier", 2}, {"févr", 2},
	{"fevr", 2}, {"fév", 2}, {"febrero", 2},
	{"march", 3}, {"mar", 3}, {"mars", 3}, {"marts", 3}, {"märz", 3}, {"marz", 3}, {"mrz", 3}, {"marzo", 3},
	{"april", 4}, {"apr", 4}, {"avril", 4}, {"avr", 4}, {"abril", 4}, {"abr", 4},
	{"may", 5}, {"mai", 5}, {"maj", 5}, {"mayo", 5},
	{"june", 6}, {"jun", 6}, {"juni", 6}, {"juin", 6}, {"junio", 6},
	{"july", 7}, {"jul", 7}, {"juli", 7}, {"juillet", 7}, {"juil", 7}, {"julio", 7},
	{"august", 8}, {"aug", 8}, {"augusti", 8}, {"août", 8}, {"aout", 8}, {"agosto", 8}, {"ago", 8},
	{"september", 9}, {"sep", 9}, {"sept", 9}, {"septembre", 9}, {"septiembre", 9}, {"setiembre", 9}, {"set", 9},
	{"october", 10}, {"oct", 10}, {"oktober", 10}, {"okt", 10}, {"octobre", 10}, {"octubre", 10},
	{"november", 11}, {"nov", 11}, {"novembre", 11}, {"noviembre", 11},
	{"december", 12}, {"dec", 12}, {"desember", 12}, {"des", 12}, {"dezember", 12}, {"dez", 12}, {"décembre", 12},
	{"decembre", 12}, {"déc", 12}, {"diciembre", 12}, {"dic", 12},
};

// Month number of a folded month name, or 0.
int MonthOf(std::string_view folded) noexcept
{
	for (const MonthName& m : kMonthNames)
		if (folded == m.name)
			return m.month;
	return 0;
}

// ISO text of a checked calendar day.
std::string IsoDate(int y, int m, int d)
{
	char buf[10] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
					static_cast<char>('0' + y / 10 % 10),  static_cast<char>('0' + y % 10),
					'-',
					static_cast<char>('0' + m / 10),       static_cast<char>('0' + m % 10),
					'-',
					static_cast<char>('0' + d / 10),       static_cast<char>('0' + d % 10)};
	return std::string(buf, sizeof buf);
}

// Checks year, month and day; month_hint is the message for a month above 12 whose day
// would have been a month in the other order (empty: plain "month out of range").
Normalized CheckedDate(int y, int m, int d, const char* month_hint)
{
	if (y < 1800 || y > 2200)
		return Normalized::Fail("year out of range (1800-2200)");
	if (m < 1 || m > 12) {
		if (month_hint != nullptr && m > 12 && d >= 1 && d <= 12)
			return Normalized::Fail(month_hint);
		return Normalized::Fail("month out of range");
	}
	if (d < 1 || d > DaysInMonth(y, m))
		return Normalized::Fail("day out of range for the month");
	return Normalized::Ok(IsoDate(y, m, d));
}

bool AllDigits(std::string_view s) noexcept
{
	return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c); });
}

// True for a byte that starts or continues a word of a written date: an ASCII letter or any
// byte of a non-ASCII UTF-8 character (the caller has ruled out the Unicode spaces).
inline bool IsWordByte(unsigned char c) noexcept
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// A date written with a month name: a day (1-2 digits, optionally "9th"), the month and a
// four-digit year, as day month year, month day year or year month day, separated by
// spaces, '.', ',', '-' or '/'; the fillers "of", "the" and "de" are ignored ("9th of
// October", "9 de octubre de 2024"). s is trimmed and has no time of day.
Normalized WordDate(std::string_view s, DateOrder order)
{
	struct Token {
		std::string_view text;
		bool number;
	};
	std::vector<Token> tokens;
	for (std::size_t i = 0; i < s.size();) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		if (std::size_t n = SpaceAt(s, i)) {
			i += n;
		} else if (c == '.' || c == ',' || c == '-' || c == '/') {
			++i;
		} else if (IsDigit(static_cast<char>(c))) {
			std::size_t start = i;
			while (i < s.size() && IsDigit(s[i]))
				++i;
			tokens.push_back(Token{s.substr(start, i - start), true});
			// An ordinal suffix right after the day: 1st, 2nd, 3rd, 9th, French 1er.
			if (i + 2 <= s.size() && (i + 2 == s.size() || !IsWordByte(static_cast<unsigned char>(s[i + 2])))) {
				std::string suffix = FoldCase(s.substr(i, 2));
				if (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th" || suffix == "er")
					i += 2;
			}
		} else if (IsWordByte(c)) {
			std::size_t start = i;
			while (i < s.size() && IsWordByte(static_cast<unsigned char>(s[i])) && SpaceAt(s, i) == 0)
				++i;
			tokens.push_back(Token{s.substr(start, i - start), false});
		} else {
			return Normalized::Fail(NotADate(order));
		}
		if (tokens.size() > 8)
			return Normalized::Fail(NotADate(order));
	}
	int month = 0;
	std::string_view unknown_word;
	std::vector<std::string_view> numbers;
	std::string shape;  // 'n' for a number, 'm' for the month, in order
	for (const Token& t : tokens) {
		if (t.number) {
			numbers.push_back(t.text);
			shape += 'n';
			continue;
		}
		std::string w = FoldCase(t.text);
		if (w == "of" || w == "the" || w == "de")
			continue;
		int m = MonthOf(w);
		if (m == 0 || month != 0) {
			if (!unknown_word.empty() || month != 0 || m != 0)
				return Normalized::Fail(NotADate(order));
			unknown_word = t.text;
			shape += 'w';
			continue;
		}
		month = m;
		shape += 'm';
	}
	if (!unknown_word.empty()) {
		if (numbers.size() == 2 && month == 0 && (shape == "nwn" || shape == "wnn"))
			return Normalized::Fail("unknown month name '" + std::string(unknown_word) + "'");
		return Normalized::Fail(NotADate(order));
	}
	if (month == 0 || numbers.empty() || numbers.size() > 2)
		return Normalized::Fail(NotADate(order));
	if (numbers.size() == 1) {
		if (numbers[0].size() <= 2 && (shape == "nm" || shape == "mn"))
			return Normalized::Fail(kDayMonthOnly);  // "9 October", "Oct 9"
		return Normalized::Fail(NotADate(order));
	}
	std::string_view day, year;
	if (shape == "nmn" && numbers[0].size() == 4) {  // 2024 Oct 9
		year = numbers[0];
		day = numbers[1];
	} else if (shape == "nmn" || shape == "mnn") {  // 9 Oct 2024, Oct 9 2024
		day = numbers[0];
		year = numbers[1];
	} else {
		return Normalized::Fail(NotADate(order));
	}
	if (day.size() > 2)
		return Normalized::Fail(NotADate(order));
	if (year.size() <= 2)
		return Normalized::Fail(kTwoDigitYear);
	if (year.size() != 4)
		return Normalized::Fail(NotADate(order));
	return CheckedDate(ToInt(year), month, ToInt(day), nullptr);
}

// s without a time of day at its end ("... 12:34", "...T12:34:56Z", "... 12:34:56 +01:00"):
// the part before the last space or 'T' ahead of the first ':', when what follows is a time.
std::string_view WithoutTime(std::string_view s) noexcept
{
	std::size_t colon = s.find(':');
	if (colon == std::string_view::npos)
		return s;
	for (std::size_t i = colon; i-- > 0;) {
		char c = s[i];
		if (c == ' ' || c == 'T' || c == 't') {
			if (i > 0 && IsTimeOfDay(Trim(s.substr(i + 1))))
				return Trim(s.substr(0, i));
			return s;
		}
		if (!IsDigit(c))
			return s;
	}
	return s;
}

}  // namespace

bool ParseDateOrder(std::string_view text, DateOrder* order)
{
	std::string t = FoldCase(Trim(text));
	if (t == "dmy")
		*order = DateOrder::kDMY;
	else if (t == "mdy")
		*order = DateOrder::kMDY;
	else if (t == "ymd")
		*order = DateOrder::kYMD;
	else
		return false;
	return true;
}

const char* DateOrderName(DateOrder order)
{
	return order == DateOrder::kMDY ? "MDY" : order == DateOrder::kYMD ? "YMD" : "DMY";
}

// Date to ISO YYYY-MM-DD; see normalize.hpp. A time after the date ("1990-12-31T00:00:00",
// "31.12.1990 08:30") is accepted and dropped, without any time zone conversion.
Normalized NormalizeDate(std::string_view raw, DateOrder order)
{
	std::string_view s = Trim(raw);
	if (s.empty())
		return Normalized::Fail("empty");
	// Google's birthday without a year: --MM-DD (vCard), also --MMDD.
	if (s.size() >= 2 && s[0] == '-' && s[1] == '-') {
		std::string_view rest = s.substr(2);
		if ((rest.size() == 4 && AllDigits(rest)) ||
			(rest.size() == 5 && AllDigits(rest.substr(0, 2)) && rest[2] == '-' && AllDigits(rest.substr(3))))
			return Normalized::Fail(kNoYear);
		return Normalized::Fail(NotADate(order));
	}
	std::size_t date_end = 0;
	auto date_char = [](char c) { return IsDigit(c) || c == '-' || c == '.' || c == '/'; };
	while (date_end < s.size() && date_char(s[date_end]))
		++date_end;
	if (date_end < s.size()) {
		char c = s[date_end];
		if ((c == 'T' || c == 't' || c == ' ') && IsTimeOfDay(Trim(s.substr(date_end + 1)))) {
			s = s.substr(0, date_end);
		} else {
			// Not numbers and a time: a date with a month name, or nothing.
			bool word = std::any_of(s.begin(), s.end(), [](char ch) { return IsWordByte(static_cast<unsigned char>(ch)); });
			if (!word)
				return Normalized::Fail(NotADate(order));
			return WordDate(WithoutTime(s), order);
		}
	}
	// YYYYMMDD (exports of databases and spreadsheets' "General" dates).
	if (s.size() == 8 && AllDigits(s)) {
		int y = ToInt(s.substr(0, 4));
		if (y < 1800 || y > 2200)
			return Normalized::Fail("not a date (8 digits are read as YYYYMMDD)");
		return CheckedDate(y, ToInt(s.substr(4, 2)), ToInt(s.substr(6, 2)), nullptr);
	}
	std::string_view p[3];
	char sep = 0;
	if (!SplitDate(s, p, &sep)) {
		// A day and a month only: Mailchimp's MM/DD birthdays, "31.12".
		std::size_t cut = s.find_first_of("-./");
		if (cut != std::string_view::npos && cut >= 1 && cut <= 2 && s.size() - cut - 1 >= 1 && s.size() - cut - 1 <= 2 &&
			AllDigits(s.substr(0, cut)) && AllDigits(s.substr(cut + 1)))
			return Normalized::Fail(kDayMonthOnly);
		return Normalized::Fail(NotADate(order));
	}
	if (p[0].size() == 4 && p[1].size() <= 2 && p[2].size() <= 2)
		return CheckedDate(ToInt(p[0]), ToInt(p[1]), ToInt(p[2]), nullptr);
	if (p[2].size() == 4 && p[0].size() <= 2 && p[1].size() <= 2) {
		int a = ToInt(p[0]), b = ToInt(p[1]), y = ToInt(p[2]);
		switch (order) {
		case DateOrder::kDMY:
			return CheckedDate(y, b, a, "month out of range (dates are read day first: DD.MM.YYYY)");
		case DateOrder::kMDY:
			return CheckedDate(y, a, b, "month out of range (dates are read month first: MM/DD/YYYY)");
		case DateOrder::kYMD:
			return Normalized::Fail("the year is last, but the date order is YMD (year first)");
		}
	}
	if ((p[2].size() == 2 && p[0].size() <= 2 && p[1].size() <= 2) ||
		(p[0].size() == 2 && p[1].size() <= 2 && p[2].size() <= 2))
		return Normalized::Fail(kTwoDigitYear);
	return Normalized::Fail(NotADate(order));
}

// A birthday: a date, not in the future, at most 130 years old; see normalize.hpp.
Normalized NormalizeBirthday(std::string_view raw, DateOrder order, const CivilDate& today)
{
	Normalized n = NormalizeDate(raw, order);
	if (!n.ok || today.year == 0)
		return n;
	// ISO dates compare as text. 130 years before 29 February is 28 February of a common
	// year, as in PostgreSQL's date arithmetic (current_date - interval '130 years').
	std::string now = IsoDate(today.year, today.month, today.day);
	if (n.value > now)
		return Normalized::Fail("birthday in the future");
	int oldest_year = today.year - 130;
	int oldest_day = std::min(today.day, DaysInMonth(oldest_year, today.month));
	if (n.value < IsoDate(oldest_year, today.month, oldest_day))
		return Normalized::Fail("birthday more than 130 years ago");
	return n;
}

// The date order of a column's values; see normalize.hpp.
DateOrderGuess DetectDateOrder(const std::vector<std::string>& samples)
{
	DateOrderGuess g;
	std::string day_example, month_example, ambiguous_example;
	std::size_t dates = 0;
	for (const std::string& raw : samples) {
		std::string_view s = Trim(raw);
		if (s.empty())
			continue;
		std::string_view numeric = WithoutTime(s);
		std::string_view p[3];
		char sep = 0;
		if (SplitDate(numeric, p, &sep) && p[2].size() == 4 && p[0].size() <= 2 && p[1].size() <= 2) {
			int y = ToInt(p[2]), a = ToInt(p[0]), b = ToInt(p[1]);
			bool day_month = CheckedDate(y, b, a, nullptr).ok;  // a is the day
			bool month_day = CheckedDate(y, a, b, nullptr).ok;  // a is the month
			if (day_month && month_day) {
				++g.ambiguous;
				if (ambiguous_example.empty())
					ambiguous_example = std::string(s);
			} else if (day_month) {
				++g.day_first;
				if (day_example.empty())
					day_example = std::string(s);
			} else if (month_day) {
				++g.month_first;
				if (month_example.empty())
					month_example = std::string(s);
			} else {
				++g.not_dates;
				continue;
			}
			++dates;
		} else if (NormalizeDate(s).ok) {
			++g.order_free;
			++dates;
		} else {
			++g.not_dates;
		}
	}
	auto quoted = [](const std::string& v) { return "'" + v + "'"; };
	auto of_dates = [&](std::size_t n) { return std::to_string(n) + " of " + std::to_string(dates) + " dates"; };
	if (g.day_first > 0 && g.month_first > 0) {
		g.verdict = DateOrderVerdict::kContradictory;
		g.reason = "contradictory: " + quoted(day_example) + " can only be day first and " + quoted(month_example) +
				   " only month first";
	} else if (g.day_first > 0) {
		g.verdict = DateOrderVerdict::kDecided;
		g.order = DateOrder::kDMY;
		g.reason = "day first: " + of_dates(g.day_first) + " have a first part above 12, e.g. " + quoted(day_example);
	} else if (g.month_first > 0) {
		g.verdict = DateOrderVerdict::kDecided;
		g.order = DateOrder::kMDY;
		g.reason = "month first: " + of_dates(g.month_first) + " have a second part above 12, e.g. " + quoted(month_example);
	} else if (g.ambiguous > 0) {
		g.verdict = DateOrderVerdict::kUndecided;
		g.reason = "undecided: no day above 12 in " + of_dates(g.ambiguous) + " with the year last, e.g. " +
				   quoted(ambiguous_example);
	} else if (g.order_free > 0) {
		g.verdict = DateOrderVerdict::kUndecided;
		g.reason = "undecided: every date has the year first or a month name, which every order reads alike";
	} else {
		g.verdict = DateOrderVerdict::kNoDates;
		g.reason = "no dates among the values";
	}
	return g;
}

const char* DateOrderVerdictName(DateOrderVerdict verdict)
{
	switch (verdict) {
	case DateOrderVerdict::kDecided:
		return "decided";
	case DateOrderVerdict::kUndecided:
		return "undecided";
	case DateOrderVerdict::kContradictory:
		return "contradictory";
	case DateOrderVerdict::kNoDates:
		break;
	}
	return "no dates";
}

// Number to canonical decimal text; see normalize.hpp. Thousands separators (space, NBSP,
// narrow NBSP) must sit between groups of three digits in the integer part.
Normalized NormalizeNumber(std::string_view raw)
{
	std::string_view s = Trim(raw);
	if (s.empty())
		return Normalized::Fail("empty");
	bool negative = false;
	std::size_t i = 0;
	if (s[0] == '-' || s[0] == '+') {
		negative = s[0] == '-';
		i = 1;
	} else if (s.size() >= 3 && s.substr(0, 3) == "\xE2\x88\x92") {  // U+2212 minus sign
		negative = true;
		i = 3;
	}
	std::string int_digits;
	std::string frac_digits;
	bool seen_decimal = false;
	bool seen_group = false;
	std::size_t group_len = 0;  // integer digits since the last thousands separator
	for (; i < s.size();) {
		char c = s[i];
		if (IsDigit(c)) {
			(seen_decimal ? frac_digits : int_digits).push_back(c);
			if (!seen_decimal)
				++group_len;
			++i;
		} else if (c == '.' || c == ',') {
			if (seen_decimal)
				return Normalized::Fail("more than one decimal separator");
			if (seen_group && group_len != 3)
				return Normalized::Fail("misplaced thousands separator");
			seen_decimal = true;
			++i;
		} else if (std::size_t sp = ThousandsSeparatorAt(s, i)) {
			// a thousands separator: after 1-3 digits first, then after exactly 3
			if (seen_decimal || group_len == 0 || (seen_group ? group_len != 3 : group_len > 3))
				return Normalized::Fail("misplaced thousands separator");
			seen_group = true;
			group_len = 0;
			i += sp;
		} else {
			char32_t cp = 0;
			std::size_t len = DecodeUtf8(s, i, &cp);
			return Normalized::Fail("invalid character " + ShowChar(s, i, len, cp) + " in number");
		}
	}
	if (int_digits.empty() && frac_digits.empty())
		return Normalized::Fail("not a number");
	if (seen_group && (group_len != 3 && !seen_decimal))
		return Normalized::Fail("misplaced thousands separator");
	std::size_t lead = int_digits.find_first_not_of('0');
	std::string_view int_part = std::string_view(int_digits);
	int_part = lead == std::string::npos ? std::string_view("0") : int_part.substr(lead);
	std::size_t last = frac_digits.find_last_not_of('0');
	std::string_view frac_part = std::string_view(frac_digits);
	frac_part = last == std::string::npos ? std::string_view() : frac_part.substr(0, last + 1);
	bool zero = int_part == "0" && frac_part.empty();
	std::string out;
	out.reserve(int_part.size() + frac_part.size() + 2);
	if (negative && !zero)
		out.push_back('-');
	out.append(int_part);
	if (!frac_part.empty()) {
		out.push_back('.');
		out.append(frac_part);
	}
	return Normalized::Ok(std::move(out));
}

// Boolean: the yes/no spellings of normalize.hpp to "true"/"false".
Normalized NormalizeBoolean(std::string_view raw)
{
	static constexpr std::string_view kTrue[] = {"true", "yes", "ja", "sant", "1", "y", "j", "t"};
	static constexpr std::string_view kFalse[] = {"false", "no", "nei", "usant", "0", "n", "f"};
	std::string_view s = Trim(raw);
	if (s.empty())
		return Normalized::Fail("empty");
	for (std::string_view t : kTrue)
		if (EqualsFolded(s, t))
			return Normalized::Ok("true");
	for (std::string_view f : kFalse)
		if (EqualsFolded(s, f))
			return Normalized::Ok("false");
	return Normalized::Fail("not a yes/no value");
}

// The product's default consent terms (English and Norwegian UI spellings).
ConsentTerms DefaultConsentTerms()
{
	return ConsentTerms{{"True", "Yes", "Sant", "Ja"}, {"False", "No", "Usant", "Nei"}};
}

// Maps a consent value to in/out/unknown by the field's terms, ignoring case and
// surrounding space on both sides; allocation-free (runs once per row).
Consent ParseConsent(std::string_view raw, const ConsentTerms& terms)
{
	std::string_view s = Trim(raw);
	if (s.empty())
		return Consent::kUnknown;
	for (const std::string& t : terms.opt_in)
		if (EqualsFolded(s, Trim(t)))
			return Consent::kOptIn;
	for (const std::string& t : terms.opt_out)
		if (EqualsFolded(s, Trim(t)))
			return Consent::kOptOut;
	return Consent::kUnknown;
}

// Checks a consent terms setting; empty string when fine, else the problem in words.
std::string ValidateConsentTerms(const ConsentTerms& terms)
{
	if (terms.opt_in.empty())
		return "no opt-in terms given";
	if (terms.opt_out.empty())
		return "no opt-out terms given";
	for (const auto* list : {&terms.opt_in, &terms.opt_out})
		for (const std::string& t : *list)
			if (Trim(t).empty())
				return "empty consent term";
	for (const std::string& in : terms.opt_in)
		for (const std::string& out : terms.opt_out)
			if (EqualsFolded(Trim(in), Trim(out)))
				return "term \"" + std::string(Trim(in)) + "\" is both an opt-in and an opt-out term";
	return {};
}

}  // namespace crm::core
