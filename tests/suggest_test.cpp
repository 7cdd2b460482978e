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
		{"Addres", "address", "header (fuzzy)"},
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
			EXPECT_GE(s.confidence, 0.85f) << c.header;  // 0.85: a phone that does not say mobile
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

// A name, company or city column whose values are email addresses or phone numbers is
// the wrong column for the field (a Mailchimp export's "nombre" column of addresses was
// applied as first_name): shown with the reason, not applied. Custom text fields take any
// value (a text field "secondary email" is the user's choice).
TEST(SuggestField, TextFieldsRefuseColumnsOfAddressesOrNumbers)
{
	Suggestion s = SuggestField("nombre", {"ana@example.es", "luis@example.es", "maria@example.es"}, {});
	EXPECT_EQ(s.field, "first_name");
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "3 of 3 sample values are email addresses, e.g. 'ana@example.es', not a first name: map the column "
						"to email if it holds the addresses");
	Suggestion city = SuggestField("City", {"+47 912 34 567", "41234567", "92345678", "46123456", "Oslo"}, {});
	EXPECT_FALSE(city.applicable);
	EXPECT_NE(city.reason.find("4 of 5 sample values are phone numbers"), std::string::npos) << city.reason;
	// Names, and a few addresses among names, are fine.
	EXPECT_TRUE(SuggestField("nombre", {"Ana", "Luis", "maria@example.es", "Kari", "Per"}, {}).applicable);
	EXPECT_TRUE(SuggestField("Postnummer", {"0155", "5003", "9008"}, {}).applicable);
	std::vector<FieldInfo> catalog = {{"secondary_email", "Secondary email", "text", true}};
	EXPECT_TRUE(SuggestField("Secondary email", {"ana@example.es", "luis@example.es"}, catalog).applicable);
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
	// A full Salesforce Contact export has the Other* address first: the Mailing* one, the
	// person's own, is still the one suggested.
	headers = {"Id", "LastName", "FirstName", "OtherStreet", "OtherCity", "OtherPostalCode", "OtherCountry",
			   "MailingStreet", "MailingCity", "MailingPostalCode", "MailingCountry", "Email"};
	s = SuggestMapping(headers, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"system_id", "last_name", "first_name", "", "", "", "", "address",
												   "city", "postal_code", "country", "email"}));
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
	// two exact matches: the earlier column wins, the later gets nothing, and is told why
	s = SuggestMapping({"Mobiltelefon", "Mobil"}, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"mobile", ""}));
	EXPECT_EQ(s[1].reason, "mobile is suggested for column 1 \"Mobiltelefon\"");
	// a phone that does not say mobile yields to one that does, wherever it stands
	s = SuggestMapping({"Telefon", "Mobil"}, {}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "mobile"}));
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
	auto s = SuggestMapping({"column_1", "E-post"}, {{"kari@example.no"}, {"ola@example.no"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "email"}));  // header beats content
	// A column without samples is blank: a column with values takes the field from it.
	s = SuggestMapping({"column_1", "E-post"}, {{"kari@example.no"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"email", ""}));
	s = SuggestMapping({"phone", "mobilephone"}, {{"+47 912 34 567"}, {}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"mobile", ""}));
	EXPECT_EQ(s[1].reason, "mobile is suggested for column 1 \"phone\"");
}

// ---- Headers of real exports and languages (issue 15) ----

// The fields SuggestMapping gives a header line, with samples per column (or none).
std::vector<std::string> MapFields(const std::string& line, char sep,
								   const std::vector<std::vector<std::string>>& samples = {})
{
	return Fields(SuggestMapping(Split(line, sep), samples, Catalog()));
}

