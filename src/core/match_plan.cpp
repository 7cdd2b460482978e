// Dedupe-in-file and match planning (see match_plan.hpp).
#include "match_plan.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>

namespace crm::core {

// --- StringIds ---------------------------------------------------------------------------

uint32_t StringIds::Hash(std::string_view value)
{
	uint64_t h = std::hash<std::string_view>{}(value);
	return static_cast<uint32_t>(h ^ (h >> 32));
}

void StringIds::Reserve(size_t values)
{
	views_.reserve(values);
	size_t want = 16;
	while (want < values * 2)
		want <<= 1;
	if (want > slots_.size())
		Rehash(want);
}

size_t StringIds::Slot(std::string_view value, uint32_t hash) const
{
	size_t mask = slots_.size() - 1;
	for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
		uint64_t entry = slots_[slot];
		if (entry == 0 ||
			(static_cast<uint32_t>(entry >> 32) == hash && views_[static_cast<uint32_t>(entry) - 1] == value))
			return slot;
	}
}

void StringIds::Rehash(size_t slots)
{
	std::vector<uint64_t> old(slots, 0);
	old.swap(slots_);
	size_t mask = slots_.size() - 1;
	for (uint64_t entry : old) {
		if (entry == 0)
			continue;
		size_t slot = static_cast<uint32_t>(entry >> 32) & mask;
		while (slots_[slot] != 0)
			slot = (slot + 1) & mask;
		slots_[slot] = entry;
	}
}

std::string_view StringIds::Store(std::string_view value)
{
	constexpr size_t kChunk = 1 << 20;
	if (value.size() > chunk_size_ - chunk_used_) {
		chunk_size_ = std::max(kChunk, value.size());
		chunks_.push_back(std::make_unique<char[]>(chunk_size_));
		chunk_used_ = 0;
	}
	char* at = chunks_.back().get() + chunk_used_;
	if (!value.empty())
		std::memcpy(at, value.data(), value.size());
	chunk_used_ += value.size();
	return std::string_view(at, value.size());
}

uint32_t StringIds::Intern(std::string_view value)
{
	if ((views_.size() + 1) * 2 > slots_.size())
		Rehash(std::max<size_t>(slots_.size() * 2, 16));
	uint32_t hash = Hash(value);
	size_t slot = Slot(value, hash);
	if (slots_[slot] != 0)
		return static_cast<uint32_t>(slots_[slot]) - 1;
	uint32_t id = static_cast<uint32_t>(views_.size());
	views_.push_back(Store(value));
	slots_[slot] = (static_cast<uint64_t>(hash) << 32) | (id + 1);
	return id;
}

uint32_t StringIds::Find(std::string_view value) const
{
	if (slots_.empty())
		return kNone;
	uint64_t entry = slots_[Slot(value, Hash(value))];
	return entry == 0 ? kNone : static_cast<uint32_t>(entry) - 1;
}

// --- MatchPlanner ------------------------------------------------------------------------

MatchPlanner::MatchPlanner(std::string primary_key, std::string secondary_key, size_t expected_rows)
	: primary_key_(std::move(primary_key)), secondary_key_(std::move(secondary_key))
{
	if (expected_rows > 0) {
		rows_.reserve(expected_rows);
		units_.reserve(expected_rows);
		size_t keys = (primary_key_.empty() ? 0 : 1) + (secondary_key_.empty() ? 0 : 1);
		ids_.Reserve(expected_rows * keys);
	}
}

void MatchPlanner::Hits::Add(int64_t id)
{
	if (count == 0 || id < min_id)
		min_id = id;
	if (count == 0 || id > max_id)
		max_id = id;
	++count;
}

