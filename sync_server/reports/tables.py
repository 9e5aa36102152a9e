"""The back office's reports as tables: one builder per report, read from the rollups.

A builder takes the viewer's tenant, a period and an outlet and returns a `Table` (columns
and rows of plain values, money in minor units), which the page shows with the tenant's
money format and the CSV export writes as it is. Sales figures are `shared.reports`' (the
till's X/Z definitions) through `sync_server.reports.selectors`.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from sync_server.accounts.models import User
from sync_server.catalog.models import Category, Product
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.orders.models import Order, OrderStatus, Refund
from sync_server.reports import selectors
from sync_server.tenants.models import Outlet, Tenant


@dataclass(frozen=True)
class Column:
    """`name` heads the CSV column; `kind` says how the page shows a value: text, count,
    money (minor units), bp (basis points as a percentage), seconds (as minutes:seconds),
    method (a payment method's code, shown by its label) or event (refund or void)."""

    name: str
    label: Any
    kind: str = "text"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[Any] | None = None
    note: Any = ""


@dataclass(frozen=True)
class Scope:
    """Whose data and which days: the tenant, the period's local days, an outlet or all."""

    tenant: Tenant
    first: date
    last: date
    outlet: uuid.UUID | None
    language: str = "en"

    @property
    def rollups(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "first": self.first,
            "last": self.last,
            "outlet": self.outlet,
        }

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=ZoneInfo(self.tenant.time_zone))

    @property
    def end(self) -> datetime:
        zone = ZoneInfo(self.tenant.time_zone)
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)


def _outlet_names(tenant: Tenant) -> dict[Any, str]:
    return {
        key: str(name)
        for key, name in Outlet.objects.filter(tenant=tenant).values_list("id", "name")
    }


def _people(tenant: Tenant, ids: Iterable[Any]) -> dict[str, str]:
    wanted = {str(key) for key in ids if key}
    if not wanted:
        return {}
    users = User.with_tombstones.filter(tenant=tenant, id__in=wanted)
    return {
        str(key): str(full_name or username)
        for key, full_name, username in users.values_list("id", "full_name", "username")
    }


def _totals(columns: list[Column], rows: list[list[Any]], label: Any) -> list[Any]:
    """A totals line: sums of the count and money columns, the label in the first."""
    totals: list[Any] = [label]
    for index, column in enumerate(columns[1:], start=1):
        summable = column.kind in ("count", "money")
        totals.append(sum(row[index] or 0 for row in rows) if summable else "")
    return totals


SALES_COLUMNS = [
    Column("orders", _("Orders"), "count"),
    Column("voids", _("Voids"), "count"),
    Column("gross_sales_minor", _("Gross sales"), "money"),
    Column("discount_minor", _("Discounts"), "money"),
    Column("refunds_minor", _("Refunds"), "money"),
    Column("net_sales_minor", _("Net sales"), "money"),
    Column("service_charge_minor", _("Service charge"), "money"),
    Column("tax_minor", _("Tax"), "money"),
    Column("total_collected_minor", _("Total collected"), "money"),
]


def _sales_table(scope: Scope, *, by: str, first: Column, label: Callable[[Any], str]) -> Table:
    rows = selectors.sales_rows(by=by, **scope.rollups)
    table = Table(columns=[first, *SALES_COLUMNS])
    for row in rows:
        figures = row.figures
        table.rows.append(
            [
                label(row.key),
                row.orders,
                row.voids,
                figures.gross_sales_minor,
                figures.discount_minor,
                figures.refunds_minor,
                figures.net_sales_minor,
                figures.service_charge_minor,
                figures.tax_minor,
                figures.total_collected_minor,
            ]
        )
    table.totals = _totals(table.columns, table.rows, _("Total"))
    return table


def sales_by_outlet(scope: Scope) -> Table:
    names = _outlet_names(scope.tenant)
    return _sales_table(
        scope,
        by="outlet_id",
        first=Column("outlet", _("Outlet")),
        label=lambda key: names.get(key, str(key)),
    )