TEST(SuggestMapping, GoogleContactsExport)
{
	// The older Google CSV: numbered "Group N - Part" columns.
	auto f = MapFields(
		"Name,Given Name,Additional Name,Family Name,Nickname,Birthday,Gender,Notes,Group Membership,"
		"E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
		"Address 1 - Type,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,"
		"Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Organization 1 - Type,"
		"Organization 1 - Name,Organization 1 - Title,Website 1 - Value,Event 1 - Value",
		',');
	EXPECT_EQ(f, (std::vector<std::string>{"", "first_name", "", "last_name", "", "birthday", "", "", "",
										   "", "email", "", "", "", "mobile",
										   "", "", "address", "city", "",
										   "", "postal_code", "country", "",
										   "company", "", "", ""}));
	// The newer one: "First Name", "Organization Name", "... - Label".
	f = MapFields("First Name,Middle Name,Last Name,Birthday,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,"
				  "Phone 1 - Value,Address 1 - City,Organization Name,Organization Title",
				  ',');
	EXPECT_EQ(f, (std::vector<std::string>{"first_name", "", "last_name", "birthday", "", "email", "", "mobile", "city",
										   "company", ""}));
}

TEST(SuggestMapping, GooglePhoneIsMobileOnlyWhenItsTypeSaysSo)
{
	const auto headers = Split("Given Name,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value", ',');
	std::vector<std::vector<std::string>> samples = {
		{"Ola", "Kari"},
		{"Home", "Work", "Home"},
		{"22 11 22 33", "23 45 67 89", "22 33 44 55"},
		{"* Mobile", "Mobile ::: Work", "Mobile"},
		{"+47 912 34 567", "+47 412 34 567", "913 45 678"},
	};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "", "", "", "mobile"}));
	EXPECT_EQ(s[2].reason, "the phone type column says 'Home', not Mobile");
	EXPECT_TRUE(s[4].applicable);
	EXPECT_FLOAT_EQ(s[4].confidence, 0.9f);  // the second of its kind
	// Without a type column a numbered phone is a mobile number.
	s = SuggestMapping({"Phone 1 - Value"}, {{"+47 912 34 567"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"mobile"}));
}

TEST(SuggestMapping, OutlookExport)
{
	auto f = MapFields(
		"First Name,Middle Name,Last Name,Title,E-mail Address,E-mail 2 Address,Home Phone,Home Phone 2,"
		"Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,Business Fax,Home Fax,Pager,"
		"Company Main Phone,Assistant's Phone,Company,Job Title,Business Street,Business City,Business State,"
		"Business Postal Code,Business Country/Region,Home Street,Home City,Home Postal Code,"
		"Home Country/Region,Birthday,Anniversary,Notes",
		',');
	EXPECT_EQ(f, (std::vector<std::string>{"first_name", "", "last_name", "", "email", "", "", "",
										   "", "", "mobile", "", "", "", "", "",
										   "", "", "company", "", "address", "city", "",
										   "postal_code", "country", "", "", "",
										   "", "birthday", "", ""}));
	// When only the home address is filled, the home columns take the fields.
	const auto headers = Split("Business City,Home City,Business Postal Code,Home Postal Code", ',');
	auto s = SuggestMapping(headers, {{}, {"Oslo", "Bergen"}, {}, {"0155", "5003"}}, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"", "city", "", "postal_code"}));
	EXPECT_EQ(s[0].reason, "city is suggested for column 2 \"Home City\"");
}

TEST(SuggestMapping, ThunderbirdExport)
{
	const auto headers = Split(
		"First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,"
		"Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,"
		"Home ZipCode,Home Country,Work Address,Work City,Work ZipCode,Work Country,Job Title,Department,"
		"Organization,Web Page 1,Birth Year,Birth Month,Birth Day,Custom 1,Notes",
		',');
	std::vector<std::vector<std::string>> samples(headers.size());
	samples[7] = {"22 11 22 33"};
	samples[8] = {"+47 912 34 567", "412 34 567"};  // a mobile number in the home phone column
	samples[26] = {"1990", "1985", "1970"};
	samples[27] = {"3", "12", "6"};
	samples[28] = {"15", "4", "31"};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "", "", "email", "", "", "",
												   "", "", "", "mobile", "address", "", "city", "",
												   "postal_code", "country", "", "", "", "", "", "",
												   "company", "", "", "", "", "", ""}));
	// Birth Year/Month/Day are not a birthday, and say so.
	for (std::size_t i : {26, 27, 28})
		EXPECT_EQ(s[i].reason, "only the day, month or year of a birthday, not a date") << headers[i];
	EXPECT_EQ(s[7].reason, "home, work and landline phones are not mobile numbers");
	EXPECT_EQ(s[8].reason, "home, work and landline phones are not mobile numbers");
}

