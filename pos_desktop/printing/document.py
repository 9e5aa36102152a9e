"""Device-independent print documents (receipt, kitchen ticket, X/Z report) from plain data."""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Align = Literal["left", "center", "right"]
DocumentKind = Literal["receipt", "kitchen", "report", "test"]


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
    """A modifier row under an order line, with its surcharge when it has one."""

    text: str
    amount_minor: int | None = None


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
class ReceiptLabels:
    """The words printed on a receipt; a tenant may translate them (e.g. Indonesian)."""

    receipt_no: str = "Receipt"
    terminal: str = "Terminal"
    cashier: str = "Cashier"
    date: str = "Date"
    table: str = "Table"
    customer: str = "Customer"
    subtotal: str = "Subtotal"
    tax: str = "Tax"
    tax_included: str = "incl."
    rounding: str = "Rounding"
    total: str = "TOTAL"
    tendered: str = "Tendered"
    change: str = "Change"
    copy: str = "COPY"
    note: str = "Note"


@dataclass(frozen=True)
class ModifierData:
    """A modifier on an order line (e.g. "Extra shot"), with its surcharge per unit if any."""

    name: str
    amount_minor: int = 0


@dataclass(frozen=True)
class ReceiptLineData:
    """An order line as the receipt shows it: `amount_minor` is the line total before discounts."""

    name: str
    quantity: int
    unit_price_minor: int
    amount_minor: int
    modifiers: tuple[ModifierData, ...] = ()
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
    """Who issued the receipt: tenant, outlet, address, tax id, optional logo and footer."""

    tenant_name: str
    outlet_name: str = ""
    address_lines: tuple[str, ...] = ()
    tax_id: str = ""
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
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)


def local_time(moment: datetime, time_zone: str) -> str:
    """Format an aware instant in the tenant's zone; a naive time is an upstream bug: refuse it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("print times must be timezone-aware")
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def _percent(rate_bp: int) -> str:
    """Basis points as a percent string without floats: 1100 -> '11%', 1250 -> '12.5%'."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def receipt_document(data: ReceiptData, *, copy: bool = False) -> PrintDocument:
    """Lay a sale out as receipt blocks; a reprint (`copy`) is marked and never opens the drawer."""
    labels = data.labels
    header = data.header
    blocks: list[Block] = []
    if header.logo_png:
        blocks.append(Logo(header.logo_png))
    blocks.append(Heading(header.tenant_name))
    address = tuple(line for line in (header.outlet_name, *header.address_lines) if line)
    if header.tax_id:
        address += (header.tax_id,)
    if address:
        blocks.append(Text(address))
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
            tuple(
                ItemDetail(f"+ {m.name}", m.amount_minor * line.quantity or None)
                for m in line.modifiers
            ),
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
        totals.append(Amount(f"{tax.name} {_percent(tax.rate_bp)}{suffix}", tax.amount_minor))
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


def kitchen_ticket_document(data: KitchenTicketData) -> PrintDocument:
    """Lay a kitchen ticket out: station, big order number, where it goes, then tall items."""
    blocks: list[Block] = []
    if data.already_printed:
        blocks.append(Mark("ALREADY PRINTED"))
    if data.offline:
        blocks.append(Mark("PRINTED OFFLINE"))
    blocks.append(Heading(data.station.upper(), size="tall"))
    blocks.append(Heading(f"#{data.order_number}", size="large"))
    if data.table:
        blocks.append(Heading(f"Table {data.table}", size="tall"))
    if data.customer_name:
        blocks.append(Heading(data.customer_name, size="tall"))
    info = [Field("Time", local_time(data.created_at, data.time_zone))]
    if data.receipt_no:
        info.append(Field("Receipt", data.receipt_no))
    if data.cashier_name:
        info.append(Field("Cashier", data.cashier_name))
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
    """Shift figures for an X (mid-shift, shift stays open) or Z (closing) report.

    Discounts and refunds are given as positive amounts, as the shift figures store them.
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
    order_count: int
    gross_sales_minor: int
    discounts_minor: int
    refunds_minor: int
    net_sales_minor: int
    service_charge_minor: int = 0
    tax_minor: int = 0
    void_count: int = 0
    payments: tuple[AdjustmentData, ...] = ()
    opening_float_minor: int = 0
    cash_in_minor: int = 0
    cash_out_minor: int = 0
    cash_expected_minor: int = 0
    cash_counted_minor: int | None = None
    closed_at: datetime | None = None


def shift_report_document(data: ShiftReportData) -> PrintDocument:
    """Lay an X or Z report out; the Z report adds the counted cash and the difference."""
    title = "X REPORT" if data.report == "X" else "Z REPORT"
    info = [
        Field("Outlet", data.outlet_name),
        Field("Terminal", data.terminal_name),
        Field("Shift", data.shift_name),
        Field("Cashier", data.cashier_name),
        Field("Opened", local_time(data.opened_at, data.time_zone)),
    ]
    if data.closed_at is not None:
        info.append(Field("Closed", local_time(data.closed_at, data.time_zone)))
    info += [
        Field("Printed", local_time(data.printed_at, data.time_zone)),
        Field("Orders", str(data.order_count)),
        Field("Voids", str(data.void_count)),
    ]
    sales = [
        Amount("Gross sales", data.gross_sales_minor),
        Amount("Discounts", -data.discounts_minor),
        Amount("Service charge", data.service_charge_minor),
        Amount("Tax", data.tax_minor),
        Amount("Net sales", data.net_sales_minor, bold=True),
        Amount("Refunds", -data.refunds_minor),
    ]
    cash = [
        Amount("Opening float", data.opening_float_minor),
        Amount("Cash in", data.cash_in_minor),
        Amount("Cash out", -data.cash_out_minor),
        Amount("Cash expected", data.cash_expected_minor, bold=True),
    ]
    if data.cash_counted_minor is not None:
        cash += [
            Amount("Cash counted", data.cash_counted_minor),
            Amount("Difference", data.cash_counted_minor - data.cash_expected_minor, bold=True),
        ]
    blocks: tuple[Block, ...] = (
        Heading(data.tenant_name),
        Heading(title, size="large"),
        Rule(),
        Fields(tuple(info)),
        Rule(),
        Amounts(tuple(sales)),
        Rule(),
        Amounts(tuple(Amount(p.name, p.amount_minor) for p in data.payments)),
        Rule(),
        Amounts(tuple(cash)),
    )
    return PrintDocument("report", data.currency, data.locale, blocks)


def test_page_document(printer_url: str, columns: int) -> PrintDocument:
    """A test page that shows the width, the code page and the QR support of a printer."""
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    blocks: tuple[Block, ...] = (
        Heading("TEST PRINT", size="large"),
        Text((printer_url, f"{columns} columns"), align="center"),
        Rule(),
        Text((ruler,), align="left"),
        Text(("Es Teh Manis", "Crème brûlée", "Café Señor", "Nasi Goreng Spésial"), align="left"),
        Text(("Bold line",), align="left", bold=True),
        Rule(),
        QrCode("kiosk-pos test print"),
    )
    return PrintDocument("test", "", "", blocks)
