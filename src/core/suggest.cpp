// Mapping suggestions: a CRM field per file column from its header (the spellings of seven
// languages and of the common exports, typos) or, when the header says nothing, from its
// values; and whether the values allow applying it.
#include "suggest.hpp"

#include "normalize.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace crm::core {

namespace {

// Confidence of each kind of evidence (see Suggestion::confidence).
constexpr float kFieldNameMatch = 1.0f;   // header key == the field's name key
constexpr float kLabelMatch = 0.97f;      // header key == the field's label key
constexpr float kSynonymMatch = 0.95f;    // header key == a known spelling of the field
constexpr float kGenericPhone = 0.85f;    // "Phone", "Telefon": a mobile number, less surely than "Mobile"
constexpr float kOtherNumber = 0.9f;      // Google's "E-mail 2 - Value": the second of a kind
constexpr float kPrefixed = 0.95f;        // factor for a qualified header ("MailingCity", "Home City")
constexpr float kFuzzyOne = 0.7f;         // one typo away
constexpr float kFuzzyTwo = 0.65f;        // two typos away (long keys only)
constexpr float kSecondConsent = 0.05f;   // sms_marketing is a consent column's second choice
constexpr float kApplyConfidence = 0.6f;  // weaker evidence is shown, never applied
constexpr double kContentMajority = 0.8;  // share of samples that must agree
constexpr std::size_t kMinFuzzyChars = 5; // shorter keys ("by", "dob", "land") match exactly only
constexpr std::size_t kFewSamples = 5;    // fewer non-empty samples: lowest content confidence

// Known spellings of the predefined fields' headers: English, Norwegian, Swedish, Danish,
// German, French, Spanish, and the headers of Google, Outlook, Thunderbird, LinkedIn,
// Mailchimp, HubSpot and Salesforce exports. Matched on HeaderKey, so case, spaces,
// underscores, dashes and dots do not matter. "Name"/"full name" are deliberately absent:
// a full name is not a first name. Phone headers that do not say mobile are a separate,
// weaker list; home, work and landline phones are refused by NonMobilePhone below.
struct SynonymList {
	const char* field;
	float confidence;
	const char* spellings[40];  // unused slots are null
};

const SynonymList kSynonyms[] = {
	{"first_name", kSynonymMatch,
	 {"first name", "firstname", "first", "given name", "forename", "fname", "fornavn", "förnamn", "vorname",
	  "prénom", "prenom", "nombre", "nombres"}},
	{"last_name", kSynonymMatch,
	 {"last name", "lastname", "last", "surname", "family name", "lname", "etternavn", "efternavn", "efternamn",
	  "nachname", "familienname", "nom", "nom de famille", "apellido", "apellidos"}},
	{"email", kSynonymMatch,
	 {"email", "e-mail", "email address", "e-mail address", "mail", "mail address", "e-post", "epost",
	  "e-postadresse", "epostadresse", "emailadresse", "mailadresse", "e-postadress", "e-mailadresse",
	  "e-mail-adresse", "mejl", "mejladress", "courriel", "adresse e-mail", "adresse email", "adresse mail",
	  "correo", "correo electrónico", "correo electronico"}},
	{"mobile", kSynonymMatch,
	 {"mobile", "mobile number", "mobile phone", "mobile phone number", "mobilephone", "cell", "cellphone",
	  "cell phone", "cell number", "mobil", "mobilnr", "mobilnummer", "mobiltelefon", "mobiltlf", "handy",
	  "handynummer", "mobilfunknummer", "portable", "téléphone portable", "telephone portable", "téléphone mobile",
	  "móvil", "movil", "celular", "teléfono móvil", "telefono movil", "número de móvil", "numero movil"}},
	{"mobile", kGenericPhone,
	 {"phone", "phone number", "telephone", "telephone number", "tlf", "tlf nr", "telefon", "telefonnr",
	  "telefonnummer", "téléphone", "numéro de téléphone", "numero de telephone", "teléfono", "telefono",
	  "número de teléfono", "numero de telefono"}},
	{"system_id", kSynonymMatch,
	 {"system id", "id", "contact id", "crm id", "customer id", "customer number", "record id", "kundenummer",
	  "kundenr", "kunde nr", "kunde id", "kundnummer", "kund id", "kundennummer", "kunden id", "kundennr",
	  "numéro client", "numero client", "número de cliente", "numero de cliente", "id cliente"}},
	{"company", kSynonymMatch,
	 {"company", "company name", "organization", "organisation", "organisasjon", "firma", "firmanavn", "bedrift",
	  "selskap", "arbeidsgiver", "employer", "account name", "organization name", "företag", "foretag",
	  "virksomhed", "unternehmen", "entreprise", "société", "societe", "empresa", "compañía", "compania"}},
	{"address", kSynonymMatch,
	 {"address", "street", "street address", "postal address", "address line 1", "address 1", "adresse",
	  "gateadresse", "postadresse", "gate", "adress", "gatuadress", "postadress", "straße", "strasse",
	  "anschrift", "adresse postale", "dirección", "direccion", "calle"}},
	{"postal_code", kSynonymMatch,
	 {"postal code", "zip", "zip code", "postcode", "post code", "postnummer", "postnr", "post nr",
	  "zip/postal code", "postal", "zipcode", "plz", "postleitzahl", "code postal", "código postal",
	  "codigo postal"}},
	{"city", kSynonymMatch,
	 {"city", "town", "poststed", "by", "sted", "ort", "postort", "stadt", "wohnort", "ville", "ciudad",
	  "localidad", "población", "poblacion"}},
	{"country", kSynonymMatch,
	 {"country", "country name", "land", "nation", "country/region", "pays", "país", "pais"}},
	{"birthday", kSynonymMatch,
	 {"birthday", "birth date", "birthdate", "date of birth", "dob", "fødselsdato", "fodselsdato", "fødselsdag",
	  "bursdag", "født", "fodt", "födelsedatum", "fodelsedatum", "födelsedag", "geburtsdatum", "geburtstag",
	  "date de naissance", "anniversaire", "fecha de nacimiento", "cumpleaños", "cumpleanos"}},
	{"email_marketing", kSynonymMatch,
	 {"email marketing", "email marketing status", "email opt in", "email optin", "email consent", "newsletter",
	  "nyhetsbrev", "samtykke e-post", "e-post samtykke", "markedsføring e-post", "e-post markedsføring"}},
	{"sms_marketing", kSynonymMatch,
	 {"sms marketing", "sms marketing status", "sms opt in", "sms optin", "sms consent", "samtykke sms",
	  "sms-samtykke", "markedsføring sms", "sms markedsføring"}},
};

// A key a header can match exactly (or fuzzily) and the field it stands for.
struct KeyEntry {
	std::string key;
	std::u32string chars;  // key as code points, for typo distances
	std::string field;
	float exact = 0.0f;
};

struct Candidate {
	Candidate(std::string f, float c, const char* b) : field(std::move(f)), confidence(c), basis(b) {}
	std::string field;
	float confidence = 0.0f;
	const char* basis = "";
	bool applicable = false;
	std::string reason;  // why not applicable
};

// Byte length of a separator HeaderKey drops at s[i] (white space, NBSP and other Unicode
// spaces, BOM, '_', '-', '.'), or 0.
std::size_t SeparatorAt(std::string_view s, std::size_t i) noexcept
{
	char c = s[i];
	if (c == ' ' || c == '_' || c == '-' || c == '.' || (c >= '\t' && c <= '\r'))
		return 1;
	std::string_view rest = s.substr(i);
	if (rest.substr(0, 2) == "\xC2\xA0")
		return 2;
	if (rest.size() >= 3) {
		unsigned char a = static_cast<unsigned char>(rest[0]);
		unsigned char b = static_cast<unsigned char>(rest[1]);
		unsigned char d = static_cast<unsigned char>(rest[2]);
		if (a == 0xE2 && b == 0x80 && (d <= 0x8B || d == 0xAF || (d >= 0x90 && d <= 0x95)))  // spaces, dashes
			return 3;
		if ((a == 0xE3 && b == 0x80 && d == 0x80) || (a == 0xEF && b == 0xBB && d == 0xBF))
			return 3;
	}
	return 0;
}

// Decodes UTF-8 into code points for distance computations; a byte that does not start
// a valid sequence stands for itself (as 0xDC00 + byte, which no valid character uses).
std::u32string ToCodePoints(std::string_view s)
{
	std::u32string out;
	out.reserve(s.size());
	for (std::size_t i = 0; i < s.size();) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		std::size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : 0;
		if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
		bool ok = len != 0 && i + len <= s.size();
		for (std::size_t k = 1; ok && k < len; ++k) {
			unsigned char d = static_cast<unsigned char>(s[i + k]);
			ok = (d & 0xC0) == 0x80;
			cp = (cp << 6) | (d & 0x3F);
		}
		if (!ok) {
			out.push_back(0xDC00 + c);
			++i;
		} else {
			out.push_back(cp);
			i += len;
		}
	}
	return out;
}

