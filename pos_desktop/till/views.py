"""The till's plain views: what its desks hand the screens, and its one refusal type.

Plain Python with integer money and no Qt, so screens stay free of business rules and
their tests can build these by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# The payment service's figures are the screens' view as they are (re-exported).
from pos_desktop.services.payment_quote import PaymentQuote as PaymentQuote

DiscountKind = Literal["percent", "fixed"]
Progress = Callable[[int, int], None]
"""Reports (done, total) while a long job such as the first catalog download runs."""


class TillError(Exception):
    """A refusal the screen shows as it is (wrong PIN, no open shift, under-paid)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ApprovalNeeded(TillError):
    """The action needs a manager's PIN; the screen asks for one and calls again with it."""

    def __init__(self, message: str = "A manager must approve this.") -> None:
        super().__init__(message, code="approval_required")


@dataclass(frozen=True)
class TenantView:
    """Who sells and how money is shown and rounded at this outlet."""

    name: str
    outlet_name: str
    terminal_name: str
    currency: str
    locale: str
    cash_rounding_step_minor: int = 0
    denominations_minor: tuple[int, ...] = ()
    time_zone: str = "UTC"


@dataclass(frozen=True)
class CashierView:
    """The signed-in person."""

    id: str
    name: str
    role: str

    @property
    def is_manager(self) -> bool:
        """Managers and above see the manager settings."""
        return self.role in {"manager", "admin", "owner", "super_admin"}


@dataclass(frozen=True)
class ShiftView:
    """The open drawer session of this terminal."""

    id: str
    cashier_id: str
    opened_at: datetime
    opening_float_minor: int


@dataclass(frozen=True)
class CategoryView:
    """A category tab."""

    id: str
    name: str
    colour: str = ""


@dataclass(frozen=True)
class ProductView:
    """A product tile."""

    id: str
    name: str
    price_minor: int
    category_id: str | None = None
    colour: str = ""
    barcode: str = ""
    sku: str = ""
    has_modifiers: bool = False
    image_path: str = ""
    """A picture file on this terminal, downloaded from the catalog's image url; "" for none."""


@dataclass(frozen=True)
class ModifierOptionView:
    """One choice in a modifier group."""

    id: str
    name: str
    price_delta_minor: int = 0
    is_default: bool = False


@dataclass(frozen=True)
class ModifierGroupView:
    """Size, sugar, extras: how many options may or must be picked."""

    id: str
    name: str
    min_select: int
    max_select: int
    options: tuple[ModifierOptionView, ...]


@dataclass(frozen=True)
class CartLineView:
    """A priced cart line; `adjustments` names each promotion or discount on it.

    `net_minor` is the line after its discounts, before service and added tax: what the
    cart shows per line, while service and tax appear once in the totals.
    """

    line_id: str
    product_id: str
    name: str
    quantity: int
    unit_price_minor: int
    total_minor: int
    modifiers: tuple[str, ...] = ()
    note: str = ""
    discount_minor: int = 0
    adjustments: tuple[tuple[str, int], ...] = ()
    net_minor: int = 0


@dataclass(frozen=True)
class CartView:
    """The sale being rung up, priced live by the shared engine."""

    lines: tuple[CartLineView, ...] = ()
    subtotal_minor: int = 0
    discount_minor: int = 0
    service_charge_minor: int = 0
    tax_minor: int = 0
    tax_included: bool = False
    total_minor: int = 0
    customer_name: str = ""
    order_discount_label: str = ""
    cash_rounding_minor: int = 0
    """What the tenant's cash rounding adds to (or takes off) the total when paid in cash."""
    tax_names: tuple[str, ...] = ()
    """The taxes charged, by their names as the receipt prints them (`PB1 10%`)."""

    @property
    def cash_total_minor(self) -> int:
        """What a cash customer pays: the total after cash rounding (the Pay button's amount)."""
        return self.total_minor + self.cash_rounding_minor

    @property
    def is_empty(self) -> bool:
        """Nothing to pay for yet."""
        return not self.lines

    @property
    def item_count(self) -> int:
        """Units in the cart, for the pay button."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class CustomerView:
    """A customer to attach to the sale."""

    id: str
    name: str
    phone: str = ""


@dataclass(frozen=True)
class ParkedView:
    """A held order waiting to be recalled."""

    id: str
    label: str
    item_count: int
    total_minor: int
    parked_at: datetime
    items: str = ""
    """What is in it, as a cashier reads it: `2× Croissant, Caffè latte`."""


@dataclass(frozen=True)
class SaleResult:
    """A paid, durably stored order; `receipt_text` is the printable preview."""

    order_id: str
    receipt_number: str
    total_minor: int
    paid_minor: int
    change_minor: int
    receipt_text: str
    opened_drawer: bool


@dataclass(frozen=True)
class OrderRow:
    """A line in the orders-of-the-shift list.

    `status` is what the cashier reads: paid, partly_refunded, refunded or voided.
    """

    order_id: str
    receipt_number: str
    created_at: datetime
    total_minor: int
    status: str
    refunded_minor: int = 0
    customer_name: str = ""


@dataclass(frozen=True)
class OrderLineRow:
    """A line of a past order: units refunded so far and how many may still be refunded."""

    line_id: str
    name: str
    quantity: int
    total_minor: int
    refundable_quantity: int
    refunded_quantity: int = 0


@dataclass(frozen=True)
class OrderDetail:
    """A past order with its lines and its receipt preview."""

    row: OrderRow
    lines: tuple[OrderLineRow, ...]
    receipt_text: str
    can_void: bool = False
    """Paid in the open shift and nothing refunded yet (the void service's own conditions)."""

    @property
    def can_refund(self) -> bool:
        """Some unit is left to give money back for."""
        return any(line.refundable_quantity > 0 for line in self.lines)


@dataclass(frozen=True)
class ReportView:
    """An X (any time) or Z (at close) report: its figures and the printable text."""

    kind: Literal["X", "Z"]
    order_count: int
    gross_sales_minor: int
    discount_minor: int
    tax_minor: int
    net_sales_minor: int
    refunds_minor: int
    payments_by_method: dict[str, int]
    expected_cash_minor: int
    counted_cash_minor: int | None
    text: str


@dataclass(frozen=True)
class AttentionItem:
    """An outbox item the server rejected or that failed too often; a manager acts on it."""

    id: int
    kind: str
    entity_id: str
    label: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: reachability, waiting sales, items needing a manager."""

    online: bool
    pending: int
    attention: tuple[AttentionItem, ...] = ()
    last_error: str = ""
    catalog_version: int = 0
    authorized: bool = True
    """False once the server refused this till's credentials: it must be paired again."""


@dataclass(frozen=True)
class TerminalSettings:
    """Manager settings of this terminal.

    `kitchen_printers` pairs a kitchen station with its printer URL (`*`: every station
    without its own); `code_page` is the printers' character table.
    """

    printer: str = "file"
    receipt_width: int = 48
    server_url: str = ""
    language: str = "en"
    printers: tuple[str, ...] = field(default=("file",))
    kitchen_printers: tuple[tuple[str, str], ...] = ()
    code_page: str = "CP858"
    open_drawer_on_cash: bool = True


@dataclass(frozen=True)
class PrintJobView:
    """A job of the local print queue as the printer status list shows it.

    `kind` is receipt, kitchen, report, test or drawer; `status` is pending (waiting for
    its next try), printing, printed or failed (gave up; a retry starts it again).
    """

    id: str
    kind: str
    printer: str
    status: str
    attempts: int
    created_at: datetime
    last_error: str = ""
    printed_at: datetime | None = None
    order_id: str | None = None
