"""Device authentication: the one check of a device token, for DRF views and sockets alike.

`device_from_token(raw)` is the reusable entry point: the kitchen WebSocket consumer and the
sync views both call it, so a revoked terminal is refused everywhere on its next call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Final

from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.exceptions import PermissionDenied
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import AccessToken, Token

from sync_server.common.tenancy import tenant_atomic, tenant_statements
from sync_server.devices.error_codes import DeviceErrorCode
from sync_server.devices.models import DevicePairing
from sync_server.tenants.models import Tenant, Terminal, TerminalStatus

DEVICE_CLAIM: Final = "terminal_id"
PAIRING_CLAIM: Final = "pairing_id"


@dataclass(frozen=True)
class Device:
    """A paired terminal or kitchen screen acting through its token (DRF's `request.user`)."""

    terminal_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_slug: str
    outlet_id: uuid.UUID
    kind: str
    pairing_id: uuid.UUID
    terminal_code: str = ""
    tenant: Tenant | None = field(default=None, compare=False, repr=False)
    """The tenant row as read when the token was checked (saves the views a query)."""

    is_authenticated: Final = True  # what DRF's IsAuthenticated asks
    is_active: Final = True


class DeviceAuthError(Exception):
    """A device token that must not be honoured (malformed, revoked, re-paired, unknown)."""


class TenantSuspended(DeviceAuthError):
    """The device's business is suspended by the platform: refused with a clear 403 (nothing
    is deleted; lifting the suspension lets the same pairing sync again)."""


def _claim_uuid(token: Token, claim: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(token.get(claim)))
    except ValueError as error:
        raise DeviceAuthError(f"device token has no valid {claim}") from error


def is_device_token(token: Token) -> bool:
    """Device tokens name a terminal; user tokens name a user."""
    return bool(token.get(DEVICE_CLAIM))


def device_from_claims(token: Token) -> Device:
    """The live device a validated token speaks for; DeviceAuthError when it is not live.

    Checked against the database on every call (terminal active and not deleted, pairing not
    revoked), so revoking works at once, even while an access token is still unexpired.
    """
    terminal_id = _claim_uuid(token, DEVICE_CLAIM)
    tenant_id = _claim_uuid(token, "tenant_id")
    pairing_id = _claim_uuid(token, PAIRING_CLAIM)
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return _live_device(tenant_id=tenant_id, terminal_id=terminal_id, pairing_id=pairing_id)
    with tenant_atomic(tenant_id):  # one query: pairing, its terminal and its tenant
        pairing = (
            DevicePairing.objects.select_related("tenant", "terminal")
            .filter(
                id=pairing_id,
                terminal_id=terminal_id,
                revoked_at__isnull=True,
                terminal__status=TerminalStatus.ACTIVE,
                terminal__deleted_at__isnull=True,
                tenant__deleted_at__isnull=True,
            )
            .first()
        )
    if pairing is None:
        raise DeviceAuthError("this device was revoked, removed or paired again")
    if not pairing.tenant.is_active:
        raise TenantSuspended("this business is suspended; its devices may not sync")
    return device_of(pairing)


def _device_check_sql() -> str:
    """The one statement of the device check: the live pairing, its terminal, its tenant row
    (the conditions of the ORM query it replaces on PostgreSQL, built from the models' tables)."""
    pairing, terminal, tenant = (
        model._meta.db_table for model in (DevicePairing, Terminal, Tenant)
    )
    tenant_columns = ", ".join(f't."{field.column}"' for field in Tenant._meta.concrete_fields)
    return (
        f'SELECT d."outlet_id", d."kind", d."code", {tenant_columns} FROM "{pairing}" p '
        f'JOIN "{terminal}" d ON d."id" = p."terminal_id" '
        f'JOIN "{tenant}" t ON t."id" = p."tenant_id" '
        'WHERE p."tenant_id" = %s AND p."id" = %s AND p."terminal_id" = %s '
        'AND p."deleted_at" IS NULL AND p."revoked_at" IS NULL AND t."deleted_at" IS NULL '
        'AND d."deleted_at" IS NULL AND d."status" = %s'
    )


_DEVICE_CHECK_SQL: str | None = None


def _live_device(*, tenant_id: uuid.UUID, terminal_id: uuid.UUID, pairing_id: uuid.UUID) -> Device:
    """The device check on PostgreSQL in one round trip (tenant setting and query together,
    no ORM): it runs on every request a till makes, so its cost is paid per sale."""
    global _DEVICE_CHECK_SQL
    if _DEVICE_CHECK_SQL is None:
        _DEVICE_CHECK_SQL = _device_check_sql()
    [rows] = tenant_statements(
        tenant_id,
        [(_DEVICE_CHECK_SQL, [tenant_id, pairing_id, terminal_id, TerminalStatus.ACTIVE.value])],
    )
    if not rows:
        raise DeviceAuthError("this device was revoked, removed or paired again")
    outlet_id, kind, code, *tenant_values = rows[0]
    tenant = Tenant.from_db(
        DEFAULT_DB_ALIAS, [field.attname for field in Tenant._meta.concrete_fields], tenant_values
    )
    if not tenant.is_active:
        raise TenantSuspended("this business is suspended; its devices may not sync")
    return Device(
        terminal_id=terminal_id,
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        outlet_id=outlet_id,
        kind=kind,
        pairing_id=pairing_id,
        terminal_code=code,
        tenant=tenant,
    )


def device_of(pairing: DevicePairing) -> Device:
    """The principal of a live pairing (its terminal and tenant loaded)."""
    terminal, tenant = pairing.terminal, pairing.tenant
    return Device(
        terminal_id=terminal.id,
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        outlet_id=terminal.outlet_id,
        kind=terminal.kind,
        pairing_id=pairing.id,
        terminal_code=terminal.code,
        tenant=tenant,
    )


def device_from_token(raw_token: str) -> Device | None:
    """The live device of a raw access token, or None: refuse. Reusable outside DRF."""
    try:
        token = AccessToken(raw_token)  # type: ignore[arg-type]
    except TokenError:
        return None
    if not is_device_token(token):
        return None
    try:
        return device_from_claims(token)
    except DeviceAuthError:
        return None


class DeviceJWTAuthentication(JWTAuthentication):
    """Bearer access token of a paired device; anything else is a 401."""

    def get_user(self, validated_token: Token) -> Device:  # type: ignore[override]
        if not is_device_token(validated_token):
            raise InvalidToken("a device token is required here")
        try:
            return device_from_claims(validated_token)
        except TenantSuspended as error:
            raise PermissionDenied(str(error), code=DeviceErrorCode.TENANT_SUSPENDED) from error
        except DeviceAuthError as error:
            raise AuthenticationFailed(str(error), code=DeviceErrorCode.DEVICE_REVOKED) from error
