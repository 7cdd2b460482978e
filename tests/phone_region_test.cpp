// The region of a row's phone numbers from its country cell, and numbers read in it.
#include "phone_region.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>

using crm::core::CountryRegion;
using crm::core::NormalizePhoneForRow;
using crm::core::PhoneType;

TEST(CountryRegion, IsoCodesLibphonenumberKnowsInAnyCase)
{
	EXPECT_EQ(CountryRegion("se"), "SE");
	EXPECT_EQ(CountryRegion(" NO "), "NO");
	EXPECT_EQ(CountryRegion("Dk"), "DK");
	EXPECT_EQ(CountryRegion("XX"), "");  // two letters, but no region
	EXPECT_EQ(CountryRegion("UK"), "GB");  // not ISO 3166, but what people write
}

TEST(CountryRegion, EnglishAndNorwegianNames)
{
	EXPECT_EQ(CountryRegion("Norway"), "NO");
	EXPECT_EQ(CountryRegion("\xC2\xA0Norge\t"), "NO");  // no-break space and tab trimmed
	EXPECT_EQ(CountryRegion("NOREG"), "NO");
	EXPECT_EQ(CountryRegion("United Kingdom"), "GB");
	EXPECT_EQ(CountryRegion("\xC3\x98sterrike"), "AT");  // Østerrike: Ø folded
	EXPECT_EQ(CountryRegion("S\xC3\x98R-AFRIKA"), "ZA");
	EXPECT_EQ(CountryRegion("u.s.a."), "US");
}

TEST(CountryRegion, NothingForUnknownOrBlank)
{
	EXPECT_EQ(CountryRegion(""), "");
	EXPECT_EQ(CountryRegion("   "), "");
	EXPECT_EQ(CountryRegion("Atlantis"), "");
	EXPECT_EQ(CountryRegion("Norway and Sweden"), "");
	EXPECT_EQ(CountryRegion(std::string(200, 'a')), "");
}

TEST(NormalizePhoneForRow, RowCountryDecidesTheRegion)
{
	// 070-123 45 67 is a Swedish mobile number in a Swedish row.
	auto se = NormalizePhoneForRow("070-123 45 67", "Sverige", "NO");
	ASSERT_TRUE(se.number.ok);
	EXPECT_EQ(se.number.value, "+46701234567");
	EXPECT_EQ(se.not_valid_in, "");
}

TEST(NormalizePhoneForRow, NotValidInTheRowCountryIsReadInTheImportRegionAndSaysSo)
{
	// A Norwegian mobile number in the row of someone living in the UK.
	auto gb = NormalizePhoneForRow("91234567", "UK", "NO");
	ASSERT_TRUE(gb.number.ok);
	EXPECT_EQ(gb.number.value, "+4791234567");
	EXPECT_EQ(gb.not_valid_in, "GB");
}

TEST(NormalizePhoneForRow, NoCountryOrTheImportRegionIsPlainNormalizePhone)
{
	for (const char* country : {"", "Atlantis", "Norge", "no"}) {
		auto r = NormalizePhoneForRow("912 34 567", country, "NO");
		ASSERT_TRUE(r.number.ok) << country;
		EXPECT_EQ(r.number.value, "+4791234567");
		EXPECT_EQ(r.not_valid_in, "") << country;
	}
	auto bad = NormalizePhoneForRow("12", "UK", "NO");
	EXPECT_FALSE(bad.number.ok);
	EXPECT_EQ(bad.not_valid_in, "");
}

TEST(PhoneType, E164InputIsTypedWithoutNormalizingFirst)
{
	EXPECT_EQ(PhoneType("+4722123456", "ZZ"), "fixed_line");
	EXPECT_EQ(PhoneType("+4791234567", "ZZ"), "mobile");
	EXPECT_EQ(PhoneType("+4780012345", "ZZ"), "toll_free");
	EXPECT_EQ(PhoneType("+4712", "ZZ"), "");  // E.164 shape, but not a valid number
	EXPECT_EQ(PhoneType("22 12 34 56", "NO"), "fixed_line");
}

TEST(NormalizePhoneForRow, GivesTheTypeFromTheSameParse)
{
	EXPECT_EQ(NormalizePhoneForRow("91234567", "", "NO").type, "mobile");
	EXPECT_EQ(NormalizePhoneForRow("22 12 34 56", "Norge", "NO").type, "fixed_line");
	EXPECT_EQ(NormalizePhoneForRow("800 12 345", "", "NO").type, "toll_free");
	EXPECT_EQ(NormalizePhoneForRow("070-123 45 67", "SE", "NO").type, "mobile");
	EXPECT_EQ(NormalizePhoneForRow("91234567", "UK", "NO").type, "mobile");  // read in NO
}

