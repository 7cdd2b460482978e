#include "phone_region.hpp"

#include <unordered_map>

namespace crm::core {

namespace {

// Country names as people write them in exports (English and Norwegian, the Nordic
// languages' own names), folded to lower case.
const std::unordered_map<std::string_view, std::string_view>& CountryNames()
{
	static const std::unordered_map<std::string_view, std::string_view> names = {
		{"uk", "GB"},
		{"norway", "NO"}, {"norge", "NO"}, {"noreg", "NO"},
		{"sweden", "SE"}, {"sverige", "SE"},
		{"denmark", "DK"}, {"danmark", "DK"},
		{"finland", "FI"}, {"iceland", "IS"}, {"island", "IS"},
		{"germany", "DE"}, {"tyskland", "DE"}, {"deutschland", "DE"},
		{"united kingdom", "GB"}, {"great britain", "GB"}, {"england", "GB"},
		{"storbritannia", "GB"}, {"scotland", "GB"}, {"skottland", "GB"}, {"wales", "GB"},
		{"ireland", "IE"}, {"irland", "IE"},
		{"united states", "US"}, {"united states of america", "US"}, {"usa", "US"}, {"u.s.a.", "US"},
		{"u.s.", "US"}, {"america", "US"}, {"amerika", "US"},
		{"canada", "CA"}, {"mexico", "MX"}, {"brazil", "BR"}, {"brasil", "BR"},
		{"france", "FR"}, {"frankrike", "FR"}, {"spain", "ES"}, {"spania", "ES"},
		{"portugal", "PT"}, {"italy", "IT"}, {"italia", "IT"},
		{"netherlands", "NL"}, {"the netherlands", "NL"}, {"holland", "NL"}, {"nederland", "NL"},
		{"belgium", "BE"}, {"belgia", "BE"}, {"switzerland", "CH"}, {"sveits", "CH"},
		{"austria", "AT"}, {"\xC3\xB8sterrike", "AT"}, {"poland", "PL"}, {"polen", "PL"},
		{"estonia", "EE"}, {"estland", "EE"}, {"latvia", "LV"}, {"lithuania", "LT"}, {"litauen", "LT"},
		{"russia", "RU"}, {"russland", "RU"}, {"ukraine", "UA"}, {"ukraina", "UA"},
		{"greece", "GR"}, {"hellas", "GR"}, {"turkey", "TR"}, {"tyrkia", "TR"},
		{"india", "IN"}, {"china", "CN"}, {"kina", "CN"}, {"japan", "JP"},
		{"australia", "AU"}, {"new zealand", "NZ"},
		{"philippines", "PH"}, {"filippinene", "PH"}, {"thailand", "TH"},
		{"south africa", "ZA"}, {"s\xC3\xB8r-afrika", "ZA"},
	};
	return names;
}

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

std::string CountryRegion(std::string_view country)
{
	std::string_view t = Trim(country);
	if (t.size() == 2 && IsAsciiLetter(t[0]) && IsAsciiLetter(t[1]) && IsKnownRegion(t))
		return {static_cast<char>(t[0] & ~0x20), static_cast<char>(t[1] & ~0x20)};
	if (t.empty() || t.size() > 32)
		return {};
	std::string folded = FoldCase(t);
	auto it = CountryNames().find(folded);
	return it == CountryNames().end() ? std::string() : std::string(it->second);
}

RowPhone NormalizePhoneForRow(std::string_view raw, std::string_view country, std::string_view import_region)
{
	RowPhone out;
	std::string row_region = CountryRegion(country);
	if (row_region.empty() || EqualsFolded(row_region, import_region)) {
		out.number = NormalizePhone(raw, import_region, &out.type);
		return out;
	}
	out.number = NormalizePhone(raw, row_region, &out.type);
	if (out.number.ok)
		return out;
	Normalized in_import_region = NormalizePhone(raw, import_region, &out.type);
	if (in_import_region.ok) {
		out.number = std::move(in_import_region);
		out.not_valid_in = std::move(row_region);
	}
	// Valid in neither: the reason stays the row region's, as crm_import_problem gives it.
	return out;
}

std::string QuoteLiteral(std::string_view value)
{
	std::string out;
	out.reserve(value.size() + 3);
	if (value.find('\\') != std::string_view::npos)
		out += 'E';
	out += '\'';
	for (char c : value) {
		if (c == '\'' || c == '\\')
			out += c;
		out += c;
	}
	out += '\'';
	return out;
}

std::string CutChars(std::string_view value, std::size_t max)
{
	std::size_t chars = 0;
	for (std::size_t i = 0; i < value.size(); ++i) {
		if ((static_cast<unsigned char>(value[i]) & 0xC0) == 0x80)
			continue;  // a continuation byte
		if (chars++ == max)
			return std::string(value.substr(0, i)) + "...";
	}
	return std::string(value);
}

std::string RowPhoneNotes(const RowPhone& phone, std::string_view raw, std::string_view label, int column,
						  std::string_view import_region, bool mobile_field)
{
	if (!phone.number.ok)
		return {};
	std::string notes;
	auto add = [&](const std::string& note) {
		if (!notes.empty())
			notes += "; ";
		notes += note;
	};
	std::string quoted;
	auto raw_quoted = [&]() -> const std::string& {
		if (quoted.empty())
			quoted = QuoteLiteral(CutChars(raw, 100));
		return quoted;
	};
	std::string where = " in column " + std::to_string(column);
	if (!phone.not_valid_in.empty())
		add(std::string(label) + " " + raw_quoted() + where + " is not valid for " + phone.not_valid_in +
			" (the row's country): read in region " + std::string(import_region) + " (the import's) as " +
			phone.number.value);
	if (!phone.number.note.empty())
		add(std::string(label) + " " + raw_quoted() + where + ": " + phone.number.note +
			" (E.164 numbers have no extension)");
	if (mobile_field) {
		const char* kind = phone.type == "fixed_line"	 ? "fixed-line"
						   : phone.type == "toll_free"	 ? "toll-free"
						   : phone.type == "premium_rate" ? "premium-rate"
														   : nullptr;
		if (kind != nullptr)
			add("mobile number " + phone.number.value + " is a " + kind + " number, not a mobile number");
	}
	return notes;
}

}  // namespace crm::core
