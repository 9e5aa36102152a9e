"""Pairing: issue a one-time code, exchange it for device credentials, rotate them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from shared.protocol import PairResponseV1
from sync_server.accounts.tokens import KioskRefreshToken, spent_record
from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.services import apply_fields
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import (
    DEVICE_CLAIM,
    PAIRING_CLAIM,
    Device,
    DeviceAuthError,
    TenantSuspended,
    device_from_claims,
    device_of,
)
from sync_server.devices.error_codes import DeviceErrorCode
from sync_server.devices.models import DevicePairing, PairingCode
from sync_server.tenants.models import Tenant, Terminal, TerminalKind, TerminalStatus

PAIRING_CODE_LIFETIME: Final = timedelta(minutes=10)
DEVICE_REFRESH_LIFETIME: Final = timedelta(days=180)
"""Long-lived: a terminal may stay offline for weeks; every refresh rotates it anyway."""
CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out loud
CODE_LENGTH: Final = 8
log = logging.getLogger("kiosk.devices")


class DeviceRefreshToken(KioskRefreshToken):
    """A device refresh token as presented: signature and expiry verified, blacklist not.

    `device_refresh` does the spent check itself, because a spent token whose successor was
    never used still gets the pair issued for it.
    """

    def check_blacklist(self) -> None:
        return None


def _pairing_refused() -> Refused:
    """400: the code is unknown, used or expired (one message for all, nothing to probe)."""
    return Refused(
        "this pairing code is invalid, used or expired",
        code=DeviceErrorCode.INVALID_PAIRING_CODE,
    )


def normalize_code(code: str) -> str:
    """Codes are shown as `ABCD-EFGH`; dashes, spaces and case do not matter when typed."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """HMAC of the normalized code under the server secret: what the database stores."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalize_code(code).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def pairing_code_create(
    *, tenant: Tenant, terminal: Terminal, created_by: uuid.UUID | None = None
) -> IssuedCode:
    """A fresh one-time code for a terminal; earlier unused codes of it stop working."""
    if terminal.status != TerminalStatus.ACTIVE:
        raise Refused(
            "a revoked terminal cannot be paired",
            code=DeviceErrorCode.REVOKED,
            category=ErrorCategory.PERMISSION_DENIED,
        )
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    with tenant_atomic(tenant):
        PairingCode.objects.filter(terminal=terminal, used_at__isnull=True).update(used_at=now)
        PairingCode(
            tenant=tenant,
            terminal=terminal,
            code_hash=code_hash(raw),
            expires_at=now + PAIRING_CODE_LIFETIME,
            created_by=created_by,
        ).save()
    return IssuedCode(code=f"{raw[:4]}-{raw[4:]}", expires_at=now + PAIRING_CODE_LIFETIME)


