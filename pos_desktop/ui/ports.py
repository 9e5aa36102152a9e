"""What the cashier screens need from the till: one `Till` protocol over its plain views.

Screens only ever talk to a `Till`; `pos_desktop.till.facade` implements it over the
terminal services (cart, checkout, shifts, refunds, sync).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pos_desktop.till.views import (
    ApprovalNeeded as ApprovalNeeded,
)
from pos_desktop.till.views import (
    AttentionItem as AttentionItem,
)
from pos_desktop.till.views import (
    CartLineView as CartLineView,
)
from pos_desktop.till.views import (
    CartView as CartView,
)
from pos_desktop.till.views import (
    CashierView as CashierView,
)
from pos_desktop.till.views import (
    CategoryView as CategoryView,
)
from pos_desktop.till.views import (
    CustomerView as CustomerView,
)
from pos_desktop.till.views import (
    DiscountKind as DiscountKind,
)
from pos_desktop.till.views import (
    ModifierGroupView as ModifierGroupView,
)
from pos_desktop.till.views import (
    ModifierOptionView as ModifierOptionView,
)
from pos_desktop.till.views import (
    OrderDetail as OrderDetail,
)
from pos_desktop.till.views import (
    OrderLineRow as OrderLineRow,
)
from pos_desktop.till.views import (
    OrderRow as OrderRow,
)
from pos_desktop.till.views import (
    ParkedView as ParkedView,
)
from pos_desktop.till.views import (
    PaymentMethod as PaymentMethod,
)
from pos_desktop.till.views import (
    PaymentQuote as PaymentQuote,
)
from pos_desktop.till.views import (
    PrintJobView as PrintJobView,
)
from pos_desktop.till.views import (
    ProductView as ProductView,
)
from pos_desktop.till.views import (
    Progress as Progress,
)
from pos_desktop.till.views import (
    ReportView as ReportView,
)
from pos_desktop.till.views import (
    SaleResult as SaleResult,
)
from pos_desktop.till.views import (
    ShiftView as ShiftView,
)
from pos_desktop.till.views import (
    SyncStatus as SyncStatus,
)
from pos_desktop.till.views import (
    TenantView as TenantView,
)
from pos_desktop.till.views import (
    TenderInput as TenderInput,
)
from pos_desktop.till.views import (
    TerminalSettings as TerminalSettings,
)
from pos_desktop.till.views import (
    TillError as TillError,
)


class Till(Protocol):
    """Every use case the cashier screens call; slow ones are called off the UI thread."""

    # --- terminal and sign-in
    def is_paired(self) -> bool: ...
    def pair(self, server_url: str, code: str, progress: Progress) -> None: ...
    def use_demo(self) -> None: ...
    def tenant(self) -> TenantView: ...
    def login(self, pin: str) -> CashierView: ...
    def verify_manager(self, pin: str) -> CashierView: ...
    def logout(self) -> None: ...
    def unsynced_warning(self) -> str | None: ...

    # --- shift
    def current_shift(self) -> ShiftView | None: ...
    def open_shift(self, opening_float_minor: int) -> ShiftView: ...
    def x_report(self) -> ReportView: ...
    def close_shift(
        self, counted: dict[int, int], confirm_unsynced: bool = False
    ) -> ReportView: ...
    def expected_cash(self) -> int: ...
    def move_cash(
        self, direction: str, amount_minor: int, reason: str, manager_pin: str
    ) -> None: ...

    # --- catalog
    def categories(self) -> Sequence[CategoryView]: ...
    def products(self) -> Sequence[ProductView]: ...
    def modifier_groups(self, product_id: str) -> Sequence[ModifierGroupView]: ...
    def product_by_barcode(self, barcode: str) -> ProductView | None: ...

    # --- cart
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
    def find_customers(self, text: str) -> Sequence[CustomerView]: ...
    def create_customer(self, name: str, phone: str, email: str = "") -> CustomerView: ...
    def attach_customer(self, customer_id: str | None) -> CartView: ...
    def clear_cart(self) -> CartView: ...
    def park(self, label: str) -> CartView: ...
    def parked(self) -> Sequence[ParkedView]: ...
    def recall(self, parked_id: str) -> CartView: ...

    # --- payment
    def quote(self, tenders: Sequence[TenderInput] = ()) -> PaymentQuote: ...
    def checkout(self, tenders: Sequence[TenderInput]) -> SaleResult: ...

    # --- orders of the shift
    def orders(self, search: str = "") -> Sequence[OrderRow]: ...
    def order_detail(self, order_id: str) -> OrderDetail: ...
    def reprint(self, order_id: str) -> None: ...
    def reprint_refunds(self, order_id: str) -> int: ...
    def void(self, order_id: str, reason: str, manager_pin: str) -> None: ...
    def refund(
        self, order_id: str, quantities: dict[str, int], reason: str, manager_pin: str
    ) -> int: ...

    # --- sync and settings
    def sync_status(self) -> SyncStatus: ...
    def retry(self, item_id: int) -> None: ...
    def export(self, item_id: int) -> str: ...
    def settings(self) -> TerminalSettings: ...
    def save_settings(self, settings: TerminalSettings) -> None: ...
    def print_report(self, report: ReportView) -> None: ...
    def take_ready_notices(self) -> Sequence[str]: ...

    # --- printers (the print queue never blocks a sale; these only queue and report)
    def test_print(self, printer: str, receipt_width: int) -> PrintJobView: ...
    def open_drawer(self, manager_pin: str) -> PrintJobView: ...
    def print_jobs(self, limit: int = 50) -> Sequence[PrintJobView]: ...
    def retry_print_job(self, job_id: str) -> PrintJobView: ...
    def watch_print_jobs(self, listener: Callable[[PrintJobView], None]) -> None: ...