def sales_by_hour(scope: Scope) -> Table:
    return _sales_table(
        scope, by="hour", first=Column("hour", _("Hour")), label=lambda key: f"{key:02d}:00"
    )


def sales_by_cashier(scope: Scope) -> Table:
    rows = selectors.sales_rows(by="cashier_key", **scope.rollups)
    names = _people(scope.tenant, (row.key for row in rows))
    unknown = str(_("(no cashier)"))
    return _sales_table(
        scope,
        by="cashier_key",
        first=Column("cashier", _("Cashier")),
        label=lambda key: names.get(key, unknown) if key else unknown,
    )


def sales_by_payment(scope: Scope) -> Table:
    table = Table(
        columns=[
            Column("method", _("Method"), "method"),
            Column("orders", _("Orders"), "count"),
            Column("taken_minor", _("Taken"), "money"),
            Column("refunds", _("Refunds"), "count"),
            Column("refunded_minor", _("Refunded"), "money"),
            Column("net_minor", _("Net"), "money"),
        ]
    )
    for row in selectors.group_rows("payment", **scope.rollups):
        table.rows.append(
            [
                str(row.key[0]),
                row.orders,
                row.amount_minor,
                row.refunds,
                row.refunded_minor,
                row.amount_minor - row.refunded_minor,
            ]
        )
    table.totals = _totals(table.columns, table.rows, _("Total"))
    return table


PRODUCT_COLUMNS = [
    Column("quantity", _("Qty"), "count"),
    Column("gross_minor", _("Gross sales"), "money"),
    Column("discount_minor", _("Discounts"), "money"),
    Column("net_minor", _("Net sales"), "money"),
    Column("tax_minor", _("Tax"), "money"),
    Column("refunded_quantity", _("Qty refunded"), "count"),
    Column("refunded_minor", _("Refunded"), "money"),
]


def _product_values(row: selectors.GroupRow) -> list[Any]:
    return [
        row.quantity,
        row.gross_minor,
        row.discount_minor,
        row.net_minor,
        row.tax_minor,
        row.refunded_quantity,
        row.refunded_minor,
    ]


def sales_by_product(scope: Scope) -> Table:
    rows = selectors.group_rows("product", **scope.rollups)
    ids = {row.key[0] for row in rows if row.key[0]}
    skus = dict(
        Product.with_tombstones.filter(tenant=scope.tenant, id__in=ids).values_list("id", "sku")
    )
    table = Table(
        columns=[
            Column("product", _("Product")),
            Column("sku", _("SKU")),
            Column("orders", _("Orders"), "count"),
            *PRODUCT_COLUMNS,
        ]
    )
    for row in rows:
        sku = skus.get(uuid.UUID(row.key[0])) if row.key[0] else ""
        table.rows.append([row.key[1], sku or "", row.orders, *_product_values(row)])
    table.totals = _totals(table.columns, table.rows, _("Total"))
    return table


def sales_by_category(scope: Scope) -> Table:
    rows = selectors.group_rows("category", **scope.rollups)
    ids = {row.key[0] for row in rows if row.key[0]}
    names = {
        str(key): str(name)
        for key, name in Category.with_tombstones.filter(
            tenant=scope.tenant, id__in=ids
        ).values_list("id", "name")
    }
    table = Table(columns=[Column("category", _("Category")), *PRODUCT_COLUMNS])
    for row in rows:
        name = names.get(row.key[0], str(_("(no category)")))
        table.rows.append([name, *_product_values(row)])
    table.totals = _totals(table.columns, table.rows, _("Total"))
    return table


