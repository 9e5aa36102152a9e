"""A few weeks of the demo tenant's sales, made through the real ingest, so that the back
office's dashboard and reports show something on first sign-in (`make demo`).

Each outlet's till opens a shift every morning, sells through the day (orders priced by
`shared.pricing` with the server's own rules, sent in batches of 100 through
`order_batch_ingest`), gives the odd refund and void with a manager's approval, and closes the
shift with its Z figures from `shared.reports`, all as sync events and orders a paired till
would send. The kitchen bumped every ticket a few minutes after it came in. Runs once: a tenant
that has orders already is left alone.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from shared.order_wire import order_v1, payments_v1
from shared.pricing import Cart, CartLine, price_cart
from shared.pricing.tenders import Tender, cash_rounding_for, split_tenders
from shared.protocol import (
    OrderLineV1,
    OrderRefundedV1,
    OrderV1,
    OrderVoidedV1,
    RefundLineV1,
    RefundPaymentV1,
    ShiftClosedV1,
    ShiftFiguresV1,
    ShiftOpenedV1,
)
from shared.reports import RefundRecord, SalePayment, SaleRecord, sale_taxes, shift_figures
from sync_server.accounts.models import Role, User
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.orders.models import Order
from sync_server.sync.batch import tenant_pricing_rules
from sync_server.sync.services import event_batch_ingest, order_batch_ingest
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind

DAYS = 21
"""How far back the history goes (it ends yesterday: today is left to the demo's own till)."""
BATCH = 100
"""Orders per ingest call, as a till sends its backlog."""
OPENING_FLOAT_MINOR = 500_000
METHODS = (("cash", 40), ("qris", 35), ("card", 20), ("ewallet", 5))
HOUR_WEIGHTS = {7: 3, 8: 8, 9: 6, 10: 4, 11: 5, 12: 9, 13: 8, 14: 4, 15: 5, 16: 6, 17: 7, 18: 6}
HOUR_WEIGHTS |= {19: 5, 20: 3}


@dataclass
class Till:
    """One outlet's till as the history drives it: its device, people and receipt counter."""

    outlet: Outlet
    terminal: Terminal
    device: Device
    cashiers: list[User]
    manager: User
    busy: float
    receipt: int = 0
    sales: list[OrderV1] = field(default_factory=list)


def _device(tenant: Tenant, terminal: Terminal) -> Device:
    return Device(
        terminal_id=terminal.id,
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        outlet_id=terminal.outlet_id,
        kind="terminal",
        pairing_id=uuid.uuid4(),
        terminal_code=terminal.code,
        tenant=tenant,
    )


def _tills(tenant: Tenant) -> list[Till]:
    users = list(User.objects.filter(tenant=tenant, is_active=True).order_by("username"))
    managers = [u for u in users if u.role in (Role.MANAGER, Role.OWNER, Role.ADMIN)]
    tills = []
    for index, outlet in enumerate(Outlet.objects.filter(tenant=tenant).order_by("code")):
        terminal = (
            Terminal.objects.filter(outlet=outlet, kind=TerminalKind.TERMINAL)
            .order_by("code")
            .first()
        )
        if terminal is None or not managers:
            continue
        own = [u for u in users if u.outlet_id == outlet.id and u.role != Role.KITCHEN]
        tills.append(
            Till(
                outlet=outlet,
                terminal=terminal,
                device=_device(tenant, terminal),
                cashiers=own or managers,
                manager=next((u for u in managers if u.outlet_id == outlet.id), managers[0]),
                busy=1.0 if index == 0 else 0.7,
            )
        )
    return tills


def _record(order: OrderV1) -> SaleRecord:
    return SaleRecord(
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        service_charge_minor=order.service_charge_minor,
        rounding_minor=order.rounding_minor,
        total_minor=order.total_minor,
        taxes=sale_taxes(tax.model_dump() for tax in order.tax_lines),
        payments=tuple(SalePayment(p.method, p.amount_minor) for p in order.payments),
    )


def _refundable_lines(order: OrderV1) -> list[OrderLineV1]:
    """Lines with money to give back: a line a promotion made free has none."""
    return [line for line in order.lines if line.total_minor >= line.quantity]


class History:
    """The demo tenant's sales, day by day, outlet by outlet."""

    def __init__(self, tenant: Tenant, *, seed: int) -> None:
        self.tenant = tenant
        self.zone = ZoneInfo(tenant.time_zone)
        self.rng = random.Random(seed)
        with tenant_atomic(tenant):
            self.products = list(
                Product.objects.filter(is_active=True).exclude(price_minor=0).order_by("name")
            )
            self.rules = tenant_pricing_rules(tenant)
            self.tills = _tills(tenant)
        self.order_ids: list[uuid.UUID] = []

    def _at(self, day: date, hour: int) -> datetime:
        minute, second = self.rng.randrange(60), self.rng.randrange(60)
        return datetime.combine(day, time(hour, minute, second), tzinfo=self.zone)

    def _order(self, till: Till, shift_id: uuid.UUID, at: datetime) -> OrderV1:
        rng = self.rng
        lines = []
        for product in rng.sample(self.products, k=rng.choice((1, 1, 2, 2, 3))):
            lines.append(
                CartLine(
                    line_id=str(uuid.uuid4()),
                    product_id=str(product.id),
                    quantity=rng.choice((1, 1, 1, 2)),
                    unit_price_minor=product.price_minor,
                    category_id=str(product.category_id) if product.category_id else None,
                    tax_rate_ids=(str(product.tax_rate_id),) if product.tax_rate_id else (),
                    name=product.name,
                )
            )
        method = rng.choices([m for m, _ in METHODS], weights=[w for _, w in METHODS])[0]
        cart = Cart(self.tenant.currency, tuple(lines))
        rules = self.rules
        priced = price_cart(
            cart,
            at=at,
            time_zone=rules.time_zone,
            promotions=rules.promotions,
            tax_rates=rules.tax_rates_at(till.outlet.id),
            service_charge=rules.service_charge,
            cash_rounding=cash_rounding_for((method,), rules.cash_rounding),
        )
        due = priced.payable_minor
        tendered = -(-due // 50_000) * 50_000 if method == "cash" else due
        splits = split_tenders([Tender(method, tendered)], due)
        till.receipt += 1
        return order_v1(
            cart,
            priced,
            payments=payments_v1(splits, [uuid.uuid4()], at=at),
            id=uuid.uuid4(),
            outlet_id=till.outlet.id,
            terminal_id=till.terminal.id,
            shift_id=shift_id,
            receipt_number=f"{till.outlet.code.upper()}-H{till.terminal.code.upper()}-"
            f"{till.receipt:06d}",
            cashier_id=rng.choice(till.cashiers).id,
            created_at=at,
        )

    def _sell(self, till: Till, orders: Sequence[OrderV1]) -> None:
        for start in range(0, len(orders), BATCH):
            raw = [order.model_dump(mode="json") for order in orders[start : start + BATCH]]
            results = order_batch_ingest(tenant=self.tenant, device=till.device, raw_orders=raw)
            refused = [r for r in results if r.status not in ("created", "duplicate")]
            assert not refused, refused[:1]
        self.order_ids += [order.id for order in orders]

    def _events(self, till: Till, events: Sequence[Any]) -> None:
        raw = [event.model_dump(mode="json") for event in events]
        results = event_batch_ingest(tenant=self.tenant, device=till.device, raw_events=raw)
        refused = [r for r in results if r.status not in ("created", "duplicate")]
        assert not refused, refused[:1]

    def day(self, till: Till, day: date) -> None:
        """Open, sell, refund and void a little, close: one shift of one till."""
        rng = self.rng
        shift_id = uuid.uuid4()
        cashier = rng.choice(till.cashiers).id
        opened = datetime.combine(day, time(6, 45), tzinfo=self.zone)
        self._events(
            till,
            [
                ShiftOpenedV1(
                    id=uuid.uuid4(),
                    shift_id=shift_id,
                    outlet_id=till.outlet.id,
                    terminal_id=till.terminal.id,
                    cashier_id=cashier,
                    at=opened,
                    opening_float_minor=OPENING_FLOAT_MINOR,
                )
            ],
        )
        weekend = day.weekday() >= 5
        count = round(rng.randint(14, 22) * (1.5 if weekend else 1.0) * till.busy)
        hours = rng.choices(list(HOUR_WEIGHTS), weights=list(HOUR_WEIGHTS.values()), k=count)
        orders = sorted(
            (self._order(till, shift_id, self._at(day, hour)) for hour in hours),
            key=lambda order: order.created_at,
        )
        self._sell(till, orders)
        events: list[Any] = []
        refunds: list[RefundRecord] = []
        voided: set[uuid.UUID] = set()
        for order in orders:
            later = order.created_at + timedelta(minutes=rng.randint(2, 30))
            roll = rng.random()
            if roll < 0.02:
                voided.add(order.id)
                events.append(
                    OrderVoidedV1(
                        id=uuid.uuid4(),
                        order_id=order.id,
                        at=later,
                        reason=rng.choice(("Wrong order", "Customer left", "Rung up twice")),
                        approved_by=till.manager.id,
                        cashier_id=order.cashier_id,
                    )
                )
            elif roll < 0.045 and (refundable := _refundable_lines(order)):
                line = refundable[0]
                amount = line.total_minor // line.quantity
                method = order.payments[0].method
                events.append(
                    OrderRefundedV1(
                        id=uuid.uuid4(),
                        order_id=order.id,
                        at=later,
                        reason=rng.choice(("Cold drink", "Wrong size", "Spilled")),
                        approved_by=till.manager.id,
                        cashier_id=order.cashier_id,
                        lines=(RefundLineV1(line_id=line.id, quantity=1, amount_minor=amount),),
                        amount_minor=amount,
                        payments=(RefundPaymentV1(method=method, amount_minor=amount),),
                    )
                )
                refunds.append(RefundRecord(method, amount, _line_refund_tax(line, amount)))
        figures = shift_figures(
            opening_float_minor=OPENING_FLOAT_MINOR,
            sales=[
                _record(order) if order.id not in voided else SaleRecord(0, 0, 0, 0, 0, voided=True)
                for order in orders
            ],
            refunds=refunds,
        )
        closed_at = datetime.combine(day, time(21, 30), tzinfo=self.zone)
        counted = figures.cash_expected_minor + rng.choice((0, 0, 0, 0, -1_000, 2_000))
        events.append(
            ShiftClosedV1(
                id=uuid.uuid4(),
                shift_id=shift_id,
                cashier_id=cashier,
                at=closed_at,
                counted_cash_minor=counted,
                expected_cash_minor=figures.cash_expected_minor,
                difference_minor=counted - figures.cash_expected_minor,
                figures=ShiftFiguresV1(  # the Z figures the till sends are shared's
                    **{name: getattr(figures, name) for name in ShiftFiguresV1.model_fields}
                ),
            )
        )
        self._events(till, events)

    def kitchen_bumped(self) -> None:
        """The kitchen started and finished every history ticket a few minutes in."""
        rng = self.rng
        with tenant_atomic(self.tenant):
            tickets = KitchenTicket.objects.filter(order_id__in=self.order_ids).exclude(
                status=TicketStatus.CANCELLED
            )
            for ticket in tickets.only("id", "ordered_at", "created_at"):
                came = ticket.ordered_at or ticket.created_at
                started = came + timedelta(seconds=rng.randint(20, 180))
                KitchenTicket.objects.filter(id=ticket.id).update(
                    status=TicketStatus.DONE,
                    created_at=came,
                    started_at=started,
                    done_at=started + timedelta(seconds=rng.randint(120, 720)),
                )


def _line_refund_tax(line: Any, amount_minor: int) -> int:
    from shared.reports import refund_tax_minor

    return refund_tax_minor(
        line_total_minor=line.total_minor, line_tax_minor=line.tax_minor, amount_minor=amount_minor
    )


def demo_history_create(*, tenant: Tenant, days: int = DAYS, seed: int = 15) -> int:
    """Sell `days` days of history (ending yesterday) at every outlet of `tenant` through the
    ingest, unless it has orders already; the number of orders made. All in one transaction
    (each batch and event in its own savepoint, as the ingest nests them): one commit instead
    of hundreds keeps `make demo` quick on SQLite."""
    with tenant_atomic(tenant):
        if Order.objects.filter(tenant=tenant).exists():
            return 0
        history = History(tenant, seed=seed)
        today = timezone.localdate(timezone=history.zone)
        for offset in range(days, 0, -1):
            for till in history.tills:
                history.day(till, today - timedelta(days=offset))
        history.kitchen_bumped()
    return len(history.order_ids)