// Number of UTF-8 characters in s (continuation bytes not counted).
std::size_t CharCount(std::string_view s) noexcept
{
	std::size_t n = 0;
	for (char c : s)
		n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
	return n;
}

// Optimal-string-alignment distance (Levenshtein plus adjacent swaps) capped at limit+1.
template <typename Str>
std::size_t OsaDistance(const Str& a, const Str& b, std::size_t limit)
{
	std::size_t la = a.size(), lb = b.size();
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	std::vector<std::size_t> prev2(lb + 1), prev(lb + 1), cur(lb + 1);
	for (std::size_t j = 0; j <= lb; ++j)
		prev[j] = j;
	std::size_t prev_min = 0;
	for (std::size_t i = 1; i <= la; ++i) {
		cur[0] = i;
		std::size_t row_min = cur[0];
		for (std::size_t j = 1; j <= lb; ++j) {
			std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = std::min(v, prev2[j - 2] + 1);
			cur[j] = v;
			row_min = std::min(row_min, v);
		}
		// A later cell derives from this row or (by a swap) the one before it.
		if (row_min > limit && prev_min > limit)
			return limit + 1;
		prev_min = row_min;
		std::swap(prev2, prev);
		std::swap(prev, cur);
	}
	return std::min(prev[lb], limit + 1);
}

// The spellings of kSynonyms as header keys, built once.
struct SynonymKey {
	std::string key;
	std::string field;
	float confidence;
};
const std::vector<SynonymKey>& SynonymKeys()
{
	static const std::vector<SynonymKey> keys = [] {
		std::vector<SynonymKey> k;
		for (const SynonymList& list : kSynonyms)
			for (const char* spelling : list.spellings)
				if (spelling)
					k.push_back(SynonymKey{HeaderKey(spelling), list.field, list.confidence});
		return k;
	}();
	return keys;
}