def _tenant_of_code(hashed: str) -> uuid.UUID | None:
    """Whose code this is, before any tenant is known (a SECURITY DEFINER lookup on PostgreSQL)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT kiosk_pairing_scope(%s)", [hashed])
            row = cursor.fetchone()
        value = row[0] if row else None
    else:  # SQLite has no RLS; the explicit bypass manager is the honest equivalent.
        value = (
            PairingCode.unscoped.filter(code_hash=hashed)
            .values_list("tenant_id", flat=True)
            .first()
        )
    return uuid.UUID(str(value)) if value else None


def _derived_jti(spent_jti: str, kind: str) -> str:
    """The jti of the token issued when `spent_jti` was rotated: secret-keyed, so unguessable."""
    key = settings.SECRET_KEY.encode()
    message = f"device-rotation:{kind}:{spent_jti}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def device_tokens(
    *, device: Device, rotated_from: str | None = None, issued_at: datetime | None = None
) -> dict[str, str]:
    """A fresh {access, refresh} pair bound to the device's terminal, tenant, outlet, pairing.

    With `rotated_from` (the spent refresh token's jti) and `issued_at` the pair is
    deterministic: the same arguments give byte-for-byte the same tokens, which is how a
    replayed rotation gets the very pair it was first answered with.
    """
    refresh = RefreshToken()
    if issued_at is not None:
        refresh.current_time = issued_at
        refresh.set_iat(at_time=issued_at)
    refresh.set_exp(from_time=refresh.current_time, lifetime=DEVICE_REFRESH_LIFETIME)
    if rotated_from is not None:
        refresh[api_settings.JTI_CLAIM] = _derived_jti(rotated_from, "refresh")
    claims = {
        DEVICE_CLAIM: str(device.terminal_id),
        PAIRING_CLAIM: str(device.pairing_id),
        "tenant_id": str(device.tenant_id),
        "tenant_slug": device.tenant_slug,
        "outlet_id": str(device.outlet_id),
        "device_kind": device.kind,
    }
    for claim, value in claims.items():
        refresh[claim] = value
    access = refresh.access_token
    if issued_at is not None:
        access.set_iat(at_time=issued_at)
    if rotated_from is not None:
        access[api_settings.JTI_CLAIM] = _derived_jti(rotated_from, "access")
    return {"access": str(access), "refresh": str(refresh)}


APP_OF_KIND: Final = {
    TerminalKind.TERMINAL: "a till: pair it with the cashier app (kiosk-pos pair)",
    TerminalKind.KITCHEN: "a kitchen screen: pair it with the kitchen app (kiosk-kitchen pair)",
}


def device_pair(
    *,
    code: str,
    device_name: str = "",
    app_version: str = "",
    device_kind: str | None = None,
) -> PairResponseV1:
    """Exchange a pairing code for device credentials; the code is spent, older pairings end.

    An app that says its `device_kind` is refused a code made for the other kind before the
    code is spent, so the device the code was meant for can still use it.
    """
    hashed = code_hash(code)
    tenant_id = _tenant_of_code(hashed)
    tenant = (
        Tenant.objects.filter(id=tenant_id, deleted_at__isnull=True, is_active=True).first()
        if tenant_id
        else None
    )
    if tenant is None:
        raise _pairing_refused()
    now = timezone.now()
    with tenant_atomic(tenant):
        pairing_code = (
            PairingCode.objects.select_for_update()
            .select_related("terminal__outlet")
            .filter(code_hash=hashed)
            .first()
        )
        if (
            pairing_code is None
            or pairing_code.used_at is not None
            or (pairing_code.expires_at <= now)
        ):
            raise _pairing_refused()
        terminal = pairing_code.terminal
        if terminal.status != TerminalStatus.ACTIVE or terminal.deleted_at is not None:
            raise _pairing_refused()
        if device_kind is not None and device_kind != terminal.kind:
            raise Refused(
                f"this code is for {APP_OF_KIND[TerminalKind(terminal.kind)]}",
                code=DeviceErrorCode.WRONG_DEVICE_KIND,
                category=ErrorCategory.VALIDATION_ERROR,
                field="code",
            )
        pairing_code.used_at = now
        pairing_code.save(update_fields=["used_at"])
        DevicePairing.objects.filter(terminal=terminal, revoked_at__isnull=True).update(
            revoked_at=now
        )
        pairing = DevicePairing(
            tenant=tenant, terminal=terminal, device_name=device_name, app_version=app_version
        )
        pairing.save()
        apply_fields(terminal, {"paired_at": now})
        device = device_of(pairing)
        tokens = device_tokens(device=device)
        return PairResponseV1(
            tenant_id=tenant.id,
            tenant_slug=tenant.slug,
            outlet_id=terminal.outlet_id,
            outlet_code=terminal.outlet.code,
            terminal_id=terminal.id,
            terminal_code=terminal.code,
            device_kind=terminal.kind,
            access=tokens["access"],
            refresh=tokens["refresh"],
            server_time=now,
        )


def device_refresh(*, refresh: RefreshToken) -> dict[str, str]:
    """Rotate a device's refresh token (rotation with reuse detection): the old one is spent.

    A spent token stays redeemable, whenever it comes back, until its successor is first
    used: it gets the very pair it was first answered with, re-derived from the spent jti and
    the time it was spent. So a till that lost the answer (network, power cut between the
    answer and its keyring write, a reboot days later) recovers, and two concurrent refreshes
    of one token get one pair (the blacklist row is the lock). Once the successor was used,
    the spent token can only be a copy in other hands: the pairing is revoked (every token of
    it is then a 401 until a manager pairs the device again) and the reuse is logged.
    """
    try:
        device = device_from_claims(refresh)
    except TenantSuspended as error:
        raise Refused(
            str(error),
            code=DeviceErrorCode.TENANT_SUSPENDED,
            category=ErrorCategory.PERMISSION_DENIED,
        ) from error
    except DeviceAuthError as error:
        raise Refused(
            str(error),
            code=DeviceErrorCode.DEVICE_REVOKED,
            category=ErrorCategory.NOT_AUTHENTICATED,
        ) from error
    jti = str(refresh[api_settings.JTI_CLAIM])
    with tenant_atomic(device.tenant_id):
        spent, created = BlacklistedToken.objects.get_or_create(token=spent_record(refresh))
        issued_at = spent.blacklisted_at.replace(microsecond=0)
        successor_used = (
            not created
            and BlacklistedToken.objects.filter(token__jti=_derived_jti(jti, "refresh")).exists()
        )
        if successor_used:
            DevicePairing.objects.filter(id=device.pairing_id, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
    if successor_used:  # outside the atomic block: the revocation is committed
        log.warning(
            "refresh token reuse: terminal %s (%s) presented a spent refresh token whose"
            " successor was already used; pairing %s revoked",
            device.terminal_code,
            device.terminal_id,
            device.pairing_id,
        )
        # 401: a spent refresh token came back after its successor was used; pairing revoked.
        raise Refused(
            "this refresh token was already used; pair the device again",
            code=DeviceErrorCode.REFRESH_REUSED,
            category=ErrorCategory.NOT_AUTHENTICATED,
        )
    return device_tokens(device=device, rotated_from=jti, issued_at=issued_at)


def device_revoke(*, tenant: Tenant, terminal: Terminal) -> None:
    """End every pairing of a terminal (its tokens get a 401 on their next call).

    Saved row by row, not as one bulk update: each save is what tells the terminal's live
    link and kitchen sockets (the link's post-save hook), so a revoked till learns it within
    seconds whichever door revoked it. A terminal has one live pairing, rarely two."""
    now = timezone.now()
    with tenant_atomic(tenant):
        for pairing in DevicePairing.objects.filter(terminal=terminal, revoked_at__isnull=True):
            pairing.revoked_at = now
            pairing.save(update_fields=["revoked_at"])
