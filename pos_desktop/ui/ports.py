"""What each cashier screen needs from the till: one small port (Protocol) per screen.

A screen depends on its port only, so its test can hand it a small fake instead of a real
SQLite till. `Till` is every port at once: what the main window builds the screens from;
`pos_desktop.till.facade.TerminalTill` implements it over the terminal's desks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pos_desktop.till.views import (
    CartView,
    CashierView,
    CategoryView,
    CustomerView,
    DiscountKind,
    ModifierGroupView,
    OrderDetail,
    OrderRow,
    ParkedView,
    PaymentQuote,
    PrintJobView,
    ProductView,
    Progress,
    ReportView,
    SaleResult,
    ShiftView,
    SyncStatus,
    TenantView,
    TerminalSettings,
)
from shared.pricing.tenders import Tender


class TenantPort(Protocol):
    """Who sells and how money is shown: most screens format with it."""

    def tenant(self) -> TenantView: ...


class PairingPort(Protocol):
    """The pairing screen: pair with the cloud, or sell offline as the demo café."""

    def pair(self, server_url: str, code: str, progress: Progress) -> None: ...
    def use_demo(self) -> None: ...


class LoginPort(TenantPort, Protocol):
    """The PIN screen."""

    def login(self, pin: str) -> CashierView: ...


class ShiftOpenPort(Protocol):
    """The opening-float screen."""

    def open_shift(self, opening_float_minor: int) -> ShiftView: ...


class CustomerPort(Protocol):
    """The customer dialog: find one, or make one at the till."""

    def find_customers(self, text: str) -> Sequence[CustomerView]: ...
    def create_customer(self, name: str, phone: str, email: str = "") -> CustomerView: ...


class SellPort(TenantPort, CustomerPort, Protocol):
    """The sell screen: catalog, the cart priced live, customers, held carts."""

    def categories(self) -> Sequence[CategoryView]: ...
    def products(self) -> Sequence[ProductView]: ...
    def modifier_groups(self, product_id: str) -> Sequence[ModifierGroupView]: ...
    def product_by_barcode(self, barcode: str) -> ProductView | None: ...
    def cart(self) -> CartView: ...
    def add_to_cart(
        self, product_id: str, option_ids: Sequence[str] = (), quantity: int = 1
    ) -> CartView: ...
    def set_quantity(self, line_id: str, quantity: int) -> CartView: ...
    def set_line_note(self, line_id: str, note: str) -> CartView: ...
    def discount_line(
        self, line_id: str, kind: DiscountKind, value: int, manager_pin: str | None = None
    ) -> CartView: ...
    def discount_order(
        self, kind: DiscountKind, value: int, manager_pin: str | None = None
    ) -> CartView: ...
    def attach_customer(self, customer_id: str | None) -> CartView: ...
    def park(self, label: str) -> CartView: ...
    def parked(self) -> Sequence[ParkedView]: ...
    def recall(self, parked_id: str) -> CartView: ...


class PaymentPort(Protocol):
    """The payment screen: what is due for these tenders, and the checkout."""

    def quote(self, tenders: Sequence[Tender] = ()) -> PaymentQuote: ...
    def checkout(self, tenders: Sequence[Tender]) -> SaleResult: ...


class ReceiptPort(Protocol):
    """The receipt screen after a sale: its preview and a copy."""

    def order_detail(self, order_id: str) -> OrderDetail: ...
    def reprint(self, order_id: str) -> None: ...


class OrdersPort(TenantPort, ReceiptPort, Protocol):
    """The orders screen: the shift's orders, void and refund with a manager's PIN."""

    def orders(self, search: str = "") -> Sequence[OrderRow]: ...
    def void(self, order_id: str, reason: str, manager_pin: str) -> None: ...
    def refund(
        self, order_id: str, quantities: dict[str, int], reason: str, manager_pin: str
    ) -> int: ...


class ShiftPort(TenantPort, Protocol):
    """The shift screen: expected cash, cash in and out, X and Z reports."""

    def expected_cash(self) -> int: ...
    def move_cash(
        self, direction: str, amount_minor: int, reason: str, manager_pin: str
    ) -> None: ...
    def x_report(self) -> ReportView: ...
    def close_shift(
        self, counted: dict[int, int], confirm_unsynced: bool = False
    ) -> ReportView: ...
    def print_report(self, report: ReportView) -> None: ...


class StatusPort(Protocol):
    """The sync status screen: items needing a manager, retried or exported."""

    def verify_manager(self, pin: str) -> CashierView: ...
    def retry(self, item_id: int) -> None: ...
    def export(self, item_id: int) -> str: ...


class SettingsPort(Protocol):
    """The manager's settings screen: printers, server address, language."""

    def settings(self) -> TerminalSettings: ...
    def save_settings(self, settings: TerminalSettings) -> None: ...
    def test_print(self, printer: str, receipt_width: int) -> PrintJobView: ...


class PrintJobsPort(Protocol):
    """The window's print-job watcher (the queue never blocks a sale; this only reports)."""

    def watch_print_jobs(self, listener: Callable[[PrintJobView], None]) -> None: ...


class PrintersPort(TenantPort, Protocol):
    """The printer status panel: recent jobs, retry one, open the drawer."""

    def print_jobs(self, limit: int = 50) -> Sequence[PrintJobView]: ...
    def retry_print_job(self, job_id: str) -> PrintJobView: ...
    def open_drawer(self, manager_pin: str) -> PrintJobView: ...


class WindowPort(TenantPort, Protocol):
    """The main window: navigation, sign-out, the status bar and kitchen notices."""

    def is_paired(self) -> bool: ...
    def current_shift(self) -> ShiftView | None: ...
    def unsynced_warning(self) -> str | None: ...
    def logout(self) -> None: ...
    def sync_status(self) -> SyncStatus: ...
    def take_ready_notices(self) -> Sequence[str]: ...
    def settings(self) -> TerminalSettings: ...


class Till(
    WindowPort,
    PairingPort,
    LoginPort,
    ShiftOpenPort,
    SellPort,
    PaymentPort,
    OrdersPort,
    ShiftPort,
    StatusPort,
    SettingsPort,
    PrintersPort,
    PrintJobsPort,
    Protocol,
):
    """Every port at once: what the main window builds the screens from."""