def taxes(scope: Scope) -> Table:
    """Per outlet: each rate's taxable base and tax on the sales, the tax inside the refunds
    given, and the tax to file (what a PBJT return per outlet adds up)."""
    names = _outlet_names(scope.tenant)
    refunded = {
        row.key: row.figures.tax_refunded_minor
        for row in selectors.sales_rows(by="outlet_id", **scope.rollups)
    }
    table = Table(
        columns=[
            Column("outlet", _("Outlet")),
            Column("line", _("Line")),
            Column("rate_bp", _("Rate"), "bp"),
            Column("included", _("In prices")),
            Column("orders", _("Orders"), "count"),
            Column("base_minor", _("Taxable base"), "money"),
            Column("tax_minor", _("Tax"), "money"),
        ],
        note=_(
            "Tax per rate on the sales of the period, less the tax inside the refunds given in "
            "it: the same figures as the till's X and Z reports."
        ),
    )
    by_outlet: dict[Any, list[selectors.GroupRow]] = {}
    for row in selectors.group_rows("tax", **scope.rollups):
        by_outlet.setdefault(row.key[0], []).append(row)
    yes, no = str(_("yes")), str(_("no"))
    for outlet_id in sorted(set(by_outlet) | {k for k, v in refunded.items() if v}, key=str):
        outlet = names.get(outlet_id, str(outlet_id))
        rates = by_outlet.get(outlet_id, [])
        for row in rates:
            _id, name, rate_bp, inclusive = row.key
            included = yes if inclusive else no
            table.rows.append(
                [outlet, name, rate_bp, included, row.orders, row.base_minor, row.amount_minor]
            )
        back = refunded.get(outlet_id, 0)
        if back:
            table.rows.append([outlet, str(_("Tax inside refunds")), "", "", "", "", -back])
        due = sum(row.amount_minor for row in rates) - back
        table.rows.append([outlet, str(_("Tax to file")), "", "", "", "", due])
    return table


def discounts(scope: Scope) -> Table:
    sources = {
        "promotion": str(_("Promotion")),
        "manual_line": str(_("Manual, on a line")),
        "manual_order": str(_("Manual, on the order")),
    }
    table = Table(
        columns=[
            Column("source", _("Kind")),
            Column("name", _("Name")),
            Column("uses", _("Times applied"), "count"),
            Column("amount_minor", _("Amount"), "money"),
        ]
    )
    for row in selectors.group_rows("discount", **scope.rollups):
        source, _promotion, name = row.key
        table.rows.append([sources.get(source, source), name, row.uses, row.amount_minor])
    table.totals = _totals(table.columns, table.rows, _("Total"))
    return table


REFUND_LIST_LIMIT = 1000
"""Refunds and voids listed at most (newest first); the CSV holds the same rows."""


