// Implementation of the C++ / PostgreSQL error boundary (see boundary.hpp).
#include "pg/boundary.hpp"

#include "core/error.hpp"

#include <csetjmp>
#include <cstring>
#include <new>

namespace crm::pg {

const char* PgError::what() const noexcept
{
	return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

namespace {

// Puts PG_exception_stack back to what it was when the guard was entered, however the
// guard's frame is left: on return, on a caught ERROR, and on a C++ exception from the
// guarded function (which would otherwise leave it pointing into a finished frame). Built
// before sigsetjmp and never changed after it, so it is intact when longjmp returns there.
class ExceptionStackScope {
public:
	ExceptionStackScope() noexcept : saved_(PG_exception_stack) {}
	~ExceptionStackScope() { PG_exception_stack = saved_; }
	ExceptionStackScope(const ExceptionStackScope&) = delete;
	ExceptionStackScope& operator=(const ExceptionStackScope&) = delete;
	sigjmp_buf* saved() const noexcept { return saved_; }

private:
	sigjmp_buf* saved_;
};

// Copies the error being handled out of ErrorContext into context, then flushes the error
// state. CopyErrorData allocates, so it can raise an ERROR itself (out of memory): that one is
// caught here too, so no longjmp can leave this frame. Returns nullptr when the copy failed.
ErrorData* CopyCaughtError(MemoryContext context, ErrorContextCallback* error_context) noexcept
{
	ErrorData* volatile data = nullptr;
	ExceptionStackScope scope;
	sigjmp_buf local_exception_stack;
	if (sigsetjmp(local_exception_stack, 0) == 0) {
		PG_exception_stack = &local_exception_stack;
		data = CopyErrorData();
	}
	PG_exception_stack = scope.saved();
	error_context_stack = error_context;
	MemoryContextSwitchTo(context);
	FlushErrorState();
	return data;
}

}  // namespace

void CallGuarded(void (*fn)(void*), void* arg)
{
	MemoryContext volatile saved_context = CurrentMemoryContext;
	ErrorContextCallback* volatile saved_error_context = error_context_stack;
	ExceptionStackScope scope;
	sigjmp_buf local_exception_stack;

	if (sigsetjmp(local_exception_stack, 0) == 0) {
		PG_exception_stack = &local_exception_stack;
		fn(arg);
		return;
	}
	// An ERROR longjmp'd here: restore what PG_TRY/PG_CATCH would, copy the error out of
	// ErrorContext, and continue as a C++ exception.
	PG_exception_stack = scope.saved();
	error_context_stack = saved_error_context;
	MemoryContextSwitchTo(saved_context);
	ErrorData* data = CopyCaughtError(saved_context, saved_error_context);
	if (data == nullptr)
		throw std::bad_alloc();
	throw PgError(data);
}

// PostgreSQL decides what a pending interrupt means; see boundary.hpp.
//
// A termination (pg_terminate_backend, postmaster shutdown, lost client connection) is
// ereport(FATAL): errfinish calls proc_exit, which never returns, so the C++ frames above this
// one are not unwound. Nothing needs them to be: they own only process memory (C++ heap,
// palloc'd memory), which exit releases, and PostgreSQL resources (relations, buffer pins,
// SPI, files, large objects, locks), which proc_exit's own cleanup releases as for any FATAL
// (AbortOutOfAnyTransaction, resource owners). No destructor in this extension does anything
// outside the process, and no library lock is held where CheckInterrupts is called (libcsv,
// which calls the upload's record sink, takes none). PostgreSQL's own C code exits the same
// way on a FATAL anywhere.
void ProcessPendingInterrupts()
{
	Guard([]() noexcept { CHECK_FOR_INTERRUPTS(); });
}

// Copies a C++ string into palloc'd memory without raising on out-of-memory (we are inside
// a catch block, where a longjmp must not happen).
static char* CopyNoThrow(const char* s)
{
	if (s == nullptr || *s == '\0')
		return nullptr;
	size_t n = std::strlen(s);
	char* copy = static_cast<char*>(palloc_extended(n + 1, MCXT_ALLOC_NO_OOM));
	if (copy != nullptr)
		std::memcpy(copy, s, n + 1);
	return copy;
}

// The core writes details and hints as phrases ("line 3, byte offset 17: ..."); PostgreSQL's
// message style wants them as sentences: capital first letter, final period.
static char* AsSentence(const char* s)
{
	char* copy = CopyNoThrow(s);
	if (copy == nullptr)
		return nullptr;
	if (copy[0] >= 'a' && copy[0] <= 'z')
		copy[0] = static_cast<char>(copy[0] - 'a' + 'A');
	size_t n = std::strlen(copy);
	char last = copy[n - 1];
	if (last == '.' || last == '!' || last == '?')
		return copy;
	char* with_period = static_cast<char*>(palloc_extended(n + 2, MCXT_ALLOC_NO_OOM));
	if (with_period == nullptr)
		return copy;
	std::memcpy(with_period, copy, n);
	with_period[n] = '.';
	with_period[n + 1] = '\0';
	return with_period;
}

void CapturePendingError(PendingError* pending) noexcept
{
	try {
		throw;
	} catch (const PgError& e) {
		pending->kind = PendingError::kPostgres;
		pending->pg = e.data();
	} catch (const core::UserError& e) {
		const std::string& s = e.sqlstate();
		pending->kind = PendingError::kUser;
		pending->sqlerrcode = s.size() == 5 ? MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]) : ERRCODE_INTERNAL_ERROR;
		pending->message = CopyNoThrow(e.what());
		pending->detail = AsSentence(e.detail().c_str());
		pending->hint = AsSentence(e.hint().c_str());
	} catch (const std::bad_alloc&) {
		pending->kind = PendingError::kOutOfMemory;
	} catch (const std::exception& e) {
		pending->kind = PendingError::kInternal;
		pending->message = CopyNoThrow(e.what());
	} catch (...) {
		pending->kind = PendingError::kInternal;
		pending->message = CopyNoThrow("unknown C++ exception");
	}
}

void RaisePendingError(PendingError* pending)
{
	switch (pending->kind) {
	case PendingError::kPostgres:
		ReThrowError(pending->pg);
	case PendingError::kOutOfMemory:
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in crm_import")));
		pg_unreachable();
	case PendingError::kUser:
		ereport(ERROR, (errcode(pending->sqlerrcode), errmsg_internal("%s", pending->message ? pending->message : "error"),
						pending->detail ? errdetail_internal("%s", pending->detail) : 0,
						pending->hint ? errhint("%s", pending->hint) : 0));
		pg_unreachable();
	case PendingError::kInternal:
	case PendingError::kNone:
		break;
	}
	ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
					errmsg_internal("crm_import internal error: %s", pending->message ? pending->message : "unknown")));
	pg_unreachable();
}

}  // namespace crm::pg
