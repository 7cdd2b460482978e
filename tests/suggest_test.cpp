// Unit tests of the mapping suggester (src/core/suggest.cpp): header spellings in English
// and Norwegian with case, spacing and typos, content-only detection, conflicts, and the
// "did you mean" helpers.
#include "suggest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm::core {
namespace {

std::vector<FieldInfo> Catalog()
{
	std::vector<FieldInfo> c = PredefinedFields();
	c.push_back({"favorite_color", "Favorite color", "text", true});
	c.push_back({"member_no", "Medlemsnummer", "number", true});
	return c;
}

std::vector<std::string> Fields(const std::vector<Suggestion>& s)
{
	std::vector<std::string> out;
	for (const auto& x : s)
		out.push_back(x.field);
	return out;
}

// Splits a header line on sep.
std::vector<std::string> Split(const std::string& line, char sep)
{
	std::vector<std::string> out(1);
	for (char c : line) {
		if (c == sep)
			out.emplace_back();
		else
			out.back().push_back(c);
	}
	return out;
}

TEST(HeaderKey, FoldsCaseAndDropsSeparators)
{
	struct {
		std::string in, out;
	} cases[] = {
		{"E-post", "epost"},
		{"First_Name ", "firstname"},
		{"  EMAIL ADDRESS\t", "emailaddress"},
		{"e.mail", "email"},
		{"Fødselsdato", "fødselsdato"},
		{"FØDSELSDATO", "fødselsdato"},
		{"Post\xC2\xA0nr.", "postnr"},
		{"\xEF\xBB\xBF" "id", "id"},
		{"sms–samtykke", "smssamtykke"},  // en dash
		{"", ""},
		{" _-. ", ""},
		{"Telefon (privat)", "telefon(privat)"},
	};
	for (const auto& c : cases)
		EXPECT_EQ(HeaderKey(c.in), c.out) << c.in;
}

TEST(SuggestField, RealWorldHeaderSpellings)
{
	struct {
		const char* header;
		const char* field;
		const char* basis;
	} cases[] = {
		// English
		{"first_name", "first_name", "header"},
		{"First Name", "first_name", "header"},
		{"FIRSTNAME", "first_name", "header"},
		{"  first   name ", "first_name", "header"},
		{"Given name", "first_name", "header"},
		{"Forename", "first_name", "header"},
		{"first", "first_name", "header"},
		{"Last-Name", "last_name", "header"},
		{"Surname", "last_name", "header"},
		{"Family Name", "last_name", "header"},
		{"E-mail", "email", "header"},
		{"Email Address", "email", "header"},
		{"E-Mail-Address", "email", "header"},
		{"mail", "email", "header"},
		{"Mobile", "mobile", "header"},
		{"Mobile Number", "mobile", "header"},
		{"Cell Phone", "mobile", "header"},
		{"Phone", "mobile", "header"},
		{"Telephone", "mobile", "header"},
		{"ID", "system_id", "header"},
		{"Contact ID", "system_id", "header"},
		{"CRM id", "system_id", "header"},
		{"System ID", "system_id", "header"},
		{"Company", "company", "header"},
		{"Organization", "company", "header"},
		{"organisation", "company", "header"},
		{"Street Address", "address", "header"},
		{"Zip Code", "postal_code", "header"},
		{"ZIP", "postal_code", "header"},
		{"Postcode", "postal_code", "header"},
		{"Town", "city", "header"},
		{"Country", "country", "header"},
		{"Nation", "country", "header"},
		{"Date of Birth", "birthday", "header"},
		{"DOB", "birthday", "header"},
		{"Birth date", "birthday", "header"},
		{"Newsletter", "email_marketing", "header"},
		{"email_optin", "email_marketing", "header"},
		{"Email Opt-In", "email_marketing", "header"},
		{"Email consent", "email_marketing", "header"},
		{"Email marketing status", "email_marketing", "header"},
		{"sms_optin", "sms_marketing", "header"},
		{"SMS Opt In", "sms_marketing", "header"},
		{"SMS consent", "sms_marketing", "header"},
		// Norwegian
		{"Fornavn", "first_name", "header"},
		{"FORNAVN", "first_name", "header"},
		{"Etternavn", "last_name", "header"},
		{"E-post", "email", "header"},
		{"Epost", "email", "header"},
		{"E-postadresse", "email", "header"},
		{"Mobil", "mobile", "header"},
		{"Mobilnummer", "mobile", "header"},
		{"Mobiltelefon", "mobile", "header"},
		{"Telefon", "mobile", "header"},
		{"Tlf", "mobile", "header"},
		{"Tlf.nr", "mobile", "header"},
		{"Telefonnummer", "mobile", "header"},
		{"Kundenummer", "system_id", "header"},
		{"Kunde-ID", "system_id", "header"},
		{"Firma", "company", "header"},
		{"Bedrift", "company", "header"},
		{"Selskap", "company", "header"},
		{"Arbeidsgiver", "company", "header"},
		{"Adresse", "address", "header"},
		{"Gateadresse", "address", "header"},
		{"Postadresse", "address", "header"},
		{"Postnummer", "postal_code", "header"},
		{"Postnr.", "postal_code", "header"},
		{"Poststed", "city", "header"},
		{"By", "city", "header"},
		{"Sted", "city", "header"},
		{"Land", "country", "header"},
		{"Fødselsdato", "birthday", "header"},
		{"FØDSELSDATO", "birthday", "header"},
		{"Fodselsdato", "birthday", "header"},
		{"Bursdag", "birthday", "header"},
		{"Født", "birthday", "header"},
		{"Nyhetsbrev", "email_marketing", "header"},
		{"Samtykke e-post", "email_marketing", "header"},
		{"Markedsføring e-post", "email_marketing", "header"},
		{"Samtykke SMS", "sms_marketing", "header"},
		{"SMS-samtykke", "sms_marketing", "header"},
		// the catalog's own names and labels, custom fields included
		{"Email marketing status", "email_marketing", "header"},
		{"Mobile number", "mobile", "header"},
		{"favorite_color", "favorite_color", "header"},
		{"Favorite Color", "favorite_color", "header"},
		{"MEDLEMSNUMMER", "member_no", "header"},
		{"member no", "member_no", "header"},
		// typos
		{"Fornvan", "first_name", "header (fuzzy)"},
		{"Emial", "email", "header (fuzzy)"},
		{"Etternav", "last_name", "header (fuzzy)"},
		{"Firstnme", "first_name", "header (fuzzy)"},
		{"Adress", "address", "header (fuzzy)"},
		{"Compnay", "company", "header (fuzzy)"},
		{"Postnumer", "postal_code", "header (fuzzy)"},
		{"Fødselsdto", "birthday", "header (fuzzy)"},
		{"Mobilnumer", "mobile", "header (fuzzy)"},
		{"Nyhetsbrv", "email_marketing", "header (fuzzy)"},
		{"Country2", "country", "header (fuzzy)"},
		{"Medlemsnumer", "member_no", "header (fuzzy)"},
	};
	const auto catalog = Catalog();
	for (const auto& c : cases) {
		Suggestion s = SuggestField(c.header, {}, catalog);
		EXPECT_EQ(s.field, c.field) << c.header;
		EXPECT_EQ(s.basis, c.basis) << c.header;
		if (std::string(c.basis) == "header")
			EXPECT_GE(s.confidence, 0.9f) << c.header;
		else
			EXPECT_NEAR(s.confidence, 0.7f, 0.06f) << c.header;
	}
}

TEST(SuggestField, HeadersThatMapToNothing)
{
	const auto catalog = Catalog();
	for (const char* h : {"notes", "Notes", "Name", "Full name", "Fullt navn", "Navn", "Kommentar", "Comment",
						  "Status", "Tags", "", "   ", "---", "x", "column_1", "Job", "Lang", "Mal", "Byx"}) {
		Suggestion s = SuggestField(h, {}, catalog);
		EXPECT_EQ(s.field, "") << h << " -> " << s.field;
		EXPECT_EQ(s.confidence, 0.0f) << h;
	}
}

TEST(SuggestField, FieldsMissingFromTheCatalogAreNotSuggested)
{
	std::vector<FieldInfo> small = {{"email", "Email", "email", false}, {"notes", "Notater", "text", true}};
	EXPECT_EQ(SuggestField("E-post", {}, small).field, "email");
	EXPECT_EQ(SuggestField("Fornavn", {}, small).field, "");
	EXPECT_EQ(SuggestField("Notater", {}, small).field, "notes");
	EXPECT_EQ(SuggestField("column_3", {"91234567", "41234567"}, small).field, "");
	// an empty catalog means the predefined fields
	EXPECT_EQ(SuggestField("Fornavn", {}, {}).field, "first_name");
}

TEST(SuggestField, FuzzyHeadersNeedFittingValuesAndTheSameNumbers)
{
	// Found by a sweep of a 200-column file: "col99" was mapped to the number field "col199"
	// and every row was then rejected for its text values.
	auto catalog = Catalog();
	catalog.push_back({"scores", "Scores", "number", true});
	catalog.push_back({"col150", "col150", "text", true});
	catalog.push_back({"address1", "Address line 1", "text", true});
	// A typo of a typed field's name: taken when the values fit, dropped when they do not.
	EXPECT_EQ(SuggestField("score", {"12", "7.5", "3"}, catalog).field, "scores");
	EXPECT_EQ(SuggestField("score", {}, catalog).field, "scores");
	EXPECT_EQ(SuggestField("score", {"xx", "yy"}, catalog).field, "");
	EXPECT_EQ(SuggestField("E-mial", {"ola@example.no", "kari@example.no"}, catalog).field, "email");
	EXPECT_EQ(SuggestField("E-mial", {"Ola", "Kari", "Per"}, catalog).field, "");
	// Typed values with a fuzzy header that does not fit fall back to what the values are.
	Suggestion s = SuggestField("Birthdy", {"ola@example.no", "kari@example.no"}, catalog);
	EXPECT_EQ(s.field, "email");
	EXPECT_EQ(s.basis, "content");
	// Numbers in the header must agree; an exact header still wins whatever the values.
	EXPECT_EQ(SuggestField("col50", {"v0"}, catalog).field, "");
	EXPECT_EQ(SuggestField("col15", {"v0"}, catalog).field, "");
	EXPECT_EQ(SuggestField("address2", {"Storgata 1"}, catalog).field, "address");  // not address1
	EXPECT_EQ(SuggestField("cl150", {"v0"}, catalog).field, "col150");
	EXPECT_EQ(SuggestField("Scores", {"xx"}, catalog).field, "scores");
}

TEST(SuggestField, FieldNameBeatsSynonym)
{
	// A custom field literally named "phone" wins over "phone" as a spelling of mobile.
	auto catalog = Catalog();
	catalog.push_back({"phone", "Work phone", "text", true});
	Suggestion s = SuggestField("Phone", {}, catalog);
	EXPECT_EQ(s.field, "phone");
	EXPECT_FLOAT_EQ(s.confidence, 1.0f);
}

TEST(SuggestField, ContentOnly)
{
	const auto catalog = Catalog();
	const std::vector<std::string> emails = {"ola.nordmann1@gmail.com", " Kari.Hansen2@Online.no ",
											  "PER.OLSEN3@HOTMAIL.COM", "anne@uio.no\t", "x@y.no"};
	const std::vector<std::string> mobiles = {"+47 912 34 567", "91234567", "004791234568", "+4741234567",
											   "912 34 569", "+47 91 23 45 70", "0047 912 34 571", "(+47) 91234572"};
	const std::vector<std::string> dates = {"1990-12-31", "01.02.1985", "1970-06-15", "29.02.2000", "2001-01-01"};
	const std::vector<std::string> consents = {"Yes", "No", "True", "False", "Ja", "Nei", "OptIn", "OptOut"};
	struct {
		const std::vector<std::string>* samples;
		const char* field;
	} cases[] = {{&emails, "email"}, {&mobiles, "mobile"}, {&dates, "birthday"}, {&consents, "email_marketing"}};
	for (const auto& c : cases) {
		Suggestion s = SuggestField("column_1", *c.samples, catalog);
		EXPECT_EQ(s.field, c.field);
		EXPECT_EQ(s.basis, "content");
		EXPECT_GE(s.confidence, 0.55f);
		EXPECT_LE(s.confidence, 0.9f);
	}
}

TEST(SuggestField, ContentNeedsAClearMajority)
{
	const auto catalog = Catalog();
	// 8 of 10 valid emails: enough (lowest content confidence); 7 of 10: not.
	std::vector<std::string> s = {"a1@x.no", "a2@x.no", "a3@x.no", "a4@x.no", "a5@x.no",
								  "a6@x.no", "a7@x.no", "a8@x.no", "not an email", "nope"};
	Suggestion eight = SuggestField("", s, catalog);
	EXPECT_EQ(eight.field, "email");
	EXPECT_NEAR(eight.confidence, 0.6f, 0.01f);
	s[7] = "a8 at x.no";
	EXPECT_EQ(SuggestField("", s, catalog).field, "");

	// all valid: the top of the email range
	std::vector<std::string> all(10, "kari@example.no");
	EXPECT_NEAR(SuggestField("", all, catalog).confidence, 0.9f, 0.01f);

	// empty samples are ignored
	std::vector<std::string> sparse = {"", " ", "kari@example.no", "", "ola@example.no"};
	EXPECT_EQ(SuggestField("", sparse, catalog).field, "email");
	EXPECT_EQ(SuggestField("", {"", " "}, catalog).field, "");
	EXPECT_EQ(SuggestField("", {}, catalog).field, "");
}

TEST(SuggestField, ContentThatIsNothing)
{
	const auto catalog = Catalog();
	const std::vector<std::vector<std::string>> columns = {
		{"Ola", "Kari", "Per", "Øyvind", "Åse"},
		{"Met at Nordic Tech conference", "VIP customer", "Called, no answer", "Tab\there", "Line one\nLine two"},
		{"Equinor ASA", "Telenor", "Bølgen & Moi AS"},
		{"12345678", "23456789", "1", "2"},  // ids, not phone numbers or yes/no
		{"0155", "5003", "7010", "9008"},    // postal codes
		{"3.5", "12,75", "100"},
	};
	for (const auto& samples : columns)
		EXPECT_EQ(SuggestField("column_2", samples, catalog).field, "") << samples[0];
}

TEST(SuggestField, HeaderWinsOverContent)
{
	// A matching header decides even when the values look like something else.
	Suggestion s = SuggestField("Telefon", {"ola@example.no", "kari@example.no"}, Catalog());
	EXPECT_EQ(s.field, "mobile");
	EXPECT_EQ(s.basis, "header");
}

TEST(SuggestMapping, GenContactsHeader)
{
	const auto headers = Split(
		"first_name,last_name,email,mobile,company,city,country,birthday,email_optin,sms_optin,notes", ',');
	std::vector<std::vector<std::string>> samples = {
		{"Ola", "Kari"},
		{"Nordmann", "Hansen"},
		{"ola.nordmann1@gmail.com", " Kari.Hansen2@Online.no "},
		{"+47 912 34 567", "0047 41234567"},
		{"Equinor ASA", ""},
		{"Oslo", "Tromsø"},
		{"Norway", "Norge"},
		{"1990-12-31", "01.02.1985"},
		{"Yes", "OptOut"},
		{"Ja", "Nei"},
		{"VIP customer", "Called, no answer"},
	};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "email", "mobile", "company", "city",
												   "country", "birthday", "email_marketing", "sms_marketing", ""}));
	for (std::size_t i = 0; i + 1 < s.size(); ++i) {
		EXPECT_EQ(s[i].basis, "header") << headers[i];
		EXPECT_GE(s[i].confidence, 0.9f) << headers[i];
	}
	EXPECT_EQ(s.back().confidence, 0.0f);
	// the same without samples
	EXPECT_EQ(Fields(SuggestMapping(headers, {}, Catalog())), Fields(s));
}

