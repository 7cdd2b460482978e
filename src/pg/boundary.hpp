// The C++ / PostgreSQL error boundary (see docs/architecture.md).
//
// PostgreSQL reports errors with longjmp, C++ with exceptions; neither may cross the other's
// frames. Three tools keep them apart:
//   - Guard(f): runs f, which calls PostgreSQL, and turns an ERROR into a PgError exception
//     after restoring PG_exception_stack, error_context_stack and CurrentMemoryContext. f must
//     be noexcept (checked at compile time) and hold no object with a destructor: a longjmp
//     out of it skips destructors.
//   - CheckInterrupts(): for long C++ loops. When an interrupt is pending it lets PostgreSQL
//     decide what it is (ProcessInterrupts, guarded): a cancel, timeout or termination stops
//     the call with PostgreSQL's own error; anything else is handled and the loop goes on.
//   - RunEntry(body): used by every extern "C" SQL entry point. It runs the C++ body inside
//     try/catch, copies what was caught into plain C data, and only after the catch block has
//     closed (every destructor has run) raises it with ereport / ReThrowError.
#pragma once

#include "pg/postgres.hpp"

#include <exception>
#include <type_traits>
#include <utility>

namespace crm::pg {

// A PostgreSQL ERROR caught inside guarded code; the ErrorData is palloc'd in the memory
// context that was current when the guard was entered.
class PgError : public std::exception {
public:
	explicit PgError(ErrorData* data) noexcept : data_(data) {}
	ErrorData* data() const noexcept { return data_; }
	const char* what() const noexcept override;

private:
	ErrorData* data_;
};

// Runs fn(arg) with a PostgreSQL error handler that converts an ERROR into PgError (or
// std::bad_alloc when even copying the error ran out of memory). PG_exception_stack is put
// back however the call ends, a C++ exception from fn included.
void CallGuarded(void (*fn)(void*), void* arg);

// Guard(f): f() with PostgreSQL errors turned into PgError. f must be noexcept: a C++
// exception leaving it would unwind through the guard's sigsetjmp frame. The result type must
// be trivially copyable (a Datum, pointer, integer, bool).
template <typename F>
auto Guard(F&& f) -> decltype(f())
{
	using Fn = std::remove_reference_t<F>;
	static_assert(std::is_nothrow_invocable_v<Fn&>,
				  "a guarded function must be noexcept: write Guard([&]() noexcept { ... })");
	using Result = decltype(f());
	if constexpr (std::is_void_v<Result>) {
		CallGuarded([](void* p) noexcept { (*static_cast<Fn*>(p))(); }, static_cast<void*>(&f));
	} else {
		static_assert(std::is_trivially_copyable_v<Result>, "guarded results must be plain data");
		struct Call {
			Fn* f;
			Result result;
		} call{&f, Result{}};
		CallGuarded([](void* p) noexcept {
			auto* c = static_cast<Call*>(p);
			c->result = (*c->f)();
		}, &call);
		return call.result;
	}
}

// Runs PostgreSQL's interrupt processing (CHECK_FOR_INTERRUPTS) inside a guard. A query
// cancel, statement or lock timeout, or recovery conflict raises PostgreSQL's own ERROR,
// which comes back as a PgError; a termination is a FATAL, and the backend exits from here
// (proc_exit: no C++ frame is unwound, and none needs to be; see boundary.cpp). Any other
// pending interrupt (client_connection_check_interval, a procsignal barrier, a memory context
// logging request, catchup) is handled and this returns.
void ProcessPendingInterrupts();

// Call it in long loops. Nothing pending: one flag test, no sigsetjmp.
inline void CheckInterrupts()
{
	if (unlikely(INTERRUPTS_PENDING_CONDITION()))
		ProcessPendingInterrupts();
}

// What an entry point caught, in plain C data that outlives the catch block.
struct PendingError {
	enum Kind { kNone, kPostgres, kUser, kOutOfMemory, kInternal } kind = kNone;
	ErrorData* pg = nullptr;
	int sqlerrcode = 0;
	char* message = nullptr;
	char* detail = nullptr;
	char* hint = nullptr;
};

// Fills pending from the exception being handled (call only inside a catch block).
void CapturePendingError(PendingError* pending) noexcept;
// Raises what was caught. Call only after the catch block has closed.
[[noreturn]] void RaisePendingError(PendingError* pending);

// Runs the C++ body of an SQL entry point; body returns a Datum. Then cleanup(), on every
// path: after the body has returned or thrown and every destructor has run, before a caught
// error is raised. cleanup is plain PostgreSQL code (what a C function would do before
// returning, such as deleting a memory context the call made); it must not free the memory
// an error was copied into (the memory context current where the failing Guard was entered).
template <typename Body, typename Cleanup>
Datum RunEntry(Body&& body, Cleanup&& cleanup)
{
	PendingError pending;
	Datum result = (Datum) 0;
	try {
		result = body();
	} catch (...) {
		CapturePendingError(&pending);
	}
	cleanup();
	if (pending.kind != PendingError::kNone)
		RaisePendingError(&pending);
	return result;
}

template <typename Body>
Datum RunEntry(Body&& body)
{
	return RunEntry(std::forward<Body>(body), []() noexcept {});
}

}  // namespace crm::pg