// Consent-like values besides the yes/no spellings of NormalizeBoolean, as header keys.
bool IsConsentWord(std::string_view value)
{
	if (NormalizeBoolean(value).ok)
		return true;
	static const char* const kWords[] = {"optin", "optout", "optedin", "optedout", "subscribed", "unsubscribed",
										 "påmeldt", "avmeldt", "sant", "usant"};
	std::string key = HeaderKey(value);
	for (const char* w : kWords)
		if (key == w)
			return true;
	return false;
}

// What a header says beyond its key: Google's numbered "Group N - Part" form, and the
// words the refusal rules look at.
struct GoogleHeader {
	std::string group;  // header key of the group: "email", "phone", "address", ...
	int number = 0;     // N
	std::string part;   // header key of the part: "value", "type", "city", ...
};

// Google Contacts' CSV names repeated values "E-mail 1 - Value", "Phone 2 - Type",
// "Address 1 - Postal Code", "Organization 1 - Name".
std::optional<GoogleHeader> ParseGoogleHeader(std::string_view header)
{
	std::string_view h = Trim(header);
	std::size_t dash = h.rfind(" - ");
	if (dash == std::string_view::npos)
		return std::nullopt;
	std::string_view left = Trim(h.substr(0, dash));
	std::string_view part = Trim(h.substr(dash + 3));
	std::size_t space = left.find_last_of(' ');
	if (space == std::string_view::npos)
		return std::nullopt;
	std::string_view digits = left.substr(space + 1);
	if (digits.empty() || digits.size() > 3 ||
		!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return std::nullopt;
	GoogleHeader g;
	g.group = HeaderKey(left.substr(0, space));
	g.part = HeaderKey(part);
	for (char c : digits)
		g.number = g.number * 10 + (c - '0');
	static const char* const kGroups[] = {"email", "phone", "address", "organization", "organisation", "website",
										  "event", "relation", "im", "customfield", "externalid"};
	if (g.part.empty() || std::none_of(std::begin(kGroups), std::end(kGroups), [&](const char* k) { return g.group == k; }))
		return std::nullopt;
	return g;
}

// The field of a Google header, or empty ("Phone 1 - Type", "Address 1 - Region" hold none).
std::string GoogleField(const GoogleHeader& g)
{
	struct {
		const char* group;
		const char* part;
		const char* field;
	} static const kParts[] = {
		{"email", "value", "email"},           {"phone", "value", "mobile"},
		{"address", "street", "address"},      {"address", "city", "city"},
		{"address", "postalcode", "postal_code"}, {"address", "country", "country"},
		{"organization", "name", "company"},   {"organisation", "name", "company"},
	};
	for (const auto& p : kParts)
		if (g.group == p.group && g.part == p.part)
			return p.field;
	return {};
}

bool Contains(std::string_view key, std::initializer_list<const char*> words)
{
	for (const char* w : words)
		if (key.find(w) != std::string_view::npos)
			return true;
	return false;
}

// Home, work, landline and other phones that are not the contact's mobile number: Outlook's
// "Home Phone", "Business Phone", "Company Main Phone", Thunderbird's "Work Phone",
// Salesforce's "HomePhone", "Hjemmetelefon", "Festnetz", "Téléphone fixe", "Fax".
bool NonMobilePhone(std::string_view key)
{
	if (Contains(key, {"mobil", "cell", "handy", "portable", "movil", "móvil", "celular", "gsm"}))
		return false;
	if (!Contains(key, {"phone", "tel", "tlf", "fon", "fax", "pager", "festnetz", "landline", "fastnett"}))
		return false;
	return Contains(key, {"home", "business", "work", "office", "landline", "fixed", "fax", "pager", "car",
						  "other", "assistant", "callback", "company", "radio", "telex", "tty", "isdn", "hjem",
						  "jobb", "arbeid", "arbet", "arbejd", "kontor", "fast", "festnetz", "fixe", "fijo", "casa",
						  "domicile", "bureau", "travail", "trabajo", "oficina", "geschäft", "geschaft", "dienst",
						  "büro", "buro", "hem", "direkte", "sentralbord", "switchboard"});
}

// The words of a header, folded: split at everything but letters (any non-ASCII byte
// counts as one) and digits.
std::vector<std::string> HeaderWords(std::string_view header)
{
	std::vector<std::string> words(1);
	for (char c : FoldCase(header)) {
		unsigned char u = static_cast<unsigned char>(c);
		if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80)
			words.back().push_back(c);
		else if (!words.back().empty())
			words.emplace_back();
	}
	if (words.back().empty())
		words.pop_back();
	return words;
}

// Thunderbird's "Birth Day", "Birth Month", "Birth Year" (the day of the month, the month,
// the year, each alone) and their kin: a part of a birthday, not a date.
bool BirthdayPart(std::string_view header, std::string_view key)
{
	std::vector<std::string> w = HeaderWords(header);
	for (std::size_t i = 0; i + 1 < w.size(); ++i)
		if (w[i] == "birth" && (w[i + 1] == "day" || w[i + 1] == "month" || w[i + 1] == "year"))
			return true;
	for (const char* k : {"birthyear", "birthmonth", "yearofbirth", "monthofbirth", "dayofbirth", "fødselsår",
						  "fodselsar", "fødselsmåned", "födelseår", "fodelsear", "födelsemånad", "geburtsjahr",
						  "geburtsmonat", "annéedenaissance", "añodenacimiento", "birthdayyear", "birthdaymonth"})
		if (key == k)
			return true;
	return false;
}