TEST(SuggestMapping, NorwegianExcelHeader)
{
	const auto headers = Split("Fornavn;Etternavn;E-post;Mobil;Firma;Poststed;Land;Fødselsdato;Nyhetsbrev", ';');
	auto s = SuggestMapping(headers, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "email", "mobile", "company", "city",
												   "country", "birthday", "email_marketing"}));
}

TEST(SuggestMapping, SalesforceAndHubSpotExports)
{
	// Salesforce contact export: qualified address parts and the account's name.
	std::vector<std::string> headers = {"Id", "FirstName", "LastName", "Email", "MobilePhone", "MailingStreet",
										"MailingCity", "MailingPostalCode", "MailingCountry", "Account Name"};
	auto s = SuggestMapping(headers, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"system_id", "first_name", "last_name", "email", "mobile", "address",
												   "city", "postal_code", "country", "company"}));
	// HubSpot: "Zip", "Country/Region", "Company Name".
	headers = {"First Name", "Last Name", "Email Address", "Zip", "Country/Region", "Company Name"};
	s = SuggestMapping(headers, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "email", "postal_code", "country",
												   "company"}));
}

TEST(SuggestMapping, MixedCaseSpacesAndTypos)
{
	const std::vector<std::string> headers = {" FORNVAN ", "etternav", "Emial", "  Mobil Nummer", "POSTNR.",
											  "adress", "Notater"};
	auto s = SuggestMapping(headers, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "email", "mobile", "postal_code",
												   "address", ""}));
}