TEST(SuggestMapping, LinkedInExport)
{
	const auto headers = Split("First Name,Last Name,URL,Email Address,Company,Position,Connected On", ',');
	std::vector<std::vector<std::string>> samples = {
		{"Ola"}, {"Nordmann"}, {"https://www.linkedin.com/in/ola"}, {"ola@example.no", ""}, {"Acme AS"},
		{"CTO"}, {"09 Oct 2024", "15 Mar 2019"}};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"first_name", "last_name", "", "email", "company", "", ""}));
	EXPECT_EQ(s[6].reason, "the header names another date, not a birthday");
}

TEST(SuggestMapping, MailchimpExport)
{
	const auto headers = Split(
		"Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
		"CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,"
		"NOTES,TAGS",
		',');
	std::vector<std::vector<std::string>> samples(headers.size());
	samples[0] = {"ola@example.no", "kari@example.no"};
	samples[4] = {"+47 912 34 567", "+47 412 34 567"};
	samples[5] = {"03/04", "12/31"};  // Mailchimp birthdays: MM/DD, no year
	samples[6] = {"2", "4", "5"};
	samples[7] = {"2024-10-09 12:34:56", "2023-01-02 08:00:00"};
	samples[9] = {"2024-10-09 12:35:10", "2023-01-02 08:01:00"};
	samples[18] = {"2024-11-01 10:00:00", "2024-01-02 09:00:00"};
	samples[19] = {"123456789", "123456790"};
	auto s = SuggestMapping(headers, samples, Catalog());
	std::vector<std::string> expected(headers.size());
	expected[0] = "email";
	expected[1] = "first_name";
	expected[2] = "last_name";
	expected[3] = "address";
	expected[4] = "mobile";
	expected[5] = "birthday";
	EXPECT_EQ(Fields(s), expected);
	EXPECT_TRUE(s[4].applicable);
	// The year-less birthdays are suggested, never applied; OPTIN_TIME is no birthday.
	EXPECT_FALSE(s[5].applicable);
	EXPECT_EQ(s[5].reason, "2 of 2 sample values are not valid birthdays, e.g. '03/04': date without a year");
	for (std::size_t i : {7, 9, 18})
		EXPECT_EQ(s[i].reason, "the header names another date, not a birthday") << headers[i];
}

TEST(SuggestMapping, HubSpotAndSalesforceExportsWithValues)
{
	// HubSpot's internal names; "phone" yields to "mobilephone".
	auto f = MapFields("firstname,lastname,email,phone,mobilephone,company,city,zip,country,date_of_birth,"
					   "createdate,lastmodifieddate,hs_object_id,Record ID",
					   ',');
	EXPECT_EQ(f, (std::vector<std::string>{"first_name", "last_name", "email", "", "mobile", "company", "city",
										   "postal_code", "country", "birthday", "", "", "", "system_id"}));
	// Salesforce: 18-character ids are no system IDs; Birthdate is the birthday.
	const auto headers = Split("Id,AccountId,FirstName,LastName,Email,Phone,MobilePhone,HomePhone,OtherPhone,"
							   "MailingStreet,MailingCity,MailingPostalCode,MailingCountry,Birthdate,CreatedDate",
							   ',');
	std::vector<std::vector<std::string>> samples(headers.size());
	samples[0] = {"0035g00000AbCdEAAZ", "0035g00000AbCdFAAZ"};
	samples[13] = {"1990-12-31", "1985-02-01"};
	samples[14] = {"2024-10-09T12:34:56.000Z"};
	auto s = SuggestMapping(headers, samples, Catalog());
	EXPECT_EQ(Fields(s), (std::vector<std::string>{"system_id", "", "first_name", "last_name", "email", "", "mobile",
												   "", "", "address", "city", "postal_code", "country", "birthday",
												   ""}));
	EXPECT_FALSE(s[0].applicable);
	EXPECT_EQ(s[0].reason, "2 of 2 sample values are not valid system IDs, e.g. '0035g00000AbCdEAAZ': not a whole number");
	EXPECT_TRUE(s[13].applicable);
	EXPECT_EQ(s[7].reason, "home, work and landline phones are not mobile numbers");
	EXPECT_EQ(s[5].reason, "mobile is suggested for column 7 \"MobilePhone\"");
}