// A header naming a date that is not a birthday: "Subscription Date", "Created", "Last
// Modified", Mailchimp's OPTIN_TIME, LinkedIn's "Connected On", "Anniversary", "Member
// since". Headers with a birth word are left to the rules above.
bool OtherDate(std::string_view key)
{
	if (Contains(key, {"birth", "fødsel", "fodsel", "födelse", "fodelse", "geburt", "naissance", "nacimiento",
					   "cumple", "bursdag", "født", "fodt", "dob", "anniversaire"}))
		return false;
	return Contains(key, {"date", "dato", "datum", "fecha", "time", "zeit", "created", "creation", "modified",
						  "updated", "changed", "subscri", "signup", "signedup", "registr", "optin", "optout",
						  "confirm", "joined", "connected", "login", "lastseen", "visit", "expir", "renew",
						  "anniversary", "event", "since", "opprettet", "endret", "oppdatert", "påmeld", "erstellt",
						  "geändert", "inscri", "creado", "modificado", "jubileum"});
}

// Whether a value is a system ID as the run reads it: a positive whole number of at most
// 18 digits.
Normalized NormalizeSystemId(std::string_view raw)
{
	std::string_view v = Trim(raw);
	if (v.empty())
		return Normalized::Fail("empty");
	if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return Normalized::Fail("not a whole number");
	if (v.size() > 18)
		return Normalized::Fail("too many digits (at most 18)");
	if (v.find_first_not_of('0') == std::string_view::npos)
		return Normalized::Fail("not positive");
	return Normalized::Ok(std::string(v));
}

// A value quoted in a reason, cut to 40 bytes at a character boundary.
std::string Quoted(std::string_view v)
{
	if (v.size() > 40) {
		std::size_t cut = 40;
		while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80)
			--cut;
		return "'" + std::string(v.substr(0, cut)) + "...'";
	}
	return "'" + std::string(v) + "'";
}

// The suggestions of one column: candidates best first, each judged, and why a field the
// header or the values point to was refused.
struct ColumnResult {
	std::vector<Candidate> candidates;
	std::string refusal;
};

// Maps the header and value shape of a column to scored, judged candidates; one instance
// per catalog.
class Suggester {
public:
	Suggester(const std::vector<FieldInfo>& catalog, const SuggestOptions& options)
		: catalog_(catalog.empty() ? PredefinedFields() : catalog), options_(options)
	{
		for (const FieldInfo& f : catalog_) {
			Add(HeaderKey(f.name), f.name, kFieldNameMatch);
			if (!f.label.empty())
				Add(HeaderKey(f.label), f.name, kLabelMatch);
		}
		for (const SynonymKey& k : SynonymKeys())
			if (Has(k.field))
				Add(k.key, k.field, k.confidence);
	}

	// All candidates of one column, applicable ones first, then by confidence.
	// phone_types: the samples of the "Phone N - Type" column of a "Phone N - Value" column.
	ColumnResult Evaluate(std::string_view header, const std::vector<std::string>& samples,
						  const std::vector<std::string>* phone_types = nullptr) const
	{
		ColumnResult r;
		std::optional<GoogleHeader> google = ParseGoogleHeader(header);
		std::vector<Candidate> out;
		if (google) {
			std::string field = GoogleField(*google);
			if (!field.empty() && Has(field))
				out.push_back(Candidate{field, google->number == 1 ? kSynonymMatch : kOtherNumber, "header"});
		} else {
			out = FromHeader(header);
		}
		// A header one typo from a typed field's name is only a guess: it needs the values to
		// be of that type ("score" with values "xx" is not the number field "scores").
		out.erase(std::remove_if(out.begin(), out.end(),
								 [&](const Candidate& c) { return std::string_view(c.basis) == "header (fuzzy)" && !SamplesFit(c.field, samples); }),
				  out.end());
		std::string key = HeaderKey(header);
		Refuse(&out, header, key, google, phone_types, &r.refusal);
		if (out.empty()) {
			out = FromContent(samples);
			Refuse(&out, header, key, google, phone_types, &r.refusal);
		}
		for (Candidate& c : out)
			Judge(&c, samples);
		std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
			if (a.applicable != b.applicable)
				return a.applicable;
			return a.confidence > b.confidence;
		});
		r.candidates = std::move(out);
		return r;
	}

