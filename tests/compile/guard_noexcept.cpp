// Compile-time check of the error boundary (CMakeLists.txt, when PostgreSQL's server headers
// are available): Guard accepts a noexcept function, and refuses one that is not, because a
// C++ exception leaving a guarded function would unwind through the guard's sigsetjmp frame.
// Compiled as is it must compile; with -DCRM_GUARD_NOT_NOEXCEPT it must fail with Guard's
// static_assert.
#include "pg/boundary.hpp"

int GuardedNoexcept()
{
	return crm::pg::Guard([]() noexcept { return 1; });
}

#ifdef CRM_GUARD_NOT_NOEXCEPT
int GuardedMayThrow()
{
	return crm::pg::Guard([] { return 1; });
}
#endif
