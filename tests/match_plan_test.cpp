// Unit tests of the dedupe-and-match planner (src/core/match_plan.cpp): the run's rules
// for units, primary then secondary matching, ambiguity and new contacts sharing a
// secondary value. tests/../sql/06_run_rules.sql checks the same rules end to end.
#include "match_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <optional>
#include <string>

namespace crm::core {
namespace {

using Plan = std::vector<MatchPlanner::RowPlan>;
using Opt = std::optional<std::string_view>;

const MatchPlanner::RowPlan& RowOf(const Plan& plan, int32_t row_no)
{
	for (const auto& p : plan)
		if (p.row_no == row_no)
			return p;
	throw std::runtime_error("no row " + std::to_string(row_no));
}

std::string Reason(const MatchPlanner::RowPlan& p) { return p.reject_reason ? *p.reject_reason : "-"; }

std::string MatchedBy(const MatchPlanner::RowPlan& p) { return p.matched_by ? p.matched_by : "-"; }

// Row row_no is rejected with reason: it has no target.
void ExpectRejected(const Plan& plan, int32_t row_no, const std::string& reason)
{
	EXPECT_FALSE(RowOf(plan, row_no).target.has_value()) << "row " << row_no;
	EXPECT_EQ(Reason(RowOf(plan, row_no)), reason) << "row " << row_no;
}

TEST(MatchPlanner, InFileDuplicatesFormOneUnitLedByTheFirstRow)
{
	MatchPlanner planner("email", "");
	planner.AddRow(3, Opt("a@x.no"), std::nullopt);  // rows may arrive out of order
	planner.AddRow(1, Opt("a@x.no"), std::nullopt);
	planner.AddRow(2, Opt("b@x.no"), std::nullopt);
	EXPECT_EQ(planner.PrimaryValues().size(), 2u);
	Plan plan = planner.Finish();
	ASSERT_EQ(plan.size(), 3u);
	EXPECT_EQ(plan[0].row_no, 1);  // row order out
	EXPECT_EQ(plan[2].row_no, 3);
	EXPECT_EQ(RowOf(plan, 3).unit, 1);
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(-1));
	EXPECT_EQ(RowOf(plan, 3).lead_row, 1);
	EXPECT_EQ(RowOf(plan, 3).rows_for_target, 2);
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(-2));
	EXPECT_EQ(RowOf(plan, 2).rows_for_target, 1);
	EXPECT_EQ(MatchedBy(RowOf(plan, 2)), "-");
}

TEST(MatchPlanner, PrimaryMatchWinsAndSecondaryIsOnlyAskedForTheRest)
{
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("a@x.no"), Opt("+4791111111"));
	planner.AddRow(2, Opt("b@x.no"), Opt("+4792222222"));
	planner.AddRow(3, std::nullopt, Opt("+4793333333"));
	planner.AddPrimaryMatch("a@x.no", 10);
	auto secondary = planner.SecondaryValues();
	std::sort(secondary.begin(), secondary.end());
	ASSERT_EQ(secondary.size(), 2u);  // not a@x.no's mobile: its primary matched
	EXPECT_EQ(secondary[0], "+4792222222");
	planner.AddSecondaryMatch("+4792222222", 20);
	planner.AddSecondaryMatch("+4793333333", 30);
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 1).target, std::optional<int64_t>(10));
	EXPECT_EQ(MatchedBy(RowOf(plan, 1)), "email");
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(20));
	EXPECT_EQ(MatchedBy(RowOf(plan, 2)), "mobile");
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(30));  // blank primary value
	EXPECT_EQ(MatchedBy(RowOf(plan, 3)), "mobile");
}

TEST(MatchPlanner, AmbiguousKeysRejectTheWholeUnit)
{
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("a@x.no"), std::nullopt);
	planner.AddRow(2, Opt("a@x.no"), std::nullopt);
	planner.AddRow(3, Opt("c@x.no"), Opt("+4791111111"));
	planner.AddPrimaryMatch("a@x.no", 7);
	planner.AddPrimaryMatch("a@x.no", 5);
	planner.AddPrimaryMatch("a@x.no", 9);
	planner.AddSecondaryMatch("+4791111111", 4);
	planner.AddSecondaryMatch("+4791111111", 3);
	Plan plan = planner.Finish();
	for (int32_t r : {1, 2}) {
		ExpectRejected(plan, r, "ambiguous: email a@x.no matches 3 existing contacts (ids 5 to 9)");
		EXPECT_EQ(RowOf(plan, r).rows_for_target, 0);
	}
	EXPECT_EQ(Reason(RowOf(plan, 3)), "ambiguous: mobile +4791111111 matches 2 existing contacts (ids 3 to 4)");
}