private:
	bool Has(std::string_view field) const
	{
		return std::any_of(catalog_.begin(), catalog_.end(), [&](const FieldInfo& f) { return f.name == field; });
	}

	void Add(std::string key, const std::string& field, float exact)
	{
		if (key.empty())
			return;
		for (KeyEntry& e : keys_) {
			if (e.key == key && e.field == field) {
				e.exact = std::max(e.exact, exact);
				return;
			}
		}
		std::u32string chars = ToCodePoints(key);
		keys_.push_back(KeyEntry{std::move(key), std::move(chars), field, exact});
	}

	// Adds c unless the field is there already with at least that confidence.
	static void Merge(std::vector<Candidate>* out, Candidate c)
	{
		for (Candidate& o : *out) {
			if (o.field == c.field) {
				if (c.confidence > o.confidence)
					o = std::move(c);
				return;
			}
		}
		out->push_back(std::move(c));
	}

	// Exact key matches; failing those, keys one typo away (two for long keys). When the
	// closest keys belong to different fields the header is ambiguous and gives nothing.
	std::vector<Candidate> FromHeader(std::string_view header) const
	{
		std::vector<Candidate> out;
		std::string key = HeaderKey(header);
		if (key.empty())
			return out;
		for (const KeyEntry& e : keys_)
			if (e.key == key)
				Merge(&out, Candidate{e.field, e.exact, "header"});
		if (!out.empty())
			return out;
		// CRM exports qualify address parts: Salesforce's MailingCity, BillingPostalCode,
		// HubSpot's "Contact Email", Outlook's "Business City" and "Home Postal Code",
		// Thunderbird's "Primary Email" and "Work ZipCode". Drop such a prefix and try again,
		// a little less sure. (Home and work phones are refused later, by NonMobilePhone.)
		// "Other" is the least sure: where an export has several addresses, the person's own
		// wins over Salesforce's Other* (found with a real Contact export whose OtherCity, an
		// earlier column, took the city); among the others the file's first address wins
		// (Outlook: Business, then Home).
		static const std::pair<const char*, float> kPrefixes[] = {
			{"mailing", 1.0f}, {"billing", 1.0f}, {"shipping", 1.0f}, {"home", 1.0f}, {"primary", 1.0f},
			{"contact", 1.0f}, {"personal", 1.0f}, {"business", 1.0f}, {"work", 1.0f}, {"other", 0.9f}};
		for (const auto& [prefix, preference] : kPrefixes) {
			std::string_view p(prefix);
			if (key.size() > p.size() + 2 && key.compare(0, p.size(), p) == 0) {
				std::string rest = key.substr(p.size());
				for (const KeyEntry& e : keys_)
					if (e.key == rest)
						Merge(&out, Candidate{e.field, e.exact * kPrefixed * preference, "header"});
				if (!out.empty())
					return out;
			}
		}

		std::u32string a = ToCodePoints(key);
		std::size_t key_chars = a.size();
		if (key_chars < kMinFuzzyChars)
			return out;
		std::size_t best = SIZE_MAX;
		std::vector<std::pair<std::size_t, const KeyEntry*>> near;
		std::string key_digits = Digits(key);
		for (const KeyEntry& e : keys_) {
			std::size_t shorter = std::min(key_chars, e.chars.size());
			if (shorter < kMinFuzzyChars)
				continue;
			// Numbered columns differ by their numbers, not by a typo: "col50" is not "col150",
			// "address2" is not "address1" (but "Country_2", a repeated header, is a country).
			if (std::string d = Digits(e.key); !d.empty() && d != key_digits)
				continue;
			std::size_t limit = shorter >= 8 ? 2 : 1;
			std::size_t d = OsaDistance(a, e.chars, limit);
			if (d > limit)
				continue;
			near.emplace_back(d, &e);
			best = std::min(best, d);
		}
		const std::string* best_field = nullptr;
		for (const auto& [d, e] : near) {
			if (d != best)
				continue;
			if (best_field && *best_field != e->field)
				return out;  // ambiguous
			best_field = &e->field;
		}
		for (const auto& [d, e] : near)
			Merge(&out, Candidate{e->field, d <= 1 ? kFuzzyOne : kFuzzyTwo, "header (fuzzy)"});
		return out;
	}

	// Drops the candidates a header rules out, and says why in *refusal (the first reason):
	// home/work/landline phones are not mobile numbers, a Google phone whose type column
	// says Home is not either, a birthday's day/month/year alone and other dates are not
	// birthdays.
	void Refuse(std::vector<Candidate>* out, std::string_view header, const std::string& key,
				const std::optional<GoogleHeader>& google, const std::vector<std::string>* phone_types,
				std::string* refusal) const
	{
		auto drop = [&](const char* field, const std::string& why) {
			auto it = std::remove_if(out->begin(), out->end(), [&](const Candidate& c) { return c.field == field; });
			if (it != out->end() && refusal->empty())
				*refusal = why;
			out->erase(it, out->end());
		};
		if (NonMobilePhone(key))
			drop("mobile", "home, work and landline phones are not mobile numbers");
		if (google && google->group == "phone" && phone_types != nullptr) {
			std::size_t n = 0, mobile = 0;
			std::string other;
			for (const std::string& raw : *phone_types) {
				std::string_view t = Trim(raw);
				std::size_t multi = t.find(":::");  // "Mobile ::: Work": the first is the value's
				if (multi != std::string_view::npos)
					t = Trim(t.substr(0, multi));
				if (!t.empty() && t.front() == '*')  // "* Mobile": the primary number
					t = Trim(t.substr(1));
				if (t.empty())
					continue;
				++n;
				std::string k = HeaderKey(t);
				if (k == "mobile" || k == "mobil" || k == "cell" || k == "cellphone" || k == "mobilephone" || k == "handy")
					++mobile;
				else if (other.empty())
					other = std::string(t);
			}
			if (n > 0 && static_cast<double>(mobile) < kContentMajority * static_cast<double>(n))
				drop("mobile", "the phone type column says " + Quoted(other) + ", not Mobile");
		}
		if (BirthdayPart(header, key)) {
			// Said even when nothing pointed to birthday: "Birth Day" reads like "Birthday".
			const char* why = "only the day, month or year of a birthday, not a date";
			drop("birthday", why);
			if (refusal->empty() && Has("birthday"))
				*refusal = why;
		}
		else if (OtherDate(key))
			drop("birthday", "the header names another date, not a birthday");
	}

	// Decides whether a candidate may be applied unasked, and if not, why.
	void Judge(Candidate* c, const std::vector<std::string>& samples) const
	{
		const FieldInfo* f = Find(c->field);
		if (f == nullptr)
			return;
		bool guarded = f->name == "birthday" || f->name == "system_id" || f->type == "id" || f->type == "consent";
		if (std::string_view(c->basis) == "content" && guarded) {
			c->reason = "guessed from the values alone, and no header says " + f->name + ": map it yourself if right";
			return;
		}
		if (c->confidence < kApplyConfidence) {
			c->reason = "weak evidence (confidence below 0.6)";
			return;
		}
		c->reason = ValueProblem(*f, samples);
		c->applicable = c->reason.empty();
	}

	// Why the sample values do not fit field f (fewer than 80% of the non-blank ones pass
	// its normalizer), or empty. Dates are read in the import's date order, and samples
	// that show another order (or two) do not fit even where each value reads as a date:
	// 03/04/1990 among 12/31/1990s would be read wrong. A birthday must also be plausible.
	std::string ValueProblem(const FieldInfo& f, const std::vector<std::string>& samples) const
	{
		if (f.type == "text")
			return f.custom ? std::string() : TextProblem(f, samples);
		DateOrder order = options_.date_order;
		bool birthday = f.name == "birthday";
		bool id = f.type == "id" || f.name == "system_id";
		if (f.type == "date") {
			DateOrderGuess g = DetectDateOrder(samples);
			if (g.verdict == DateOrderVerdict::kContradictory)
				return "sample dates are " + g.reason;
			if (g.verdict == DateOrderVerdict::kDecided && g.order != order)
				return std::string("dates are read ") + DateOrderName(order) + ", but the samples are " + g.reason;
		}
		std::size_t n = 0, bad = 0;
		std::string example, why;
		for (const std::string& raw : samples) {
			std::string_view v = Trim(raw);
			if (v.empty())
				continue;
			++n;
			Normalized r;
			if (id)
				r = NormalizeSystemId(v);
			else if (f.type == "email")
				r = NormalizeEmail(v);
			else if (f.type == "phone")
				r = NormalizePhone(v, options_.region);
			else if (f.type == "date")
				r = birthday ? NormalizeBirthday(v, order, options_.today) : NormalizeDate(v, order);
			else if (f.type == "number")
				r = NormalizeNumber(v);
			else if (f.type == "boolean")
				r = NormalizeBoolean(v);
			else if (f.type == "consent")
				r = IsConsentWord(v) ? Normalized::Ok("x") : Normalized::Fail("not a yes/no or opt-in/opt-out term");
			else
				r = Normalized::Ok("x");
			if (!r.ok) {
				++bad;
				if (example.empty()) {
					example = Quoted(v);
					why = r.reason;
				}
			}
		}
		if (n == 0 || static_cast<double>(n - bad) >= kContentMajority * static_cast<double>(n))
			return {};
		const char* noun = id ? "system IDs"
			: birthday ? "birthdays"
			: f.type == "email" ? "email addresses"
			: f.type == "phone" ? "phone numbers"
			: f.type == "date" ? "dates"
			: f.type == "number" ? "numbers"
			: f.type == "boolean" ? "yes/no values"
			: f.type == "consent" ? "consent values"
			: "values";
		return std::to_string(bad) + " of " + std::to_string(n) + " sample values are not valid " + noun + ", e.g. " +
			   example + ": " + why;
	}

	// A predefined text field (a name, company, city, country) takes any value, but one whose
	// samples are nearly all email addresses or phone numbers is the wrong column for it
	// (a Mailchimp "nombre" column of addresses): not applied, and said why.
	std::string TextProblem(const FieldInfo& f, const std::vector<std::string>& samples) const
	{
		std::size_t n = 0, emails = 0, phones = 0;
		std::string email_example, phone_example;
		for (const std::string& raw : samples) {
			std::string_view v = Trim(raw);
			if (v.empty())
				continue;
			++n;
			if (NormalizeEmail(v).ok) {
				++emails;
				if (email_example.empty())
					email_example = Quoted(v);
			}
			else if (NormalizePhone(v, options_.region).ok) {
				++phones;
				if (phone_example.empty())
					phone_example = Quoted(v);
			}
		}
		if (n == 0)
			return {};
		std::string label = f.label.empty() ? f.name : f.label;
		if (label[0] >= 'A' && label[0] <= 'Z')
			label[0] = static_cast<char>(label[0] - 'A' + 'a');  // "not a first name"
		if (static_cast<double>(emails) >= kContentMajority * static_cast<double>(n))
			return std::to_string(emails) + " of " + std::to_string(n) + " sample values are email addresses, e.g. " +
				   email_example + ", not a " + label + ": map the column to email if it holds the addresses";
		if (static_cast<double>(phones) >= kContentMajority * static_cast<double>(n))
			return std::to_string(phones) + " of " + std::to_string(n) + " sample values are phone numbers, e.g. " +
				   phone_example + ", not a " + label + ": map the column to mobile (or a phone field) if it holds the numbers";
		return {};
	}

	const FieldInfo* Find(std::string_view field) const
	{
		auto f = std::find_if(catalog_.begin(), catalog_.end(), [&](const FieldInfo& i) { return i.name == field; });
		return f == catalog_.end() ? nullptr : &*f;
	}

	// What most samples look like: emails, phone numbers, dates, yes/no terms. Needs a
	// clear majority (kContentMajority) of the non-empty samples.
	std::vector<Candidate> FromContent(const std::vector<std::string>& samples) const
	{
		std::vector<Candidate> out;
		std::size_t n = 0, emails = 0, phones = 0, dates = 0, consents = 0;
		for (const std::string& raw : samples) {
			std::string_view v = Trim(raw);
			if (v.empty())
				continue;
			++n;
			// Eight digits alone are a phone number before they are a YYYYMMDD date.
			bool digits_only = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
			if (v.find('@') != std::string_view::npos) {
				emails += NormalizeEmail(v).ok;
			} else if (digits_only && LooksLikePhone(v)) {
				++phones;
			} else if (NormalizeDate(v, DateOrder::kDMY).ok || NormalizeDate(v, DateOrder::kMDY).ok) {
				++dates;
			} else if (LooksLikePhone(v)) {
				++phones;
			} else if (v.size() <= 16 && IsConsentWord(v)) {
				++consents;
			}
		}
		if (n == 0)
			return out;
		// Confidence grows with the share of agreeing samples, from lo at 80% to hi at 100%.
		auto score = [&](std::size_t hits, float lo, float hi) -> float {
			double share = static_cast<double>(hits) / static_cast<double>(n);
			if (share < kContentMajority)
				return 0.0f;
			if (n < kFewSamples)
				return lo;
			return lo + (hi - lo) * static_cast<float>((share - kContentMajority) / (1.0 - kContentMajority));
		};
		auto add = [&](const char* field, float confidence) {
			if (confidence > 0.0f && Has(field))
				out.push_back(Candidate{field, confidence, "content"});
		};
		add("email", score(emails, 0.6f, 0.9f));
		add("mobile", score(phones, 0.6f, 0.85f));
		add("birthday", score(dates, 0.6f, 0.8f));
		float consent = score(consents, 0.55f, 0.7f);
		add("email_marketing", consent);
		add("sms_marketing", consent > 0.0f ? consent - kSecondConsent : 0.0f);
		return out;
	}

	static std::string Digits(std::string_view key)
	{
		std::string out;
		for (char c : key)
			if (c >= '0' && c <= '9')
				out += c;
		return out;
	}

	// Whether most non-empty samples read as the field's type (text fields take anything;
	// no samples, nothing to contradict the header).
	bool SamplesFit(const std::string& field, const std::vector<std::string>& samples) const
	{
		const FieldInfo* f = Find(field);
		return f == nullptr || ValueProblem(*f, samples).empty();
	}

	// A phone number as files hold them: digits, '+', spaces, dashes, dots, parentheses,
	// at least 8 digits, valid for the region or with an international prefix.
	bool LooksLikePhone(std::string_view v) const
	{
		std::size_t digits = 0;
		for (char c : v) {
			if (c >= '0' && c <= '9')
				++digits;
			else if (c != '+' && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/' &&
					 static_cast<unsigned char>(c) < 0x80)
				return false;
		}
		return digits >= 8 && digits <= 17 && NormalizePhone(v, options_.region).ok;
	}

	std::vector<FieldInfo> catalog_;
	SuggestOptions options_;
	std::vector<KeyEntry> keys_;
};

}  // namespace

