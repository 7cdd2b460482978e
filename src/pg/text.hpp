// Small, non-raising conversions between PostgreSQL values and C++ views, plus guarded
// builders of PostgreSQL values from C++ data.
#pragma once

#include "pg/boundary.hpp"

#include "core/normalize.hpp"

#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "utils/array.h"
}

namespace crm::pg {

// A view of a detoasted text/bytea value (PG_GETARG_TEXT_PP); no PostgreSQL call, no copy.
inline std::string_view VarView(const struct varlena* v)
{
	return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

// Views of the non-null elements of a deconstructed text[] (elements are never toasted).
std::vector<std::string_view> TextElements(Datum* elems, bool* nulls, int n);

// Guarded: a palloc'd text value in the current memory context.
text* MakeText(std::string_view s);
// Guarded: a one-dimensional text[] (NULL for std::nullopt-like entries is not supported:
// all elements are non-null).
ArrayType* MakeTextArray(const std::vector<std::string>& values);
// Guarded: int4[] / int8[] from integers.
ArrayType* MakeInt4Array(const std::vector<int>& values);
ArrayType* MakeInt8Array(const std::vector<long long>& values);

// Today as the session sees it (CURRENT_DATE, the transaction's start in TimeZone), for
// birthday checks. Not guarded: call it before entering C++ (it may raise).
core::CivilDate CurrentDate();

}  // namespace crm::pg
