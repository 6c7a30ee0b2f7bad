from stores.access import scope_of


def acting_staff(request) -> dict:
    scope = scope_of(request.user)
    return {"acting_staff": scope.staff, "acting_scope": scope}
