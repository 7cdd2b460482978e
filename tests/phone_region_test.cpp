// The region of a row's phone numbers from its country cell, and numbers read in it.
#include "phone_region.hpp"

#include <gtest/gtest.h>

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
