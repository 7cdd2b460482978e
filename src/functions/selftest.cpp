// crm_import_selftest: exercises the C++ / PostgreSQL error boundary from SQL so the
// regression suite can prove both directions work and the backend survives them.
#include "pg/boundary.hpp"
#include "pg/text.hpp"

#include "core/error.hpp"

#include <string>
#include <vector>

extern "C" {
#include "utils/builtins.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_selftest);
}

namespace {

// A C++ object whose destructor must run on every path; counts live instances.
int g_live_guards = 0;
struct LiveGuard {
	LiveGuard() { g_live_guards++; }
	~LiveGuard() { g_live_guards--; }
};

Datum SelfTest(const std::string& kind)
{
	LiveGuard live;
	std::vector<std::string> held(100, std::string(100, 'x'));  // heap memory that must be freed
	if (kind == "core_error")
		throw crm::core::UserError("22023", "selftest: core error", "raised by C++ in src/core",
								   "this error is expected");
	if (kind == "pg_error") {
		// A PostgreSQL ERROR inside guarded C++ code: int4 division by zero.
		crm::pg::Guard([]() noexcept { return DirectFunctionCall2(int4div, Int32GetDatum(1), Int32GetDatum(0)); });
	}
	if (kind == "std_exception")
		throw std::runtime_error("selftest: std exception");
	if (kind == "live_guards")
		return Int32GetDatum(g_live_guards - 1);  // objects leaked by earlier failures (0 expected)
	if (kind == "ok")
		return Int32GetDatum(static_cast<int>(held.size()));
	throw crm::core::UserError("22023", "unknown selftest \"" + kind + "\"", "",
							   "Use core_error, pg_error, std_exception, live_guards or ok.");
}

}  // namespace

// crm_import_selftest(kind text) -> int
extern "C" Datum crm_import_selftest(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	text* kind = PG_GETARG_TEXT_PP(0);
	return crm::pg::RunEntry([&]() -> Datum { return SelfTest(std::string(crm::pg::VarView(kind))); });
}
