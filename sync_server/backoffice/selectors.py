"""Reads the back-office pages need beyond the API's: period figures, breakdowns, sync health.

Figures come from `shared.reports.shift_figures`, the definitions the till's X and Z reports
use, over the orders and refunds of the period; breakdowns are grouped in SQL. Every function
takes `tenant=` and runs inside the page's tenant transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from shared.reports import (
    CashMovementRecord,
    RefundRecord,
    SalePayment,
    SaleRecord,
    SaleTax,
    ShiftFigures,
    refund_tax_minor,
    shift_figures,
)
from sync_server.orders.models import Order, OrderFlag, OrderLine, OrderStatus, Payment, Refund
from sync_server.orders.selectors import order_list
from sync_server.shifts.models import CashMovement, Shift
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalStatus


@dataclass(frozen=True)
class Period:
    """Whole days `first`..`last` in the tenant's time zone, as a half-open UTC range."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The same number of days just before this period (what the dashboard compares with)."""
        last = self.first - timedelta(days=1)
        return Period(first=last - timedelta(days=self.days - 1), last=last, zone=self.zone)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]


def period_orders(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> QuerySet[Order]:
    """The orders sold in the period (terminal sale time), of one outlet or all."""
    return order_list(tenant=tenant, date_from=period.start, date_to=period.end, outlet=outlet)


def _sale_record(order: Order, *, prices_include_tax: bool) -> SaleRecord:
    tax_lines = (order.details or {}).get("tax_lines") or []
    if not tax_lines and order.tax_minor:
        # A till that sent no per-rate breakdown: one line of the order's tax, included in
        # prices or added on top as the tenant's prices are.
        tax_lines = [
            {
                "name": "Tax",
                "rate_bp": 0,
                "inclusive": prices_include_tax,
                "amount_minor": order.tax_minor,
            }
        ]
    return SaleRecord(
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        service_charge_minor=order.service_charge_minor,
        rounding_minor=order.rounding_minor,
        total_minor=order.total_minor,
        taxes=tuple(
            SaleTax(
                name=str(tax["name"]),
                rate_bp=int(tax["rate_bp"]),
                inclusive=bool(tax["inclusive"]),
                amount_minor=int(tax["amount_minor"]),
            )
            for tax in tax_lines
        ),
        payments=tuple(SalePayment(p.method, p.amount_minor) for p in order.payments.all()),
        voided=order.status == OrderStatus.VOIDED,
    )


def _refund_records(refunds: Iterable[Refund]) -> list[RefundRecord]:
    records: list[RefundRecord] = []
    for refund in refunds:
        tax = sum(
            refund_tax_minor(
                line_total_minor=refund_line.line.total_minor,
                line_tax_minor=refund_line.line.tax_minor,
                amount_minor=refund_line.amount_minor,
            )
            for refund_line in refund.lines.all()
        )
        paid_back = refund.payments or [{"method": "cash", "amount_minor": refund.amount_minor}]
        for index, payment in enumerate(paid_back):
            records.append(
                RefundRecord(
                    method=str(payment.get("method", "cash")),
                    amount_minor=int(payment.get("amount_minor", 0)),
                    tax_minor=tax if index == 0 else 0,
                )
            )
    return records


def _period_refunds(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None
) -> list[RefundRecord]:
    refunds = Refund.objects.filter(tenant=tenant, at__gte=period.start, at__lt=period.end)
    if outlet is not None:
        refunds = refunds.filter(order__outlet_id=outlet)
    return _refund_records(refunds.prefetch_related("lines__line"))


def period_figures_by_order(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None
) -> ShiftFigures:
    """The X/Z figures over every sale of the period, one record per order (any database)."""
    orders = period_orders(tenant=tenant, period=period, outlet=outlet).only(
        "id",
        "status",
        "subtotal_minor",
        "discount_minor",
        "service_charge_minor",
        "rounding_minor",
        "total_minor",
        "tax_minor",
        "details",
    )
    return shift_figures(
        opening_float_minor=0,
        sales=[
            _sale_record(order, prices_include_tax=tenant.prices_include_tax) for order in orders
        ],
        refunds=_period_refunds(tenant=tenant, period=period, outlet=outlet),
    )


_TAX_LINES_SUMMED = """
    SELECT t->>'name', (t->>'rate_bp')::int, (t->>'inclusive')::boolean,
           SUM((t->>'amount_minor')::bigint)
    FROM orders_order o
    CROSS JOIN LATERAL jsonb_array_elements(COALESCE(o.details->'tax_lines', '[]'::jsonb)) t
    WHERE o.id IN ({ids})
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'Tax', 0, %s, SUM(o.tax_minor)
    FROM orders_order o
    WHERE o.id IN ({ids})
      AND jsonb_array_length(COALESCE(o.details->'tax_lines', '[]'::jsonb)) = 0
      AND o.tax_minor <> 0
"""


def period_figures_summed(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None
) -> ShiftFigures:
    """The same figures with the sums taken by PostgreSQL: the waterfall of `shift_figures` is
    a sum over sales, so one record holding the period's sums gives the same figures (a test
    holds the two equal) in a constant number of queries and no order loaded into Python."""
    sold = period_orders(tenant=tenant, period=period, outlet=outlet).order_by()
    live = sold.exclude(status=OrderStatus.VOIDED)
    sums = live.aggregate(
        count=Count("id"),
        subtotal=Sum("subtotal_minor"),
        discount=Sum("discount_minor"),
        service=Sum("service_charge_minor"),
        rounding=Sum("rounding_minor"),
        total=Sum("total_minor"),
    )
    ids_sql, ids_params = live.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _TAX_LINES_SUMMED.format(ids=ids_sql),
            [*ids_params, tenant.prices_include_tax, *ids_params],
        )
        taxes = tuple(
            SaleTax(str(name), int(rate_bp), bool(inclusive), int(amount))
            for name, rate_bp, inclusive, amount in cursor.fetchall()
            if amount
        )
    payments = (
        Payment.objects.filter(tenant=tenant, order__in=live.values("id"))
        .values("method")
        .annotate(amount=Sum("amount_minor"))
        .order_by("method")
    )
    record = SaleRecord(
        subtotal_minor=int(sums["subtotal"] or 0),
        discount_minor=int(sums["discount"] or 0),
        service_charge_minor=int(sums["service"] or 0),
        rounding_minor=int(sums["rounding"] or 0),
        total_minor=int(sums["total"] or 0),
        taxes=taxes,
        payments=tuple(SalePayment(str(row["method"]), int(row["amount"])) for row in payments),
    )
    figures = shift_figures(
        opening_float_minor=0,
        sales=[record],
        refunds=_period_refunds(tenant=tenant, period=period, outlet=outlet),
    )
    return replace(
        figures,
        order_count=int(sums["count"] or 0),
        void_count=sold.filter(status=OrderStatus.VOIDED).count(),
    )