void MatchPlanner::AddRow(int32_t row_no, std::optional<std::string_view> pk, std::optional<std::string_view> sk)
{
	if (primary_key_.empty())
		pk.reset();  // primary key none: every row is its own unit
	if (secondary_key_.empty())
		sk.reset();
	uint32_t sk_id = kNone;
	if (sk) {
		sk_id = ids_.Intern(*sk);
		if (sk_slot_by_id_.size() <= sk_id)
			sk_slot_by_id_.resize(ids_.size(), kNone);
		if (sk_slot_by_id_[sk_id] == kNone) {
			sk_slot_by_id_[sk_id] = static_cast<uint32_t>(sk_hits_.size());
			sk_id_by_slot_.push_back(sk_id);
			sk_hits_.emplace_back();
		}
	}
	uint32_t unit_index = kNone;
	uint32_t pk_id = kNone;
	if (pk) {
		pk_id = ids_.Intern(*pk);
		if (unit_by_id_.size() <= pk_id)
			unit_by_id_.resize(ids_.size(), kNone);
		unit_index = unit_by_id_[pk_id];
	}
	if (unit_index != kNone) {
		Unit& unit = units_[unit_index];
		unit.first_row = std::min(unit.first_row, row_no);
		// A unit's secondary value is the smallest of its rows' (bytewise, as the columns' "C"
		// collation compares).
		if (sk_id != kNone && (unit.sk == kNone || ids_.View(sk_id) < ids_.View(unit.sk)))
			unit.sk = sk_id;
	} else {
		unit_index = static_cast<uint32_t>(units_.size());
		units_.push_back(Unit{row_no, pk_id, sk_id, 0, {}});
		if (pk_id != kNone)
			unit_by_id_[pk_id] = unit_index;
	}
	++units_[unit_index].rows;
	rows_.push_back(Row{row_no, unit_index});
	if (sk_id != kNone)
		unit_sk_.emplace_back(unit_index, sk_slot_by_id_[sk_id]);
}

std::vector<std::string_view> MatchPlanner::PrimaryValues() const
{
	std::vector<std::string_view> values;
	for (const Unit& unit : units_) {
		if (unit.pk != kNone)
			values.push_back(ids_.View(unit.pk));
	}
	return values;
}

std::vector<std::string_view> MatchPlanner::SecondaryValues() const
{
	std::vector<bool> asked(sk_hits_.size(), false);
	std::vector<std::string_view> values;
	for (const auto& [unit, slot] : unit_sk_) {
		if (units_[unit].primary.count != 0 || asked[slot])
			continue;
		asked[slot] = true;
		values.push_back(ids_.View(sk_id_by_slot_[slot]));
	}
	return values;
}

void MatchPlanner::AddPrimaryMatch(std::string_view value, int64_t contact_id)
{
	uint32_t id = ids_.Find(value);
	if (id != kNone && id < unit_by_id_.size() && unit_by_id_[id] != kNone)
		units_[unit_by_id_[id]].primary.Add(contact_id);
}

void MatchPlanner::AddSecondaryMatch(std::string_view value, int64_t contact_id)
{
	uint32_t id = ids_.Find(value);
	if (id != kNone && id < sk_slot_by_id_.size() && sk_slot_by_id_[id] != kNone)
		sk_hits_[sk_slot_by_id_[id]].Add(contact_id);
}

