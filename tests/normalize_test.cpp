// Unit tests of the value normalizers (src/core/normalize.cpp): table-driven, with the
// spellings real files contain (tests/../bench/gen_contacts.py formats among them).
#include "normalize.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace crm::core {
namespace {

// An input and what the normalizer must make of it: ok with value, or !ok with reason.
struct Case {
	std::string input;
	bool ok;
	std::string expected;  // value when ok, reason when not
};

// Prints a case readably in failure messages (invisible bytes escaped).
std::string Show(const std::string& s)
{
	std::string out = "\"";
	for (unsigned char c : s) {
		if (c >= 0x20 && c < 0x7F) {
			out.push_back(static_cast<char>(c));
		} else {
			char buf[8];
			std::snprintf(buf, sizeof buf, "\\x%02X", c);
			out += buf;
		}
	}
	return out + "\"";
}

template <typename F>
void CheckCases(const std::vector<Case>& cases, F normalize)
{
	for (const Case& c : cases) {
		Normalized n = normalize(c.input);
		SCOPED_TRACE("input " + Show(c.input));
		EXPECT_EQ(n.ok, c.ok) << "value " << Show(n.value) << ", reason " << n.reason;
		if (c.ok) {
			EXPECT_EQ(n.value, c.expected);
			EXPECT_TRUE(n.reason.empty());
		} else {
			EXPECT_EQ(n.reason, c.expected);
			EXPECT_TRUE(n.value.empty());
		}
	}
}

const std::string kNbsp = "\xC2\xA0";

// ---- Trim, FoldCase, EqualsFolded ----

TEST(Trim, RemovesAsciiAndUnicodeSpaceAtBothEnds)
{
	struct {
		std::string in, out;
	} cases[] = {
		{"", ""},
		{"   ", ""},
		{"abc", "abc"},
		{"  abc  ", "abc"},
		{"\tabc\r\n", "abc"},
		{kNbsp + "abc" + kNbsp, "abc"},
		{"\xE2\x80\xAF" "abc\xE2\x80\x8B", "abc"},  // narrow NBSP, zero-width space
		{"\xEF\xBB\xBF" "abc", "abc"},            // byte-order mark
		{"\xE3\x80\x80" "abc\xE3\x80\x80", "abc"},  // ideographic space
		{" a b ", "a b"},
		{"a" + kNbsp + "b", "a" + kNbsp + "b"},
		{"\xC2", "\xC2"},  // a lone lead byte is not space
		{"\xA0", "\xA0"},  // nor a lone continuation byte
		{"Ø ", "Ø"},
	};
	for (const auto& c : cases)
		EXPECT_EQ(Trim(c.in), c.out) << Show(c.in);
}

TEST(FoldCase, LowersAsciiAndLatin1Letters)
{
	struct {
		std::string in, out;
	} cases[] = {
		{"", ""},
		{"ØYVIND", "øyvind"},
		{"ÆØÅ æøå", "æøå æøå"},
		{"Åse Sæther", "åse sæther"},
		{"CHLOÉ ZOË", "chloé zoë"},
		{"ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ", "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ"},
		{"×", "×"},                 // U+00D7 multiplication sign has no lower case
		{"ß", "ß"},
		{"ŁUKASZ", "Łukasz"},       // Latin Extended-A left alone (outside the contract)
		{"MIXED Case 123 @._", "mixed case 123 @._"},
		{"\xC3", "\xC3"},           // truncated sequence left alone
		{"\xFF\xFE", "\xFF\xFE"},
	};
	for (const auto& c : cases) {
		EXPECT_EQ(FoldCase(c.in), c.out) << Show(c.in);
		EXPECT_EQ(FoldCase(c.in).size(), c.in.size());
	}
}

TEST(EqualsFolded, MatchesFoldCase)
{
	const std::string words[] = {"", "yes", "YES", "Yes", "yeS", "ja", "JA", "Påmeldt", "PÅMELDT", "påmeldt",
								 "Pameldt", "ØYVIND", "øyvind", "\xC3", "\xC3\x97", "\xC3\xB7", "no", "No ",
								 "\xC3O", "\xC3o", "\xC3\xC3\x80", "\xC3\xC3\xA0", "\x80\x80"};  // broken UTF-8 too
	for (const auto& a : words)
		for (const auto& b : words)
			EXPECT_EQ(EqualsFolded(a, b), FoldCase(a) == FoldCase(b)) << Show(a) << " vs " << Show(b);
}

// ---- email ----

TEST(NormalizeEmail, AcceptsAndCanonicalizes)
{
	CheckCases(
		{
			{"ola.nordmann42@gmail.com", true, "ola.nordmann42@gmail.com"},
			{"Ola.nordmann42@Gmail.com", true, "ola.nordmann42@gmail.com"},  // gen_contacts: capitalized
			{"OLA.NORDMANN42@GMAIL.COM", true, "ola.nordmann42@gmail.com"},  // gen_contacts: upper case
			{" ola.nordmann42@gmail.com ", true, "ola.nordmann42@gmail.com"},  // gen_contacts: stray spaces
			{"ola.nordmann42@gmail.com\t", true, "ola.nordmann42@gmail.com"},  // gen_contacts: tab
			{"\tOla@Online.NO\r\n", true, "ola@online.no"},
			{kNbsp + "kari@live.no" + kNbsp, true, "kari@live.no"},
			{"ØYVIND@EXAMPLE.NO", true, "øyvind@example.no"},
			{"jørgen.sæther@blåbær.no", true, "jørgen.sæther@blåbær.no"},
			{"user+tag@example.co.uk", true, "user+tag@example.co.uk"},
			{"o'brien@example.ie", true, "o'brien@example.ie"},
			{"first_last-1@sub.domain.example.com", true, "first_last-1@sub.domain.example.com"},
			{"!#$%&'*+/=?^_`{|}~-@example.com", true, "!#$%&'*+/=?^_`{|}~-@example.com"},
			{"a@b.co", true, "a@b.co"},
			{"x@sub-domain.example.no", true, "x@sub-domain.example.no"},
			{"x@123.example.com", true, "x@123.example.com"},
			{"test@example.xn--p1ai", true, "test@example.xn--p1ai"},
			{"post@日本.jp", true, "post@日本.jp"},
			// Decomposed (NFD, as macOS writes) and composed spellings are one address.
			{"ka\xCC\x8A" "re@example.no", true, "k\xC3\xA5" "re@example.no"},
			{"KA\xCC\x8A" "RE@EXAMPLE.NO", true, "k\xC3\xA5" "re@example.no"},
			{"k\xC3\xA5" "re@bla\xCC\x8A" "b\xC3\xA6" "r.no", true, "k\xC3\xA5" "re@bl\xC3\xA5" "b\xC3\xA6" "r.no"},
			{"δοκιμή@παράδειγμα.δοκιμή", true, "δοκιμή@παράδειγμα.δοκιμή"},
			{std::string(64, 'a') + "@example.com", true, std::string(64, 'a') + "@example.com"},
			{"a@" + std::string(63, 'b') + ".com", true, "a@" + std::string(63, 'b') + ".com"},
		},
		NormalizeEmail);
}

TEST(NormalizeEmail, RejectsWithReason)
{
	std::string long_domain;
	for (int i = 0; i < 4; ++i)
		long_domain += std::string(62, 'd') + ".";
	long_domain += "com";  // 4*63 + 3 = 255 bytes
	CheckCases(
		{
			{"", false, "empty"},
			{"   ", false, "empty"},
			{"\t" + kNbsp, false, "empty"},
			{"ola.nordmann.gmail.com", false, "missing @"},
			{"ola@@gmail.com", false, "more than one @"},
			{"a@b@c.com", false, "more than one @"},
			{"@gmail.com", false, "no local part before @"},
			{"ola@", false, "no domain"},
			{"ola@gmail", false, "domain has no dot"},
			{"ola@localhost", false, "domain has no dot"},
			{"ola nordmann@gmail.com", false, "invalid character ' ' in local part"},
			{"Ola Nordmann <ola@x.no>", false, "invalid character ' ' in local part"},
			{"<ola@x.no>", false, "invalid character '<' in local part"},
			{"\"ola\"@x.no", false, "invalid character '\"' in local part"},
			{"ola,kari@x.no", false, "invalid character ',' in local part"},
			{"ola\tkari@x.no", false, "invalid character U+0009 in local part"},
			{"ola" + kNbsp + "kari@x.no", false, "invalid character U+00A0 in local part"},
			{"ola\x01@x.no", false, "invalid character U+0001 in local part"},
			{"ola\xFF@x.no", false, "invalid utf-8 in local part"},
			{"ola€@x.no", false, "invalid character '€' in local part"},
			{".ola@gmail.com", false, "local part starts with a dot"},
			{"ola.@gmail.com", false, "local part ends with a dot"},
			{"ola..nordmann@gmail.com", false, "two dots in a row in local part"},
			{std::string(65, 'a') + "@example.com", false, "local part longer than 64 bytes"},
			{"ola@gmail..com", false, "two dots in a row in domain"},
			{"ola@.gmail.com", false, "domain starts with a dot"},
			{"ola@gmail.com.", false, "domain ends with a dot"},
			{"ola@-gmail.com", false, "domain label starts with a hyphen"},
			{"ola@gmail-.com", false, "domain label ends with a hyphen"},
			{"ola@gmail.c", false, "top-level domain shorter than 2 letters"},
			{"ola@gmail.c0m", false, "top-level domain is not all letters"},
			{"ola@10.0.0.1", false, "top-level domain is not all letters"},
			{"ola@gmail,com", false, "invalid character ',' in domain"},
			{"ola@gmail com", false, "invalid character ' ' in domain"},
			{"ola@gmail. com", false, "invalid character ' ' in domain"},
			{"ola@ex_ample.com", false, "invalid character '_' in domain"},
			{"ola@[10.0.0.1]", false, "invalid character '[' in domain"},
			{"ola@x.no\xFF", false, "invalid utf-8 in domain"},
			{"ola@" + std::string(64, 'b') + ".com", false, "domain label longer than 63 bytes"},
			{"ola@" + long_domain, false, "domain longer than 253 bytes"},
			{"mailto:ola@x.no", false, "invalid character ':' in local part"},
		},
		NormalizeEmail);
}

TEST(NormalizeEmail, IsIdempotent)
{
	for (const char* s : {" Ola.Nordmann@Gmail.com ", "ØYVIND@EXAMPLE.NO", "a+b@c.de"}) {
		Normalized once = NormalizeEmail(s);
		ASSERT_TRUE(once.ok) << s;
		Normalized twice = NormalizeEmail(once.value);
		EXPECT_TRUE(twice.ok);
		EXPECT_EQ(twice.value, once.value);
	}
}

// ---- phone ----

// Every mobile presentation of gen_contacts.py, for a 9xxxxxxx and a 4xxxxxxx number.
std::vector<std::string> GenContactsFormats(const std::string& m8)
{
	return {
		"+47 " + m8.substr(0, 3) + " " + m8.substr(3, 2) + " " + m8.substr(5, 3),
		m8,
		"0047" + m8,
		"+47" + m8,
		m8.substr(0, 3) + " " + m8.substr(3, 2) + " " + m8.substr(5, 3),
		"+47 " + m8.substr(0, 2) + " " + m8.substr(2, 2) + " " + m8.substr(4, 2) + " " + m8.substr(6, 2),
		"0047 " + m8.substr(0, 3) + " " + m8.substr(3, 2) + " " + m8.substr(5, 3),
		"(+47) " + m8,
	};
}

TEST(NormalizePhone, AcceptsEveryGenContactsFormat)
{
	for (const std::string m8 : {"91234567", "41234567", "98765432", "40000000", "99999999"}) {
		for (const std::string& f : GenContactsFormats(m8)) {
			for (const std::string& wrapped : {f, " " + f + " ", "\t" + f, kNbsp + f + kNbsp}) {
				Normalized n = NormalizePhone(wrapped, "NO");
				EXPECT_TRUE(n.ok) << Show(wrapped) << ": " << n.reason;
				EXPECT_EQ(n.value, "+47" + m8) << Show(wrapped);
			}
		}
	}
}

TEST(NormalizePhone, AcceptsOtherRealWorldSpellings)
{
	auto no = [](const std::string& s) { return NormalizePhone(s, "NO"); };
	CheckCases(
		{
			{"91 23 45 67", true, "+4791234567"},
			{"912-34-567", true, "+4791234567"},
			{"912.34.567", true, "+4791234567"},
			{"+47 (0) 912 34 567", false, "too many digits for region NO"},
			{"+47-912-34-567", true, "+4791234567"},
			{"+47 912" + kNbsp + "34" + kNbsp + "567", true, "+4791234567"},
			{"00 47 91 23 45 67", true, "+4791234567"},
			{"tel:+4791234567", true, "+4791234567"},
			{"+47 912 34 567 ext. 12", true, "+4791234567"},  // E.164 has no extension: noted (below)
			{"22 33 44 55", true, "+4722334455"},             // Oslo landline
			{"+46 70 123 45 67", true, "+46701234567"},
			{"0046 70 123 45 67", true, "+46701234567"},
			{"+45 20 12 34 56", true, "+4520123456"},
			{"+44 7911 123456", true, "+447911123456"},
			{"+1 650 253 0000", true, "+16502530000"},
			{"+1 (650) 253-0000", true, "+16502530000"},
		},
		no);
	EXPECT_EQ(NormalizePhone("070-123 45 67", "SE").value, "+46701234567");
	EXPECT_EQ(NormalizePhone("(650) 253-0000", "US").value, "+16502530000");
	EXPECT_EQ(NormalizePhone("91234567", "no").value, "+4791234567");  // region in any case
	EXPECT_EQ(NormalizePhone("+4791234567", "SE").value, "+4791234567");
	EXPECT_EQ(NormalizePhone("+4791234567", "").value, "+4791234567");
}

TEST(NormalizePhone, RejectsWithReason)
{
	auto no = [](const std::string& s) { return NormalizePhone(s, "NO"); };
	CheckCases(
		{
			{"", false, "empty"},
			{"  ", false, "empty"},
			{"abc", false, "not a phone number"},
			{"ola@example.com", false, "not a phone number"},
			{"+47", false, "not a phone number"},
			{"12345678", false, "invalid number for region NO"},
			{"1234", false, "too few digits for region NO"},
			{"9123456", false, "wrong number of digits for region NO"},  // NO numbers have 5 or 8
			{"912345678", false, "too many digits for region NO"},
			{"+47 912 34 567 8", false, "too many digits for region NO"},
			{"+4712", false, "too few digits for region NO"},
			{"0047", false, "too few digits after the international prefix"},
			{"+999 1234567", false, "unknown country code"},
			{"9123456789012345678", false, "too many digits"},
			{std::string(300, '9'), false, "too long for a phone number"},
		},
		no);
	EXPECT_EQ(NormalizePhone("91234567", "").reason, "no country code (+NN) and no default region");
	EXPECT_EQ(NormalizePhone("91234567", "XX").reason, "no country code (+NN) and unknown region XX");
	EXPECT_EQ(NormalizePhone("+46 70 123", "NO").reason, "too few digits for region SE");
}

TEST(IsKnownRegion, KnowsLibphonenumberRegions)
{
	for (const char* r : {"NO", "SE", "DK", "US", "GB", "DE", "no", "Se"})
		EXPECT_TRUE(IsKnownRegion(r)) << r;
	for (const char* r : {"", "N", "NOR", "XX", "ZZ", "001", "UK"})
		EXPECT_FALSE(IsKnownRegion(r)) << r;
}

// What plain libphonenumber says: Parse + IsValidNumber + E.164, no shortcuts.
Normalized ReferencePhone(const std::string& raw, const std::string& region)
{
	using i18n::phonenumbers::PhoneNumber;
	using i18n::phonenumbers::PhoneNumberUtil;
	const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
	PhoneNumber n;
	std::string t(Trim(raw));
	if (t.empty() || util.ParseAndKeepRawInput(t, region, &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
		!util.IsValidNumber(n))
		return Normalized::Fail("x");
	// The one deliberate difference: the region's country code written without + or 00
	// ("4791234567" in NO) is refused, not read (NormalizePhone).
	std::string national_prefix;
	util.GetNddPrefixForRegion(region, true, &national_prefix);
	if (n.country_code_source() == PhoneNumber::FROM_NUMBER_WITHOUT_PLUS_SIGN &&
		national_prefix != std::to_string(n.country_code()))
		return Normalized::Fail("x");
	std::string out;
	util.Format(n, PhoneNumberUtil::E164, &out);
	return Normalized::Ok(out);
}

// The Norwegian fast path must agree with plain libphonenumber on every number it sees.
TEST(NormalizePhone, FastPathAgreesWithLibphonenumber)
{
	std::mt19937_64 rng(20240101);
	std::vector<std::string> inputs;
	for (int first = 0; first <= 99; ++first) {  // every two-digit prefix
		for (int k = 0; k < 20; ++k) {
			char buf[32];
			std::snprintf(buf, sizeof buf, "%02d%06d", first, static_cast<int>(rng() % 1000000));
			inputs.push_back(buf);
		}
	}
	for (int k = 0; k < 2000; ++k) {
		char buf[32];
		std::snprintf(buf, sizeof buf, "%08d", static_cast<int>(rng() % 100000000));
		inputs.push_back(buf);
	}
	std::size_t valid = 0;
	for (const std::string& m8 : inputs) {
		for (const std::string& f : GenContactsFormats(m8)) {
			for (const char* region : {"NO", "SE"}) {
				Normalized got = NormalizePhone(f, region);
				Normalized want = ReferencePhone(f, region);
				ASSERT_EQ(got.ok, want.ok) << Show(f) << " region " << region << ": " << got.reason;
				ASSERT_EQ(got.value, want.value) << Show(f) << " region " << region;
				valid += got.ok;
			}
		}
	}
	EXPECT_GT(valid, 1000u);  // the sample does exercise valid numbers
}

// The fast path's own validity check (compiled metadata patterns, mobile and fixed line
// first) must give libphonenumber's answer for every Norwegian number: every five-digit
// prefix with two random endings (NO's patterns decide on at most the first five digits
// today; the endings would catch a later one), and 50,000 random numbers. A number the
// check wrongly refuses only takes the slow path; one it wrongly accepts fails here.
TEST(NormalizePhone, NorwegianValidityAgreesWithLibphonenumber)
{
	std::mt19937_64 rng(20261202);
	std::size_t valid = 0, checked = 0;
	auto check = [&](unsigned number) {
		char buf[32];
		std::snprintf(buf, sizeof buf, "+47%08u", number);
		Normalized got = NormalizePhone(buf, "NO");
		Normalized want = ReferencePhone(buf, "NO");
		ASSERT_EQ(got.ok, want.ok) << buf << ": " << got.reason;
		ASSERT_EQ(got.value, want.value) << buf;
		valid += got.ok;
		++checked;
	};
	for (unsigned prefix = 10000; prefix < 100000; ++prefix) {
		for (int k = 0; k < 2; ++k)
			check(prefix * 1000 + static_cast<unsigned>(rng() % 1000));
	}
	for (int k = 0; k < 50000; ++k)
		check(10000000 + static_cast<unsigned>(rng() % 90000000));
	EXPECT_EQ(checked, 230000u);
	EXPECT_GT(valid, 100000u);  // mobile (4, 9) and fixed-line ranges are valid
}

// Compacting the input before Parse must not change what libphonenumber makes of it.
TEST(NormalizePhone, CompactingAgreesWithLibphonenumber)
{
	const std::vector<std::string> inputs = {
		"+47 (0) 912 34 567", "+44 (0)20 7946 0018", "+44 020 7946 0018", "020 7946 0018", "(020) 7946-0018",
		"0046 70 123 45 67", "070-123 45 67", "+46 (0)70 123 45 67", "(650) 253-0000", "1 650 253 0000",
		"+1-650-253-0000", "011 47 912 34 567", "00 47 912 34 567", "+ 47 912 34 567", "+(47) 912 34 567",
		"(+47)91234567", "47 91234567", "4791234567", "+4747912345", "479123456", "0 912 34 567", "091234567",
		"0091234567", "00", "+", "()", "-", "...", "+0", "+00", "+1", "1", "12", "123", "02800", "+4702800",
		"0047 02800", "81549300", "+47 815 49 300", "80080000", "79123456", "+47 79 12 34 56", "+47 5800 1234 5678",
		"91234567/91234568", "912 34 567 / 912 34 568", "9/1/2/3/4/5/6/7", "((((91234567", "9-1-2-3-4-5-6-7",
		"+49 30 123456", "030 123456", "+49 (0)30 123456", "+39 06 1234 5678", "06 1234 5678", "+61 2 1234 5678",
		"1-800-555-0199", "+882 1234 5678", "+800 1234 5678", "+47 912 34 567 8", "12345678901234567890",
		"123456789012345678901", "+123456789012345678901", "31.12\v.1990", "912\t34\t567", "912\xE2\x80\xAF" "34567",
		"912\xC2\xA0" "34 567", "+47\xE3\x80\x80" "91234567", "31.12.1990", "1990-12-31",
	};
	for (const std::string& in : inputs) {
		for (const char* region : {"NO", "SE", "GB", "US", "DE", "IT", "", "XX"}) {
			Normalized got = NormalizePhone(in, region);
			Normalized want = ReferencePhone(in, region);
			EXPECT_EQ(got.ok, want.ok) << Show(in) << " region " << region << ": " << got.reason;
			EXPECT_EQ(got.value, want.value) << Show(in) << " region " << region;
		}
	}
}

// Measures the cost per call (run with --gtest_also_run_disabled_tests).
TEST(NormalizePhone, DISABLED_Benchmark)
{
	const std::vector<std::string> inputs = GenContactsFormats("91234567");
	const int kRounds = 50000;
	auto start = std::chrono::steady_clock::now();
	std::size_t ok = 0;
	for (int i = 0; i < kRounds; ++i)
		ok += NormalizePhone(inputs[static_cast<std::size_t>(i) % inputs.size()], "NO").ok;
	auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
	EXPECT_EQ(ok, static_cast<std::size_t>(kRounds));
	std::printf("NormalizePhone: %.2f us/call\n", us / kRounds);
}

// ---- date ----

// The date normalizer in one order, as CheckCases takes it.
auto DateIn(DateOrder order)
{
	return [order](const std::string& v) { return NormalizeDate(v, order); };
}

TEST(NormalizeDate, AcceptsTheListedFormats)
{
	CheckCases(
		{
			{"1990-12-31", true, "1990-12-31"},
			{"31.12.1990", true, "1990-12-31"},
			{"1.2.1990", true, "1990-02-01"},
			{"01.02.1990", true, "1990-02-01"},
			{"1/2/1990", true, "1990-02-01"},
			{"01/02/1990", true, "1990-02-01"},
			{"01-02-1990", true, "1990-02-01"},
			{"1990/12/31", true, "1990-12-31"},
			{"1990.12.31", true, "1990-12-31"},
			{"1990-1-5", true, "1990-01-05"},
			{" 1990-12-31 ", true, "1990-12-31"},
			{"\t31.12.1990" + kNbsp, true, "1990-12-31"},
			{"2000-02-29", true, "2000-02-29"},  // divisible by 400
			{"29.02.2004", true, "2004-02-29"},
			{"29.02.1996", true, "1996-02-29"},
			{"30.04.1990", true, "1990-04-30"},
			{"1800-01-01", true, "1800-01-01"},
			{"2200-12-31", true, "2200-12-31"},
			{"1990-12-31T00:00:00", true, "1990-12-31"},
			{"1990-12-31 00:00:00", true, "1990-12-31"},
			{"1990-12-31T23:59:59.123Z", true, "1990-12-31"},
			{"1990-12-31T10:00:00+01:00", true, "1990-12-31"},
			{"1990-12-31 10:00", true, "1990-12-31"},
			{"31.12.1990 08:30", true, "1990-12-31"},
			{"1990-12-31t8:05", true, "1990-12-31"},
		},
		DateIn(DateOrder::kDMY));
	// The one-argument form reads day first.
	EXPECT_EQ(NormalizeDate("03/04/1990").value, "1990-04-03");
}

TEST(NormalizeDate, RejectsWithReason)
{
	const std::string kNotADate = "not a date (expected YYYY-MM-DD or DD.MM.YYYY)";
	const std::string kTwoDigit = "two-digit year is ambiguous (write the year with four digits)";
	CheckCases(
		{
			{"", false, "empty"},
			{"  ", false, "empty"},
			{"31.02.1990", false, "day out of range for the month"},
			{"30.02.2000", false, "day out of range for the month"},
			{"29.02.1900", false, "day out of range for the month"},  // divisible by 100, not 400
			{"29.02.2001", false, "day out of range for the month"},
			{"31.04.1990", false, "day out of range for the month"},
			{"31.06.1990", false, "day out of range for the month"},
			{"32.01.1990", false, "day out of range for the month"},
			{"0.1.2000", false, "day out of range for the month"},
			{"1990-13-01", false, "month out of range"},
			{"00.00.2000", false, "month out of range"},
			{"12/31/1990", false, "month out of range (dates are read day first: DD.MM.YYYY)"},
			{"31.12.90", false, kTwoDigit},
			{"1.2.90", false, kTwoDigit},
			{"90-12-31", false, kTwoDigit},
			{"1799-12-31", false, "year out of range (1800-2200)"},
			{"2201-01-01", false, "year out of range (1800-2200)"},
			{"0000-01-01", false, "year out of range (1800-2200)"},
			{"abc", false, kNotADate},
			{"1990-12", false, kNotADate},
			{"1990-12-31-01", false, kNotADate},
			{"1990.12-31", false, kNotADate},
			{"1990--12-31", false, kNotADate},
			{"31.12.19900", false, kNotADate},
			{"123.12.1990", false, kNotADate},
			{"1990-12-31T25:00", false, kNotADate},
			{"1990-12-31T10:60", false, kNotADate},
			{"1990-12-31 foo", false, kNotADate},
			{"1990-12-31T", false, kNotADate},
			{"-1990-12-31", false, kNotADate},
			{"1234567", false, kNotADate},
			{"123456789", false, kNotADate},
		},
		DateIn(DateOrder::kDMY));
}

TEST(NormalizeDate, DateOrderDecidesDayAndMonthOfYearLastDates)
{
	struct {
		const char* input;
		const char* dmy;  // value, or "!" + reason
		const char* mdy;
		const char* ymd;
	} cases[] = {
		{"03/04/1990", "1990-04-03", "1990-03-04", "!the year is last, but the date order is YMD (year first)"},
		{"3.4.1990", "1990-04-03", "1990-03-04", "!the year is last, but the date order is YMD (year first)"},
		{"31/12/1990", "1990-12-31", "!month out of range (dates are read month first: MM/DD/YYYY)", "!the year is last, but the date order is YMD (year first)"},
		{"12/31/1990", "!month out of range (dates are read day first: DD.MM.YYYY)", "1990-12-31",
		 "!the year is last, but the date order is YMD (year first)"},
		{"13/13/1990", "!month out of range", "!month out of range", "!the year is last, but the date order is YMD (year first)"},
		{"31/13/1990", "!month out of range", "!month out of range", "!the year is last, but the date order is YMD (year first)"},
		{"02/29/2000", "!month out of range (dates are read day first: DD.MM.YYYY)", "2000-02-29",
		 "!the year is last, but the date order is YMD (year first)"},
		{"29/02/2000", "2000-02-29", "!month out of range (dates are read month first: MM/DD/YYYY)",
		 "!the year is last, but the date order is YMD (year first)"},
		{"02/29/2001", "!month out of range (dates are read day first: DD.MM.YYYY)", "!day out of range for the month",
		 "!the year is last, but the date order is YMD (year first)"},
		{"12/31/1990 08:30", "!month out of range (dates are read day first: DD.MM.YYYY)", "1990-12-31",
		 "!the year is last, but the date order is YMD (year first)"},
		// A four-digit year first, YYYYMMDD and month names read alike in every order.
		{"1990-03-04", "1990-03-04", "1990-03-04", "1990-03-04"},
		{"1990/03/04", "1990-03-04", "1990-03-04", "1990-03-04"},
		{"19900304", "1990-03-04", "1990-03-04", "1990-03-04"},
		{"2024-10-09T12:34:56Z", "2024-10-09", "2024-10-09", "2024-10-09"},
		{"09 Oct 2024", "2024-10-09", "2024-10-09", "2024-10-09"},
		{"Oct 9, 2024", "2024-10-09", "2024-10-09", "2024-10-09"},
		// Two-digit years stay rejected in every order.
		{"03/04/90", "!two-digit year is ambiguous (write the year with four digits)",
		 "!two-digit year is ambiguous (write the year with four digits)",
		 "!two-digit year is ambiguous (write the year with four digits)"},
		{"abc", "!not a date (expected YYYY-MM-DD or DD.MM.YYYY)", "!not a date (expected YYYY-MM-DD or MM/DD/YYYY)",
		 "!not a date (expected YYYY-MM-DD)"},
	};
	for (const auto& c : cases) {
		const char* expected[] = {c.dmy, c.mdy, c.ymd};
		DateOrder orders[] = {DateOrder::kDMY, DateOrder::kMDY, DateOrder::kYMD};
		for (int i = 0; i < 3; ++i) {
			Normalized n = NormalizeDate(c.input, orders[i]);
			SCOPED_TRACE(std::string(c.input) + " in " + DateOrderName(orders[i]));
			std::string e = expected[i];
			if (e[0] == '!') {
				EXPECT_FALSE(n.ok) << n.value;
				EXPECT_EQ(n.reason, e.substr(1));
			} else {
				EXPECT_TRUE(n.ok) << n.reason;
				EXPECT_EQ(n.value, e);
			}
		}
	}
}

TEST(NormalizeDate, FormsOfRealExports)
{
	CheckCases(
		{
			// LinkedIn "Connected On", written dates in English
			{"09 Oct 2024", true, "2024-10-09"},
			{"9 Oct 2024", true, "2024-10-09"},
			{"9 October 2024", true, "2024-10-09"},
			{"9 OCTOBER 2024", true, "2024-10-09"},
			{"Oct 9, 2024", true, "2024-10-09"},
			{"October 9, 2024", true, "2024-10-09"},
			{"December 31, 1990", true, "1990-12-31"},
			{"9th October 2024", true, "2024-10-09"},
			{"9th of October 2024", true, "2024-10-09"},
			{"October 1st, 2024", true, "2024-10-01"},
			{"Sept 2, 2024", true, "2024-09-02"},
			{"09-Oct-2024", true, "2024-10-09"},
			{"2024-Oct-09", true, "2024-10-09"},
			{"2024 Oct 9", true, "2024-10-09"},
			{"Oct 9, 2024 12:34", true, "2024-10-09"},
			{"9 Oct 2024 12:34:56", true, "2024-10-09"},
			// Norwegian, Danish, Swedish
			{"9. oktober 2024", true, "2024-10-09"},
			{"09.okt.2024", true, "2024-10-09"},
			{"9. okt. 2024", true, "2024-10-09"},
			{"9.okt.2024", true, "2024-10-09"},
			{"17. mai 1990", true, "1990-05-17"},
			{"24. desember 1990", true, "1990-12-24"},
			{"1. des. 1990", true, "1990-12-01"},
			{"3 maj 1990", true, "1990-05-03"},
			{"3 augusti 1990", true, "1990-08-03"},
			{"3. marts 1990", true, "1990-03-03"},
			// German, French, Spanish
			{"3. März 1990", true, "1990-03-03"},
			{"3. MÄRZ 1990", true, "1990-03-03"},
			{"24. Dezember 1990", true, "1990-12-24"},
			{"1er janvier 1990", true, "1990-01-01"},
			{"3 février 1990", true, "1990-02-03"},
			{"15 août 1990", true, "1990-08-15"},
			{"9 de octubre de 2024", true, "2024-10-09"},
			{"9 octubre 2024", true, "2024-10-09"},
			// compact and timestamps
			{"19900304", true, "1990-03-04"},
			{"20000229", true, "2000-02-29"},
			{"2024-10-09T12:34:56Z", true, "2024-10-09"},
			{"2024-10-09T12:34:56+02:00", true, "2024-10-09"},
			{"2024-10-09 12:34:56", true, "2024-10-09"},
			{"2024-10-09 12:34:56.123456", true, "2024-10-09"},
			// leap days in words
			{"29 Feb 2000", true, "2000-02-29"},
			{"29 Feb 2004", true, "2004-02-29"},
		},
		DateIn(DateOrder::kDMY));
}

TEST(NormalizeDate, RejectsWrittenFormsWithReason)
{
	const std::string kNotADate = "not a date (expected YYYY-MM-DD or DD.MM.YYYY)";
	CheckCases(
		{
			// Google's birthday without a year (vCard --MM-DD)
			{"--03-04", false, "birthday without a year"},
			{"--0304", false, "birthday without a year"},
			{" --12-31 ", false, "birthday without a year"},
			{"--3-4", false, kNotADate},
			{"--03-04-1990", false, kNotADate},
			// a day and a month only (Mailchimp's MM/DD birthdays)
			{"03/04", false, "date without a year"},
			{"31.12", false, "date without a year"},
			{"9 October", false, "date without a year"},
			{"Oct 9", false, "date without a year"},
			// calendar
			{"29 Feb 2001", false, "day out of range for the month"},
			{"29 Feb 1900", false, "day out of range for the month"},
			{"31 April 1990", false, "day out of range for the month"},
			{"0 Oct 2024", false, "day out of range for the month"},
			{"9 Oct 1700", false, "year out of range (1800-2200)"},
			{"20010229", false, "day out of range for the month"},
			{"19901301", false, "month out of range"},
			{"04031990", false, "not a date (8 digits are read as YYYYMMDD)"},
			// ambiguous or incomplete
			{"9 Oct 24", false, "two-digit year is ambiguous (write the year with four digits)"},
			{"October 2024", false, kNotADate},
			{"9 Octember 2024", false, "unknown month name 'Octember'"},
			{"9 Oct Nov 2024", false, kNotADate},
			{"9 10 Oct 2024", false, kNotADate},
			{"Oct 2024 9", false, kNotADate},
			{"9 Oct 20245", false, kNotADate},
			{"Ja", false, kNotADate},
			{"Storgata 12, 0155 Oslo", false, kNotADate},
			{"Oct 9, 2024 12:99", false, kNotADate},
			{"9 Oct 2024!", false, kNotADate},
		},
		DateIn(DateOrder::kDMY));
}

TEST(ParseDateOrder, Names)
{
	DateOrder o = DateOrder::kYMD;
	EXPECT_TRUE(ParseDateOrder("DMY", &o));
	EXPECT_EQ(o, DateOrder::kDMY);
	EXPECT_TRUE(ParseDateOrder(" mdy ", &o));
	EXPECT_EQ(o, DateOrder::kMDY);
	EXPECT_TRUE(ParseDateOrder("Ymd", &o));
	EXPECT_EQ(o, DateOrder::kYMD);
	for (const char* bad : {"", "DM", "DMYY", "YDM", "day first"})
		EXPECT_FALSE(ParseDateOrder(bad, &o)) << bad;
	EXPECT_STREQ(DateOrderName(DateOrder::kDMY), "DMY");
	EXPECT_STREQ(DateOrderName(DateOrder::kMDY), "MDY");
	EXPECT_STREQ(DateOrderName(DateOrder::kYMD), "YMD");
}

TEST(NormalizeBirthday, NotInTheFutureNorMoreThan130YearsAgo)
{
	const CivilDate today{2026, 3, 15};
	auto birthday = [&](const std::string& v) { return NormalizeBirthday(v, DateOrder::kDMY, today); };
	CheckCases(
		{
			{"15.03.2026", true, "2026-03-15"},  // born today
			{"1990-12-31", true, "1990-12-31"},
			{"15.03.1896", true, "1896-03-15"},  // exactly 130 years
			{"16.03.2026", false, "birthday in the future"},
			{"2030-01-01", false, "birthday in the future"},
			{"14.03.1896", false, "birthday more than 130 years ago"},
			{"1800-01-01", false, "birthday more than 130 years ago"},
			{"--03-04", false, "birthday without a year"},
			{"31.02.1990", false, "day out of range for the month"},
			{"", false, "empty"},
		},
		birthday);
	// the order applies as for dates
	EXPECT_EQ(NormalizeBirthday("12/31/1990", DateOrder::kMDY, today).value, "1990-12-31");
	// 29 February: 130 years back from a leap day is 28 February of a common year, as
	// PostgreSQL's current_date - interval '130 years' has it
	const CivilDate leap{2028, 2, 29};
	EXPECT_TRUE(NormalizeBirthday("1898-03-01", DateOrder::kDMY, leap).ok);
	EXPECT_TRUE(NormalizeBirthday("1898-02-28", DateOrder::kDMY, leap).ok);
	EXPECT_EQ(NormalizeBirthday("1898-02-27", DateOrder::kDMY, leap).reason, "birthday more than 130 years ago");
	// ... and a birthday on 29 February 130 years back
	EXPECT_TRUE(NormalizeBirthday("1896-02-29", DateOrder::kDMY, CivilDate{2026, 2, 28}).ok);
	EXPECT_FALSE(NormalizeBirthday("1896-02-29", DateOrder::kDMY, CivilDate{2026, 3, 1}).ok);
	EXPECT_TRUE(NormalizeBirthday("1900-02-28", DateOrder::kDMY, CivilDate{2030, 2, 28}).ok);
	EXPECT_TRUE(NormalizeBirthday("29.02.2028", DateOrder::kDMY, leap).ok);
	EXPECT_EQ(NormalizeBirthday("01.03.2028", DateOrder::kDMY, leap).reason, "birthday in the future");
	// no today: a date
	EXPECT_TRUE(NormalizeBirthday("2190-01-01", DateOrder::kDMY, CivilDate{}).ok);
	// generic dates have no such limits
	EXPECT_TRUE(NormalizeDate("2190-01-01").ok);
	EXPECT_TRUE(NormalizeDate("1800-01-01").ok);
}

TEST(DetectDateOrder, DayAboveTwelveDecides)
{
	DateOrderGuess g = DetectDateOrder({"03/04/1990", "31/12/1985", "", "15/06/1970", "1990-01-02"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kDecided);
	EXPECT_EQ(g.order, DateOrder::kDMY);
	EXPECT_EQ(g.day_first, 2u);
	EXPECT_EQ(g.ambiguous, 1u);
	EXPECT_EQ(g.order_free, 1u);
	EXPECT_EQ(g.reason, "day first: 2 of 4 dates have a first part above 12, e.g. '31/12/1985'");

	g = DetectDateOrder({"03/04/1990", "12/31/1985 08:30", "06/15/1970"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kDecided);
	EXPECT_EQ(g.order, DateOrder::kMDY);
	EXPECT_EQ(g.month_first, 2u);
	EXPECT_EQ(g.reason, "month first: 2 of 3 dates have a second part above 12, e.g. '12/31/1985 08:30'");

	// Dots, dashes, one digit
	g = DetectDateOrder({"1.2.1990", "13.2.1990"});
	EXPECT_EQ(g.order, DateOrder::kDMY);
	g = DetectDateOrder({"2-13-1990"});
	EXPECT_EQ(g.order, DateOrder::kMDY);
}

TEST(DetectDateOrder, ContradictionsAndUndecided)
{
	DateOrderGuess g = DetectDateOrder({"31/12/1990", "03/04/1990", "12/31/1990"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kContradictory);
	EXPECT_EQ(g.reason, "contradictory: '31/12/1990' can only be day first and '12/31/1990' only month first");

	g = DetectDateOrder({"03/04/1990", "01/02/2000", "12/11/1970"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kUndecided);
	EXPECT_EQ(g.ambiguous, 3u);
	EXPECT_EQ(g.reason, "undecided: no day above 12 in 3 of 3 dates with the year last, e.g. '03/04/1990'");

	g = DetectDateOrder({"1990-03-04", "09 Oct 2024", "19900304"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kUndecided);
	EXPECT_EQ(g.order_free, 3u);

	g = DetectDateOrder({"Ola", "", "31/31/1990", "--03-04"});
	EXPECT_EQ(g.verdict, DateOrderVerdict::kNoDates);
	EXPECT_EQ(g.not_dates, 3u);
	EXPECT_EQ(g.reason, "no dates among the values");
	EXPECT_EQ(DetectDateOrder({}).verdict, DateOrderVerdict::kNoDates);

	// 29 February decides only where one reading is a real day.
	g = DetectDateOrder({"29/02/2000"});
	EXPECT_EQ(g.order, DateOrder::kDMY);
	g = DetectDateOrder({"02/29/2000"});
	EXPECT_EQ(g.order, DateOrder::kMDY);
	g = DetectDateOrder({"29/02/2001"});  // no such day either way
	EXPECT_EQ(g.verdict, DateOrderVerdict::kNoDates);

	EXPECT_STREQ(DateOrderVerdictName(DateOrderVerdict::kDecided), "decided");
	EXPECT_STREQ(DateOrderVerdictName(DateOrderVerdict::kUndecided), "undecided");
	EXPECT_STREQ(DateOrderVerdictName(DateOrderVerdict::kContradictory), "contradictory");
	EXPECT_STREQ(DateOrderVerdictName(DateOrderVerdict::kNoDates), "no dates");
}

// ---- number ----

TEST(NormalizeNumber, AcceptsAndCanonicalizes)
{
	CheckCases(
		{
			{"0", true, "0"},
			{"1234.5", true, "1234.5"},
			{"1234,5", true, "1234.5"},
			{"1 234,50", true, "1234.5"},
			{"1 234 567,89", true, "1234567.89"},
			{"12 345 678", true, "12345678"},
			{"1" + kNbsp + "234", true, "1234"},
			{"1\xE2\x80\xAF" "234", true, "1234"},  // narrow NBSP
			{"-3", true, "-3"},
			{"+3", true, "3"},
			{"\xE2\x88\x92" "5", true, "-5"},  // U+2212 minus sign
			{"007", true, "7"},
			{"0.50", true, "0.5"},
			{",5", true, "0.5"},
			{"5,", true, "5"},
			{"-0", true, "0"},
			{"-0,00", true, "0"},
			{" 42 ", true, "42"},
			{"100", true, "100"},
			{"1.000", true, "1"},  // '.' is a decimal separator, never a thousands one
			{"123456789012345678901234567890", true, "123456789012345678901234567890"},
		},
		NormalizeNumber);
}

TEST(NormalizeNumber, RejectsWithReason)
{
	CheckCases(
		{
			{"", false, "empty"},
			{"abc", false, "invalid character 'a' in number"},
			{"1,234.5", false, "more than one decimal separator"},
			{"1.2.3", false, "more than one decimal separator"},
			{"12 34", false, "misplaced thousands separator"},
			{"1  234", false, "misplaced thousands separator"},
			{"1 2345", false, "misplaced thousands separator"},
			{"1234 567", false, "misplaced thousands separator"},
			{"1 234 5", false, "misplaced thousands separator"},
			{"1,5 0", false, "misplaced thousands separator"},
			{"1 ,5", false, "misplaced thousands separator"},
			{"1e5", false, "invalid character 'e' in number"},
			{"kr 100", false, "invalid character 'k' in number"},
			{"100 kr", false, "invalid character 'k' in number"},
			{"--5", false, "invalid character '-' in number"},
			{"5-", false, "invalid character '-' in number"},
			{"1\t234", false, "invalid character U+0009 in number"},
			{"-", false, "not a number"},
			{".", false, "not a number"},
			{"12%", false, "invalid character '%' in number"},
		},
		NormalizeNumber);
}

// ---- boolean ----

TEST(NormalizeBoolean, AcceptsYesNoSpellings)
{
	std::vector<Case> cases;
	for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "ja", "Ja", "JA", "sant", "Sant", "1", "y",
						  "Y", "j", "J", " yes ", "\tJa\t"})
		cases.push_back({t, true, "true"});
	for (const char* f : {"false", "False", "no", "No", "NO", "nei", "Nei", "NEI", "usant", "Usant", "0", "n", "N",
						  " nei "})
		cases.push_back({f, true, "false"});
	cases.push_back({"", false, "empty"});
	for (const char* bad : {"maybe", "yess", "2", "-1", "ja nei", "OptIn", "sann"})
		cases.push_back({bad, false, "not a yes/no value"});
	CheckCases(cases, NormalizeBoolean);
}

// ---- consent ----

TEST(ParseConsent, DefaultTerms)
{
	const ConsentTerms terms = DefaultConsentTerms();
	for (const char* s : {"True", "true", "TRUE", "Yes", "yes", "YES", " yes ", "Sant", "SANT", "Ja", "ja", "JA",
						  "\tJa" "\xC2\xA0"})
		EXPECT_EQ(ParseConsent(s, terms), Consent::kOptIn) << Show(s);
	for (const char* s : {"False", "false", "No", "no", "NO", "Usant", "usant", "Nei", "nei", " NEI "})
		EXPECT_EQ(ParseConsent(s, terms), Consent::kOptOut) << Show(s);
	for (const char* s : {"", " ", "OptIn", "OptOut", "maybe", "1", "0", "y", "n", "ye s", "Jaa"})
		EXPECT_EQ(ParseConsent(s, terms), Consent::kUnknown) << Show(s);
}

TEST(ParseConsent, DefaultTermsAreTheProductDefaults)
{
	const ConsentTerms terms = DefaultConsentTerms();
	EXPECT_EQ(terms.opt_in, (std::vector<std::string>{"True", "Yes", "Sant", "Ja"}));
	EXPECT_EQ(terms.opt_out, (std::vector<std::string>{"False", "No", "Usant", "Nei"}));
	EXPECT_EQ(ValidateConsentTerms(terms), "");
}

TEST(ParseConsent, CustomTerms)
{
	const ConsentTerms opt{{"OptIn"}, {"OptOut"}};
	EXPECT_EQ(ParseConsent("OptIn", opt), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("optin", opt), Consent::kOptIn);
	EXPECT_EQ(ParseConsent(" OPTIN ", opt), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("OptOut", opt), Consent::kOptOut);
	EXPECT_EQ(ParseConsent("optout", opt), Consent::kOptOut);
	EXPECT_EQ(ParseConsent("Yes", opt), Consent::kUnknown);
	EXPECT_EQ(ParseConsent("Opt In", opt), Consent::kUnknown);

	const ConsentTerms spaced{{" Opt In "}, {"Opt Out"}};  // terms are trimmed too
	EXPECT_EQ(ParseConsent("opt in", spaced), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("OPT OUT", spaced), Consent::kOptOut);

	const ConsentTerms norsk{{"Påmeldt", "X"}, {"Avmeldt", ""}};
	EXPECT_EQ(ParseConsent("PÅMELDT", norsk), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("påmeldt", norsk), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("x", norsk), Consent::kOptIn);
	EXPECT_EQ(ParseConsent("AVMELDT", norsk), Consent::kOptOut);
	EXPECT_EQ(ParseConsent("", norsk), Consent::kUnknown);  // an empty term never matches
	EXPECT_EQ(ParseConsent("pameldt", norsk), Consent::kUnknown);
}

TEST(ValidateConsentTerms, ReportsProblems)
{
	EXPECT_EQ(ValidateConsentTerms({{"OptIn"}, {"OptOut"}}), "");
	EXPECT_EQ(ValidateConsentTerms({{}, {"No"}}), "no opt-in terms given");
	EXPECT_EQ(ValidateConsentTerms({{"Yes"}, {}}), "no opt-out terms given");
	EXPECT_EQ(ValidateConsentTerms({{"Yes", " "}, {"No"}}), "empty consent term");
	EXPECT_EQ(ValidateConsentTerms({{"Yes"}, {""}}), "empty consent term");
	EXPECT_EQ(ValidateConsentTerms({{"Yes", "Ja"}, {"No", "ja "}}),
			  "term \"Ja\" is both an opt-in and an opt-out term");
	EXPECT_EQ(ValidateConsentTerms({{"Påmeldt"}, {"PÅMELDT"}}),
			  "term \"Påmeldt\" is both an opt-in and an opt-out term");
}

TEST(PhoneType, GivesLibphonenumbersType)
{
	EXPECT_EQ(crm::core::PhoneType("912 34 567", "NO"), "mobile");
	EXPECT_EQ(crm::core::PhoneType("22 33 44 55", "NO"), "fixed_line");
	EXPECT_EQ(crm::core::PhoneType("800 12 345", "NO"), "toll_free");
	EXPECT_EQ(crm::core::PhoneType("+46 8 123 456 78", "NO"), "fixed_line");
	EXPECT_EQ(crm::core::PhoneType("(201) 555-0123", "US"), "fixed_line_or_mobile");
	EXPECT_EQ(crm::core::PhoneType("123", "NO"), "");
	EXPECT_EQ(crm::core::PhoneType("", "NO"), "");
}

// A 10-digit number beginning with the region's country code and no + or 00 is as likely
// another country's (US area code 479) as the region's: refused with a reason, not read
// as +47 (found with a real US customer list).
TEST(NormalizePhone, CountryCodeWithoutPlusIsRefused)
{
	for (const char* in : {"479-925-1234", "4799251234", "477-891-8000x491"}) {
		Normalized n = NormalizePhone(in, "NO");
		EXPECT_FALSE(n.ok) << in << " read as " << n.value;
		EXPECT_NE(n.reason.find("without + or 00"), std::string::npos) << n.reason;
	}
	EXPECT_EQ(NormalizePhone("+47 99 25 12 34", "NO").value, "+4799251234");
	EXPECT_EQ(NormalizePhone("0047 99 25 12 34", "NO").value, "+4799251234");
	EXPECT_EQ(NormalizePhone("479-925-1234", "US").value, "+14799251234");
	EXPECT_EQ(NormalizePhone("1 650 253 0000", "US").value, "+16502530000");  // 1: the US trunk prefix
}

TEST(NormalizePhone, AnExtensionIsNoted)
{
	Normalized n = NormalizePhone("(650) 253-0000x3780", "US");
	ASSERT_TRUE(n.ok) << n.reason;
	EXPECT_EQ(n.value, "+16502530000");
	EXPECT_EQ(n.note, "extension 3780 left out");
	EXPECT_EQ(NormalizePhone("+47 912 34 567 ext. 12", "NO").note, "extension 12 left out");
	EXPECT_EQ(NormalizePhone("912 34 567", "NO").note, "");
}

// The length shortcut (a national number of an impossible length fails without a parse)
// must say what Parse + IsValidNumber say, for every region it is used in: random digit
// strings of every length, with and without the prefixes that exclude it.
TEST(NormalizePhone, LengthShortcutAgreesWithLibphonenumber)
{
	std::mt19937_64 rng(20261206);
	int checked = 0;
	for (const char* region : {"NO", "SE", "DK", "FI", "IS", "GB", "IE", "DE", "NL", "BE", "FR", "ES", "PT", "IT", "CH",
							   "AT", "PL", "EE", "LV", "LT", "US", "CA", "AU", "NZ", "IN"}) {
		for (int len = 3; len <= 16; ++len) {
			for (int k = 0; k < 120; ++k) {
				std::string d;
				for (int i = 0; i < len; ++i)
					d += static_cast<char>('0' + rng() % 10);
				Normalized got = NormalizePhone(d, region);
				Normalized want = ReferencePhone(d, region);
				ASSERT_EQ(got.ok, want.ok) << d << " region " << region << ": " << got.reason;
				ASSERT_EQ(got.value, want.value) << d << " region " << region;
				++checked;
			}
		}
	}
	EXPECT_GT(checked, 40000);
}

// TrimBlanks takes exactly crm_import_blank_chars(): the Unicode spaces and the BOM in a
// UTF-8 database, ASCII white space only otherwise; never NEL, the word joiner or a
// character that merely begins like a blank.
TEST(TrimBlanks, TakesExactlyTheBlankCharacters)
{
	EXPECT_EQ(TrimBlanks("\xC2\xA0 Ola\xE2\x80\x89", true), "Ola");
	EXPECT_EQ(TrimBlanks("\xEF\xBB\xBF\xE3\x80\x80x\xE1\x9A\x80\xE2\x81\x9F", true), "x");
	EXPECT_EQ(TrimBlanks("\t\r\n\v\f x y \n", false), "x y");
	EXPECT_EQ(TrimBlanks("\xC2\xA0x\xC2\xA0", false), "\xC2\xA0x\xC2\xA0");  // not UTF-8: ASCII only
	EXPECT_EQ(TrimBlanks("\xC2\x85x\xE2\x81\xA0", true), "\xC2\x85x\xE2\x81\xA0");  // NEL, U+2060 stay
	EXPECT_EQ(TrimBlanks("\xE2\x80\x8Cx\xE2\x80\x8D", true), "\xE2\x80\x8Cx\xE2\x80\x8D");  // ZWNJ, ZWJ stay
	EXPECT_EQ(TrimBlanks("\xE2\x80\xA8\xE2\x80\xA9\xE2\x80\xAF", true), "");
	EXPECT_EQ(TrimBlanks("", true), "");
	EXPECT_EQ(TrimBlanks("\xC3\xA5", true), "\xC3\xA5");  // a letter ending in A0-like bytes stays
	EXPECT_EQ(TrimBlanks("x\xC3\xA0", true), "x\xC3\xA0");  // U+00E0 ends in 0xA0
}

// Random digits rarely hit a range another region of the same calling code owns (Canada's
// 7-digit "310" numbers are valid under +1 although 7 digits are "local only" in the US:
// found by the fuzzer) or a region's odd international prefix (Finland's 99x). Every
// leading three digits, for every length, in every region the shortcuts serve: the same
// value, reason, type and note as Parse + GetNumberType (ParsePhone).
TEST(NormalizePhone, ShortcutsAgreeWithParseForEveryLeadingRange)
{
	EXPECT_EQ(NormalizePhone("310 9232", "US").value, ReferencePhone("310 9232", "US").value);
	EXPECT_TRUE(NormalizePhone("------31.0.9232", "US").ok);
	int checked = 0;
	for (const char* region : {"NO", "SE", "DK", "FI", "IS", "GB", "IE", "DE", "NL", "BE", "FR", "ES", "PT", "IT", "CH",
							   "AT", "PL", "EE", "LV", "LT", "US", "CA", "AU", "NZ", "IN"}) {
		for (int len = 4; len <= 15; ++len) {
			for (int lead = 100; lead <= 999; ++lead) {
				std::string d = std::to_string(lead) + std::string(len - 3, static_cast<char>('0' + lead % 10));
				d.resize(len);
				for (const std::string& in : {d, len == 8 ? "00 47 " + d : d}) {
					std::string got_type, want_type;
					Normalized got = NormalizePhone(in, region, &got_type);
					Normalized want = ParsePhone(in, region, &want_type);
					ASSERT_EQ(got.ok, want.ok) << in << " region " << region << ": " << got.reason << " / " << want.reason;
					ASSERT_EQ(got.value, want.value) << in << " region " << region;
					ASSERT_EQ(got.reason, want.reason) << in << " region " << region;
					ASSERT_EQ(got_type, want_type) << in << " region " << region;
					ASSERT_EQ(got.note, want.note) << in << " region " << region;
					++checked;
				}
			}
		}
	}
	EXPECT_GT(checked, 250000);
	// ParsePhone is the plain library: it agrees with the reference too.
	EXPECT_EQ(ParsePhone("310 9232", "US").value, "+13109232");
}

}  // namespace
}  // namespace crm::core
