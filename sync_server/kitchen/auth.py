"""Who may open a kitchen socket: a paired kitchen screen, or a user of a kitchen-capable role.

The token's tenant must be the URL's tenant and the outlet must be one of that tenant's (and the
device's or user's own outlet when they have one); anything else is refused, never narrowed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final, Literal

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from sync_server.accounts.models import Role, User
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind, TerminalStatus

KITCHEN_ROLES: Final = frozenset({Role.KITCHEN, Role.MANAGER, Role.ADMIN, Role.OWNER})
DEVICE_CLAIM: Final = "terminal_id"
"""Claim naming the paired device in a device token (a user token carries `user_id`)."""


@dataclass(frozen=True)
class KitchenPrincipal:
    """An authenticated kitchen socket: whose tenant, which outlet, and who."""

    tenant: Tenant
    outlet: Outlet
    kind: Literal["device", "user"]
    subject_id: uuid.UUID


def _claim_uuid(token: AccessToken, claim: str) -> uuid.UUID | None:
    raw = token.get(claim)
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def kitchen_principal(
    *, raw_token: str, tenant_slug: str, outlet_id: str
) -> KitchenPrincipal | None:
    """The principal of a socket's bearer token for this tenant and outlet, or None (refuse)."""
    try:
        token = AccessToken(raw_token)  # type: ignore[arg-type]
        outlet_uuid = uuid.UUID(outlet_id)
    except (TokenError, ValueError):
        return None
    tenant_id = _claim_uuid(token, "tenant_id")
    tenant = Tenant.objects.filter(
        slug=tenant_slug, deleted_at__isnull=True, is_active=True
    ).first()
    if tenant is None or tenant_id != tenant.id:
        return None
    with tenant_atomic(tenant):
        outlet = Outlet.objects.filter(id=outlet_uuid).first()
        if outlet is None:
            return None
        device_id = _claim_uuid(token, DEVICE_CLAIM)
        if device_id is not None:
            device = Terminal.objects.filter(
                id=device_id, kind=TerminalKind.KITCHEN, status=TerminalStatus.ACTIVE
            ).first()
            if device is None or device.outlet_id != outlet.id:
                return None
            return KitchenPrincipal(tenant, outlet, "device", device.id)
        user_id = _claim_uuid(token, "user_id")
        user = User.objects.filter(id=user_id, is_active=True).first() if user_id else None
        if user is None or user.role not in KITCHEN_ROLES:
            return None
        if user.outlet_id is not None and user.outlet_id != outlet.id:
            return None
        return KitchenPrincipal(tenant, outlet, "user", user.id)