namespace {

std::string Ambiguous(const std::string& key, std::string_view value, const int64_t count, int64_t min_id,
					  int64_t max_id)
{
	std::string out = "ambiguous: " + key + " ";
	out.append(value);
	out += " matches " + std::to_string(count) + " existing contacts (ids " + std::to_string(min_id) + " to " +
		   std::to_string(max_id) + ")";
	return out;
}

// The root of a union-find set, halving the path on the way.
uint32_t FindRoot(std::vector<uint32_t>& parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

}  // namespace

// unit_sk_[begin, end): one unit's secondary slots.
MatchPlanner::SecondaryMatch MatchPlanner::MatchBySecondary(size_t begin, size_t end) const
{
	SecondaryMatch m;
	for (size_t k = begin; k < end; ++k) {
		const Hits& hits = sk_hits_[unit_sk_[k].second];
		if (hits.count > 1) {
			m.ambiguous_slot = unit_sk_[k].second;
			return m;
		}
		if (hits.count == 1) {
			if (m.contact != 0 && m.contact != hits.min_id)
				m.several = true;
			m.contact = hits.min_id;
		}
	}
	return m;
}

// The distinct contacts that the secondary slots unit_sk_[begin, end) match, sorted.
std::vector<int64_t> MatchPlanner::DistinctContacts(size_t begin, size_t end) const
{
	std::vector<int64_t> ids;
	for (size_t k = begin; k < end; ++k)
		if (sk_hits_[unit_sk_[k].second].count == 1)
			ids.push_back(sk_hits_[unit_sk_[k].second].min_id);
	std::sort(ids.begin(), ids.end());
	ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
	return ids;
}

std::vector<MatchPlanner::RowPlan> MatchPlanner::Finish()
{
	constexpr int32_t kNoRow = std::numeric_limits<int32_t>::max();
	// Each unit: an existing contact, a reject reason, or a new contact.
	std::vector<std::optional<int64_t>> targets(units_.size());
	std::vector<const char*> matched_by(units_.size(), nullptr);
	reasons_.assign(units_.size(), std::string());
	// Every unit's secondary slots, together and once each (slots in first-seen order).
	std::sort(unit_sk_.begin(), unit_sk_.end());
	unit_sk_.erase(std::unique(unit_sk_.begin(), unit_sk_.end()), unit_sk_.end());
	size_t next_sk = 0;
	for (size_t i = 0; i < units_.size(); ++i) {
		const Unit& unit = units_[i];
		size_t sk_begin = next_sk;
		while (next_sk < unit_sk_.size() && unit_sk_[next_sk].first == i)
			++next_sk;
		SecondaryMatch secondary;
		if (unit.primary.count == 0)
			secondary = MatchBySecondary(sk_begin, next_sk);
		if (unit.primary.count > 1) {
			reasons_[i] = Ambiguous(primary_key_, ids_.View(unit.pk), unit.primary.count, unit.primary.min_id,
									unit.primary.max_id);
		} else if (unit.primary.count == 1) {
			targets[i] = unit.primary.min_id;
			matched_by[i] = primary_key_.c_str();
		} else if (secondary.ambiguous_slot != kNone) {
			const Hits& hits = sk_hits_[secondary.ambiguous_slot];
			reasons_[i] = Ambiguous(secondary_key_, ids_.View(sk_id_by_slot_[secondary.ambiguous_slot]), hits.count,
									hits.min_id, hits.max_id);
		} else if (secondary.several) {
			// The unit's rows carry several secondary values that name different contacts.
			std::vector<int64_t> ids = DistinctContacts(sk_begin, next_sk);
			reasons_[i] = "ambiguous: the " + secondary_key_ + " values of these rows match " +
						  std::to_string(ids.size()) + " existing contacts (ids " + std::to_string(ids.front()) +
						  " to " + std::to_string(ids.back()) + ")";
		} else if (secondary.contact != 0) {
			targets[i] = secondary.contact;
			matched_by[i] = secondary_key_.c_str();
		} else if (primary_key_ == "system_id" && unit.pk != kNone) {
			reasons_[i] = "no contact has system ID ";
			reasons_[i].append(ids_.View(unit.pk));
		} else if (secondary_key_ == "system_id" && unit.sk != kNone) {
			reasons_[i] = "no contact has system ID ";
			reasons_[i].append(ids_.View(unit.sk));
		}
	}
	// A row without a primary value whose secondary value is that of a unit matched to a
	// contact is a duplicate of that contact in the file (kari@ + 912.. then a row with only
	// 912..): it joins that contact rather than founding another with the same mobile. Only
	// rows without a primary value: one with its own email stays a contact of its own.
	if (!primary_key_.empty()) {
		constexpr int64_t kConflict = -1;
		std::vector<int64_t> target_by_slot(sk_hits_.size(), 0);
		for (const auto& [unit, slot] : unit_sk_) {
			if (!targets[unit] || *targets[unit] <= 0)
				continue;
			int64_t& t = target_by_slot[slot];
			t = (t == 0 || t == *targets[unit]) ? *targets[unit] : kConflict;
		}
		for (size_t k = 0; k < unit_sk_.size();) {
			uint32_t unit = unit_sk_[k].first;
			int64_t found = 0;
			for (; k < unit_sk_.size() && unit_sk_[k].first == unit; ++k) {
				int64_t t = target_by_slot[unit_sk_[k].second];
				if (t != 0)
					found = (found == 0 || found == t) ? t : kConflict;
			}
			if (units_[unit].pk == kNone && !targets[unit] && reasons_[unit].empty() && found > 0) {
				targets[unit] = found;
				matched_by[unit] = secondary_key_.c_str();
			}
		}
	}
	// New units sharing a secondary value, directly or through other new units, found one
	// contact: the first row of them all is its founder.
	std::vector<uint32_t> parent(units_.size());
	for (uint32_t i = 0; i < parent.size(); ++i)
		parent[i] = i;
	std::vector<uint32_t> owner_by_slot(sk_hits_.size(), kNone);
	for (const auto& [unit, slot] : unit_sk_) {
		if (targets[unit] || !reasons_[unit].empty())
			continue;
		if (owner_by_slot[slot] == kNone) {
			owner_by_slot[slot] = unit;
			continue;
		}
		uint32_t a = FindRoot(parent, unit), b = FindRoot(parent, owner_by_slot[slot]);
		if (a != b)
			parent[std::max(a, b)] = std::min(a, b);
	}
	std::vector<int32_t> founder(units_.size(), kNoRow);
	for (uint32_t i = 0; i < units_.size(); ++i) {
		if (!targets[i] && reasons_[i].empty()) {
			int32_t& f = founder[FindRoot(parent, i)];
			f = std::min(f, units_[i].first_row);
		}
	}
	for (uint32_t i = 0; i < units_.size(); ++i) {
		if (!targets[i] && reasons_[i].empty())
			targets[i] = -static_cast<int64_t>(founder[FindRoot(parent, i)]);
	}

	// Units sharing a target (by sorting): its lead row is the first of all their rows.
	std::vector<uint32_t> order;
	order.reserve(units_.size());
	for (uint32_t i = 0; i < units_.size(); ++i) {
		if (targets[i])
			order.push_back(i);
	}
	std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return *targets[a] < *targets[b]; });
	std::vector<int32_t> lead_row(units_.size(), 0);
	std::vector<int64_t> target_rows(units_.size(), 0);
	for (size_t start = 0; start < order.size();) {
		size_t end = start;
		int32_t lead = kNoRow;
		int64_t rows = 0;
		for (; end < order.size() && *targets[order[end]] == *targets[order[start]]; ++end) {
			lead = std::min(lead, units_[order[end]].first_row);
			rows += units_[order[end]].rows;
		}
		for (size_t k = start; k < end; ++k) {
			lead_row[order[k]] = lead;
			target_rows[order[k]] = rows;
		}
		start = end;
	}

	std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.row_no < b.row_no; });
	std::vector<RowPlan> plan;
	plan.reserve(rows_.size());
	for (const Row& row : rows_) {
		uint32_t u = row.unit;
		bool rejected = !targets[u];
		plan.push_back(RowPlan{row.row_no, units_[u].first_row, targets[u], matched_by[u],
							   rejected ? &reasons_[u] : nullptr, rejected ? row.row_no : lead_row[u],
							   rejected ? 0 : target_rows[u]});
	}
	return plan;
}

}  // namespace crm::core