TEST(SuggestField, NordicGermanFrenchAndSpanishHeaders)
{
	struct {
		const char* header;
		const char* field;
	} cases[] = {
		// Swedish
		{"Förnamn", "first_name"}, {"Efternamn", "last_name"}, {"E-post", "email"}, {"E-postadress", "email"},
		{"Mobilnummer", "mobile"}, {"Telefon", "mobile"}, {"Företag", "company"}, {"Adress", "address"},
		{"Postnummer", "postal_code"}, {"Ort", "city"}, {"Postort", "city"}, {"Land", "country"},
		{"Födelsedatum", "birthday"}, {"Kundnummer", "system_id"},
		// Danish
		{"Fornavn", "first_name"}, {"Efternavn", "last_name"}, {"E-mail", "email"}, {"Mobil", "mobile"},
		{"Firma", "company"}, {"Virksomhed", "company"}, {"Adresse", "address"}, {"By", "city"},
		{"Fødselsdato", "birthday"}, {"Fødselsdag", "birthday"},
		// German
		{"Vorname", "first_name"}, {"Nachname", "last_name"}, {"Familienname", "last_name"}, {"E-Mail", "email"},
		{"E-Mail-Adresse", "email"}, {"Handy", "mobile"}, {"Mobiltelefon", "mobile"}, {"Telefonnummer", "mobile"},
		{"Firma", "company"}, {"Unternehmen", "company"}, {"Straße", "address"}, {"Strasse", "address"},
		{"PLZ", "postal_code"}, {"Postleitzahl", "postal_code"}, {"Ort", "city"}, {"Stadt", "city"},
		{"Wohnort", "city"}, {"Land", "country"}, {"Geburtsdatum", "birthday"}, {"Geburtstag", "birthday"},
		{"Kundennummer", "system_id"},
		// French
		{"Prénom", "first_name"}, {"PRÉNOM", "first_name"}, {"Nom", "last_name"}, {"Nom de famille", "last_name"},
		{"Courriel", "email"}, {"Adresse e-mail", "email"}, {"Téléphone", "mobile"}, {"Portable", "mobile"},
		{"Téléphone portable", "mobile"}, {"Entreprise", "company"}, {"Société", "company"}, {"Adresse", "address"},
		{"Code postal", "postal_code"}, {"Ville", "city"}, {"Pays", "country"}, {"Date de naissance", "birthday"},
		{"Anniversaire", "birthday"},
		// Spanish
		{"Nombre", "first_name"}, {"Apellido", "last_name"}, {"Apellidos", "last_name"},
		{"Correo electrónico", "email"}, {"Correo", "email"}, {"Teléfono", "mobile"}, {"Móvil", "mobile"},
		{"Celular", "mobile"}, {"Empresa", "company"}, {"Compañía", "company"}, {"Dirección", "address"},
		{"Código postal", "postal_code"}, {"Ciudad", "city"}, {"País", "country"},
		{"Fecha de nacimiento", "birthday"}, {"Cumpleaños", "birthday"},
	};
	const auto catalog = Catalog();
	for (const auto& c : cases) {
		Suggestion s = SuggestField(c.header, {}, catalog);
		EXPECT_EQ(s.field, c.field) << c.header;
		EXPECT_EQ(s.basis, "header") << c.header;
		EXPECT_TRUE(s.applicable) << c.header << ": " << s.reason;
	}
}