// The CRM's predefined fields, in the wizard's order.
std::vector<FieldInfo> PredefinedFields()
{
	return {
		{"first_name", "First name", "text", false},
		{"last_name", "Last name", "text", false},
		{"email", "Email address", "email", false},
		{"mobile", "Mobile number", "phone", false},
		{"system_id", "System ID", "id", false},
		{"company", "Company", "text", false},
		{"address", "Address", "text", false},
		{"postal_code", "Postal code", "text", false},
		{"city", "City", "text", false},
		{"country", "Country", "text", false},
		{"birthday", "Birthday", "date", false},
		{"email_marketing", "Email marketing status", "consent", false},
		{"sms_marketing", "SMS marketing status", "consent", false},
	};
}

namespace {

Suggestion ToSuggestion(Candidate c)
{
	return Suggestion{std::move(c.field), c.confidence, c.basis, c.applicable, std::move(c.reason)};
}

}  // namespace

// Suggests a field for one column (its best candidate), or an empty suggestion.
Suggestion SuggestField(std::string_view header, const std::vector<std::string>& samples,
						const std::vector<FieldInfo>& catalog, const SuggestOptions& options)
{
	ColumnResult r = Suggester(catalog, options).Evaluate(header, samples);
	if (r.candidates.empty()) {
		Suggestion none;
		none.reason = std::move(r.refusal);
		return none;
	}
	return ToSuggestion(std::move(r.candidates.front()));
}