TEST(SuggestMapping, OneFieldPerColumnTheStrongerKeepsIt)
{
	// "Email 2" is one typo from "email", but the exact "E-post" column keeps the field.
	auto s = SuggestMapping({"Email 2", "E-post"}, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "email"}));
	// two exact matches: the earlier column wins, the later gets nothing
	s = SuggestMapping({"Telefon", "Mobil"}, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"mobile", ""}));
	// a custom field named like a synonym takes the exact name; the other column its synonym
	auto catalog = Catalog();
	catalog.push_back({"phone", "Work phone", "text", true});
	s = SuggestMapping({"Mobil", "Phone"}, {}, catalog);
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"mobile", "phone"}));
	s = SuggestMapping({"Phone", "Phone"}, {}, catalog);  // the loser falls back to its next best
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"phone", "mobile"}));
}

TEST(SuggestMapping, HeaderlessColumnsByContent)
{
	const std::vector<std::string> headers = {"column_1", "column_2", "column_3", "column_4", "column_5",
											  "column_6", "column_7"};
	const std::vector<std::vector<std::string>> samples = {
		{"Ola", "Kari", "Per", "Anne", "Øyvind"},
		{"ola.nordmann1@gmail.com", " Kari.Hansen2@Online.no ", "PER.OLSEN3@HOTMAIL.COM", "anne4@uio.no\t",
		 "oyvind5@live.no"},
		{"+47 912 34 567", "91234568", "0047 912 34 569", "(+47) 91234570", "+47 91 23 45 71"},
		{"1990-12-31", "01.02.1985", "1970-06-15", "15.06.1970", "2001-01-01"},
		{"Yes", "No", "Ja", "Nei", "True"},
		{"OptIn", "OptOut", "optin", "False", "Sant"},
		{"VIP customer", "", "Ring etter kl 16", "", "Newsletter signup"},
	};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "email", "mobile", "birthday", "email_marketing",
												   "sms_marketing", ""}));
	for (std::size_t i : {1, 2, 3, 4, 5})
		EXPECT_EQ(s[i].basis, "content");
	EXPECT_LT(s[5].confidence, s[4].confidence);
}

