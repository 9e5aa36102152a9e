"""Fixtures of the cashier app tests: a demo terminal folder, the real till and window, a driver
that taps buttons and types keys the way a cashier does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, DEMO_MANAGER_PIN
from pos_desktop.store.models import Order
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.app import application
from pos_desktop.ui.collector import MainThreadCollector, collect_on_this_thread
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from pos_desktop.ui.screens.base import Screen

CASHIER_PIN = DEMO_CASHIER_PIN
MANAGER_PIN = DEMO_MANAGER_PIN


@pytest.fixture(autouse=True)
def garbage_collected_on_the_ui_thread(qapp: QApplication) -> Iterator[MainThreadCollector]:
    """As in the apps: no worker thread ever runs the cyclic collector (it would free Qt
    objects off their thread and crash the process). Handed back to Python after the test."""
    collector = collect_on_this_thread(qapp)
    yield collector
    collector.stop()
    collector.setParent(None)
    collector.deleteLater()


@pytest.fixture
def demo_till(tmp_path: Path) -> Iterator[TerminalTill]:
    """A terminal folder with the built-in demo café; no server, no printer thread."""
    app = QApplication.instance()
    previous_style = app.styleSheet() if isinstance(app, QApplication) else ""
    application()
    till = TerminalTill.open(tmp_path / "terminal", start_sync=False, start_printing=False)
    till.use_demo()
    yield till
    till.close()
    application().setStyleSheet(previous_style)  # other apps' tests share the QApplication


@dataclass(frozen=True)
class StoredOrder:
    """An order row as the store holds it (plain values, no session)."""

    id: str
    receipt_number: str
    total_minor: int
    status: str
    methods: tuple[str, ...]


class Driver:
    """Drives the cashier app through its widgets: taps, keypad digits, typing, waiting."""

    def __init__(self, qtbot: QtBot, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window

    def find(
        self, name: str, kind: type[QWidget] = QWidget, root: QWidget | None = None
    ) -> QWidget:
        """A visible widget by object name, in the window or in an open dialog."""
        roots = [root] if root is not None else [self.window, *QApplication.topLevelWidgets()]
        for where in roots:
            if where is None:
                continue
            if where.objectName() == name and isinstance(where, kind):
                return where
            for found in where.findChildren(kind, name):
                if found.isVisible():
                    return found
        raise AssertionError(f"no visible {kind.__name__} named {name!r}")

    def tap(self, name: str, root: QWidget | None = None) -> None:
        """Tap a button (it must be visible and enabled, as for a finger)."""
        target = self.find(name, QAbstractButton, root)
        assert target.isEnabled(), f"{name} is disabled"
        self.qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
        self.wait()

    def keypad(self, prefix: str, digits: str, submit: bool = True) -> None:
        """Type digits on an on-screen keypad, then its OK key."""
        for digit in digits:
            self.tap(f"{prefix}_{digit}")
        if submit:
            self.tap(f"{prefix}_ok")

    def type(self, name: str, text: str) -> None:
        """Type into a text field as a keyboard would."""
        field = self.find(name, QLineEdit)
        field.setFocus()
        self.qtbot.keyClicks(field, text)
        self.wait()

    def tile(self, product_name: str) -> None:
        """Tap a product tile on the sell screen."""
        grid = self.window.sell.grid
        names = [p.name for p in self.window.sell.products.shown()]
        assert product_name in names, f"{product_name} not on screen: {names}"
        index = self.window.sell.products.index(names.index(product_name), 0)
        grid.scrollTo(index)
        centre: QPoint = grid.visualRect(index).center()
        self.qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        self.wait()

    def wait(self) -> None:
        """Let queued signals and the background till calls finish."""
        self.qtbot.waitUntil(lambda: self.window.background.idle, timeout=15_000)
        QApplication.processEvents()

    def current(self) -> Screen:
        """The screen on top."""
        widget = self.window.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def pair(self, server_url: str, code: str) -> None:
        """Pair through the pairing screen as an owner does on a new till; ends at sign-in
        once the first catalog download landed."""
        assert self.current() is self.window.pairing
        self.type("pairing_server", server_url)
        self.type("pairing_code", code)
        self.tap("pairing_go")

        def signed_in_screen() -> None:
            # The paired screens (login among them) are built once the pairing is done.
            error = self.window.pairing.error.text()
            assert self.current() is getattr(self.window, "login", None), error or "pairing"

        self.qtbot.waitUntil(signed_in_screen, timeout=30_000)

    def sign_in(self, pin: str = CASHIER_PIN) -> None:
        """PIN on the login keypad."""
        assert self.current() is self.window.login
        self.keypad("login_keypad", pin)

    def open_shift(self, float_digits: str = "500000") -> None:
        """Sign in and open a shift with a float, ending on the sell screen."""
        self.sign_in()
        assert self.current() is self.window.shift_open
        self.keypad("shiftOpen_keypad", float_digits)
        assert self.current() is self.window.sell

    def pay_exact_cash(self) -> None:
        """Pay the cart with the exact-cash quick tender: one tap finishes the sale."""
        self.tap("sell_pay")
        self.tap("payment_quick0")
        self.qtbot.waitUntil(lambda: self.current() is self.window.sell, timeout=15_000)
        assert not self.window.change_overlay.isVisible()  # exact cash: no change to show

    def dismiss_change(self) -> None:
        """Tap the full-screen change display away, as the cashier does after handing it."""
        overlay = self.window.change_overlay
        assert overlay.isVisible()
        self.qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton)
        self.wait()
        assert not overlay.isVisible()

    def orders_in_store(self) -> list[StoredOrder]:
        """Orders as stored in the terminal's SQLite file, read in a fresh session."""
        with self.window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
            orders = uow.session.scalars(select(Order).order_by(Order.created_at)).all()
            return [
                StoredOrder(
                    order.id,
                    order.receipt_number,
                    order.total_minor,
                    order.status,
                    tuple(p.method for p in order.payments if not p.is_change),
                )
                for order in orders
            ]


@pytest.fixture
def cashier_window(qtbot: QtBot, demo_till: TerminalTill) -> Iterator[MainWindow]:
    """The main window on the demo till, at the smallest supported size."""
    window = MainWindow(demo_till, language=Language(), status_poll_ms=200)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.shutdown()
    window.language.switch("en")


@pytest.fixture
def driver(qtbot: QtBot, cashier_window: MainWindow) -> Driver:
    """A driver over the cashier window."""
    return Driver(qtbot, cashier_window)