// Suggests for all columns: the strongest (column, field) pairs are taken first (applicable
// before not, a column with values before a blank one, then by confidence, the earlier
// column), so a field goes to the column with the best evidence and the other column falls
// back to its next candidate.
std::vector<Suggestion> SuggestMapping(const std::vector<std::string>& headers,
									   const std::vector<std::vector<std::string>>& samples,
									   const std::vector<FieldInfo>& catalog, const SuggestOptions& options)
{
	Suggester suggester(catalog, options);
	static const std::vector<std::string> kNoSamples;
	auto samples_of = [&](std::size_t col) -> const std::vector<std::string>& {
		return col < samples.size() ? samples[col] : kNoSamples;
	};
	// Google's "Phone N - Type" columns, for their "Phone N - Value" columns.
	std::vector<std::optional<GoogleHeader>> google(headers.size());
	for (std::size_t col = 0; col < headers.size(); ++col)
		google[col] = ParseGoogleHeader(headers[col]);
	auto phone_types = [&](std::size_t col) -> const std::vector<std::string>* {
		const auto& g = google[col];
		if (!g || g->group != "phone" || g->part != "value")
			return nullptr;
		for (std::size_t other = 0; other < headers.size(); ++other) {
			const auto& t = google[other];
			if (t && t->group == "phone" && t->number == g->number && (t->part == "type" || t->part == "label"))
				return &samples_of(other);
		}
		return nullptr;
	};
	struct Option {
		std::size_t column;
		std::size_t rank;
		bool has_values;
		Candidate candidate;
	};
	std::vector<Option> options_list;
	std::vector<std::string> refusal(headers.size());
	std::vector<std::string> wanted(headers.size());  // each column's first choice
	for (std::size_t col = 0; col < headers.size(); ++col) {
		const auto& col_samples = samples_of(col);
		bool has_values = std::any_of(col_samples.begin(), col_samples.end(),
									  [](const std::string& v) { return !Trim(v).empty(); });
		ColumnResult r = suggester.Evaluate(headers[col], col_samples, phone_types(col));
		refusal[col] = std::move(r.refusal);
		if (!r.candidates.empty())
			wanted[col] = r.candidates.front().field;
		for (std::size_t k = 0; k < r.candidates.size(); ++k)
			options_list.push_back(Option{col, k, has_values, std::move(r.candidates[k])});
	}
	// A column without samples is blank in the whole file (samples are its first distinct
	// non-blank values): it yields a field to a column that holds some, whatever the
	// headers say (HubSpot's empty "mobilephone" beside a filled "phone").
	std::stable_sort(options_list.begin(), options_list.end(), [](const Option& a, const Option& b) {
		if (a.candidate.applicable != b.candidate.applicable)
			return a.candidate.applicable;
		if (a.has_values != b.has_values)
			return a.has_values;
		if (a.candidate.confidence != b.candidate.confidence)
			return a.candidate.confidence > b.candidate.confidence;
		if (a.column != b.column)
			return a.column < b.column;
		return a.rank < b.rank;
	});
	std::vector<Suggestion> out(headers.size());
	std::vector<bool> assigned(headers.size(), false);
	std::vector<std::pair<std::string, std::size_t>> taken;  // field, column
	auto taker = [&](const std::string& field) -> const std::pair<std::string, std::size_t>* {
		for (const auto& t : taken)
			if (t.first == field)
				return &t;
		return nullptr;
	};
	for (Option& o : options_list) {
		if (assigned[o.column] || taker(o.candidate.field) != nullptr)
			continue;
		assigned[o.column] = true;
		taken.emplace_back(o.candidate.field, o.column);
		out[o.column] = ToSuggestion(std::move(o.candidate));
	}
	for (std::size_t col = 0; col < headers.size(); ++col) {
		if (assigned[col])
			continue;
		// Nothing left: say where the field this column wanted went, or what was refused.
		if (const auto* t = wanted[col].empty() ? nullptr : taker(wanted[col])) {
			std::string where = "column " + std::to_string(t->second + 1);
			if (!Trim(headers[t->second]).empty())
				where += " \"" + std::string(Trim(headers[t->second])) + "\"";
			out[col].reason = wanted[col] + " is suggested for " + where;
		} else {
			out[col].reason = std::move(refusal[col]);
		}
	}
	return out;
}