// ---- What must never be applied (issue 15) ----

TEST(SuggestField, HomeWorkAndLandlinePhonesAreNotMobile)
{
	const auto catalog = Catalog();
	const std::vector<std::string> phones = {"+47 22 11 22 33", "+47 912 34 567", "23 45 67 89"};
	for (const char* h : {"Home Phone", "Home Phone 2", "HomePhone", "Business Phone", "Work Phone", "Office phone",
						  "Landline", "Landline phone", "Fixed phone", "Company Main Phone", "Other Phone", "Car Phone",
						  "Fax", "Business Fax", "Fax Number", "Pager", "Hjemmetelefon", "Telefon hjem",
						  "Telefon arbeid", "Jobbtelefon", "Fasttelefon", "Hemtelefon", "Arbetstelefon",
						  "Telefon (Festnetz)", "Festnetz", "Telefon geschäftlich", "Téléphone fixe",
						  "Téléphone domicile", "Téléphone bureau", "Teléfono fijo", "Teléfono casa", "Teléfono trabajo"}) {
		Suggestion s = SuggestField(h, phones, catalog);
		EXPECT_NE(s.field, "mobile") << h;
		EXPECT_FALSE(s.applicable) << h;
	}
	// ... and the reason is given when nothing else fits.
	Suggestion s = SuggestField("Home Phone", phones, catalog);
	EXPECT_EQ(s.field, "");
	EXPECT_EQ(s.reason, "home, work and landline phones are not mobile numbers");
	// A mobile of any kind stays a mobile.
	for (const char* h : {"Mobile Phone", "Work Mobile", "Mobil privat", "Mobiltelefon jobb", "Cell (work)"})
		EXPECT_EQ(SuggestField(h, phones, catalog).field, "mobile") << h;
}

TEST(SuggestField, BirthdayPartsAndOtherDatesAreNotBirthdays)
{
	const auto catalog = Catalog();
	const std::vector<std::string> dates = {"01/02/2023", "15/06/2024", "31/12/2022"};
	// Thunderbird's Birth Day holds the day of the month: it matched "birthday" exactly.
	Suggestion s = SuggestField("Birth Day", {"15", "4", "31"}, catalog);
	EXPECT_EQ(s.field, "");
	EXPECT_EQ(s.reason, "only the day, month or year of a birthday, not a date");
	for (const char* h : {"Birth Day", "Birth Month", "Birth Year", "birth_year", "BirthYear", "Year of birth",
						  "Fødselsår", "Geburtsjahr"}) {
		Suggestion p = SuggestField(h, {"15", "4", "1990"}, catalog);
		EXPECT_NE(p.field, "birthday") << h;
		EXPECT_EQ(p.reason, "only the day, month or year of a birthday, not a date") << h;
	}
	// Other dates: never suggested as a birthday, from the header or from their values.
	for (const char* h : {"Subscription Date", "Created", "Created At", "Last Modified", "Modified", "OPTIN_TIME",
						  "CONFIRM_TIME", "LAST_CHANGED", "Date", "Dato", "Connected On", "Anniversary",
						  "Member since", "Signup date", "Registrert", "Opprettet", "Event 1 - Value", "createdate",
						  "Datum", "Fecha", "Date d'inscription", "Erstellt am"}) {
		Suggestion d = SuggestField(h, dates, catalog);
		EXPECT_NE(d.field, "birthday") << h;
		EXPECT_FALSE(d.applicable) << h;
		EXPECT_EQ(d.reason, "the header names another date, not a birthday") << h;
	}
	// A birth word keeps a header a birthday.
	for (const char* h : {"Birthday", "Birth date", "Date of birth", "Fødselsdato", "Geburtsdatum", "Birthdate"})
		EXPECT_EQ(SuggestField(h, {"1990-12-31"}, catalog).field, "birthday") << h;
}