def refunds_and_voids(scope: Scope) -> Table:
    """Every refund given in the period and every voided sale of the period (rung up in it,
    as the dashboard counts voids), newest first, with the reason and the manager who
    approved it. Voids are found through the orders' time index, not a scan of all orders."""
    refunds = Refund.objects.filter(tenant=scope.tenant, at__gte=scope.start, at__lt=scope.end)
    voids = Order.objects.filter(
        tenant=scope.tenant,
        ordered_at__gte=scope.start,
        ordered_at__lt=scope.end,
        status=OrderStatus.VOIDED,
    )
    if scope.outlet is not None:
        refunds = refunds.filter(order__outlet_id=scope.outlet)
        voids = voids.filter(outlet_id=scope.outlet)
    refund_rows = list(
        refunds.order_by("-at").values(
            "at", "order_id", "amount_minor", "reason", "approved_by", "cashier_id"
        )[:REFUND_LIST_LIMIT]
    )
    void_rows = list(
        voids.order_by("-voided_at").values(
            "voided_at",
            "id",
            "receipt_number",
            "outlet_id",
            "total_minor",
            "void_reason",
            "void_approved_by",
            "cashier_id",
        )[:REFUND_LIST_LIMIT]
    )
    refunded_orders = {
        row["id"]: row
        for row in Order.objects.filter(
            tenant=scope.tenant, id__in={row["order_id"] for row in refund_rows}
        ).values("id", "receipt_number", "outlet_id", "cashier_id")
    }
    names = _outlet_names(scope.tenant)
    people = _people(
        scope.tenant,
        [row["approved_by"] for row in refund_rows]
        + [row["cashier_id"] for row in refund_rows]
        + [row["void_approved_by"] for row in void_rows]
        + [row["cashier_id"] for row in void_rows]
        + [row["cashier_id"] for row in refunded_orders.values()],
    )
    zone = ZoneInfo(scope.tenant.time_zone)
    events: list[tuple[datetime, list[Any]]] = []
    for row in refund_rows:
        order = refunded_orders.get(row["order_id"], {})
        cashier = row["cashier_id"] or order.get("cashier_id")
        events.append(
            (
                row["at"],
                [
                    row["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    "refund",
                    order.get("receipt_number", ""),
                    names.get(order.get("outlet_id"), ""),
                    row["amount_minor"],
                    row["reason"],
                    people.get(str(row["approved_by"]), str(row["approved_by"] or "")),
                    people.get(str(cashier), ""),
                ],
            )
        )
    for row in void_rows:
        events.append(
            (
                row["voided_at"],
                [
                    row["voided_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    "void",
                    row["receipt_number"],
                    names.get(row["outlet_id"], ""),
                    row["total_minor"],
                    row["void_reason"],
                    people.get(str(row["void_approved_by"]), str(row["void_approved_by"] or "")),
                    people.get(str(row["cashier_id"]), ""),
                ],
            )
        )
    events.sort(key=lambda event: event[0], reverse=True)
    table = Table(
        columns=[
            Column("at", _("When")),
            Column("kind", _("Kind"), "event"),
            Column("receipt_number", _("Receipt")),
            Column("outlet", _("Outlet")),
            Column("amount_minor", _("Amount"), "money"),
            Column("reason", _("Reason")),
            Column("approved_by", _("Approved by")),
            Column("cashier", _("Cashier")),
        ],
        rows=[row for _at, row in events[:REFUND_LIST_LIMIT]],
    )
    return table


def _percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def kitchen_speed(scope: Scope) -> Table:
    """Per station: tickets done in the period and the time from a ticket reaching the
    station to done (average, median, 90th percentile, slowest)."""
    tickets = KitchenTicket.objects.filter(
        tenant=scope.tenant,
        status=TicketStatus.DONE,
        done_at__gte=scope.start,
        done_at__lt=scope.end,
    )
    if scope.outlet is not None:
        tickets = tickets.filter(outlet_id=scope.outlet)
    seconds: dict[str, list[float]] = {}
    for station, created_at, done_at in tickets.values_list("station", "created_at", "done_at"):
        seconds.setdefault(station, []).append(max(0.0, (done_at - created_at).total_seconds()))
    table = Table(
        columns=[
            Column("station", _("Station")),
            Column("tickets", _("Tickets"), "count"),
            Column("average_s", _("Average"), "seconds"),
            Column("median_s", _("Median"), "seconds"),
            Column("p90_s", _("90% within"), "seconds"),
            Column("slowest_s", _("Slowest"), "seconds"),
        ]
    )
    for station, values in sorted(seconds.items()):
        table.rows.append(
            [
                station,
                len(values),
                round(statistics.fmean(values)),
                round(statistics.median(values)),
                round(_percentile(values, 0.9)),
                round(max(values)),
            ]
        )
    return table


EVENTS = {"refund": _("Refund"), "void": _("Void")}


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    build: Callable[[Scope], Table]


REPORTS: tuple[Report, ...] = (
    Report("products", _("Sales by product"), sales_by_product),
    Report("categories", _("Sales by category"), sales_by_category),
    Report("cashiers", _("Sales by cashier"), sales_by_cashier),
    Report("payments", _("Sales by payment method"), sales_by_payment),
    Report("outlets", _("Sales by outlet"), sales_by_outlet),
    Report("hours", _("Sales by hour"), sales_by_hour),
    Report("taxes", _("Taxes per rate and outlet"), taxes),
    Report("discounts", _("Discounts and promotions"), discounts),
    Report("refunds", _("Refunds and voids"), refunds_and_voids),
    Report("kitchen", _("Kitchen speed"), kitchen_speed),
)
REPORTS_BY_SLUG = {report.slug: report for report in REPORTS}