TEST(SuggestMapping, ContentConsentTakesSmsWhenEmailMarketingIsMapped)
{
	auto s = SuggestMapping({"Nyhetsbrev", "column_2"}, {{}, {"Ja", "Nei", "Ja"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"email_marketing", "sms_marketing"}));
}

TEST(SuggestMapping, MissingSamplesAndEmptyInput)
{
	EXPECT_TRUE(SuggestMapping({}, {}, Catalog()).empty());
	auto s = SuggestMapping({"column_1", "E-post"}, {{"kari@example.no"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "email"}));  // header beats content
}

TEST(EditDistance, Levenshtein)
{
	EXPECT_EQ(EditDistance("", "", 3), 0u);
	EXPECT_EQ(EditDistance("abc", "abc", 3), 0u);
	EXPECT_EQ(EditDistance("kitten", "sitting", 5), 3u);
	EXPECT_EQ(EditDistance("email", "emial", 5), 2u);  // a swap is two edits here
	EXPECT_EQ(EditDistance("abc", "", 5), 3u);
	EXPECT_EQ(EditDistance("", "abc", 5), 3u);
	EXPECT_EQ(EditDistance("kitten", "sitting", 1), 2u);  // capped at limit + 1
	EXPECT_EQ(EditDistance("a", "abcdefgh", 2), 3u);
	EXPECT_EQ(EditDistance("ø", "o", 5), 2u);  // bytes
	EXPECT_EQ(EditDistance("abcdef", "badcfe", 10), EditDistance("badcfe", "abcdef", 10));
}

