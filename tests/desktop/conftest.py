"""Fixtures of the terminal-core tests: an in-memory keyring and a demo terminal on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_desktop.services.auth import SignedIn, sign_in_by_pin
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, DEMO_MANAGER_PIN, demo_id
from pos_desktop.services.shifts import open_shift
from pos_desktop.terminal import Terminal
from tests.support.keyring import MemoryKeyring, memory_keyring_installed

__all__ = ["MemoryKeyring"]  # terminal tests import it from here


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with memory_keyring_installed() as backend:
        yield backend


@pytest.fixture
def terminal(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Terminal]:
    """An unpaired terminal with the demo catalog installed."""
    term = Terminal(tmp_path / "terminal")
    term.ensure_demo_catalog()
    yield term
    term.close()


@pytest.fixture
def cashier(terminal: Terminal) -> SignedIn:
    with terminal.uow() as uow:
        return sign_in_by_pin(uow, pin=DEMO_CASHIER_PIN)


@pytest.fixture
def manager_id() -> str:
    return str(demo_id("cashier:budi"))


@pytest.fixture
def manager_pin() -> str:
    return DEMO_MANAGER_PIN


@pytest.fixture
def open_terminal(terminal: Terminal, cashier: SignedIn) -> Terminal:
    """The demo terminal with a shift open (float 200,000)."""
    with terminal.uow() as uow:
        open_shift(uow, cashier=cashier, opening_float_minor=200_000)
    return terminal


@pytest.fixture
def snapshot(terminal: Terminal) -> CatalogSnapshot:
    with terminal.uow() as uow:
        return CatalogSnapshot.load(uow.session)


def product_id(name: str) -> str:
    return str(demo_id(f"product:{name}"))


def option_id(name: str) -> str:
    return str(demo_id(f"opt:{name}"))