TEST(SuggestField, DatesFromValuesAloneAreShownNotApplied)
{
	// The issue's "Subscription Date" with dd/mm/yyyy values, but under a header that says
	// nothing: a birthday guess, never applied.
	Suggestion s = SuggestField("Kolonne 7", {"01/02/2023", "15/06/2024", "31/12/2022"}, Catalog());
	EXPECT_EQ(s.field, "birthday");
	EXPECT_EQ(s.basis, "content");
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "guessed from the values alone, and no header says birthday: map it yourself if right");
	// Consent from values alone: shown, not applied.
	s = SuggestField("", {"Ja", "Nei", "Ja", "Nei", "Ja"}, Catalog());
	EXPECT_EQ(s.field, "email_marketing");
	EXPECT_FALSE(s.applicable);
	// An email or phone column recognised by its values is applied.
	s = SuggestField("", {"ola@example.no", "kari@example.no"}, Catalog());
	EXPECT_EQ(s.field, "email");
	EXPECT_TRUE(s.applicable);
	s = SuggestField("", {"+47 912 34 567", "412 34 567"}, Catalog());
	EXPECT_EQ(s.field, "mobile");
	EXPECT_TRUE(s.applicable);
	// Dates month first are dates too.
	s = SuggestField("", {"12/31/1990", "06/15/1985"}, Catalog());
	EXPECT_EQ(s.field, "birthday");
}

TEST(SuggestField, SystemIdsMustBeWholeNumbers)
{
	const auto catalog = Catalog();
	// The issue's "Customer Id" and Outlook's hex "ID": suggested, not applied.
	Suggestion s = SuggestField("Customer Id", {"DD37Cf93aecA6Dc", "aB1c2D3e4F5a6B7", "0f9E8d7C6b5A4f3"}, catalog);
	EXPECT_EQ(s.field, "system_id");
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "3 of 3 sample values are not valid system IDs, e.g. 'DD37Cf93aecA6Dc': not a whole number");
	s = SuggestField("ID", {"00000000A1B2C3D4E5F60718293A4B5C", "00000000A1B2C3D4E5F60718293A4B5D"}, catalog);
	EXPECT_FALSE(s.applicable);
	s = SuggestField("Contact ID", {"12345678901234567890"}, catalog);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "1 of 1 sample values are not valid system IDs, e.g. '12345678901234567890': too many digits (at most 18)");
	s = SuggestField("Contact ID", {"-5", "0"}, catalog);
	EXPECT_FALSE(s.applicable);
	// Whole numbers: applied.
	for (const char* h : {"Customer Id", "ID", "Contact ID", "Kundenummer"}) {
		s = SuggestField(h, {"1001", " 1002 ", "123456789012345678"}, catalog);
		EXPECT_EQ(s.field, "system_id") << h;
		EXPECT_TRUE(s.applicable) << h << ": " << s.reason;
	}
	// With a hex ID and a numeric customer number, the numbers take system_id.
	auto m = SuggestMapping({"ID", "Customer number"}, {{"DD37Cf93aecA6Dc"}, {"1001", "1002"}}, catalog);
	EXPECT_EQ(Fields(m), (std::vector<std::string>{"", "system_id"}));
	EXPECT_TRUE(m[1].applicable);
}