// NormalizePhone tells a valid number by its type (GetNumberType != UNKNOWN) instead of
// IsValidNumber: the two agree on libphonenumber's example numbers of every region and type.
TEST(NormalizePhone, ValidExactlyWhenTyped)
{
	using i18n::phonenumbers::PhoneNumber;
	using i18n::phonenumbers::PhoneNumberUtil;
	const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
	std::set<std::string> regions;
	util.GetSupportedRegions(&regions);
	int checked = 0;
	for (const std::string& region : regions) {
		for (int t = PhoneNumberUtil::FIXED_LINE; t <= PhoneNumberUtil::UNKNOWN; t++) {
			PhoneNumber example;
			if (!util.GetExampleNumberForType(region, static_cast<PhoneNumberUtil::PhoneNumberType>(t), &example))
				continue;
			for (uint64_t delta : {0ULL, 1ULL, 7ULL, 1000ULL}) {
				PhoneNumber n = example;
				n.set_national_number(example.national_number() + delta);
				EXPECT_EQ(util.IsValidNumber(n), util.GetNumberType(n) != PhoneNumberUtil::UNKNOWN) << region;
				std::string e164;
				util.Format(n, PhoneNumberUtil::E164, &e164);
				EXPECT_EQ(crm::core::NormalizePhone(e164, "ZZ").ok, util.IsValidNumber(n)) << e164;
				checked++;
			}
		}
	}
	EXPECT_GT(checked, 1000);
}

// The fast path types valid Norwegian numbers beginning 4 or 9 as mobile numbers without
// asking libphonenumber; its metadata agrees (every 1,009th number of both ranges).
TEST(NormalizePhone, ValidNorwegianNumbersBeginning4Or9AreMobile)
{
	using i18n::phonenumbers::PhoneNumber;
	using i18n::phonenumbers::PhoneNumberUtil;
	const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
	int valid = 0;
	for (uint64_t first : {4ULL, 9ULL})
		for (uint64_t rest = 0; rest < 10000000ULL; rest += 1009) {
			PhoneNumber n;
			n.set_country_code(47);
			n.set_national_number(first * 10000000ULL + rest);
			if (!util.IsValidNumber(n))
				continue;
			valid++;
			EXPECT_EQ(util.GetNumberType(n), PhoneNumberUtil::MOBILE) << n.national_number();
		}
	EXPECT_GT(valid, 1000);
}

TEST(RowPhoneNotes, QuotesAndCutsAsTheRunDoes)
{
	EXPECT_EQ(crm::core::QuoteLiteral("O'Brien"), "'O''Brien'");
	EXPECT_EQ(crm::core::QuoteLiteral("a\\b"), "E'a\\\\b'");
	EXPECT_EQ(crm::core::CutChars("\xC3\xB8" "abc", 2), "\xC3\xB8" "a...");  // characters, not bytes
	EXPECT_EQ(crm::core::CutChars("abc", 3), "abc");
}

TEST(RowPhoneNotes, EachNoteFromTheSameParse)
{
	using crm::core::RowPhoneNotes;
	auto uk = NormalizePhoneForRow("91234567", "UK", "NO");
	EXPECT_EQ(RowPhoneNotes(uk, "91234567", "mobile number", 4, "NO", true),
			  "mobile number '91234567' in column 4 is not valid for GB (the row's country): read in region NO "
			  "(the import's) as +4791234567");
	auto ext = NormalizePhoneForRow("+47 22 12 34 56 ext. 12", "", "NO");
	EXPECT_EQ(RowPhoneNotes(ext, "+47 22 12 34 56 ext. 12", "mobile number", 2, "NO", true),
			  "mobile number '+47 22 12 34 56 ext. 12' in column 2: extension 12 left out (E.164 numbers have no "
			  "extension); mobile number +4722123456 is a fixed-line number, not a mobile number");
	// Not the mobile field: no type note; nothing to say: empty; not valid: empty.
	EXPECT_EQ(RowPhoneNotes(NormalizePhoneForRow("22 12 34 56", "", "NO"), "22 12 34 56", "work phone", 5, "NO", false), "");
	EXPECT_EQ(RowPhoneNotes(NormalizePhoneForRow("912 34 567", "", "NO"), "912 34 567", "mobile number", 5, "NO", true), "");
	EXPECT_EQ(RowPhoneNotes(NormalizePhoneForRow("12", "", "NO"), "12", "mobile number", 5, "NO", true), "");
}
