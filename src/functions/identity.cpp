// SQL entry points for who is calling (crm_import_caller, crm_import_is_admin) and the
// "did you mean" helper crm_import_closest.
#include "pg/boundary.hpp"
#include "pg/caller.hpp"
#include "pg/text.hpp"

#include "core/suggest.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/acl.h"
#include "utils/builtins.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(crm_import_caller);
PG_FUNCTION_INFO_V1(crm_import_is_admin);
PG_FUNCTION_INFO_V1(crm_import_current_caller);
PG_FUNCTION_INFO_V1(crm_import_current_caller_id);
PG_FUNCTION_INFO_V1(crm_import_current_caller_is_admin);
PG_FUNCTION_INFO_V1(crm_import_closest);
}

// The role a call acts for (pg/caller.hpp): the current user at the wizard call.
extern "C" Datum crm_import_current_caller(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	Name result = (Name) palloc0(NAMEDATALEN);
	namestrcpy(result, GetUserNameFromId(crm::pg::CallerId(), false));
	PG_RETURN_NAME(result);
}

// Its OID: imports and profiles are owned by OID, so a role created later with a dropped
// role's name never sees the dropped role's imports.
extern "C" Datum crm_import_current_caller_id(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	PG_RETURN_OID(crm::pg::CallerId());
}

extern "C" Datum crm_import_current_caller_is_admin(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	PG_RETURN_BOOL(crm::pg::CallerIsAdmin());
}

// The symbols version 0.1.0's SQL objects call, kept with 0.1.0's meaning (the session's
// outer user) for the time between installing this library and ALTER EXTENSION crm_import
// UPDATE: inside 0.1.0's SECURITY DEFINER functions the current user is the owner, so the
// new meaning would make every caller an admin there. 0.2.0's SQL calls the functions above.
extern "C" Datum crm_import_caller(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	Name result = (Name) palloc0(NAMEDATALEN);
	namestrcpy(result, GetUserNameFromId(GetOuterUserId(), false));
	PG_RETURN_NAME(result);
}

extern "C" Datum crm_import_is_admin(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(0);
	Oid caller = GetOuterUserId();
	Oid admin = get_role_oid("crm_import_admin", true);
	PG_RETURN_BOOL(superuser_arg(caller) || (OidIsValid(admin) && has_privs_of_role(caller, admin)));
}

// The candidate closest to a word, for "did you mean" hints; NULL when none is close.
extern "C" Datum crm_import_closest(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(2);
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
