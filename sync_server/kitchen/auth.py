"""Who may open a kitchen socket: a paired kitchen screen, or a user of a kitchen-capable role.

The token's tenant must be the URL's tenant and the outlet must be one of that tenant's (and the
device's or user's own outlet when they have one); anything else is refused, never narrowed.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Final, Literal

from django.core.cache import cache
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.tokens import AccessToken, Token

from shared.protocol import KitchenRevokeReason
from sync_server.accounts.authentication import TenantJWTAuthentication
from sync_server.accounts.models import Role, User
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device, DeviceAuthError, device_from_claims, is_device_token
from sync_server.devices.error_codes import DeviceErrorCode
from sync_server.link.services import link_device_live
from sync_server.tenants.models import Outlet, Tenant, TerminalKind

KITCHEN_ROLES: Final = frozenset({Role.KITCHEN, Role.MANAGER, Role.ADMIN, Role.OWNER})
SOCKET_TICKET_LIFETIME_S: Final = 30
"""A socket ticket opens one socket within this many seconds, then it is worth nothing."""


def _ticket_key(ticket: str) -> str:
    return "kitchen-socket-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def socket_ticket_issue(*, raw_token: str) -> str:
    """A short-lived, single-use ticket standing for `raw_token` at the kitchen socket.

    For clients that cannot send an Authorization header on a WebSocket (a browser): a URL
    lands in access logs, so it carries this ticket, never a token. Kept in Django's cache
    (Redis when several processes serve, as the channel layer already requires).
    """
    ticket = secrets.token_urlsafe(32)
    cache.set(_ticket_key(ticket), raw_token, timeout=SOCKET_TICKET_LIFETIME_S)
    return ticket


def socket_ticket_redeem(ticket: str) -> str | None:
    """The token a ticket stands for, once: the first redeemer deletes it; None if unknown."""
    if not ticket or len(ticket) > 100:
        return None
    key = _ticket_key(ticket)
    raw_token = cache.get(key)
    if raw_token is None or not cache.delete(key):
        return None
    return str(raw_token)


@dataclass(frozen=True)
class KitchenPrincipal:
    """An authenticated kitchen socket: whose tenant, which outlet, and who."""

    tenant: Tenant
    outlet: Outlet
    kind: Literal["device", "user"]
    subject_id: uuid.UUID
    device: Device | None = None
    """The paired screen's device (its pairing is checked again when a revocation is pushed)."""


def _claim_uuid(token: Token, claim: str) -> uuid.UUID | None:
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
    if is_device_token(token):
        try:
            device = device_from_claims(token)  # live terminal, pairing not revoked
        except DeviceAuthError:
            return None
        if device.kind != TerminalKind.KITCHEN or str(device.outlet_id) != str(outlet_uuid):
            return None
        with tenant_atomic(tenant):
            outlet = Outlet.objects.filter(id=outlet_uuid).first()
        if outlet is None:
            return None
        return KitchenPrincipal(tenant, outlet, "device", device.terminal_id, device)
    with tenant_atomic(tenant):
        outlet = Outlet.objects.filter(id=outlet_uuid).first()
        if outlet is None:
            return None
        user_id = _claim_uuid(token, "user_id")
        user = User.objects.filter(id=user_id, is_active=True).first() if user_id else None
        if user is None or user.role not in KITCHEN_ROLES:
            return None
        if user.outlet_id is not None and user.outlet_id != outlet.id:
            return None
        return KitchenPrincipal(tenant, outlet, "user", user.id)


def kitchen_principal_refusal(
    *, principal: KitchenPrincipal, reason: str
) -> KitchenRevokeReason | None:
    """Why an open kitchen socket no longer counts (None: it still does), checked when a
    revocation is pushed: the business suspended, else the device's pairing ended (`reason`
    from the push: revoked or paired again), else the user deactivated or demoted."""
    tenant = principal.tenant
    if not Tenant.objects.filter(id=tenant.id, is_active=True, deleted_at__isnull=True).exists():
        return "suspended"
    if principal.device is not None:
        if link_device_live(device=principal.device):
            return None
        return "repaired" if reason == "repaired" else "revoked"
    with tenant_atomic(tenant):
        live = User.objects.filter(
            id=principal.subject_id, is_active=True, role__in=KITCHEN_ROLES
        ).exists()
    return None if live else "revoked"


class KitchenJWTAuthentication(TenantJWTAuthentication):
    """Bearer JWT of a user or of a paired device: kitchen endpoints take both."""

    def get_user(self, validated_token: Token) -> User | Device:  # type: ignore[override]
        if not is_device_token(validated_token):
            return super().get_user(validated_token)
        try:
            return device_from_claims(validated_token)
        except DeviceAuthError as error:
            raise AuthenticationFailed(str(error), code=DeviceErrorCode.DEVICE_REVOKED) from error
