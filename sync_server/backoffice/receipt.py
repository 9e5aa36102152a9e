"""A synced order as its receipt reads: the till's slip layout on 80 mm paper, as text.

The server does not import the till's package (`pos_desktop.printing` lays slips out), so
this follows the same layout from the stored order: business and outlet, receipt number,
time in the tenant's zone, terminal and cashier, each line at its full price with its unit
price, modifiers and note, discounts by name, service charge, taxes by rate (`shared.tax`),
rounding, the total, tenders with change, and the footer. Words follow the page's language.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import get_language, pgettext

from shared.pricing.tenders import payment_method_label
from shared.slips import slip_header_lines
from shared.tax import tax_label
from sync_server.orders.models import Order, OrderStatus
from sync_server.tenants.models import Tenant

COLUMNS = 48
"""Font A on 80 mm paper, the till's default receipt printer."""


@dataclass(frozen=True)
class SlipLine:
    """One printed line, already fitted to `COLUMNS`."""

    text: str
    bold: bool = False


def _wrap(text: str, width: int, hang: str = "") -> list[str]:
    if not text.strip():
        return [""]
    leading = text[: len(text) - len(text.lstrip(" "))]
    return textwrap.wrap(text, width=width, subsequent_indent=hang or leading)


def _row(label: str, value: str = "", *, bold: bool = False, hang: str = "") -> list[SlipLine]:
    """`label` on the left (wrapped) with `value` right-aligned on its first line."""
    room = COLUMNS - len(value) - 1 if value else COLUMNS
    chunks = _wrap(label, max(room, COLUMNS // 3), hang)
    first = (chunks[0].ljust(room) + " " + value) if value else chunks[0]
    return [SlipLine(first.rstrip(), bold)] + [SlipLine(chunk, bold) for chunk in chunks[1:]]


def _centred(text: str, *, bold: bool = False) -> list[SlipLine]:
    return [SlipLine(chunk.center(COLUMNS).rstrip(), bold) for chunk in _wrap(text, COLUMNS)]


def _notice(order: Order) -> str:
    if order.status == OrderStatus.VOIDED:
        return pgettext("receipt", "VOIDED")
    if order.status == OrderStatus.REFUNDED:
        return pgettext("receipt", "REFUNDED")
    if order.refunded_minor:
        return pgettext("receipt", "PARTLY REFUNDED")
    return ""


def _discounts(order: Order) -> dict[str, int]:
    """Line discounts summed by name; what the lines do not explain is "Discount"."""
    by_name: dict[str, int] = defaultdict(int)
    for line in order.lines.all():
        for discount in line.discounts or []:
            name = str(discount.get("name") or pgettext("receipt", "Discount"))
            by_name[name] += int(discount.get("amount_minor", 0))
    rest_minor = order.discount_minor - sum(by_name.values())
    if rest_minor:
        by_name[pgettext("receipt", "Discount")] += rest_minor
    return {name: amount for name, amount in by_name.items() if amount}


def _taxes(order: Order) -> dict[tuple[str, int, bool], int]:
    details: dict[str, Any] = order.details or {}
    stored = details.get("tax_lines") or [
        tax for line in order.lines.all() for tax in (line.taxes or [])
    ]
    by_rate: dict[tuple[str, int, bool], int] = defaultdict(int)
    for tax in stored:
        key = (str(tax.get("name", "Tax")), int(tax.get("rate_bp", 0)), bool(tax.get("inclusive")))
        by_rate[key] += int(tax.get("amount_minor", 0))
    return by_rate


def _header_lines(order: Order, tenant: Tenant) -> tuple[str, ...]:
    """Under the business name, as the till prints it: the outlet's address wins over the
    business's; the tax id named by the business's country (rupiah prices: an NPWP)."""
    return slip_header_lines(
        tenant_name=tenant.name,
        outlet_name=order.outlet.name,
        address_lines=(order.outlet.address or tenant.address).splitlines(),
        tax_id=tenant.tax_id,
        tax_id_label="NPWP" if tenant.currency == "IDR" else pgettext("receipt", "Tax ID"),
        extra_lines=tenant.receipt_header.splitlines(),
    )


def receipt_slip(
    *, order: Order, tenant: Tenant, cashier_name: str, money: Callable[[int], str]
) -> list[SlipLine]:
    """The receipt of a stored order, line by line (`money` formats minor units)."""
    rule = SlipLine("-" * COLUMNS)
    slip = _centred(tenant.name, bold=True)
    for text in _header_lines(order, tenant):
        slip += _centred(text)
    if notice := _notice(order):
        slip += _centred(f"*** {notice} ***", bold=True)
    sold_at = order.ordered_at.astimezone(ZoneInfo(tenant.time_zone)).strftime("%Y-%m-%d %H:%M")
    slip.append(rule)
    slip += _row(pgettext("receipt", "Receipt"), order.receipt_number, bold=True)
    slip += _row(pgettext("receipt", "Date"), sold_at)
    slip += _row(pgettext("receipt", "Terminal"), order.terminal.code)
    slip += _row(pgettext("receipt", "Cashier"), cashier_name)
    if order.table:
        slip += _row(pgettext("receipt", "Table"), order.table)
    if order.customer_name:
        slip += _row(pgettext("receipt", "Customer"), order.customer_name)
    slip.append(rule)
    for line in order.lines.all():
        slip += _row(f"{line.quantity}x {line.name}", money(line.gross_minor), hang="   ")
        if line.quantity != 1:
            slip += _row(f"   {line.quantity} x {money(line.unit_price_minor)}")
        for modifier in line.modifiers or []:
            if modifier.get("name"):
                slip += _row(f"   + {modifier['name']}", hang="     ")
        if line.note:
            slip += _row(f"   * {line.note}", hang="     ")
    slip.append(rule)
    slip += _row(pgettext("receipt", "Subtotal"), money(order.subtotal_minor))
    for name, amount_minor in _discounts(order).items():
        slip += _row(name, money(-amount_minor))
    if order.service_charge_minor:
        rate_bp = tenant.service_charge_bp
        service = pgettext("receipt", "Service charge")
        slip += _row(
            tax_label(service, rate_bp) if rate_bp else service, money(order.service_charge_minor)
        )
    for (name, rate_bp, inclusive), amount_minor in _taxes(order).items():
        included = f" ({pgettext('receipt', 'incl.')})" if inclusive else ""
        slip += _row(tax_label(name, rate_bp) + included, money(amount_minor))
    if order.rounding_minor:
        slip += _row(pgettext("receipt", "Rounding"), money(order.rounding_minor))
    slip += _row(pgettext("receipt", "TOTAL"), money(order.total_minor), bold=True)
    payments = list(order.payments.all())
    if payments:
        slip.append(rule)
    language = (get_language() or "en").split("-")[0]
    for payment in payments:
        method = payment_method_label(payment.method, language)
        tendered = payment.tendered_minor
        if tendered is not None and tendered != payment.amount_minor:
            slip += _row(f"{method} {pgettext('receipt', 'Tendered')}", money(tendered))
            slip += _row(pgettext("receipt", "Change"), money(payment.change_minor), bold=True)
        else:
            slip += _row(method, money(payment.amount_minor))
    slip.append(rule)
    for text in tenant.receipt_footer.splitlines():
        slip += _centred(text)
    return slip
