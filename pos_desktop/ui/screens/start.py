"""First run and sign-in: pairing with the first catalog download, PIN login, shift open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QProgressBar, QVBoxLayout, QWidget

from pos_desktop.till.views import CashierView, ShiftView
from pos_desktop.ui.ports import LoginPort, PairingPort, ShiftOpenPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import Keypad, amount_edit, button, label
from shared.money import MoneyParseError


def _centred(screen: Screen, width: int = 420) -> QVBoxLayout:
    """A column of fixed width in the middle of the screen, content starting a third down."""
    outer = QHBoxLayout(screen)
    outer.addStretch(1)
    holder = QWidget()
    holder.setFixedWidth(width)
    column = QVBoxLayout(holder)
    column.addStretch(1)
    outer.addWidget(holder)
    outer.addStretch(1)
    return column


class _ProgressRelay:
    """Turns the till's (done, total) callback from the worker thread into a queued signal."""

    def __init__(self, screen: PairingScreen) -> None:
        self._screen = screen

    def __call__(self, done: int, total: int) -> None:
        self._screen.progressed.emit(done, total)


class PairingScreen(Screen):
    """First run: server address and pairing code, then the first catalog download."""

    paired = Signal()
    progressed = Signal(int, int)

    def __init__(self, context: ScreenContext, server_url: str = "") -> None:
        super().__init__("pairing")
        self._context = context
        self._till: PairingPort = context.till
        column = _centred(self)
        column.addWidget(label(self.tr("Pair this terminal"), "title"))
        column.addWidget(
            label(self.tr("Ask a manager for a pairing code in the back office."), "hint")
        )
        self.server_edit = QLineEdit(server_url)
        self.server_edit.setObjectName("pairing_server")
        self.server_edit.setPlaceholderText(self.tr("Server address (https://…)"))
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("pairing_code")
        self.code_edit.setPlaceholderText(self.tr("Pairing code"))
        self.progress = QProgressBar()
        self.progress.setObjectName("pairing_progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Catalog %v of %m"))
        self.progress.hide()
        self.pair_button = button(
            self.tr("Pair and download catalog"), "primary", name="pairing_go"
        )
        self.pair_button.clicked.connect(self._pair)
        self.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.demo_button = button(self.tr("Try the demo café offline"), name="pairing_demo")
        self.demo_button.clicked.connect(self._demo)
        for widget in (
            self.server_edit,
            self.code_edit,
            self.pair_button,
            self.progress,
            self.error,
            self.demo_button,
        ):
            column.addWidget(widget)
        column.addStretch(2)

    def _pair(self) -> None:
        server, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if not server or not code:
            self.show_error(self.tr("Enter the server address and the pairing code."))
            return
        self.clear_error()
        self.progress.show()
        self.pair_button.setEnabled(False)
        relay = _ProgressRelay(self)
        self._context.background.run(
            lambda: self._till.pair(server, code, relay), self._done, self._failed
        )

    def _demo(self) -> None:
        self._context.background.run(self._till.use_demo, self._done, self._failed)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, _result: object) -> None:
        self.pair_button.setEnabled(True)
        self.paired.emit()

    def _failed(self, error: Exception) -> None:
        self.pair_button.setEnabled(True)
        self.show_error(error)


class LoginScreen(Screen):
    """PIN login on an on-screen keypad; checked against the synced hashes, so it works offline."""

    logged_in = Signal(object)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("login")
        self._context = context
        self._till: LoginPort = context.till
        column = _centred(self, 380)
        self.title = label(self.tr("Sign in"), "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.title)
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("login_pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_edit.setMaxLength(12)
        self.pin_edit.setPlaceholderText(self.tr("PIN"))
        self.pin_edit.returnPressed.connect(self._login)
        keypad = Keypad(self.pin_edit, submit_text=self.tr("Sign in"), name="login_keypad")
        keypad.submitted.connect(self._login)
        column.addWidget(self.pin_edit)
        column.addWidget(keypad)
        column.addWidget(self.error)
        column.addStretch(2)

    def activate(self) -> None:
        self.pin_edit.clear()
        self.pin_edit.setFocus()
        tenant = self._till.tenant()
        self.title.setText(self.tr("Sign in — %s") % tenant.outlet_name)

    def _login(self) -> None:
        pin = self.pin_edit.text()
        self.pin_edit.clear()
        if not pin:
            return
        self._context.background.run(lambda: self._till.login(pin), self._done, self.show_error)

    def _done(self, cashier: CashierView) -> None:
        self.clear_error()
        self.logged_in.emit(cashier)


class ShiftOpenScreen(Screen):
    """Open the drawer: count the opening float on the keypad."""

    opened = Signal(object)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("shiftOpen")
        self._context = context
        self._till: ShiftOpenPort = context.till
        column = _centred(self, 380)
        # Title and the amount share a row: with the offline banner the keypad must still
        # fit a 768 px screen.
        top = QHBoxLayout()
        top.addWidget(label(self.tr("Open shift"), "title"))
        self.amount = label("", "total", name="shiftOpen_amount")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.amount, 1)
        column.addLayout(top)
        column.addWidget(label(self.tr("Count the cash in the drawer (opening float)."), "hint"))
        self.float_edit = amount_edit(context.money, name="shiftOpen_float", max_length=16)
        self.float_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.float_edit.textChanged.connect(self._show_amount)
        keypad = Keypad(self.float_edit, submit_text=self.tr("Open shift"), name="shiftOpen_keypad")
        keypad.submitted.connect(self._open)
        for widget in (self.float_edit, keypad, self.error):
            column.addWidget(widget)
        column.addStretch(2)
        self._show_amount("")

    def _typed_float(self) -> int | None:
        """The float typed so far, or None (with the error shown) when it is no amount."""
        money = self._context.money
        try:
            amount = money.amount_minor(self.float_edit.text())
        except MoneyParseError:
            self.show_error(self.tr("That is not an amount. Type it like %s.") % money(123_400))
            return None
        self.clear_error()
        return amount

    def _show_amount(self, _text: str) -> None:
        amount = self._typed_float()
        self.amount.setText("" if amount is None else self._context.money(amount))

    def _open(self) -> None:
        amount = self._typed_float()
        if amount is None:
            return
        self._context.background.run(
            lambda: self._till.open_shift(amount), self._done, self.show_error
        )

    def _done(self, shift: ShiftView) -> None:
        self.float_edit.clear()
        self.clear_error()
        self.opened.emit(shift)
