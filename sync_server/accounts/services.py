"""Account writes and token issuing: users (with role-rank checks), PINs, JWT pairs."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sync_server.accounts.error_codes import AccountErrorCode
from sync_server.accounts.models import User
from sync_server.accounts.permissions import can_manage_role
from sync_server.accounts.tokens import KioskRefreshToken
from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.services import apply_fields
from sync_server.tenants.models import Tenant


def token_claims(user: User) -> dict[str, str | None]:
    """What every token says about its user (checked again against the database per request)."""
    return {
        "username": user.username,
        "role": user.role,
        "tenant_id": str(user.tenant_id) if user.tenant_id else None,
        "tenant_slug": user.tenant.slug if user.tenant else None,
        "outlet_id": str(user.outlet_id) if user.outlet_id else None,
    }


def tokens_for_user(user: User) -> dict[str, str]:
    """A fresh {access, refresh} pair with the Kiosk claims (recorded only once spent)."""
    refresh = KioskRefreshToken.for_user(user)
    for claim, value in token_claims(user).items():
        refresh[claim] = value
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _check_rank(actor: User, role: str) -> None:
    if not can_manage_role(actor.role, role):
        raise Refused(
            f"a {actor.role} may not manage {role} users",
            code=AccountErrorCode.ROLE_RANK,
            category=ErrorCategory.PERMISSION_DENIED,
        )


@transaction.atomic
def user_create(
    *,
    tenant: Tenant,
    actor: User,
    username: str,
    role: str,
    password: str | None = None,
    pin: str | None = None,
    **fields: Any,
) -> User:
    """Add a user to the tenant; nobody creates a user of their own rank or above."""
    _check_rank(actor, role)
    user = User(tenant=tenant, username=username, role=role, **fields)
    user.set_password(password)
    user.set_pin(pin)
    user.save()
    return user


@transaction.atomic
def user_update(
    *,
    tenant: Tenant,
    actor: User,
    user: User,
    password: str | None = None,
    pin: str | None = None,
    **fields: Any,
) -> User:
    """Change a user (role, outlet, name, password, PIN); rank rules apply to old and new role."""
    _check_rank(actor, user.role)
    if "role" in fields:
        _check_rank(actor, fields["role"])
    if password is not None:
        user.set_password(password)
    if pin is not None:
        user.set_pin(pin)
    return apply_fields(user, fields)


@transaction.atomic
def user_delete(*, tenant: Tenant, actor: User, user: User) -> None:
    """Tombstone a user (their PIN stops working on terminals at the next catalog pull)."""
    _check_rank(actor, user.role)
    if user.id == actor.id:
        raise Refused(
            "you cannot delete yourself",
            code=AccountErrorCode.SELF_DELETE,
            category=ErrorCategory.PERMISSION_DENIED,
        )
    apply_fields(user, {"is_active": False, "deleted_at": timezone.now()})
