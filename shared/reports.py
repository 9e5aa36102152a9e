"""X and Z report figures of a shift, defined once for the till and the back office.

Input are plain records (one per sale, refund and cash movement) that the till builds from
SQLite and the server from PostgreSQL; the output is the figures as an accountant reads
them. All money is integer minor units.

The waterfall, for sales not voided:

    gross sales        = what the lines were sold for before discounts, excluding tax
                         (a price that includes tax counts without the tax inside it)
  - discounts          = promotions and manual discounts
  - refunds            = money given back, excluding the tax inside it
  = net sales          (excluding tax and service charge)
  + service charge
  + tax                (per rate, less the tax inside refunds)
  + rounding           (cash rounding of the totals)
  = total collected    = payments taken - money refunded

Cash: opening float + cash taken - cash refunded + cash in - cash out = cash expected;
counted - expected = difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.rounding import divide

CashDirection = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class SaleTax:
    """One rate's tax on one sale, included in its prices or added on top."""

    name: str
    rate_bp: int
    inclusive: bool
    amount_minor: int


def sale_taxes(tax_lines: Iterable[Mapping[str, Any]]) -> tuple[SaleTax, ...]:
    """An order's stored tax lines (`TaxLineV1` as JSON: name, rate_bp, inclusive,
    amount_minor), as both the till's and the server's order rows keep them."""
    return tuple(
        SaleTax(
            name=str(tax.get("name", "")),
            rate_bp=int(tax.get("rate_bp", 0)),
            inclusive=bool(tax.get("inclusive", False)),
            amount_minor=int(tax.get("amount_minor", 0)),
        )
        for tax in tax_lines
    )


@dataclass(frozen=True, slots=True)
class SalePayment:
    """A tender of a sale, net of change given (cash 100.000 with 48.000 change is 52.000)."""

    method: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class SaleRecord:
    """One order of the shift as stored: the engine's totals, its taxes and its payments.

    total = subtotal - discount + service charge + tax added + rounding, where the
    subtotal holds the tax included in prices.
    """

    subtotal_minor: int
    discount_minor: int
    service_charge_minor: int
    rounding_minor: int
    total_minor: int
    taxes: tuple[SaleTax, ...] = ()
    payments: tuple[SalePayment, ...] = ()
    voided: bool = False

    @property
    def tax_minor(self) -> int:
        """All tax of the sale, included or added (also the tax on the service charge)."""
        return sum(tax.amount_minor for tax in self.taxes)


@dataclass(frozen=True, slots=True)
class RefundRecord:
    """Money given back for lines of a sale (not a void); `tax_minor` is the tax inside it."""

    method: str
    amount_minor: int
    tax_minor: int = 0


@dataclass(frozen=True, slots=True)
class CashMovementRecord:
    """Cash put into (pay-in) or taken out of (pay-out) the drawer during the shift."""

    direction: CashDirection
    amount_minor: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TaxFigure:
    """One rate's tax over the shift's sales."""

    name: str
    rate_bp: int
    inclusive: bool
    amount_minor: int


@dataclass(frozen=True, slots=True)
class ShiftFigures:
    """What an X (running) or Z (closing) report shows; see the module doc for the waterfall."""

    order_count: int
    void_count: int
    gross_sales_minor: int
    discount_minor: int
    refunds_minor: int
    net_sales_minor: int
    service_charge_minor: int
    taxes: tuple[TaxFigure, ...]
    tax_refunded_minor: int
    tax_minor: int
    rounding_minor: int
    total_collected_minor: int
    payments_by_method: Mapping[str, int]
    refunds_by_method: Mapping[str, int]
    opening_float_minor: int
    cash_in_minor: int
    cash_out_minor: int
    cash_expected_minor: int
    cash_counted_minor: int | None = None
    cash_difference_minor: int | None = field(default=None)


def refund_tax_minor(*, line_total_minor: int, line_tax_minor: int, amount_minor: int) -> int:
    """The tax inside `amount_minor` given back of a line (its share of the line's tax, half-up).

    The till and the server both call this on their own rows, so a refund's tax is the same
    on the X/Z report and in the back office.
    """
    if line_total_minor <= 0:
        return 0
    return divide(line_tax_minor * amount_minor, line_total_minor)


def _add(totals: dict[str, int], key: str, amount_minor: int) -> None:
    totals[key] = totals.get(key, 0) + amount_minor


def shift_figures(
    *,
    opening_float_minor: int,
    sales: Iterable[SaleRecord],
    refunds: Iterable[RefundRecord] = (),
    cash_movements: Iterable[CashMovementRecord] = (),
    cash_counted_minor: int | None = None,
) -> ShiftFigures:
    """The X/Z figures of one shift from its records (counted cash only once counted, Z)."""
    order_count = void_count = 0
    gross = discount = service = rounding = 0
    taxes: dict[tuple[str, int, bool], int] = {}
    payments: dict[str, int] = {}
    for sale in sales:
        if sale.voided:
            void_count += 1
            continue
        order_count += 1
        included = sum(tax.amount_minor for tax in sale.taxes if tax.inclusive)
        gross += sale.subtotal_minor - included
        discount += sale.discount_minor
        service += sale.service_charge_minor
        rounding += sale.rounding_minor
        for tax in sale.taxes:
            key = (tax.name, tax.rate_bp, tax.inclusive)
            taxes[key] = taxes.get(key, 0) + tax.amount_minor
        for payment in sale.payments:
            _add(payments, payment.method, payment.amount_minor)
    refunded: dict[str, int] = {}
    refund_money = refund_tax = 0
    for refund in refunds:
        refund_money += refund.amount_minor
        refund_tax += refund.tax_minor
        _add(refunded, refund.method, refund.amount_minor)
    cash_in = cash_out = 0
    for movement in cash_movements:
        if movement.direction == "in":
            cash_in += movement.amount_minor
        else:
            cash_out += movement.amount_minor
    refunds_ex_tax = refund_money - refund_tax
    net = gross - discount - refunds_ex_tax
    tax_figures = tuple(
        TaxFigure(name, rate_bp, inclusive, amount)
        for (name, rate_bp, inclusive), amount in sorted(taxes.items())
    )
    tax_total = sum(taxes.values()) - refund_tax
    expected = (
        opening_float_minor + payments.get("cash", 0) - refunded.get("cash", 0) + cash_in - cash_out
    )
    return ShiftFigures(
        order_count=order_count,
        void_count=void_count,
        gross_sales_minor=gross,
        discount_minor=discount,
        refunds_minor=refunds_ex_tax,
        net_sales_minor=net,
        service_charge_minor=service,
        taxes=tax_figures,
        tax_refunded_minor=refund_tax,
        tax_minor=tax_total,
        rounding_minor=rounding,
        total_collected_minor=net + service + tax_total + rounding,
        payments_by_method=payments,
        refunds_by_method=refunded,
        opening_float_minor=opening_float_minor,
        cash_in_minor=cash_in,
        cash_out_minor=cash_out,
        cash_expected_minor=expected,
        cash_counted_minor=cash_counted_minor,
        cash_difference_minor=(
            None if cash_counted_minor is None else cash_counted_minor - expected
        ),
    )
