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

ArrayType* MakeTextArray(const std::vector<std::string>& values)
{
	// Build the element datums and the array inside one guarded call: palloc may raise.
	struct Args {
		const std::vector<std::string>* values;
	} args{&values};
	return Guard([&]() noexcept -> ArrayType* {
		int n = static_cast<int>(args.values->size());
		Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
		for (int i = 0; i < n; i++) {
			const std::string& v = (*args.values)[i];
			elems[i] = PointerGetDatum(cstring_to_text_with_len(v.data(), static_cast<int>(v.size())));
		}
		return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
	});
}

ArrayType* MakeInt4Array(const std::vector<int>& values)
{
	return Guard([&]() noexcept -> ArrayType* {
		int n = static_cast<int>(values.size());
		Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
		for (int i = 0; i < n; i++)
			elems[i] = Int32GetDatum(values[i]);
		return construct_array(elems, n, INT4OID, 4, true, TYPALIGN_INT);
	});
}

ArrayType* MakeInt8Array(const std::vector<long long>& values)
{
	return Guard([&]() noexcept -> ArrayType* {
		int n = static_cast<int>(values.size());
		Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
		for (int i = 0; i < n; i++)
			elems[i] = Int64GetDatum(values[i]);
		return construct_array(elems, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
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