TEST(MatchPlanner, NewUnitsSharingASecondaryValueFoundOneContact)
{
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("a@x.no"), Opt("+4791111111"));
	planner.AddRow(2, Opt("b@x.no"), Opt("+4792222222"));
	planner.AddRow(3, Opt("c@x.no"), Opt("+4791111111"));
	planner.AddRow(4, Opt("d@x.no"), Opt("+4792222222"));
	planner.AddPrimaryMatch("d@x.no", 40);  // matched units keep their own target
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 1).target, std::optional<int64_t>(-1));
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(-1));
	EXPECT_EQ(RowOf(plan, 3).unit, 3);
	EXPECT_EQ(RowOf(plan, 3).lead_row, 1);
	EXPECT_EQ(RowOf(plan, 3).rows_for_target, 2);
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(-2));
	EXPECT_EQ(RowOf(plan, 2).rows_for_target, 1);
	EXPECT_EQ(RowOf(plan, 4).target, std::optional<int64_t>(40));
}

TEST(MatchPlanner, UnitsMatchingOneContactShareItsTarget)
{
	// Unit a@ finds contact 5 by mobile; unit b@ finds it by email: one target, led by row 1.
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("a@x.no"), Opt("+4791111111"));
	planner.AddRow(2, Opt("b@x.no"), std::nullopt);
	planner.AddPrimaryMatch("b@x.no", 5);
	planner.AddSecondaryMatch("+4791111111", 5);
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(5));
	EXPECT_EQ(RowOf(plan, 2).lead_row, 1);
	EXPECT_EQ(RowOf(plan, 2).rows_for_target, 2);
}

TEST(MatchPlanner, EverySecondaryValueOfAUnitIsAskedOnce)
{
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("a@x.no"), Opt("+4799999999"));
	planner.AddRow(2, Opt("a@x.no"), Opt("+4791111111"));
	planner.AddRow(3, Opt("a@x.no"), std::nullopt);
	planner.AddRow(4, Opt("b@x.no"), Opt("+4799999999"));
	auto secondary = planner.SecondaryValues();
	std::sort(secondary.begin(), secondary.end());
	ASSERT_EQ(secondary.size(), 2u);
	EXPECT_EQ(secondary[0], "+4791111111");
	EXPECT_EQ(secondary[1], "+4799999999");
}

// Found by a sweep: a unit kept only its smallest secondary value, so which rows became one
// contact depended on how the numbers sorted, and a value matching a contact was ignored.
TEST(MatchPlanner, AChainOfSecondaryValuesFoundsOneContact)
{
	// A (f1, m9), B (f2, m1), C (f2, m9): units {A} and {B, C} share m9 through C.
	for (const char* low_high : {"19", "91"}) {
		std::string m9 = std::string("+479333333") + low_high[0], m1 = std::string("+479333333") + low_high[1];
		MatchPlanner planner("email", "mobile");
		planner.AddRow(1, Opt("f1@x.no"), Opt(m9));
		planner.AddRow(2, Opt("f2@x.no"), Opt(m1));
		planner.AddRow(3, Opt("f2@x.no"), Opt(m9));
		// ... and a longer chain through units that share nothing with the first directly.
		planner.AddRow(4, Opt("f4@x.no"), Opt("+4795555551"));
		planner.AddRow(5, Opt("f5@x.no"), Opt("+4795555551"));
		planner.AddRow(6, Opt("f5@x.no"), Opt(m1));
		Plan plan = planner.Finish();
		for (int32_t r = 1; r <= 6; ++r) {
			EXPECT_EQ(RowOf(plan, r).target, std::optional<int64_t>(-1)) << low_high << " row " << r;
			EXPECT_EQ(RowOf(plan, r).lead_row, 1);
			EXPECT_EQ(RowOf(plan, r).rows_for_target, 6);
		}
		EXPECT_EQ(RowOf(plan, 6).unit, 5);
	}
}

