"""The cashier app's window: header navigation, screen stack, offline banner and status strip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.till.views import CashierView, ReportView, SaleResult, SyncStatus
from pos_desktop.ui.background import Background
from pos_desktop.ui.dialogs import ConfirmDialog
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.ports import Till
from pos_desktop.ui.screens.base import PrintJobWatcher, Screen, ScreenContext
from pos_desktop.ui.screens.change import ChangeOverlay
from pos_desktop.ui.screens.orders import OrdersScreen, ReceiptScreen
from pos_desktop.ui.screens.payment import PaymentScreen
from pos_desktop.ui.screens.sell import SellScreen
from pos_desktop.ui.screens.shift import ShiftCloseScreen
from pos_desktop.ui.screens.start import LoginScreen, PairingScreen, ShiftOpenScreen
from pos_desktop.ui.screens.status import SettingsScreen, StatusScreen
from pos_desktop.ui.widgets import button, label

MIN_SIZE = (1024, 768)
STATUS_POLL_MS = 1000


class BarcodeWedge(QObject):
    """Catches a keyboard-wedge scanner typing digits then Enter while no text field has focus.

    When the search box has focus the digits land there and its Enter does the lookup, so
    a scan works wherever the cursor is.
    """

    scanned = Signal(str)

    def __init__(self, active: Callable[[], bool]) -> None:
        super().__init__()
        self._active = active
        self._digits = ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self._active():
            return False
        if QApplication.activeModalWidget() is not None:
            return False
        if isinstance(QApplication.focusWidget(), QLineEdit):
            self._digits = ""
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        text = key_event.text()
        if text.isdigit() and len(text) == 1:
            self._digits += text
            return True
        if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._digits:
            code, self._digits = self._digits, ""
            self.scanned.emit(code)
            return True
        return False


class MainWindow(QMainWindow):
    """Owns the screens and moves between them; every decision is the till's."""

    login: LoginScreen
    shift_open: ShiftOpenScreen
    sell: SellScreen
    payment: PaymentScreen
    receipt: ReceiptScreen
    orders: OrdersScreen
    shift_close: ShiftCloseScreen
    status: StatusScreen
    settings: SettingsScreen

    def __init__(
        self,
        till: Till,
        *,
        language: Language | None = None,
        kiosk: bool = False,
        status_poll_ms: int = STATUS_POLL_MS,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.till = till
        self.language = language or Language()
        self.background = Background(self)
        self.poller = Background(self)
        self.cashier: CashierView | None = None
        self.current_dialog: QDialog | None = None
        self.sync_status = SyncStatus(online=False, pending=0)
        self._kiosk = kiosk
        self.setMinimumSize(*MIN_SIZE)
        self.setWindowTitle("Kiosk POS")
        if kiosk:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.wedge = BarcodeWedge(lambda: self.stack.currentWidget() is getattr(self, "sell", None))
        self.wedge.scanned.connect(lambda code: self.sell.scan(code))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)
        self.print_jobs = PrintJobWatcher(till, self)
        self._build()
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(status_poll_ms)
        self._poll_timer.timeout.connect(self.poll_status)
        self._poll_timer.start()
        self.poll_status()

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        """(Re)create every screen, e.g. after a language switch; the till keeps the cart."""
        self.paired = self.till.is_paired()
        tenant = self.till.tenant() if self.paired else None
        money = MoneyFormat(
            tenant.currency if tenant else "IDR", tenant.locale if tenant else "id_ID"
        )
        self.context = ScreenContext(self.till, self.background, money, self.print_jobs)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        self.offline_banner = QFrame()
        self.offline_banner.setObjectName("offlineBanner")
        banner_row = QHBoxLayout(self.offline_banner)
        self.offline_sentence = self.tr(
            "Offline — sales are kept on this terminal and sync when the link is back."
        )
        self.offline_text = label(self.offline_sentence, name="offlineText")
        banner_row.addWidget(self.offline_text)
        self.offline_banner.hide()
        outer.addWidget(self.offline_banner)
        self.stack = QStackedWidget()
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(10, 10, 10, 10)
        body_layout.addWidget(self.stack)
        outer.addWidget(body, 1)
        outer.addWidget(self._build_status_strip())
        self.setCentralWidget(central)
        self.change_overlay = ChangeOverlay(central, money)

        self.pairing = PairingScreen(self.context)
        self.pairing.paired.connect(self._paired)
        self.screens: list[Screen] = [self.pairing]
        if tenant is not None:
            self._build_paired_screens()
        for screen in self.screens:
            self.stack.addWidget(screen)
        self._shortcuts()
        self._apply_status(self.sync_status)
        if tenant is None:
            self.show_screen(self.pairing)
        elif self.cashier is None:
            self.show_screen(self.login)
        else:
            self._after_login(self.cashier)

    def _build_paired_screens(self) -> None:
        context = self.context
        self.login = LoginScreen(context)
        self.login.logged_in.connect(self._after_login)
        self.shift_open = ShiftOpenScreen(context)
        self.shift_open.opened.connect(lambda _shift: self.go_sell())
        self.sell = SellScreen(context)
        self.sell.pay_requested.connect(lambda: self.show_screen(self.payment))
        self.sell.receipt_requested.connect(self.show_receipt)
        self.payment = PaymentScreen(context)
        self.payment.paid.connect(self._paid)
        self.payment.cancelled.connect(self.go_sell)
        self.receipt = ReceiptScreen(context)
        self.receipt.closed.connect(self.go_sell)
        self.orders = OrdersScreen(context)
        self.shift_close = ShiftCloseScreen(context)
        self.shift_close.closed.connect(self._shift_closed)
        self.status = StatusScreen(context)
        self.settings = SettingsScreen(context)
        self.settings.language_chosen.connect(self.switch_language)
        self.screens += [
            self.login,
            self.shift_open,
            self.sell,
            self.payment,
            self.receipt,
            self.orders,
            self.shift_close,
            self.status,
            self.settings,
        ]

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(8, 4, 8, 4)
        self.where = label("Kiosk POS", name="header_where")
        row.addWidget(self.where)
        row.addStretch(1)
        self.nav: dict[str, QPushButton] = {}
        entries = [
            ("sell", self.tr("Sell  F1"), self.go_sell),
            ("orders", self.tr("Orders  F3"), lambda: self.show_screen(self.orders)),
            ("shift", self.tr("Shift  F10"), lambda: self.show_screen(self.shift_close)),
            ("status", self.tr("Sync"), lambda: self.show_screen(self.status)),
            ("settings", self.tr("Settings"), lambda: self.show_screen(self.settings)),
            ("logout", self.tr("Sign out"), self.sign_out),
        ]
        for key, text, action in entries:
            nav_button = button(text, "nav", name=f"nav_{key}", checkable=key != "logout")
            nav_button.clicked.connect(action)
            row.addWidget(nav_button)
            self.nav[key] = nav_button
        return header

    def _build_status_strip(self) -> QFrame:
        strip = QFrame()
        strip.setObjectName("statusStrip")
        row = QHBoxLayout(strip)
        row.setContentsMargins(10, 2, 10, 2)
        self.online_label = label("", name="status_online")
        self.pending_label = label("", name="status_pending")
        self.attention_button = button("", name="status_attentionButton")
        self.attention_button.clicked.connect(lambda: self.show_screen(self.status))
        self.pair_again_button = button(self.tr("Pair again"), name="status_pairAgain")
        self.pair_again_button.clicked.connect(self.pair_again)
        self.pair_again_button.hide()
        row.addWidget(self.online_label)
        row.addWidget(self.pair_again_button)
        row.addSpacing(24)
        row.addWidget(self.pending_label)
        row.addStretch(1)
        row.addWidget(self.attention_button)
        return strip

    def _shortcuts(self) -> None:
        for keys, action in (
            ("F1", self.go_sell),
            ("F3", lambda: self._if_signed_in(self.orders)),
            ("F10", lambda: self._if_signed_in(self.shift_close)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(action)

    # --- navigation -------------------------------------------------------------------

    def show_screen(self, screen: Screen) -> None:
        """Bring a screen up and let it refresh itself."""
        signed_in = self.cashier is not None
        for key, nav_button in self.nav.items():
            nav_button.setVisible(signed_in and (key != "settings" or self.cashier.is_manager))  # type: ignore[union-attr]
        current = {
            "sell": getattr(self, "sell", None),
            "orders": getattr(self, "orders", None),
            "shift": getattr(self, "shift_close", None),
            "status": getattr(self, "status", None),
            "settings": getattr(self, "settings", None),
        }
        for key, target in current.items():
            self.nav[key].setChecked(target is screen)
        self.stack.setCurrentWidget(screen)
        screen.activate()

    def _if_signed_in(self, screen: Screen) -> None:
        if self.cashier is not None:
            self.show_screen(screen)

    def go_sell(self) -> None:
        """To the sell screen, or to shift open when no shift is open."""
        if self.cashier is None:
            return
        if self.till.current_shift() is None:
            self.show_screen(self.shift_open)
        else:
            self.show_screen(self.sell)

    def _paired(self) -> None:
        self.rebuild()

    def _after_login(self, cashier: CashierView) -> None:
        self.cashier = cashier
        tenant = self.till.tenant()
        self.where.setText(f"{tenant.name} · {tenant.outlet_name} · {cashier.name}")
        self.go_sell()

    def _paid(self, sale: SaleResult) -> None:
        self.sell.sale_done(sale)
        self.show_screen(self.sell)
        if sale.change_minor > 0:
            self.change_overlay.show_change(sale)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.change_overlay.isVisible():
            self.change_overlay.cover()

    def show_receipt(self, order_id: str) -> None:
        """The receipt preview of an order."""
        self.show_screen(self.receipt)
        self.receipt.show_order(order_id)

    def _shift_closed(self, _report: ReportView) -> None:
        self.nav["sell"].setEnabled(True)

    def sign_out(self) -> None:
        """Lock the till for the next cashier, first saying which sales are not in the cloud."""

        def checked(warning: str | None) -> None:
            if not warning:
                self.lock()
                return
            dialog = ConfirmDialog(
                self, self.tr("Sales not synced yet"), warning, self.tr("Sign out anyway")
            )
            dialog.accepted.connect(self.lock)
            self.current_dialog = dialog
            dialog.open()

        self.background.run(self.till.unsynced_warning, checked, lambda _error: self.lock())

    def lock(self) -> None:
        """Back to the PIN screen; the cart stays with the till for the next sign-in."""
        self.till.logout()
        self.cashier = None
        self.change_overlay.dismiss()
        if hasattr(self, "sell"):
            self.sell.signed_out()
        self.where.setText("Kiosk POS")
        self.show_screen(self.login)

    def switch_language(self, code: str) -> None:
        """Install the language and rebuild the screens in it."""
        self.language.switch(code)
        self.rebuild()

    def rebuild(self) -> None:
        """Throw the screens away and build them again (after pairing or a language switch)."""
        old = self.centralWidget()
        self._build()
        if old is not None:
            old.deleteLater()

    # --- status -----------------------------------------------------------------------

    def poll_status(self) -> None:
        """Ask the till for sync status and kitchen notices on the poller thread."""
        if not self.poller.idle or not self.paired:
            return

        def read() -> tuple[SyncStatus, list[str]]:
            return self.till.sync_status(), list(self.till.take_ready_notices())

        self.poller.run(read, self._polled, lambda _error: None)

    def _polled(self, result: tuple[SyncStatus, list[str]]) -> None:
        status, notices = result
        self._apply_status(status)
        if hasattr(self, "sell"):
            for receipt_number in notices:
                self.sell.order_ready(receipt_number)

    def _apply_status(self, status: SyncStatus) -> None:
        if (
            hasattr(self, "sell")
            and self.sync_status.catalog_version
            and status.catalog_version != self.sync_status.catalog_version
        ):
            self.sell.load_catalog()  # a catalog pull landed: new prices and products on screen
        self.sync_status = status
        self.offline_banner.setVisible((not status.online or not status.authorized) and self.paired)
        if not status.authorized:  # refused credentials are never shown as a green light
            refused = self.tr("This till is no longer authorised: pair it again")
            self.offline_text.setText(refused)
            self.online_label.setText("● " + refused)
        else:
            self.offline_text.setText(self.offline_sentence)
            self.online_label.setText(
                "● " + (self.tr("Online") if status.online else self.tr("Offline"))
            )
        self.online_label.setProperty("linkState", self.link_state(status))
        self.pair_again_button.setVisible(not status.authorized and self.paired)
        self.online_label.setStyleSheet(
            "color: #1a7f37; font-weight: bold;"
            if status.online and status.authorized
            else "color: #cf222e; font-weight: bold;"
        )
        self.pending_label.setText(self.tr("%d waiting to sync") % status.pending)
        count = len(status.attention)
        self.attention_button.setText(self.tr("Needs attention: %d") % count)
        self.attention_button.setVisible(count > 0)
        if hasattr(self, "status"):
            self.status.show_status(status)

    def pair_again(self) -> None:
        """A refused till is paired again with a new code of the same terminal (its sales stay
        and sync afterwards): the pairing screen, with the server it knows filled in."""
        self.pairing.server_edit.setText(self.till.settings().server_url)
        self.pairing.demo_button.hide()  # a till with a server does not become the demo café
        self.show_screen(self.pairing)

    @staticmethod
    def link_state(status: SyncStatus) -> str:
        """`online`, `offline` or `unauthorised`: what the status strip shows (tests read it)."""
        if not status.authorized:
            return "unauthorised"
        return "online" if status.online else "offline"

    def shutdown(self) -> None:
        """Stop polling and let running till calls finish (the sale in flight must land)."""
        self._poll_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)
        self.background.wait()
        self.poller.wait()

    def closeEvent(self, event: QEvent) -> None:
        self.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]