def period_figures(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> ShiftFigures:
    """The X/Z figures of the period's sales and the refunds given in it (summed by PostgreSQL,
    order by order on SQLite)."""
    if connection.vendor == "postgresql":
        return period_figures_summed(tenant=tenant, period=period, outlet=outlet)
    return period_figures_by_order(tenant=tenant, period=period, outlet=outlet)


@dataclass(frozen=True)
class Breakdown:
    """One row of a grouped figure (an hour, a day, an outlet, a product, a payment method)."""

    label: str
    orders: int
    amount_minor: int
    quantity: int = 0


def _sold(tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> QuerySet[Order]:
    return period_orders(tenant=tenant, period=period, outlet=outlet).exclude(
        status=OrderStatus.VOIDED
    )


def _sold_per(
    bucket: Any, keys: Iterable[Any], label: Any, *, tenant: Tenant, period: Period, outlet: Any
) -> list[Breakdown]:
    """Orders and amount sold per `bucket` expression, one row per key (empty ones too)."""
    rows = (
        _sold(tenant, period, outlet)
        .order_by()
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(orders=Count("id", distinct=True), amount=Sum("total_minor"))
    )
    found: dict[Any, Any] = {row["bucket"]: row for row in rows}
    return [
        Breakdown(
            label=label(key),
            orders=int(found.get(key, {}).get("orders") or 0),
            amount_minor=int(found.get(key, {}).get("amount") or 0),
        )
        for key in keys
    ]


def sales_by_hour(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Total sold per hour of the day (tenant time), all 24 hours present."""
    hour = ExtractHour("ordered_at", tzinfo=period.zone)
    return _sold_per(hour, range(24), "{:02d}".format, tenant=tenant, period=period, outlet=outlet)


def sales_by_day(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Total sold per day of the period (tenant time), every day present."""
    day = TruncDate("ordered_at", tzinfo=period.zone)
    return _sold_per(
        day, period.dates(), date.isoformat, tenant=tenant, period=period, outlet=outlet
    )


def sales_by_outlet(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Sales per outlet. Grouped by outlet id and named from the outlet list: a join of the two
    tenant tables misleads PostgreSQL's planner under row-level security (bench/admin.py)."""
    rows = (
        _sold(tenant, period, outlet)
        .order_by()
        .values("outlet_id")
        .annotate(orders=Count("id", distinct=True), amount=Sum("total_minor"))
        .order_by("-amount")
    )
    names = dict(Outlet.objects.filter(tenant=tenant).values_list("id", "name"))
    return [
        Breakdown(
            str(names.get(row["outlet_id"], "?")), int(row["orders"]), int(row["amount"] or 0)
        )
        for row in rows
    ]


def top_products(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None, limit: int = 10
) -> list[Breakdown]:
    """Best sellers by net amount (after line discounts, before tax), refunds not subtracted."""
    lines = OrderLine.objects.filter(
        tenant=tenant, order__in=_sold(tenant, period, outlet).order_by().values("id")
    )
    rows = (
        lines.values("name")
        .annotate(
            orders=Count("order_id", distinct=True),
            quantity=Sum("quantity"),
            amount=Sum("net_minor"),
        )
        .order_by("-amount", "name")[:limit]
    )
    return [
        Breakdown(
            str(row["name"]), int(row["orders"]), int(row["amount"] or 0), int(row["quantity"])
        )
        for row in rows
    ]


def payment_mix(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    payments = Payment.objects.filter(
        tenant=tenant, order__in=_sold(tenant, period, outlet).order_by().values("id")
    )
    rows = (
        payments.values("method")
        .annotate(orders=Count("order_id", distinct=True), amount=Sum("amount_minor"))
        .order_by("-amount")
    )
    return [
        Breakdown(str(row["method"]), int(row["orders"]), int(row["amount"] or 0)) for row in rows
    ]


def voided_total(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> int:
    """What the voided sales of the period had come to."""
    found = (
        period_orders(tenant=tenant, period=period, outlet=outlet)
        .filter(status=OrderStatus.VOIDED)
        .aggregate(total=Sum("total_minor"))
    )
    return int(found["total"] or 0)


def outlets_for(*, tenant: Tenant, outlet: uuid.UUID | None) -> QuerySet[Outlet]:
    """The outlets a viewer may pick from (a manager: only their own)."""
    queryset = Outlet.objects.filter(tenant=tenant)
    if outlet is not None:
        queryset = queryset.filter(id=outlet)
    return queryset.order_by("code")


ONLINE_WITHIN = timedelta(minutes=2)
"""A device heard from this recently is online now (tills ping every few seconds)."""
SILENT_AFTER = timedelta(minutes=15)
"""An active device not heard from for longer is shown in red."""


@dataclass(frozen=True)
class DeviceHealth:
    """One terminal or kitchen screen on the sync health page."""

    terminal: Terminal
    status: DeviceStatus | None
    last_order_at: datetime | None
    flagged: dict[str, int]
    now: datetime

    @property
    def last_seen_at(self) -> datetime | None:
        return self.status.last_seen_at if self.status else None

    @property
    def online(self) -> bool:
        seen = self.last_seen_at
        return seen is not None and self.now - seen <= ONLINE_WITHIN

    @property
    def silent(self) -> bool:
        """Paired and active, but quiet for longer than SILENT_AFTER (or never heard from)."""
        if self.terminal.status != TerminalStatus.ACTIVE or self.terminal.paired_at is None:
            return False
        seen = self.last_seen_at
        return seen is None or self.now - seen > SILENT_AFTER


HEALTH_FLAGS = (OrderFlag.PRICE_MISMATCH, OrderFlag.CLOCK_SKEW, OrderFlag.LATE)


def device_health(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None
) -> list[DeviceHealth]:
    """Every device: what it last reported, its last synced sale, its flagged orders."""
    terminals = Terminal.objects.filter(tenant=tenant).select_related("outlet")
    if outlet is not None:
        terminals = terminals.filter(outlet_id=outlet)
    orders = Order.objects.filter(tenant=tenant)
    if outlet is not None:
        orders = orders.filter(outlet_id=outlet)
    last = dict(
        orders.order_by()
        .values("terminal_id")
        .annotate(last=Max("received_at"))
        .values_list("terminal_id", "last")
    )
    counts = (
        orders.filter(ordered_at__gte=period.start, ordered_at__lt=period.end)
        .order_by()
        .values("terminal_id")
        .annotate(
            **{
                str(flag): Count("id", filter=Q(flags__contains=f" {flag} "))
                for flag in HEALTH_FLAGS
            }
        )
    )
    flagged: dict[Any, Any] = {row["terminal_id"]: row for row in counts}
    statuses = {status.terminal_id: status for status in DeviceStatus.objects.filter(tenant=tenant)}
    now = timezone.now()
    return [
        DeviceHealth(
            terminal=terminal,
            status=statuses.get(terminal.id),
            last_order_at=last.get(terminal.id),
            flagged={
                str(flag): int(flagged.get(terminal.id, {}).get(str(flag)) or 0)
                for flag in HEALTH_FLAGS
            },
            now=now,
        )
        for terminal in terminals.order_by("outlet__code", "code")
    ]


FIGURE_ROWS: tuple[tuple[str, Any, bool], ...] = (
    ("order_count", gettext_lazy("Orders"), False),
    ("void_count", gettext_lazy("Voids"), False),
    ("gross_sales_minor", gettext_lazy("Gross sales"), True),
    ("discount_minor", gettext_lazy("Discounts"), True),
    ("refunds_minor", gettext_lazy("Refunds"), True),
    ("net_sales_minor", gettext_lazy("Net sales"), True),
    ("service_charge_minor", gettext_lazy("Service charge"), True),
    ("tax_minor", gettext_lazy("Tax"), True),
    ("rounding_minor", gettext_lazy("Rounding"), True),
    ("total_collected_minor", gettext_lazy("Total collected"), True),
    ("cash_in_minor", gettext_lazy("Cash in"), True),
    ("cash_out_minor", gettext_lazy("Cash out"), True),
)
"""The Z report lines the till sends (`ShiftFiguresV1`) and the server recounts, in order:
field, label, whether it is money."""


@dataclass(frozen=True)
class ZLine:
    """One line of a shift's Z report: the till's figure next to the server's recount."""

    name: str
    label: str
    money: bool
    till: int | None
    server: int

    @property
    def differs(self) -> bool:
        return self.till is not None and self.till != self.server


def shift_figures_on_server(*, tenant: Tenant, shift: Shift) -> ShiftFigures:
    """The shift's X/Z figures from what the server holds, by the till's definitions."""
    orders = Order.objects.filter(tenant=tenant, shift=shift).prefetch_related("payments")
    refunds = (
        Refund.objects.filter(tenant=tenant, order__shift=shift)
        .prefetch_related("lines__line")
        .order_by("at")
    )
    movements = CashMovement.objects.filter(tenant=tenant, shift=shift)
    return shift_figures(
        opening_float_minor=shift.opening_float_minor,
        sales=[_sale_record(o, prices_include_tax=tenant.prices_include_tax) for o in orders],
        refunds=_refund_records(refunds),
        cash_movements=[
            CashMovementRecord(m.direction, m.amount_minor, m.reason) for m in movements
        ],
        cash_counted_minor=shift.counted_cash_minor,
    )


def z_report_lines(*, shift: Shift, server: ShiftFigures) -> list[ZLine]:
    """The till's Z figures (sent with `shift_closed`) against the server's, line by line."""
    till: dict[str, Any] = shift.figures or {}
    lines = [
        ZLine(name, str(label), money, till.get(name) if till else None, int(getattr(server, name)))
        for name, label, money in FIGURE_ROWS
    ]
    till_payments: dict[str, int] = till.get("payments_by_method") or {}
    for method in sorted(set(till_payments) | set(server.payments_by_method)):
        lines.append(
            ZLine(
                f"payments:{method}",
                f"{gettext('Payments')}: {method}",
                True,
                int(till_payments.get(method, 0)) if till else None,
                int(server.payments_by_method.get(method, 0)),
            )
        )
    lines.append(
        ZLine(
            "cash_expected_minor",
            gettext("Cash expected"),
            True,
            shift.expected_cash_minor,
            server.cash_expected_minor,
        )
    )
    return lines
