// Conversions between PostgreSQL values and C++ data (see text.hpp).
#include "pg/text.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
}

namespace crm::pg {

std::vector<std::string_view> TextElements(Datum* elems, bool* nulls, int n)
{
	std::vector<std::string_view> out;
	out.reserve(n);
	for (int i = 0; i < n; i++)
		if (nulls == nullptr || !nulls[i])
			out.push_back(VarView(reinterpret_cast<struct varlena*>(DatumGetPointer(elems[i]))));
	return out;
}

text* MakeText(std::string_view s)
{
	return Guard([&]() noexcept { return cstring_to_text_with_len(s.data(), static_cast<int>(s.size())); });
}

namespace {

// A one-dimensional array of n elements of type (typlen, typbyval, typalign), element i being
// element(i). It raises (palloc, construct_array): call it inside Guard only, where element
// must not raise a C++ exception either.
template <typename Element>
ArrayType* BuildArray(int n, Element element, Oid type, int typlen, bool typbyval, char typalign) noexcept
{
	Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
	for (int i = 0; i < n; i++)
		elems[i] = element(i);
	return construct_array(elems, n, type, typlen, typbyval, typalign);
}

}  // namespace

ArrayType* MakeTextArray(const std::vector<std::string>& values)
{
	// The element datums and the array in one guarded call: palloc may raise.
	return Guard([&]() noexcept {
		return BuildArray(
			static_cast<int>(values.size()),
			[&](int i) noexcept {
				const std::string& v = values[i];
				return PointerGetDatum(cstring_to_text_with_len(v.data(), static_cast<int>(v.size())));
			},
			TEXTOID, -1, false, TYPALIGN_INT);
	});
}

ArrayType* MakeInt4Array(const std::vector<int>& values)
{
	return Guard([&]() noexcept {
		return BuildArray(
			static_cast<int>(values.size()), [&](int i) noexcept { return Int32GetDatum(values[i]); }, INT4OID, 4,
			true, TYPALIGN_INT);
	});
}

ArrayType* MakeInt8Array(const std::vector<long long>& values)
{
	return Guard([&]() noexcept {
		return BuildArray(
			static_cast<int>(values.size()), [&](int i) noexcept { return Int64GetDatum(values[i]); }, INT8OID, 8,
			FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	});
}

core::CivilDate CurrentDate()
{
	core::CivilDate today;
	DateADT d = GetSQLCurrentDate();
	j2date(d + POSTGRES_EPOCH_JDATE, &today.year, &today.month, &today.day);
	return today;
}

}  // namespace crm::pg
