"""Report reads over the rollup tables: a period's X/Z figures and its breakdowns.

Each function takes `tenant=`, the period's first and last local day and an outlet (None: all
the viewer may see), runs a fixed number of grouped queries over rollup rows and never reads
an order, so a page costs the same at a thousand orders as at a million. Figures are made by
`shared.reports.shift_figures`, the till's X/Z definitions, from the rows' sums.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum

from shared.reports import RefundRecord, SalePayment, SaleRecord, SaleTax, ShiftFigures
from shared.reports import shift_figures as _shift_figures
from sync_server.reports.models import (
    DiscountDay,
    PaymentDay,
    ProductDay,
    Rollup,
    SalesHour,
    TaxDay,
)
from sync_server.tenants.models import Tenant

SALES_SUMS = (
    "orders",
    "subtotal_minor",
    "included_tax_minor",
    "discount_minor",
    "service_charge_minor",
    "tax_minor",
    "rounding_minor",
    "total_minor",
    "voids",
    "voided_minor",
    "refunds",
    "refunded_minor",
    "refund_tax_minor",
)


def _rows(
    model: type[Rollup], *, tenant: Tenant, first: date, last: date, outlet: uuid.UUID | None
) -> QuerySet[Any]:
    rows: QuerySet[Any] = model.objects.filter(tenant=tenant, day__gte=first, day__lte=last)
    if outlet is not None:
        rows = rows.filter(outlet_id=outlet)
    return rows.order_by()


def _summed(rows: QuerySet[Any], names: tuple[str, ...]) -> QuerySet[Any]:
    summed: QuerySet[Any] = rows.annotate(**_sums_of(names))
    return summed


def _plain(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, int]:
    return {name: int(row.get(f"sum_{name}") or 0) for name in names}


@dataclass(frozen=True)
class SalesRow:
    """A group of sales (an hour, a day, an outlet, a cashier) with its X/Z figures."""

    key: Any
    orders: int
    voids: int
    voided_minor: int
    total_minor: int
    refunds: int
    figures: ShiftFigures


def _figures_of(sums: dict[str, int]) -> ShiftFigures:
    """The waterfall of one group's sums: its included and added tax as two lines, its refunds
    as one record; the same arithmetic as a shift's, without the per-rate and per-method
    detail (those come from `period_figures`)."""
    included = sums["included_tax_minor"]
    record = SaleRecord(
        subtotal_minor=sums["subtotal_minor"],
        discount_minor=sums["discount_minor"],
        service_charge_minor=sums["service_charge_minor"],
        rounding_minor=sums["rounding_minor"],
        total_minor=sums["total_minor"],
        taxes=(
            SaleTax("included", 0, True, included),
            SaleTax("added", 0, False, sums["tax_minor"] - included),
        ),
    )
    refund = RefundRecord("", sums["refunded_minor"], sums["refund_tax_minor"])
    figures = _shift_figures(opening_float_minor=0, sales=[record], refunds=[refund])
    return replace(figures, order_count=sums["orders"], void_count=sums["voids"], taxes=())


def sales_rows(
    *, by: str, tenant: Tenant, first: date, last: date, outlet: uuid.UUID | None
) -> list[SalesRow]:
    """Sales grouped by `by` (`hour`, `day`, `outlet_id` or `cashier_key`), one row per group
    that sold, voided or refunded anything."""
    rows = _summed(
        _rows(SalesHour, tenant=tenant, first=first, last=last, outlet=outlet).values(by),
        SALES_SUMS,
    )
    found = []
    for row in rows:
        sums = _plain(row, SALES_SUMS)
        found.append(
            SalesRow(
                key=row[by],
                orders=sums["orders"],
                voids=sums["voids"],
                voided_minor=sums["voided_minor"],
                total_minor=sums["total_minor"],
                refunds=sums["refunds"],
                figures=_figures_of(sums),
            )
        )
    return sorted(found, key=lambda row: str(row.key))


def period_figures(
    *, tenant: Tenant, first: date, last: date, outlet: uuid.UUID | None
) -> ShiftFigures:
    """The X/Z figures of the period's sales and of the refunds given in it: three grouped
    queries (sales, taxes per rate, payments per method) and `shift_figures` over their sums,
    equal to the figures counted order by order (a test holds them so)."""
    scope: dict[str, Any] = {"tenant": tenant, "first": first, "last": last, "outlet": outlet}
    sums = _plain(_rows(SalesHour, **scope).aggregate(**_sums_of(SALES_SUMS)), SALES_SUMS)
    taxes = _summed(
        _rows(TaxDay, **scope).values("name", "rate_bp", "inclusive"), ("orders", "amount_minor")
    )
    payments = _summed(
        _rows(PaymentDay, **scope).values("method"), ("orders", "amount_minor", "refunded_minor")
    ).order_by("method")
    taken: list[SalePayment] = []
    refunds: list[RefundRecord] = []
    for row in payments:
        if row["sum_orders"] or row["sum_amount_minor"]:
            taken.append(SalePayment(str(row["method"]), int(row["sum_amount_minor"] or 0)))
        if row["sum_refunded_minor"]:
            refunds.append(RefundRecord(str(row["method"]), int(row["sum_refunded_minor"])))
    if sums["refund_tax_minor"]:
        refunds = refunds or [RefundRecord("cash", 0)]
        refunds[0] = replace(refunds[0], tax_minor=sums["refund_tax_minor"])
    sale_taxes = []
    for row in taxes:
        amount = int(row["sum_amount_minor"] or 0)
        if row["sum_orders"] or amount:
            sale_taxes.append(
                SaleTax(str(row["name"]), int(row["rate_bp"]), bool(row["inclusive"]), amount)
            )
    record = SaleRecord(
        subtotal_minor=sums["subtotal_minor"],
        discount_minor=sums["discount_minor"],
        service_charge_minor=sums["service_charge_minor"],
        rounding_minor=sums["rounding_minor"],
        total_minor=sums["total_minor"],
        taxes=tuple(sale_taxes),
        payments=tuple(taken),
    )
    figures = _shift_figures(opening_float_minor=0, sales=[record], refunds=refunds)
    return replace(figures, order_count=sums["orders"], void_count=sums["voids"])


def _sums_of(names: tuple[str, ...]) -> dict[str, Sum]:
    return {f"sum_{name}": Sum(name) for name in names}


PRODUCT_SUMS = (
    "orders",
    "quantity",
    "gross_minor",
    "discount_minor",
    "net_minor",
    "tax_minor",
    "total_minor",
    "refunded_quantity",
    "refunded_minor",
)


@dataclass(frozen=True)
class GroupRow:
    """A group of rollup rows (a product, a category, a payment method, a tax rate, a
    discount) with its sums by column name."""

    key: tuple[Any, ...]
    sums: dict[str, int]

    def __getattr__(self, name: str) -> int:
        try:
            return self.sums[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Grouping:
    """How a breakdown groups a rollup table: its key columns, its sums, its order."""

    model: type[Rollup]
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    order: tuple[str, ...]


GROUPINGS: dict[str, Grouping] = {
    # Per product (id and name on the line), best sellers by net amount first.
    "product": Grouping(
        ProductDay, ("product_key", "name"), PRODUCT_SUMS, ("-sum_net_minor", "name")
    ),
    # Per category of the lines ("" for lines without one), by net amount.
    "category": Grouping(
        ProductDay, ("category_key",), PRODUCT_SUMS, ("-sum_net_minor", "category_key")
    ),
    # Per payment method: orders, taken, refunds given back, by amount taken.
    "payment": Grouping(
        PaymentDay,
        ("method",),
        ("orders", "amount_minor", "refunds", "refunded_minor"),
        ("-sum_amount_minor", "method"),
    ),
    # Per outlet and tax rate: taxable base and tax on the sales.
    "tax": Grouping(
        TaxDay,
        ("outlet_id", "name", "rate_bp", "inclusive"),
        ("orders", "base_minor", "amount_minor"),
        ("outlet_id", "name", "rate_bp"),
    ),
    # Per discount source, promotion and name: times applied and amount, largest first.
    "discount": Grouping(
        DiscountDay,
        ("source", "promotion_key", "name"),
        ("uses", "amount_minor"),
        ("-sum_amount_minor", "name"),
    ),
}


def group_rows(
    grouping: str,
    *,
    tenant: Tenant,
    first: date,
    last: date,
    outlet: uuid.UUID | None,
    limit: int | None = None,
) -> list[GroupRow]:
    """The period's rollup rows summed per group of `GROUPINGS[grouping]`, groups whose sums
    are all zero left out (a void leaves zeroed rows behind)."""
    spec = GROUPINGS[grouping]
    rows = _rows(spec.model, tenant=tenant, first=first, last=last, outlet=outlet)
    summed = _summed(rows.values(*spec.keys), spec.sums).order_by(*spec.order)
    nonzero = Q()
    for name in spec.sums:
        nonzero |= ~Q(**{f"sum_{name}": 0})
    summed = summed.filter(nonzero)
    if limit is not None:
        summed = summed[:limit]
    return [
        GroupRow(tuple(row[key] for key in spec.keys), _plain(row, spec.sums)) for row in summed
    ]