// Canonical key of a header: folded case, separators dropped; see suggest.hpp.
std::string HeaderKey(std::string_view header)
{
	std::string folded = FoldCase(header);
	std::string key;
	key.reserve(folded.size());
	for (std::size_t i = 0; i < folded.size();) {
		if (std::size_t n = SeparatorAt(folded, i)) {
			i += n;
			continue;
		}
		key.push_back(folded[i++]);
	}
	return key;
}

// Levenshtein distance on bytes, capped at limit+1.
std::size_t EditDistance(std::string_view a, std::string_view b, std::size_t limit)
{
	std::size_t la = a.size(), lb = b.size();
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	std::vector<std::size_t> prev(lb + 1), cur(lb + 1);
	for (std::size_t j = 0; j <= lb; ++j)
		prev[j] = j;
	for (std::size_t i = 1; i <= la; ++i) {
		cur[0] = i;
		std::size_t row_min = cur[0];
		for (std::size_t j = 1; j <= lb; ++j) {
			std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
			row_min = std::min(row_min, cur[j]);
		}
		if (row_min > limit)
			return limit + 1;
		std::swap(prev, cur);
	}
	return std::min(prev[lb], limit + 1);
}

// Typo distance on UTF-8 characters (adjacent swaps count once), capped at limit+1.
std::size_t TypoDistance(std::string_view a, std::string_view b, std::size_t limit)
{
	return OsaDistance(ToCodePoints(a), ToCodePoints(b), limit);
}

// The closest candidate for a "did you mean" hint; see suggest.hpp.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates)
{
	std::string w = FoldCase(Trim(word));
	if (w.empty())
		return {};
	std::size_t limit = std::max<std::size_t>(1, CharCount(w) / 3);
	std::u32string a = ToCodePoints(w);
	const std::string* best = nullptr;
	std::size_t best_d = limit + 1;
	for (const std::string& c : candidates) {
		std::size_t d = OsaDistance(a, ToCodePoints(FoldCase(c)), limit);
		if (d < best_d) {
			best_d = d;
			best = &c;
			if (d == 0)
				break;
		}
	}
	return best ? *best : std::string();
}

}  // namespace crm::core