TEST(MatchPlanner, AnySecondaryValueOfAUnitMayMatch)
{
	// Unit g1@ has mobiles m1 (no contact) and m9 (contact 3): it is contact 3.
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("g1@x.no"), Opt("+4794444441"));
	planner.AddRow(2, Opt("g1@x.no"), Opt("+4794444449"));
	planner.AddSecondaryMatch("+4794444449", 3);
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 1).target, std::optional<int64_t>(3));
	EXPECT_EQ(MatchedBy(RowOf(plan, 1)), "mobile");
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(3));
}

TEST(MatchPlanner, ARowWithOnlyASecondaryValueJoinsTheContactItsValueBelongsTo)
{
	// Row 1 matches contact 5 by email and brings a new mobile; row 2 has only that mobile:
	// the same person, not a second contact with the mobile. Row 3 has its own email: new.
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("h1@x.no"), Opt("+4795555555"));
	planner.AddRow(2, std::nullopt, Opt("+4795555555"));
	planner.AddRow(3, Opt("h3@x.no"), Opt("+4795555555"));
	planner.AddRow(4, std::nullopt, Opt("+4796666666"));
	planner.AddPrimaryMatch("h1@x.no", 5);
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(5));
	EXPECT_EQ(MatchedBy(RowOf(plan, 2)), "mobile");
	EXPECT_EQ(RowOf(plan, 2).lead_row, 1);
	EXPECT_EQ(RowOf(plan, 1).rows_for_target, 2);
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(-3));
	EXPECT_EQ(RowOf(plan, 4).target, std::optional<int64_t>(-4));
	// Two matched contacts behind one mobile: the row stays a new contact of its own.
	MatchPlanner two("email", "mobile");
	two.AddRow(1, Opt("a@x.no"), Opt("+4797777777"));
	two.AddRow(2, Opt("b@x.no"), Opt("+4797777777"));
	two.AddRow(3, std::nullopt, Opt("+4797777777"));
	two.AddPrimaryMatch("a@x.no", 1);
	two.AddPrimaryMatch("b@x.no", 2);
	EXPECT_EQ(RowOf(two.Finish(), 3).target, std::optional<int64_t>(-3));
}

TEST(MatchPlanner, SecondaryValuesNamingDifferentContactsAreAmbiguous)
{
	MatchPlanner planner("email", "mobile");
	planner.AddRow(1, Opt("h@x.no"), Opt("+4791111111"));
	planner.AddRow(2, Opt("h@x.no"), Opt("+4792222222"));
	planner.AddRow(3, Opt("i@x.no"), Opt("+4791111111"));  // shares a value with the rejected unit: new alone
	planner.AddSecondaryMatch("+4791111111", 8);
	planner.AddSecondaryMatch("+4792222222", 5);
	Plan plan = planner.Finish();
	for (int32_t r : {1, 2})
		ExpectRejected(plan, r, "ambiguous: the mobile values of these rows match 2 existing contacts (ids 5 to 8)");
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(8));
	// The same contact through two values is one match.
	MatchPlanner again("email", "mobile");
	again.AddRow(1, Opt("h@x.no"), Opt("+4791111111"));
	again.AddRow(2, Opt("h@x.no"), Opt("+4792222222"));
	again.AddSecondaryMatch("+4791111111", 8);
	again.AddSecondaryMatch("+4792222222", 8);
	EXPECT_EQ(RowOf(again.Finish(), 2).target, std::optional<int64_t>(8));
}

TEST(MatchPlanner, UnknownSystemIdIsRejectedUnlessTheOtherKeyMatches)
{
	MatchPlanner planner("system_id", "email");
	planner.AddRow(1, Opt("42"), std::nullopt);
	planner.AddRow(2, Opt("43"), Opt("b@x.no"));
	planner.AddRow(3, std::nullopt, Opt("c@x.no"));
	planner.AddSecondaryMatch("b@x.no", 8);
	Plan plan = planner.Finish();
	EXPECT_EQ(Reason(RowOf(plan, 1)), "no contact has system ID 42");
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(8));
	EXPECT_EQ(MatchedBy(RowOf(plan, 2)), "email");
	EXPECT_EQ(RowOf(plan, 3).target, std::optional<int64_t>(-3));  // new: email alone may create
}

