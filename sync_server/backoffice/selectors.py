"""Reads the back-office pages need beyond the API's: period figures, breakdowns, sync health.

Figures come from `shared.reports.shift_figures`, the definitions the till's X and Z reports
use: a period's from the rollups the ingest keeps (`sync_server.reports`), a shift's and the
order-by-order reference from the orders themselves. Every function takes `tenant=` and runs
inside the page's tenant transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from shared.pricing.tenders import payment_method_label
from shared.reports import (
    CashMovementRecord,
    RefundRecord,
    SalePayment,
    SaleRecord,
    ShiftFigures,
    shift_figures,
)
from sync_server.link.presence import linked_devices
from sync_server.orders.models import Order, OrderFlag, OrderStatus, Refund
from sync_server.orders.selectors import order_list
from sync_server.reports import selectors as rollup_selectors
from sync_server.reports.records import (
    order_tax_lines,
    refund_records,
    refund_tax_of,
    sale_taxes_of,
)
from sync_server.shifts.models import CashMovement, Shift
from sync_server.sync.feed import SOURCES
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
    tax_lines = order_tax_lines(
        order.details, tax_minor=order.tax_minor, prices_include_tax=prices_include_tax
    )
    return SaleRecord(
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        service_charge_minor=order.service_charge_minor,
        rounding_minor=order.rounding_minor,
        total_minor=order.total_minor,
        taxes=sale_taxes_of(tax_lines),
        payments=tuple(SalePayment(p.method, p.amount_minor) for p in order.payments.all()),
        voided=order.status == OrderStatus.VOIDED,
    )


def _refund_records(refunds: Iterable[Refund]) -> list[RefundRecord]:
    records: list[RefundRecord] = []
    for refund in refunds:
        tax = refund_tax_of(
            (line.line.total_minor, line.line.tax_minor, line.amount_minor)
            for line in refund.lines.all()
        )
        records += refund_records(
            payments=refund.payments, amount_minor=refund.amount_minor, tax_minor=tax
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


def period_figures(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> ShiftFigures:
    """The X/Z figures of the period's sales and the refunds given in it, from the rollups."""
    return rollup_selectors.period_figures(
        tenant=tenant, first=period.first, last=period.last, outlet=outlet
    )


@dataclass(frozen=True)
class Breakdown:
    """One row of a grouped figure (an hour, a day, an outlet, a product, a payment method)."""

    label: str
    orders: int
    amount_minor: int
    quantity: int = 0


def _sales(
    by: str, *, tenant: Tenant, period: Period, outlet: uuid.UUID | None
) -> dict[Any, rollup_selectors.SalesRow]:
    rows = rollup_selectors.sales_rows(
        by=by, tenant=tenant, first=period.first, last=period.last, outlet=outlet
    )
    return {row.key: row for row in rows}


def _breakdowns(
    found: dict[Any, rollup_selectors.SalesRow], keys: Iterable[Any], label: Any
) -> list[Breakdown]:
    """Orders and amount sold per key, one row per key (empty ones too)."""
    return [
        Breakdown(
            label=label(key),
            orders=found[key].orders if key in found else 0,
            amount_minor=found[key].total_minor if key in found else 0,
        )
        for key in keys
    ]


