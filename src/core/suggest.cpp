// Mapping suggestions: a CRM field per file column from its header (English and
// Norwegian spellings, typos) or, when the header says nothing, from its values.
#include "suggest.hpp"

#include "normalize.hpp"

#include <algorithm>
#include <cstdint>

namespace crm::core {

namespace {

// Confidence of each kind of evidence (see Suggestion::confidence).
constexpr float kFieldNameMatch = 1.0f;   // header key == the field's name key
constexpr float kLabelMatch = 0.97f;      // header key == the field's label key
constexpr float kSynonymMatch = 0.95f;    // header key == a known spelling of the field
constexpr float kFuzzyOne = 0.7f;         // one typo away
constexpr float kFuzzyTwo = 0.65f;        // two typos away (long keys only)
constexpr float kSecondConsent = 0.05f;   // sms_marketing is a consent column's second choice
constexpr double kContentMajority = 0.8;  // share of samples that must agree
constexpr std::size_t kMinFuzzyChars = 5; // shorter keys ("by", "dob", "land") match exactly only
constexpr std::size_t kFewSamples = 5;    // fewer non-empty samples: lowest content confidence

// Known spellings of the predefined fields' headers, English and Norwegian (plus a few
// Swedish/Danish ones seen in Nordic exports). Matched on HeaderKey, so case, spaces,
// underscores, dashes and dots do not matter. "Name"/"full name" are deliberately absent:
// a full name is not a first name.
struct SynonymList {
	const char* field;
	const char* spellings[24];  // unused slots are null
};

const SynonymList kSynonyms[] = {
	{"first_name", {"first name", "firstname", "first", "given name", "forename", "fname", "fornavn", "förnamn"}},
	{"last_name", {"last name", "lastname", "last", "surname", "family name", "lname", "etternavn", "efternavn",
				   "efternamn"}},
	{"email", {"email", "e-mail", "email address", "e-mail address", "mail", "mail address", "e-post", "epost",
			   "e-postadresse", "epostadresse", "emailadresse", "mailadresse"}},
	{"mobile", {"mobile", "mobile number", "mobile phone", "mobile phone number", "cell", "cellphone", "cell phone",
				"cell number", "phone", "phone number", "telephone", "telephone number", "tlf", "tlf nr", "telefon",
				"telefonnr", "telefonnummer", "mobil", "mobilnr", "mobilnummer", "mobiltelefon", "mobiltlf"}},
	{"system_id", {"system id", "id", "contact id", "crm id", "customer id", "customer number", "kundenummer",
				   "kundenr", "kunde nr", "kunde id"}},
	{"company", {"company", "company name", "organization", "organisation", "organisasjon", "firma", "firmanavn",
				 "bedrift", "selskap", "arbeidsgiver", "employer", "account name", "organization name"}},
	{"address", {"address", "street", "street address", "postal address", "address line 1", "address 1", "adresse",
				 "gateadresse", "postadresse", "gate"}},
	{"postal_code", {"postal code", "zip", "zip code", "postcode", "post code", "postnummer", "postnr", "post nr",
					 "zip/postal code", "postal", "zipcode"}},
	{"city", {"city", "town", "poststed", "by", "sted"}},
	{"country", {"country", "country name", "land", "nation", "country/region"}},
	{"birthday", {"birthday", "birth date", "date of birth", "dob", "fødselsdato", "fodselsdato", "fødselsdag",
				  "bursdag", "født", "fodt"}},
	{"email_marketing", {"email marketing", "email marketing status", "email opt in", "email optin", "email consent",
						 "newsletter", "nyhetsbrev", "samtykke e-post", "e-post samtykke", "markedsføring e-post",
						 "e-post markedsføring"}},
	{"sms_marketing", {"sms marketing", "sms marketing status", "sms opt in", "sms optin", "sms consent",
					   "samtykke sms", "sms-samtykke", "markedsføring sms", "sms markedsføring"}},
};

// A key a header can match exactly (or fuzzily) and the field it stands for.
struct KeyEntry {
	std::string key;
	std::u32string chars;  // key as code points, for typo distances
	std::string field;
	float exact = 0.0f;
};

struct Candidate {
	std::string field;
	float confidence = 0.0f;
	const char* basis = "";
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
const std::vector<std::pair<std::string, std::string>>& SynonymKeys()
{
	static const std::vector<std::pair<std::string, std::string>> keys = [] {
		std::vector<std::pair<std::string, std::string>> k;
		for (const SynonymList& list : kSynonyms)
			for (const char* spelling : list.spellings)
				if (spelling)
					k.emplace_back(HeaderKey(spelling), list.field);
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

// Maps the value shape of a column to scored candidates; one instance per catalog.
class Suggester {
public:
	explicit Suggester(const std::vector<FieldInfo>& catalog)
		: catalog_(catalog.empty() ? PredefinedFields() : catalog)
	{
		for (const FieldInfo& f : catalog_) {
			Add(HeaderKey(f.name), f.name, kFieldNameMatch);
			if (!f.label.empty())
				Add(HeaderKey(f.label), f.name, kLabelMatch);
		}
		for (const auto& [key, field] : SynonymKeys())
			if (Has(field))
				Add(key, field, kSynonymMatch);
	}

	// All candidates of one column, best first.
	std::vector<Candidate> Candidates(std::string_view header, const std::vector<std::string>& samples) const
	{
		std::vector<Candidate> out = FromHeader(header);
		// A header one typo from a typed field's name is only a guess: it needs the values to
		// be of that type ("score" with values "xx" is not the number field "scores").
		out.erase(std::remove_if(out.begin(), out.end(),
								 [&](const Candidate& c) { return std::string_view(c.basis) == "header (fuzzy)" && !SamplesFit(c.field, samples); }),
				  out.end());
		if (out.empty())
			out = FromContent(samples);
		std::stable_sort(out.begin(), out.end(),
						 [](const Candidate& a, const Candidate& b) { return a.confidence > b.confidence; });
		return out;
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
		// HubSpot's "Contact Email". Drop such a prefix and try again, a little less sure.
		for (const char* prefix : {"mailing", "billing", "shipping", "home", "primary", "contact", "personal", "other"}) {
			std::string_view p(prefix);
			if (key.size() > p.size() + 2 && key.compare(0, p.size(), p) == 0) {
				std::string rest = key.substr(p.size());
				for (const KeyEntry& e : keys_)
					if (e.key == rest)
						Merge(&out, Candidate{e.field, e.exact * 0.95f, "header"});
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
			if (v.find('@') != std::string_view::npos) {
				emails += NormalizeEmail(v).ok;
			} else if (NormalizeDate(v).ok) {
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
		auto f = std::find_if(catalog_.begin(), catalog_.end(), [&](const FieldInfo& i) { return i.name == field; });
		if (f == catalog_.end() || f->type == "text")
			return true;
		std::size_t n = 0, fit = 0;
		for (const std::string& raw : samples) {
			std::string_view v = Trim(raw);
			if (v.empty())
				continue;
			++n;
			if (f->type == "email")
				fit += NormalizeEmail(v).ok;
			else if (f->type == "phone")
				fit += NormalizePhone(v, "NO").ok;
			else if (f->type == "date")
				fit += NormalizeDate(v).ok;
			else if (f->type == "number")
				fit += NormalizeNumber(v).ok;
			else if (f->type == "boolean")
				fit += NormalizeBoolean(v).ok;
			else if (f->type == "consent")
				fit += IsConsentWord(v);
			else
				++fit;
		}
		return n == 0 || static_cast<double>(fit) >= kContentMajority * static_cast<double>(n);
	}

	// A phone number as files hold them: digits, '+', spaces, dashes, dots, parentheses,
	// at least 8 digits, valid for Norway or with an international prefix.
	static bool LooksLikePhone(std::string_view v)
	{
		std::size_t digits = 0;
		for (char c : v) {
			if (c >= '0' && c <= '9')
				++digits;
			else if (c != '+' && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/' &&
					 static_cast<unsigned char>(c) < 0x80)
				return false;
		}
		return digits >= 8 && digits <= 17 && NormalizePhone(v, "NO").ok;
	}

	std::vector<FieldInfo> catalog_;
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
		{"system_id", "System ID", "number", false},
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

// Suggests a field for one column (its best candidate), or an empty suggestion.
Suggestion SuggestField(std::string_view header, const std::vector<std::string>& samples,
						const std::vector<FieldInfo>& catalog)
{
	std::vector<Candidate> c = Suggester(catalog).Candidates(header, samples);
	if (c.empty())
		return {};
	return Suggestion{c.front().field, c.front().confidence, c.front().basis};
}

// Suggests for all columns: the most confident (column, field) pairs are taken first, so
// a field goes to the column with the strongest evidence and the other column falls back
// to its next candidate (ties: the earlier column wins).
std::vector<Suggestion> SuggestMapping(const std::vector<std::string>& headers,
									   const std::vector<std::vector<std::string>>& samples,
									   const std::vector<FieldInfo>& catalog)
{
	Suggester suggester(catalog);
	static const std::vector<std::string> kNoSamples;
	struct Option {
		std::size_t column;
		std::size_t rank;
		Candidate candidate;
	};
	std::vector<Option> options;
	for (std::size_t col = 0; col < headers.size(); ++col) {
		const auto& col_samples = col < samples.size() ? samples[col] : kNoSamples;
		std::vector<Candidate> c = suggester.Candidates(headers[col], col_samples);
		for (std::size_t r = 0; r < c.size(); ++r)
			options.push_back(Option{col, r, std::move(c[r])});
	}
	std::stable_sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
		if (a.candidate.confidence != b.candidate.confidence)
			return a.candidate.confidence > b.candidate.confidence;
		if (a.column != b.column)
			return a.column < b.column;
		return a.rank < b.rank;
	});
	std::vector<Suggestion> out(headers.size());
	std::vector<bool> assigned(headers.size(), false);
	std::vector<std::string> taken;
	for (Option& o : options) {
		if (assigned[o.column] || std::find(taken.begin(), taken.end(), o.candidate.field) != taken.end())
			continue;
		assigned[o.column] = true;
		taken.push_back(o.candidate.field);
		out[o.column] = Suggestion{std::move(o.candidate.field), o.candidate.confidence, o.candidate.basis};
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