TEST(MatchPlanner, SecondarySystemIdMustExist)
{
	MatchPlanner planner("email", "system_id");
	planner.AddRow(1, Opt("a@x.no"), Opt("77"));
	Plan plan = planner.Finish();
	EXPECT_EQ(Reason(RowOf(plan, 1)), "no contact has system ID 77");
}

TEST(MatchPlanner, ContactsTheFileDoesNotNameAreIgnored)
{
	// A full scan of the contacts offers every contact; only the file's values count.
	MatchPlanner planner("email", "mobile", 4);
	planner.AddRow(1, Opt("a@x.no"), Opt("+4791111111"));
	planner.AddPrimaryMatch("zz@x.no", 1);
	planner.AddPrimaryMatch("+4791111111", 2);  // a secondary value offered as primary
	planner.AddSecondaryMatch("a@x.no", 3);     // and the other way round
	planner.AddSecondaryMatch("+4799999999", 4);
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 1).target, std::optional<int64_t>(-1));
	EXPECT_EQ(Reason(RowOf(plan, 1)), "-");
}

TEST(StringIds, InternsAndFindsAcrossGrowth)
{
	StringIds ids;
	for (int i = 0; i < 50000; ++i)
		EXPECT_EQ(ids.Intern("value-" + std::to_string(i)), static_cast<uint32_t>(i));
	for (int i = 0; i < 50000; i += 7)
		EXPECT_EQ(ids.Intern("value-" + std::to_string(i)), static_cast<uint32_t>(i));
	EXPECT_EQ(ids.size(), 50000u);
	EXPECT_EQ(ids.Find("value-49999"), 49999u);
	EXPECT_EQ(ids.Find("value-50000"), StringIds::kNone);
	EXPECT_EQ(ids.Intern(""), 50000u);  // the empty string is a value too
	EXPECT_EQ(ids.View(12345), "value-12345");
	std::string big(3 << 20, 'x');  // larger than a chunk
	uint32_t id = ids.Intern(big);
	EXPECT_EQ(ids.View(id), big);
	EXPECT_EQ(ids.View(7), "value-7");
}

TEST(MatchPlanner, PrimaryKeyNoneMakesEveryRowNew)
{
	MatchPlanner planner("", "");
	planner.AddRow(1, Opt("a@x.no"), Opt("x"));
	planner.AddRow(2, Opt("a@x.no"), Opt("x"));
	EXPECT_TRUE(planner.PrimaryValues().empty());
	EXPECT_TRUE(planner.SecondaryValues().empty());
	Plan plan = planner.Finish();
	EXPECT_EQ(RowOf(plan, 1).target, std::optional<int64_t>(-1));
	EXPECT_EQ(RowOf(plan, 2).target, std::optional<int64_t>(-2));
	EXPECT_EQ(RowOf(plan, 2).rows_for_target, 1);
}

TEST(MatchPlanner, ManyRowsStayConsistent)
{
	// 100,000 rows, every value twice: 50,000 units of two rows, half of them matched.
	MatchPlanner planner("email", "");
	for (int32_t r = 1; r <= 100000; ++r)
		planner.AddRow(r, Opt("user" + std::to_string((r - 1) % 50000) + "@x.no"), std::nullopt);
	for (int32_t u = 0; u < 50000; u += 2)
		planner.AddPrimaryMatch("user" + std::to_string(u) + "@x.no", 1000000 + u);
	Plan plan = planner.Finish();
	ASSERT_EQ(plan.size(), 100000u);
	std::map<int64_t, int> per_target;
	for (const auto& p : plan) {
		ASSERT_TRUE(p.target.has_value());
		++per_target[*p.target];
		EXPECT_EQ(p.rows_for_target, 2);
		EXPECT_EQ(p.lead_row, p.unit);
	}
	EXPECT_EQ(per_target.size(), 50000u);
	EXPECT_EQ(RowOf(plan, 50001).target, std::optional<int64_t>(1000000));
	EXPECT_EQ(RowOf(plan, 50002).target, std::optional<int64_t>(-2));
}

}  // namespace
}  // namespace crm::core
