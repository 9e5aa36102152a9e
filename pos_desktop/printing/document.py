"""Device-independent print documents (receipt, kitchen ticket, X/Z report) from plain data.

Kept as one module on purpose (over 500 lines): the blocks of a document, the plain data
each slip is made from and the five slip builders share one vocabulary, and every renderer
(ESC/POS, text, image) and the stored print jobs read exactly these types.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pos_desktop.printing.labels import ENGLISH, SlipLabels
from shared.reports import ShiftFigures
from shared.slips import slip_header_lines
from shared.tax import tax_label

Align = Literal["left", "center", "right"]
DocumentKind = Literal["receipt", "kitchen", "report", "refund", "test"]


# --- blocks: what a printout is made of, independent of paper width and device ---------------


@dataclass(frozen=True)
class Logo:
    """A logo image (PNG bytes), printed centred and scaled to the paper."""

    png: bytes


@dataclass(frozen=True)
class Heading:
    """A centred title; `large` doubles width and height (order numbers), `tall` only height."""

    text: str
    size: Literal["normal", "tall", "large"] = "tall"
    bold: bool = True


@dataclass(frozen=True)
class Text:
    """Free text (address, footer), wrapped to the paper."""

    lines: tuple[str, ...]
    align: Align = "center"
    bold: bool = False


@dataclass(frozen=True)
class Mark:
    """A loud inverted banner such as COPY or PRINTED OFFLINE, so nobody mistakes the slip."""

    text: str


@dataclass(frozen=True)
class Field:
    """A label on the left and its value on the right (receipt number, cashier, table)."""

    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Fields:
    """Several label/value rows."""

    rows: tuple[Field, ...]


@dataclass(frozen=True)
class ItemDetail:
    """A modifier row under an order line (no amount: the line's price includes it)."""

    text: str


@dataclass(frozen=True)
class Item:
    """One order line: quantity, name, optional amounts, and its modifier and note rows."""

    quantity: int
    name: str
    amount_minor: int | None = None
    unit_price_minor: int | None = None
    details: tuple[ItemDetail, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Items:
    """The order lines; `tall` prints them in double height for the kitchen."""

    items: tuple[Item, ...]
    tall: bool = False


@dataclass(frozen=True)
class Amount:
    """A labelled money amount, right aligned (discount, tax, total, payment)."""

    label: str
    amount_minor: int
    bold: bool = False
    tall: bool = False


@dataclass(frozen=True)
class Amounts:
    """Several amount rows."""

    rows: tuple[Amount, ...]


@dataclass(frozen=True)
class Rule:
    """A separator line across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    """A QR code (the order id on receipts, so support can find the order)."""

    content: str


Block = Logo | Heading | Text | Mark | Fields | Items | Amounts | Rule | QrCode


@dataclass(frozen=True)
class PrintDocument:
    """A whole printout: blocks in order plus the money context and the paper actions."""

    kind: DocumentKind
    currency: str
    locale: str
    blocks: tuple[Block, ...]
    cut: bool = True
    open_drawer: bool = False


def document_to_json(document: PrintDocument) -> str:
    """Serialise a document for the print job row, so a job can be inspected or re-rendered."""

    def encode(value: object) -> object:
        if isinstance(value, bytes):
            return {"base64": base64.b64encode(value).decode("ascii")}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
            return {"block": type(value).__name__, **fields}
        if isinstance(value, tuple | list):
            return [encode(v) for v in value]
        return value

    return json.dumps(encode(document), ensure_ascii=False, sort_keys=True)


# --- plain inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLineData:
    """An order line as the receipt shows it.

    `unit_price_minor` is the price of one unit with its modifiers and `amount_minor` the line
    total before discounts, so the line reads at its full price; `modifiers` are the names of
    the options chosen (group defaults left out), printed under it without amounts of their own.
    """

    name: str
    quantity: int
    unit_price_minor: int
    amount_minor: int
    modifiers: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class AdjustmentData:
    """A discount or promotion (negative amount) or a service charge (positive), by name."""

    name: str
    amount_minor: int


@dataclass(frozen=True)
class TaxData:
    """One tax of the breakdown; `included` taxes are already inside the prices."""

    name: str
    rate_bp: int
    amount_minor: int
    included: bool = False


@dataclass(frozen=True)
class PaymentData:
    """A payment; cash payments carry what was tendered and the change given back."""

    method: str
    amount_minor: int
    tendered_minor: int | None = None
    change_minor: int = 0
    is_cash: bool = False


@dataclass(frozen=True)
class TenantHeader:
    """Who issued the slip: business, outlet, address, tax id, optional logo, text and footer.

    `tax_id` is the bare number and `tax_id_label` what the business's country calls it
    (NPWP); `extra_lines` is the tenant's own receipt header text.
    """

    tenant_name: str
    outlet_name: str = ""
    address_lines: tuple[str, ...] = ()
    tax_id: str = ""
    tax_id_label: str = ""
    extra_lines: tuple[str, ...] = ()
    logo_png: bytes | None = None
    footer_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt shows, as plain values: integer minor units, an aware UTC time."""

    header: TenantHeader
    receipt_no: str
    order_id: str
    terminal_name: str
    cashier_name: str
    issued_at: datetime
    time_zone: str
    currency: str
    locale: str
    lines: tuple[ReceiptLineData, ...]
    subtotal_minor: int
    total_minor: int
    discounts: tuple[AdjustmentData, ...] = ()
    service_charges: tuple[AdjustmentData, ...] = ()
    taxes: tuple[TaxData, ...] = ()
    rounding_minor: int = 0
    payments: tuple[PaymentData, ...] = ()
    table: str = ""
    customer_name: str = ""
    notice: str = ""  # e.g. VOIDED or REFUNDED on the reprint of such an order
    labels: SlipLabels = ENGLISH


def local_time(moment: datetime, time_zone: str) -> str:
    """Format an aware instant in the tenant's zone; a naive time is an upstream bug: refuse it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("print times must be timezone-aware")
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def header_blocks(header: TenantHeader) -> list[Block]:
    """Business name, then outlet, address, labelled tax id and the tenant's header text, each
    once (`shared.slips`, which the back office's receipt preview reads too)."""
    blocks: list[Block] = []
    if header.logo_png:
        blocks.append(Logo(header.logo_png))
    blocks.append(Heading(header.tenant_name))
    lines = slip_header_lines(
        tenant_name=header.tenant_name,
        outlet_name=header.outlet_name,
        address_lines=header.address_lines,
        tax_id=header.tax_id,
        tax_id_label=header.tax_id_label,
        extra_lines=header.extra_lines,
    )
    if lines:
        blocks.append(Text(lines))
    return blocks


def receipt_document(data: ReceiptData, *, copy: bool = False) -> PrintDocument:
    """Lay a sale out as receipt blocks; a reprint (`copy`) is marked and never opens the drawer."""
    labels = data.labels
    header = data.header
    blocks = header_blocks(header)
    if copy:
        blocks.append(Mark(labels.copy))
    if data.notice:
        blocks.append(Mark(data.notice))
    info = [
        Field(labels.receipt_no, data.receipt_no, bold=True),
        Field(labels.date, local_time(data.issued_at, data.time_zone)),
        Field(labels.terminal, data.terminal_name),
        Field(labels.cashier, data.cashier_name),
    ]
    if data.table:
        info.append(Field(labels.table, data.table))
    if data.customer_name:
        info.append(Field(labels.customer, data.customer_name))
    blocks += [Rule(), Fields(tuple(info)), Rule()]

    items = tuple(
        Item(
            line.quantity,
            line.name,
            line.amount_minor,
            line.unit_price_minor,
            tuple(ItemDetail(f"+ {name}") for name in line.modifiers),
            line.note,
        )
        for line in data.lines
    )
    blocks += [Items(items), Rule()]

    totals = [Amount(labels.subtotal, data.subtotal_minor)]
    totals += [Amount(d.name, d.amount_minor) for d in data.discounts]
    totals += [Amount(s.name, s.amount_minor) for s in data.service_charges]
    for tax in data.taxes:
        suffix = f" ({labels.tax_included})" if tax.included else ""
        totals.append(Amount(tax_label(tax.name, tax.rate_bp) + suffix, tax.amount_minor))
    if data.rounding_minor:
        totals.append(Amount(labels.rounding, data.rounding_minor))
    totals.append(Amount(labels.total, data.total_minor, bold=True, tall=True))
    blocks.append(Amounts(tuple(totals)))

    if data.payments:
        paid: list[Amount] = []
        for payment in data.payments:
            if (
                payment.tendered_minor is not None
                and payment.tendered_minor != payment.amount_minor
            ):
                paid.append(Amount(f"{payment.method} {labels.tendered}", payment.tendered_minor))
                paid.append(Amount(labels.change, payment.change_minor, bold=True))
            else:
                paid.append(Amount(payment.method, payment.amount_minor))
        blocks += [Rule(), Amounts(tuple(paid))]

    blocks += [Rule(), QrCode(data.order_id)]
    if header.footer_lines:
        blocks.append(Text(header.footer_lines))
    opens_drawer = not copy and any(p.is_cash for p in data.payments)
    return PrintDocument("receipt", data.currency, data.locale, tuple(blocks), True, opens_drawer)


# --- kitchen ticket ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KitchenItemData:
    """An item the kitchen must make, with its modifiers and the cashier's note."""

    name: str
    quantity: int
    modifiers: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class KitchenTicketData:
    """A kitchen ticket for one station; `offline` when the kitchen screens could not be reached."""

    order_number: str
    station: str
    created_at: datetime
    time_zone: str
    items: tuple[KitchenItemData, ...]
    table: str = ""
    customer_name: str = ""
    receipt_no: str = ""
    cashier_name: str = ""
    offline: bool = False
    already_printed: bool = False
    order_id: str | None = None  # the stored order the job belongs to (not printed)
    labels: SlipLabels = ENGLISH


def kitchen_ticket_document(data: KitchenTicketData) -> PrintDocument:
    """Lay a kitchen ticket out: station, big order number, where it goes, then tall items."""
    labels = data.labels
    blocks: list[Block] = []
    if data.already_printed:
        blocks.append(Mark(labels.already_printed))
    if data.offline:
        blocks.append(Mark(labels.printed_offline))
    blocks.append(Heading(data.station.upper(), size="tall"))
    blocks.append(Heading(f"#{data.order_number}", size="large"))
    if data.table:
        blocks.append(Heading(f"{labels.table} {data.table}", size="tall"))
    if data.customer_name:
        blocks.append(Heading(data.customer_name, size="tall"))
    info = [Field(labels.time, local_time(data.created_at, data.time_zone))]
    if data.receipt_no:
        info.append(Field(labels.receipt_no, data.receipt_no))
    if data.cashier_name:
        info.append(Field(labels.cashier, data.cashier_name))
    items = tuple(
        Item(
            i.quantity,
            i.name,
            details=tuple(ItemDetail(f"+ {m}") for m in i.modifiers),
            note=i.note,
        )
        for i in data.items
    )
    blocks += [Fields(tuple(info)), Rule("="), Items(items, tall=True), Rule("=")]
    return PrintDocument("kitchen", "", "", tuple(blocks))


# --- X and Z reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftReportData:
    """An X (mid-shift, shift stays open) or Z (closing) report: who, when, and the figures.

    The figures are `shared.reports.ShiftFigures`, the one definition the back office's shift
    reports use too, so paper and screen give the same numbers for the same shift.
    """

    report: Literal["X", "Z"]
    tenant_name: str
    outlet_name: str
    terminal_name: str
    shift_name: str
    cashier_name: str
    opened_at: datetime
    printed_at: datetime
    time_zone: str
    currency: str
    locale: str
    figures: ShiftFigures
    closed_at: datetime | None = None
    labels: SlipLabels = ENGLISH


def shift_report_document(data: ShiftReportData) -> PrintDocument:
    """Lay an X or Z report out in the order of the figures' waterfall, then the drawer.

    Gross sales - discounts - refunds = net sales (excluding tax and service); + service
    charge + tax per rate + rounding = total collected. The Z report adds the counted cash
    and the difference.
    """
    labels, figures = data.labels, data.figures
    title = labels.x_report if data.report == "X" else labels.z_report
    info = [
        Field(labels.outlet, data.outlet_name),
        Field(labels.terminal, data.terminal_name),
        Field(labels.shift, data.shift_name),
        Field(labels.cashier, data.cashier_name),
        Field(labels.opened, local_time(data.opened_at, data.time_zone)),
    ]
    if data.closed_at is not None:
        info.append(Field(labels.closed, local_time(data.closed_at, data.time_zone)))
    info += [
        Field(labels.printed, local_time(data.printed_at, data.time_zone)),
        Field(labels.orders, str(figures.order_count)),
        Field(labels.voids, str(figures.void_count)),
    ]
    sales = [
        Amount(labels.gross_sales, figures.gross_sales_minor),
        Amount(labels.discounts, -figures.discount_minor),
        Amount(labels.refunds, -figures.refunds_minor),
        Amount(labels.net_sales, figures.net_sales_minor, bold=True),
        Amount(labels.service_charge, figures.service_charge_minor),
    ]
    sales += [Amount(tax_label(t.name, t.rate_bp), t.amount_minor) for t in figures.taxes]
    if figures.tax_refunded_minor:
        sales.append(Amount(labels.tax_refunded, -figures.tax_refunded_minor))
    if not figures.taxes and not figures.tax_refunded_minor:
        sales.append(Amount(labels.tax, figures.tax_minor))
    sales += [
        Amount(labels.rounding, figures.rounding_minor),
        Amount(labels.total_collected, figures.total_collected_minor, bold=True),
    ]
    payments = [
        Amount(labels.method_name(method), amount)
        for method, amount in sorted(figures.payments_by_method.items())
    ]
    payments += [
        Amount(f"{labels.refund_in} {labels.method_name(method)}", -amount)
        for method, amount in sorted(figures.refunds_by_method.items())
        if amount
    ]
    cash = [
        Amount(labels.opening_float, figures.opening_float_minor),
        Amount(labels.cash_in, figures.cash_in_minor),
        Amount(labels.cash_out, -figures.cash_out_minor),
        Amount(labels.cash_expected, figures.cash_expected_minor, bold=True),
    ]
    if data.report == "Z" and figures.cash_counted_minor is not None:
        difference = figures.cash_counted_minor - figures.cash_expected_minor
        cash += [
            Amount(labels.cash_counted, figures.cash_counted_minor),
            Amount(labels.difference, difference, bold=True),
        ]
    blocks: tuple[Block, ...] = (
        Heading(data.tenant_name),
        Heading(title, size="large"),
        Rule(),
        Fields(tuple(info)),
        Rule(),
        Amounts(tuple(sales)),
        Rule(),
        Text((labels.payments,), align="left", bold=True),
        Amounts(tuple(payments)),
        Rule(),
        Amounts(tuple(cash)),
    )
    return PrintDocument("report", data.currency, data.locale, blocks)


# --- refund and void slips --------------------------------------------------------------------


@dataclass(frozen=True)
class RefundLineData:
    """A line given back: how many of what, and the money for them."""

    name: str
    quantity: int
    amount_minor: int


@dataclass(frozen=True)
class RefundSlipData:
    """A refund or void as its slip shows it: what, how much, how, why and who approved it.

    `method` is the payment method's printed name; a void gives back what was paid, in the
    order's own methods.
    """

    kind: Literal["refund", "void"]
    header: TenantHeader
    receipt_no: str
    order_id: str
    terminal_name: str
    cashier_name: str
    manager_name: str
    refunded_at: datetime
    time_zone: str
    currency: str
    locale: str
    lines: tuple[RefundLineData, ...]
    amount_minor: int
    method: str
    reason: str
    labels: SlipLabels = ENGLISH


def refund_slip_document(data: RefundSlipData, *, copy: bool = False) -> PrintDocument:
    """Lay a refund or void slip out for the drawer and the books; it never opens the drawer."""
    labels = data.labels
    blocks = header_blocks(data.header)
    blocks.append(Mark(labels.refund_title if data.kind == "refund" else labels.void_title))
    if copy:
        blocks.append(Mark(labels.copy))
    info = (
        Field(labels.receipt_no, data.receipt_no, bold=True),
        Field(labels.time, local_time(data.refunded_at, data.time_zone)),
        Field(labels.terminal, data.terminal_name),
        Field(labels.cashier, data.cashier_name),
    )
    items = tuple(Item(line.quantity, line.name, line.amount_minor) for line in data.lines)
    total_label = labels.refunded_total if data.kind == "refund" else labels.voided_total
    why = (
        Field(labels.method, data.method),
        Field(labels.reason, data.reason),
        Field(labels.approved_by, data.manager_name, bold=True),
    )
    blocks += [Rule(), Fields(info), Rule()]
    if items:
        blocks += [Items(items), Rule()]
    total = [Amount(total_label, data.amount_minor, bold=True, tall=True)]
    rounding_minor = data.amount_minor - sum(line.amount_minor for line in data.lines)
    if items and rounding_minor:  # cash given back rounds to the tenant's step
        total.insert(0, Amount(labels.rounding, rounding_minor))
    blocks += [
        Amounts(tuple(total)),
        Rule(),
        Fields(why),
        Rule(),
        QrCode(data.order_id),
    ]
    return PrintDocument("refund", data.currency, data.locale, tuple(blocks))


def test_page_document(
    printer_url: str, columns: int, labels: SlipLabels = ENGLISH
) -> PrintDocument:
    """A test page that shows the width, the code page and the QR support of a printer."""
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    blocks: tuple[Block, ...] = (
        Heading(labels.test_print, size="large"),
        Text((printer_url, f"{columns} {labels.columns}"), align="center"),
        Rule(),
        Text((ruler,), align="left"),
        Text(("Es Teh Manis", "Crème brûlée", "Café Señor", "Nasi Goreng Spésial"), align="left"),
        Text(("Bold line",), align="left", bold=True),
        Rule(),
        QrCode("kiosk-pos test print"),
    )
    return PrintDocument("test", "", "", blocks)