TEST(TypoDistance, CountsSwapsAndCharacters)
{
	EXPECT_EQ(TypoDistance("email", "emial", 5), 1u);
	EXPECT_EQ(TypoDistance("fornavn", "fornvan", 5), 1u);
	EXPECT_EQ(TypoDistance("ø", "o", 5), 1u);  // characters, not bytes
	EXPECT_EQ(TypoDistance("fødselsdato", "fodselsdato", 5), 1u);
	EXPECT_EQ(TypoDistance("kitten", "sitting", 5), 3u);
	EXPECT_EQ(TypoDistance("abc", "ca", 5), 3u);  // optimal string alignment, not full Damerau
	EXPECT_EQ(TypoDistance("abcdefgh", "hgfedcba", 2), 3u);
	EXPECT_EQ(TypoDistance("\xFF\xFE", "\xFE\xFF", 3), 1u);  // invalid bytes are characters too
}

TEST(ClosestMatch, DidYouMean)
{
	const std::vector<std::string> fields = {"first_name", "last_name", "email", "mobile", "system_id",
											 "email_marketing", "sms_marketing", "birthday"};
	EXPECT_EQ(ClosestMatch("emial", fields), "email");
	EXPECT_EQ(ClosestMatch("EMAIL", fields), "email");
	EXPECT_EQ(ClosestMatch("frist_name", fields), "first_name");
	EXPECT_EQ(ClosestMatch("firstname", fields), "first_name");
	EXPECT_EQ(ClosestMatch("mobil", fields), "mobile");
	EXPECT_EQ(ClosestMatch("sms_marketin", fields), "sms_marketing");
	EXPECT_EQ(ClosestMatch("birth", fields), "");
	EXPECT_EQ(ClosestMatch("phone", fields), "");
	EXPECT_EQ(ClosestMatch("", fields), "");
	EXPECT_EQ(ClosestMatch("email", {}), "");
	EXPECT_EQ(ClosestMatch("a", {"b", "ab"}), "b");  // ties: the earlier candidate
	// columns of a file, as spelled there
	EXPECT_EQ(ClosestMatch("fodselsdato", {"Fornavn", "Fødselsdato"}), "Fødselsdato");
	EXPECT_EQ(ClosestMatch("e-post", {"E-post", "Epost"}), "E-post");
}

}  // namespace
}  // namespace crm::core