def sales_by_hour(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Total sold per hour of the day (tenant time), all 24 hours present."""
    found = _sales("hour", tenant=tenant, period=period, outlet=outlet)
    return _breakdowns(found, range(24), "{:02d}".format)


def sales_by_day(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Total sold per day of the period (tenant time), every day present."""
    found = _sales("day", tenant=tenant, period=period, outlet=outlet)
    return _breakdowns(found, period.dates(), date.isoformat)


def sales_by_outlet(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    """Sales per outlet that sold in the period, largest first."""
    found = _sales("outlet_id", tenant=tenant, period=period, outlet=outlet)
    names = dict(Outlet.objects.filter(tenant=tenant).values_list("id", "name"))
    rows = [
        Breakdown(str(names.get(key, "?")), row.orders, row.total_minor)
        for key, row in found.items()
        if row.orders
    ]
    return sorted(rows, key=lambda row: (-row.amount_minor, row.label))


def top_products(
    *, tenant: Tenant, period: Period, outlet: uuid.UUID | None, limit: int = 10
) -> list[Breakdown]:
    """Best sellers by net amount (after line discounts, before tax), refunds not subtracted."""
    rows = rollup_selectors.group_rows(
        "product", tenant=tenant, first=period.first, last=period.last, outlet=outlet, limit=limit
    )
    return [Breakdown(str(row.key[1]), row.orders, row.net_minor, row.quantity) for row in rows]


def payment_mix(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> list[Breakdown]:
    rows = rollup_selectors.group_rows(
        "payment", tenant=tenant, first=period.first, last=period.last, outlet=outlet
    )
    return [Breakdown(str(row.key[0]), row.orders, row.amount_minor) for row in rows if row.orders]


def voided_total(*, tenant: Tenant, period: Period, outlet: uuid.UUID | None) -> int:
    """What the voided sales of the period had come to."""
    rows = _sales("outlet_id", tenant=tenant, period=period, outlet=outlet)
    return sum(row.voided_minor for row in rows.values())


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
    linked: bool = False
    """Its socket (a till's link, a kitchen screen's) is open now; else only seen by HTTP."""
    catalog_current: int = 0
    """The tenant's newest catalog version, to hold the till's own against."""

    @property
    def last_seen_at(self) -> datetime | None:
        return self.status.last_seen_at if self.status else None

    @property
    def last_sale_at(self) -> datetime | None:
        """The till's newest local sale (synced or not), as its link heartbeat or its latest
        pushed batch reported it."""
        return self.status.last_sale_at if self.status else None

    @property
    def catalog_version(self) -> int | None:
        """The catalog version the till holds, as its link heartbeat or its latest pushed batch
        reported it."""
        return self.status.catalog_version if self.status else None

    @property
    def catalog_behind(self) -> bool:
        """The till holds an older catalog than the tenant's: a change has not reached it."""
        held = self.catalog_version
        return held is not None and held < self.catalog_current

    @property
    def online(self) -> bool:
        """Heard from lately, and still allowed to talk: a revoked till seen a minute before its
        revocation is not online."""
        if self.terminal.status != TerminalStatus.ACTIVE:
            return False
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


def catalog_version_current(*, tenant: Tenant) -> int:
    """The tenant's newest catalog version: the highest row version the catalog feed serves
    (the figure a till's `catalog_version` counts up to)."""
    connection = connections[DEFAULT_DB_ALIAS]
    postgres = connection.vendor == "postgresql"
    parts = [
        f"SELECT max(version) AS v FROM {source.table} WHERE {source.tenant_column} = %s"
        for source in SOURCES
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(v) FROM ({' UNION ALL '.join(parts)}) AS versions",  # SQLite too
            [tenant.id if postgres else tenant.id.hex] * len(parts),
        )
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def device_health(
    *,
    tenant: Tenant,
    period: Period,
    outlet: uuid.UUID | None,
    terminal: uuid.UUID | None = None,
) -> list[DeviceHealth]:
    """Every device (or the one `terminal`): what it last reported, whether its socket is open,
    the catalog it holds against the tenant's, its last sales, its flagged orders."""
    terminals = Terminal.objects.filter(tenant=tenant).select_related("outlet")
    orders = Order.objects.filter(tenant=tenant)
    if outlet is not None:
        terminals = terminals.filter(outlet_id=outlet)
        orders = orders.filter(outlet_id=outlet)
    if terminal is not None:
        terminals = terminals.filter(id=terminal)
        orders = orders.filter(terminal_id=terminal)
    devices = list(terminals.order_by("outlet__code", "code"))
    linked = linked_devices(device.id for device in devices)
    catalog_current = catalog_version_current(tenant=tenant)
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
    statuses = DeviceStatus.objects.filter(tenant=tenant)
    if terminal is not None:
        statuses = statuses.filter(terminal_id=terminal)
    status_of = {status.terminal_id: status for status in statuses}
    now = timezone.now()
    return [
        DeviceHealth(
            terminal=device,
            status=status_of.get(device.id),
            last_order_at=last.get(device.id),
            flagged={
                str(flag): int(flagged.get(device.id, {}).get(str(flag)) or 0)
                for flag in HEALTH_FLAGS
            },
            now=now,
            linked=device.id in linked,
            catalog_current=catalog_current,
        )
        for device in devices
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
    language = (get_language() or "en").split("-")[0]
    for method in sorted(set(till_payments) | set(server.payments_by_method)):
        lines.append(
            ZLine(
                f"payments:{method}",
                f"{gettext('Payments')}: {payment_method_label(method, language)}",
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
