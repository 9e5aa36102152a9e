"""Offline sign-in by PIN against the server's Django hashes, throttling, manager approval."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from pos_desktop.config import DEFAULT_LOGIN, LoginSettings
from pos_desktop.ids import utcnow
from pos_desktop.services.errors import AuthError
from pos_desktop.store.models import Cashier
from pos_desktop.store.settings import SettingKey, get_mapping, put_setting
from pos_desktop.store.uow import UnitOfWork

ALGORITHM = "pbkdf2_sha256"
MANAGER_ROLES = frozenset({"manager", "admin", "owner", "super_admin"})
TILL_ROLES = MANAGER_ROLES | {"cashier"}  # kitchen accounts never sign in at a till


def hash_pin(pin: str, *, salt: str | None = None, iterations: int = 260_000) -> str:
    """Django's `pbkdf2_sha256$iterations$salt$b64hash` (the demo catalog and tests make these)."""
    salt = salt or secrets.token_urlsafe(12)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), iterations)
    return f"{ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def verify_pin(pin: str, encoded: str) -> bool:
    """Check a PIN against a Django pbkdf2_sha256 string in constant time; junk never matches."""
    try:
        algorithm, iterations_text, salt, expected = encoded.split("$", 3)
        iterations = int(iterations_text)
    except ValueError:
        return False
    if algorithm != ALGORITHM or iterations < 1 or not salt:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), iterations)
    actual = base64.b64encode(digest).decode("ascii")
    return hmac.compare_digest(actual.encode(), expected.encode())


@dataclass(frozen=True)
class SignedIn:
    """Who is at the till."""

    cashier_id: str
    name: str
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


@dataclass(frozen=True)
class ManagerApproval:
    """A manager's PIN-checked yes to one action; services record it on the order."""

    manager_id: str
    action: str
    reason: str
    at: datetime


def _lock_seconds(failures: int, settings: LoginSettings) -> float:
    over = failures - settings.free_attempts
    if over < 0:
        return 0.0
    return float(min(settings.lock_cap_s, settings.lock_base_s * 2**over))


def _refuse_if_locked(locked_until: datetime | None, now: datetime) -> None:
    if locked_until is not None and locked_until > now:
        wait_s = int((locked_until - now).total_seconds()) + 1
        raise AuthError(
            f"Too many wrong PINs; try again in {wait_s} s.", field="pin", code="pin_locked"
        )


def _after_miss(failures: int, now: datetime, settings: LoginSettings) -> datetime | None:
    seconds = _lock_seconds(failures, settings)
    return now + timedelta(seconds=seconds) if seconds else None


def _signed_in(cashier: Cashier) -> SignedIn:
    return SignedIn(cashier_id=cashier.id, name=cashier.name, role=cashier.role)


def sign_in(
    uow: UnitOfWork,
    *,
    cashier_id: str,
    pin: str,
    settings: LoginSettings = DEFAULT_LOGIN,
) -> SignedIn:
    """Sign a cashier in by the PIN tile flow (name chosen, PIN typed); misses lock out."""
    now = utcnow()
    cashier = uow.session.get(Cashier, cashier_id)
    if cashier is None or not cashier.is_active or cashier.role not in TILL_ROLES:
        raise AuthError("Unknown or inactive cashier.", field="cashier_id", code="unknown_cashier")
    _refuse_if_locked(cashier.locked_until, now)
    if not verify_pin(pin, cashier.pin_hash):
        cashier.failed_attempts += 1
        cashier.locked_until = _after_miss(cashier.failed_attempts, now, settings)
        uow.commit()
        raise AuthError("Wrong PIN.", field="pin", code="wrong_pin")
    cashier.failed_attempts = 0
    cashier.locked_until = None
    uow.commit()
    return _signed_in(cashier)


def sign_in_by_pin(
    uow: UnitOfWork, *, pin: str, settings: LoginSettings = DEFAULT_LOGIN
) -> SignedIn:
    """Sign in by PIN alone (CLI, kiosks without name tiles); throttled per terminal."""
    now = utcnow()
    saved = get_mapping(uow.session, SettingKey.PIN_THROTTLE)
    failures = int(saved.get("failures", 0))
    locked_text = saved.get("locked_until")
    _refuse_if_locked(datetime.fromisoformat(locked_text) if locked_text else None, now)
    cashiers = uow.session.scalars(
        select(Cashier).where(Cashier.is_active.is_(True), Cashier.role.in_(TILL_ROLES))
    ).all()
    match = next((c for c in cashiers if verify_pin(pin, c.pin_hash)), None)
    failures = failures + 1 if match is None else 0
    until = _after_miss(failures, now, settings) if match is None else None
    state = {"failures": failures, "locked_until": until.isoformat() if until else None}
    put_setting(uow.session, SettingKey.PIN_THROTTLE, state)
    uow.commit()
    if match is None:
        raise AuthError("Wrong PIN.", field="pin", code="wrong_pin")
    return _signed_in(match)


def approve(
    uow: UnitOfWork,
    *,
    manager_id: str,
    pin: str,
    action: str,
    reason: str = "",
    settings: LoginSettings = DEFAULT_LOGIN,
) -> ManagerApproval:
    """A manager types their PIN to approve one action; the result goes on the order."""
    person = sign_in(uow, cashier_id=manager_id, pin=pin, settings=settings)
    if not person.is_manager:
        raise AuthError(
            f"{person.name} may not approve this.", field="manager_id", code="not_manager"
        )
    return ManagerApproval(manager_id=person.cashier_id, action=action, reason=reason, at=utcnow())