TEST(SuggestField, ValuesThatDoNotFitStopTheApplication)
{
	const auto catalog = Catalog();
	const SuggestOptions today{"NO", CivilDate{2026, 3, 15}};
	// A header match whose values do not pass the normalizer is shown with the reason.
	Suggestion s = SuggestField("Birthday", {"15", "4", "31"}, catalog, today);
	EXPECT_EQ(s.field, "birthday");
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason,
			  "3 of 3 sample values are not valid birthdays, e.g. '15': not a date (expected YYYY-MM-DD or DD.MM.YYYY)");
	s = SuggestField("E-post", {"Ola", "Kari", "ola@example.no"}, catalog);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "2 of 3 sample values are not valid email addresses, e.g. 'Ola': missing @");
	s = SuggestField("Mobil", {"ja", "nei"}, catalog);
	EXPECT_FALSE(s.applicable);
	s = SuggestField("Nyhetsbrev", {"Abonnent", "Ikke abonnent"}, catalog);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "2 of 2 sample values are not valid consent values, e.g. 'Abonnent': not a yes/no or opt-in/opt-out term");
	// Outlook's empty birthday 0/0/00, Google's --03-04.
	s = SuggestField("Birthday", {"0/0/00", "0/0/00", "1/15/1990"}, catalog, today);
	EXPECT_FALSE(s.applicable);
	s = SuggestField("Birthday", {"--03-04", "--12-31", "1990-01-02"}, catalog, today);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "2 of 3 sample values are not valid birthdays, e.g. '--03-04': birthday without a year");
	// Implausible birthdays.
	s = SuggestField("Fødselsdato", {"01.01.2030", "02.02.2031"}, catalog, today);
	EXPECT_EQ(s.reason, "2 of 2 sample values are not valid birthdays, e.g. '01.01.2030': birthday in the future");
	s = SuggestField("Fødselsdato", {"01.01.1850", "1990-01-01"}, catalog, today);
	EXPECT_EQ(s.reason, "1 of 2 sample values are not valid birthdays, e.g. '01.01.1850': birthday more than 130 years ago");
	// Contradicting date orders.
	s = SuggestField("Birthday", {"31/12/1990", "12/31/1985"}, catalog, today);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "sample dates are contradictory: '31/12/1990' can only be day first and '12/31/1985' only month first");
	// 80% is enough: 4 good of 5.
	s = SuggestField("E-post", {"a@x.no", "b@x.no", "c@x.no", "d@x.no", "nope"}, catalog);
	EXPECT_TRUE(s.applicable);
	s = SuggestField("E-post", {"a@x.no", "b@x.no", "c@x.no", "nope", "nope2"}, catalog);
	EXPECT_FALSE(s.applicable);
	// No samples: nothing contradicts the header.
	EXPECT_TRUE(SuggestField("Birthday", {}, catalog, today).applicable);
	EXPECT_TRUE(SuggestField("Birthday", {"", "  "}, catalog, today).applicable);
	// Month-first birthdays pass when the import reads dates month first; read day first,
	// 3/4/1970 would become 3 April, so they do not.
	s = SuggestField("Birthday", {"12/31/1990", "1/15/1985", "3/4/1970"}, catalog, today);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "dates are read DMY, but the samples are month first: 2 of 3 dates have a second part above "
						"12, e.g. '12/31/1990'");
	SuggestOptions mdy = today;
	mdy.date_order = DateOrder::kMDY;
	s = SuggestField("Birthday", {"12/31/1990", "1/15/1985", "3/4/1970"}, catalog, mdy);
	EXPECT_TRUE(s.applicable) << s.reason;
	s = SuggestField("Birthday", {"31/12/1990", "15/1/1985"}, catalog, mdy);
	EXPECT_FALSE(s.applicable);
	EXPECT_EQ(s.reason, "dates are read MDY, but the samples are day first: 2 of 2 dates have a first part above 12, "
						"e.g. '31/12/1990'");
	// Dates whose order does not matter pass in every order.
	mdy.date_order = DateOrder::kYMD;
	EXPECT_TRUE(SuggestField("Birthday", {"1990-12-31", "15 Jan 1985"}, catalog, mdy).applicable);
	// Phone numbers are checked in the given region.
	s = SuggestField("Mobile", {"070-123 45 67", "073-765 43 21"}, catalog, SuggestOptions{"SE", {}});
	EXPECT_TRUE(s.applicable) << s.reason;
	s = SuggestField("Mobile", {"070-123 45 67", "073-765 43 21"}, catalog);
	EXPECT_FALSE(s.applicable);
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
