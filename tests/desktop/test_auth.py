"""Offline PIN sign-in against Django hashes, wrong-PIN throttling, manager approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from pos_desktop.config import LoginSettings
from pos_desktop.ids import utcnow
from pos_desktop.services.auth import approve, hash_pin, sign_in, sign_in_by_pin, verify_pin
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.services.errors import AuthError
from pos_desktop.store.models import Cashier
from pos_desktop.terminal import Terminal

CASHIER_ID = str(demo_id("cashier:sari"))


def test_verify_pin_matches_what_django_makes() -> None:
    encoded = PBKDF2PasswordHasher().encode("4821", "s4lt5alt", iterations=1200)
    assert encoded.startswith("pbkdf2_sha256$1200$s4lt5alt$")
    assert verify_pin("4821", encoded)
    assert not verify_pin("4822", encoded)
    assert not verify_pin("4821", encoded.replace("pbkdf2_sha256", "argon2"))
    assert not verify_pin("4821", "garbage")
    assert not verify_pin("4821", "pbkdf2_sha256$notanumber$salt$hash")


def test_sign_in_by_pin_finds_the_cashier(terminal: Terminal) -> None:
    with terminal.uow() as uow:
        person = sign_in_by_pin(uow, pin=DEMO_CASHIER_PIN)
    assert (person.name, person.role, person.is_manager) == ("Sari", "cashier", False)


def test_wrong_pins_lock_the_cashier_even_against_the_right_pin(terminal: Terminal) -> None:
    settings = LoginSettings(free_attempts=3, lock_base_s=30, lock_cap_s=900)
    for _ in range(3):
        with terminal.uow() as uow, pytest.raises(AuthError) as wrong:
            sign_in(uow, cashier_id=CASHIER_ID, pin="0000", settings=settings)
        assert wrong.value.code == "wrong_pin"
    with terminal.uow() as uow:
        cashier = uow.session.get(Cashier, CASHIER_ID)
        assert cashier is not None and cashier.failed_attempts == 3
        assert cashier.locked_until is not None
        assert cashier.locked_until > utcnow() + timedelta(seconds=25)
    with terminal.uow() as uow, pytest.raises(AuthError) as locked:
        sign_in(uow, cashier_id=CASHIER_ID, pin=DEMO_CASHIER_PIN, settings=settings)
    assert locked.value.code == "pin_locked"
    assert locked.value.as_error()["field"] == "pin"

    with terminal.uow() as uow:  # the lock runs out
        cashier = uow.session.get(Cashier, CASHIER_ID)
        assert cashier is not None
        cashier.locked_until = utcnow() - timedelta(seconds=1)
        uow.commit()
    with terminal.uow() as uow:
        assert sign_in(uow, cashier_id=CASHIER_ID, pin=DEMO_CASHIER_PIN).name == "Sari"
    with terminal.uow() as uow:
        cashier = uow.session.get(Cashier, CASHIER_ID)
        assert cashier is not None and cashier.failed_attempts == 0


def test_pin_only_sign_in_is_throttled_per_terminal(terminal: Terminal) -> None:
    settings = LoginSettings(free_attempts=2, lock_base_s=60, lock_cap_s=900)
    for _ in range(2):
        with terminal.uow() as uow, pytest.raises(AuthError):
            sign_in_by_pin(uow, pin="0000", settings=settings)
    with terminal.uow() as uow, pytest.raises(AuthError) as locked:
        sign_in_by_pin(uow, pin=DEMO_CASHIER_PIN, settings=settings)
    assert locked.value.code == "pin_locked"


def test_only_a_manager_pin_approves(terminal: Terminal, manager_id: str, manager_pin: str) -> None:
    with terminal.uow() as uow:
        approval = approve(uow, manager_id=manager_id, pin=manager_pin, action="void", reason="x")
    assert (approval.manager_id, approval.action) == (manager_id, "void")
    with terminal.uow() as uow, pytest.raises(AuthError) as refused:
        approve(uow, manager_id=CASHIER_ID, pin=DEMO_CASHIER_PIN, action="void")
    assert refused.value.code == "not_manager"
    with terminal.uow() as uow, pytest.raises(AuthError):
        approve(uow, manager_id=manager_id, pin="1111", action="void")


def test_kitchen_accounts_cannot_sign_in_at_the_till(terminal: Terminal) -> None:
    with terminal.uow() as uow:
        uow.session.add(
            Cashier(
                id="k-1",
                username="kitchen",
                name="Kitchen",
                role="kitchen",
                pin_hash=hash_pin("4444", iterations=1000),
                is_active=True,
                failed_attempts=0,
                version=1,
            )
        )
        uow.commit()
    with terminal.uow() as uow, pytest.raises(AuthError):
        sign_in(uow, cashier_id="k-1", pin="4444")
    with terminal.uow() as uow, pytest.raises(AuthError):
        sign_in_by_pin(uow, pin="4444")
