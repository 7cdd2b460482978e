// SQL entry points for who is calling (crm_import_caller, crm_import_is_admin) and the
// "did you mean" helper crm_import_closest.
#include "pg/boundary.hpp"
#include "pg/text.hpp"

#include "core/suggest.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_caller);
PG_FUNCTION_INFO_V1(crm_import_is_admin);
PG_FUNCTION_INFO_V1(crm_import_closest);
}

// The role in effect outside SECURITY DEFINER functions: what SET ROLE chose.
extern "C" Datum crm_import_caller(PG_FUNCTION_ARGS)
{
	Name result = (Name) palloc0(NAMEDATALEN);
	namestrcpy(result, GetUserNameFromId(GetOuterUserId(), false));
	PG_RETURN_NAME(result);
}

extern "C" Datum crm_import_is_admin(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(crm::pg::CallerIsAdmin());
}

// The candidate closest to a word, for "did you mean" hints; NULL when none is close.
extern "C" Datum crm_import_closest(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	text* word = PG_GETARG_TEXT_PP(0);
	Datum* elems;
	bool* nulls;
	int n;
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	text* found = nullptr;
	crm::pg::RunEntry([&]() -> Datum {
		std::vector<std::string_view> views = crm::pg::TextElements(elems, nulls, n);
		std::vector<std::string> candidates(views.begin(), views.end());
		std::string best = crm::core::ClosestMatch(crm::pg::VarView(word), candidates);
		if (!best.empty())
			found = crm::pg::MakeText(best);
		return (Datum) 0;
	});
	if (found == nullptr)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(found);
}
