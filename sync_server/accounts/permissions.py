"""The permission matrix (role x resource x action), the one source of truth, and its enforcer.

docs/permissions.md renders this same matrix; a test checks the two are equal.
"""

from __future__ import annotations

from typing import Any, Final

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from sync_server.accounts.error_codes import AccountErrorCode
from sync_server.accounts.models import Role, User

ACTIONS: Final = ("list", "retrieve", "create", "update", "delete")
ALL: Final = frozenset(ACTIONS)
READ: Final = frozenset({"list", "retrieve"})
READ_WRITE_NO_DELETE: Final = frozenset({"list", "retrieve", "create", "update"})
NONE: Final[frozenset[str]] = frozenset()

RESOURCES: Final = (
    "products",
    "categories",
    "modifier-groups",
    "tax-rates",
    "outlet-tax-rates",
    "promotions",
    "customers",
    "outlets",
    "terminals",
    "users",
    "settings",
    "tenants",
    "orders",
)
RETRIEVE_UPDATE: Final = frozenset({"retrieve", "update"})
RETRIEVE: Final = frozenset({"retrieve"})

# role -> resource -> allowed actions. Anything not listed is refused. Orders are read-only over
# REST for everyone: they are written by terminals through the sync ingest (paired devices).
MATRIX: Final[dict[str, dict[str, frozenset[str]]]] = {
    Role.SUPER_ADMIN: {
        **{resource: ALL for resource in RESOURCES},
        "settings": RETRIEVE_UPDATE,
        "orders": READ,
    },
    Role.OWNER: {
        **{resource: ALL for resource in RESOURCES if resource != "tenants"},
        "settings": RETRIEVE_UPDATE,
        "tenants": NONE,
        "orders": READ,
    },
    Role.ADMIN: {
        **{resource: ALL for resource in RESOURCES if resource != "tenants"},
        "users": READ_WRITE_NO_DELETE,
        "settings": RETRIEVE_UPDATE,
        "tenants": NONE,
        "orders": READ,
    },
    Role.MANAGER: {
        "products": ALL,
        "categories": ALL,
        "modifier-groups": ALL,
        "tax-rates": READ,
        "outlet-tax-rates": READ,
        "promotions": ALL,
        "customers": ALL,
        "outlets": READ,
        "terminals": READ,
        "users": READ_WRITE_NO_DELETE,
        "settings": RETRIEVE,
        "tenants": NONE,
        "orders": READ,
    },
    Role.CASHIER: {
        "products": READ,
        "categories": READ,
        "modifier-groups": READ,
        "tax-rates": READ,
        "outlet-tax-rates": READ,
        "promotions": READ,
        "customers": READ_WRITE_NO_DELETE,
        "outlets": READ,
        "terminals": NONE,
        "users": NONE,
        "settings": RETRIEVE,
        "tenants": NONE,
        "orders": NONE,
    },
    Role.KITCHEN: {
        "products": READ,
        "categories": READ,
        "modifier-groups": READ,
        "tax-rates": NONE,
        "outlet-tax-rates": NONE,
        "promotions": NONE,
        "customers": NONE,
        "outlets": READ,
        "terminals": NONE,
        "users": NONE,
        "settings": RETRIEVE,
        "tenants": NONE,
        "orders": NONE,
    },
}

# resource -> field -> roles that never see it (nor may set it).
HIDDEN_FIELDS: Final[dict[str, dict[str, frozenset[str]]]] = {
    "products": {"cost_minor": frozenset({Role.CASHIER, Role.KITCHEN})},
}

# Who may give which role: strictly below one's own rank (super admins: any tenant role).
ROLE_RANK: Final[dict[str, int]] = {
    Role.SUPER_ADMIN: 5,
    Role.OWNER: 4,
    Role.ADMIN: 3,
    Role.MANAGER: 2,
    Role.CASHIER: 1,
    Role.KITCHEN: 1,
}


def is_allowed(role: str, resource: str, action: str) -> bool:
    """True when the matrix lets `role` do `action` on `resource`."""
    return action in MATRIX.get(role, {}).get(resource, NONE)


def hidden_fields(role: str, resource: str) -> frozenset[str]:
    """Fields of `resource` that `role` must not see."""
    return frozenset(
        field for field, roles in HIDDEN_FIELDS.get(resource, {}).items() if role in roles
    )


def can_manage_role(actor_role: str, target_role: str) -> bool:
    """Whether a user of `actor_role` may create, change or delete a user of `target_role`."""
    if target_role == Role.SUPER_ADMIN:
        return False
    if actor_role == Role.SUPER_ADMIN:
        return True
    return ROLE_RANK.get(target_role, 99) < ROLE_RANK.get(actor_role, 0)


class MatrixPermission(BasePermission):
    """Enforces MATRIX for views that declare `resource` and map HTTP methods to actions."""

    message = "your role may not do this"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        resource: str = getattr(view, "resource", "")
        action = view_action(request, view)
        allowed = is_allowed(user.role, resource, action)
        if not allowed:
            self.code = AccountErrorCode.ROLE_FORBIDDEN
        return allowed


def view_action(request: Request, view: Any) -> str:
    """The matrix action of a request: the view's own `method_actions` for a method it
    declares (a POST that only reads, say), else by method, list vs retrieve by whether the
    URL names an object."""
    declared: dict[str, str] = getattr(view, "method_actions", {})
    if request.method in declared:
        return declared[request.method]
    names_object = "pk" in getattr(view, "kwargs", {}) or getattr(view, "singleton", False)
    return {
        "GET": "retrieve" if names_object else "list",
        "HEAD": "retrieve" if names_object else "list",
        "OPTIONS": "retrieve" if names_object else "list",
        "POST": "create",
        "PUT": "update",
        "PATCH": "update",
        "DELETE": "delete",
    }.get(request.method or "GET", "unknown")
