// Dedupe-in-file and match planning for a run, in memory.
//
// The run's rules (SPEC step 7): rows sharing a primary key value form one unit, numbered
// by its first row; each unit is matched by the primary key first, and by the secondary key
// only when the primary found no contact (also when the row has no primary value). A unit
// holds every secondary value of its rows, and each is looked up. A key value matching
// several contacts, or secondary values matching different contacts, reject the unit as
// ambiguous. Units that match nothing but share a secondary value, directly or through a
// chain of units, found one new contact together. Every unit then has a target: an
// existing contact id (> 0), or minus the first row of the units founding a new contact.
//
// This used to be five SQL statements with hash aggregates and joins over every row; here
// it is one pass with a flat hash table of interned key values, several times faster. The
// database part (reading the work table, looking the key values up in crm_contacts) stays
// in src/functions/match.cpp: this class only sees rows and (key value, contact id) pairs,
// so it is unit tested without a server.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::core {

// Interns strings: each distinct value gets a dense id. Open addressing over one array of
// slots, each holding a 32-bit hash and the id, so a probe that misses (most of the
// contacts a sequential pass offers) touches one cache line and no string; the bytes live
// in 1 MiB chunks, so a million keys cost a few allocations, not millions.
class StringIds {
public:
	static constexpr uint32_t kNone = UINT32_MAX;

	uint32_t Intern(std::string_view value);
	uint32_t Find(std::string_view value) const;  // kNone when absent
	std::string_view View(uint32_t id) const { return views_[id]; }
	size_t size() const { return views_.size(); }
	void Reserve(size_t values);

private:
	static uint32_t Hash(std::string_view value);
	size_t Slot(std::string_view value, uint32_t hash) const;
	void Rehash(size_t slots);
	std::string_view Store(std::string_view value);

	std::vector<uint64_t> slots_;          // hash << 32 | (id + 1); 0 is empty
	std::vector<std::string_view> views_;  // by id, into chunks_
	std::vector<std::unique_ptr<char[]>> chunks_;
	size_t chunk_used_ = 0;
	size_t chunk_size_ = 0;
};

class MatchPlanner {
public:
	// primary_key: "email", "mobile", "system_id", or "" for none (every row a new contact).
	// secondary_key: "" when there is none.
	MatchPlanner(std::string primary_key, std::string secondary_key, size_t expected_rows = 0);

	// A good (not yet rejected) row. Values are copied; absent = blank cell. Rows may come
	// in any order.
	void AddRow(int32_t row_no, std::optional<std::string_view> pk, std::optional<std::string_view> sk);

	// Key values to look up (after every AddRow): every distinct primary value, and the
	// secondary values of units without a primary value or whose primary value matched
	// nothing so far (call it after the primary matches to ask for fewer).
	std::vector<std::string_view> PrimaryValues() const;
	std::vector<std::string_view> SecondaryValues() const;
	size_t distinct_values() const { return ids_.size(); }
	// One contact whose key column equals value; values the file does not hold are ignored,
	// so a caller may offer every contact.
	void AddPrimaryMatch(std::string_view value, int64_t contact_id);
	void AddSecondaryMatch(std::string_view value, int64_t contact_id);

	struct RowPlan {
		int32_t row_no;
		int32_t unit;
		std::optional<int64_t> target;      // absent when rejected
		const char* matched_by;             // nullptr, or the key that matched
		const std::string* reject_reason;   // nullptr unless rejected
		int32_t lead_row;                   // first row of the target (row_no when rejected)
		int64_t rows_for_target;            // rows sharing the target (0 when rejected)
	};
	// Every row's plan, in row order (after every match). Valid while the planner lives.
	std::vector<RowPlan> Finish();

private:
	struct Hits {
		int64_t count = 0;
		int64_t min_id = 0;
		int64_t max_id = 0;
		void Add(int64_t id);
	};
	struct Unit {
		int32_t first_row;
		uint32_t pk;       // string id, kNone for a row without a primary value
		uint32_t sk;       // string id of the smallest secondary value of its rows (for messages), or kNone
		int64_t rows = 0;
		Hits primary;
	};
	// Whom a unit's secondary values point at (units without a primary match). No
	// allocation per unit: the rare unit whose values name several contacts is counted
	// again by DistinctContacts for its message.
	struct SecondaryMatch {
		uint32_t ambiguous_slot = StringIds::kNone;  // a value matching several contacts
		int64_t contact = 0;                         // the contact its values match once each, or 0
		bool several = false;                        // its values match different contacts
	};
	SecondaryMatch MatchBySecondary(size_t begin, size_t end) const;
	std::vector<int64_t> DistinctContacts(size_t begin, size_t end) const;
	struct Row {
		int32_t row_no;
		uint32_t unit;
	};
	static constexpr uint32_t kNone = StringIds::kNone;

	std::string primary_key_;
	std::string secondary_key_;
	StringIds ids_;
	std::vector<uint32_t> unit_by_id_;      // by string id: the unit whose primary value it is
	std::vector<uint32_t> sk_slot_by_id_;   // by string id: index into sk_hits_, for secondary values
	std::vector<uint32_t> sk_id_by_slot_;   // by slot: the string id
	std::vector<Hits> sk_hits_;
	std::vector<std::pair<uint32_t, uint32_t>> unit_sk_;  // (unit, secondary slot) of every row with one
	std::vector<Unit> units_;
	std::vector<Row> rows_;
	std::vector<std::string> reasons_;      // reject reasons, by unit (empty when not rejected)
};

}  // namespace crm::core
