"""Shift, cash, void and refund events: applied once, replays answered from the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.protocol import (
    CashMovementV1,
    CustomerCreatedV1,
    DenominationCountV1,
    OrderRefundedV1,
    OrderVoidedV1,
    RefundLineV1,
    RefundPaymentV1,
    ShiftClosedV1,
    ShiftOpenedV1,
)
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.orders.models import Order, OrderLine, OrderStatus, Refund, StockLevel
from sync_server.shifts.models import Shift, ShiftStatus
from sync_server.tenants.models import Tenant
from tests.server.sync.conftest import PairedDevice, make_order

AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
MANAGER = uuid.uuid4()


def _statuses(answer: object) -> list[str]:
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    return [r["status"] for r in answer.json()["results"]]  # type: ignore[attr-defined]


def _open(device: PairedDevice, shift_id: uuid.UUID, float_minor: int = 200_000) -> ShiftOpenedV1:
    return ShiftOpenedV1(
        id=uuid.uuid4(),
        shift_id=shift_id,
        outlet_id=device.pairing.outlet_id,
        terminal_id=device.pairing.terminal_id,
        at=AT,
        opening_float_minor=float_minor,
    )


def _close(shift_id: uuid.UUID, counted: int, expected: int, at: datetime) -> ShiftClosedV1:
    return ShiftClosedV1(
        id=uuid.uuid4(),
        shift_id=shift_id,
        at=at,
        counted=(DenominationCountV1(value_minor=counted, count=1),),
        counted_cash_minor=counted,
        expected_cash_minor=expected,
        difference_minor=counted - expected,
    )


def test_a_shift_opens_moves_cash_and_closes_with_the_servers_expected_cash(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    sale = make_order(
        device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT, method="cash"
    )
    assert _statuses(device.push_orders(sale)) == ["created"]  # before its shift_opened
    cash_in = CashMovementV1(
        id=uuid.uuid4(), shift_id=shift_id, direction="in", amount_minor=50_000, at=AT
    )
    cash_out = CashMovementV1(
        id=uuid.uuid4(), shift_id=shift_id, direction="out", amount_minor=20_000, at=AT
    )
    expected = 200_000 + sale.total_minor + 50_000 - 20_000
    close = _close(shift_id, expected - 1_000, expected, AT + timedelta(hours=8))
    events = [_open(device, shift_id), cash_in, cash_out, close]
    assert _statuses(device.push_events(*events)) == ["created"] * 4
    assert _statuses(device.push_events(*events)) == ["duplicate"] * 4
    with tenant_atomic(demo_tenant):
        shift = Shift.objects.get(id=shift_id)
    assert shift.status == ShiftStatus.CLOSED and not shift.provisional
    assert shift.opening_float_minor == 200_000
    assert shift.server_expected_cash_minor == expected
    assert shift.server_difference_minor == -1_000
    assert shift.difference_minor == -1_000


def test_an_order_after_its_shift_closed_is_kept_and_flagged_late(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    close = _close(shift_id, 200_000, 200_000, AT + timedelta(hours=1))
    assert _statuses(device.push_events(_open(device, shift_id), close)) == ["created"] * 2
    late = make_order(
        device,
        [(demo_products["Espresso"], 1)],
        shift_id=shift_id,
        at=AT + timedelta(minutes=30),
        method="cash",
    )
    result = device.push_orders(late).json()["results"][0]
    assert result["status"] == "created"
    assert "late" in result["flags"]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=late.id)
        shift = Shift.objects.get(id=shift_id)
    assert stored.shift_id == shift_id
    assert shift.late_order_count == 1
    # The late cash sale now belongs in the drawer the server expected.
    assert shift.server_expected_cash_minor == 200_000 + late.total_minor
    assert device.push_orders(late).json()["results"][0]["flags"] == result["flags"]


def test_void_puts_stock_back_cancels_kitchen_items_and_replays_as_duplicate(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    rice = demo_products["Nasi Goreng"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=rice.id).update(track_stock=True)
    device = pair_device()
    order = make_order(device, [(rice, 2)], shift_id=uuid.uuid4(), at=AT)
    assert _statuses(device.push_orders(order)) == ["created"]
    void = OrderVoidedV1(
        id=uuid.uuid4(), order_id=order.id, at=AT, reason="wrong table", approved_by=MANAGER
    )
    assert _statuses(device.push_events(void)) == ["created"]
    assert _statuses(device.push_events(void)) == ["duplicate"]
    changed = void.model_copy(update={"reason": "another reason"})
    answer = device.push_events(changed).json()["results"][0]
    assert answer["status"] == "conflict"
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=order.id)
        stock = StockLevel.objects.get(product_id=rice.id).quantity
        tickets = list(KitchenTicket.objects.filter(order_id=order.id))
    assert (stored.status, stored.void_reason, stored.void_approved_by) == (
        OrderStatus.VOIDED,
        "wrong table",
        MANAGER,
    )
    assert stock == 0  # -2 by the sale, +2 by the void, and not again by the replay
    assert [t.status for t in tickets] == [TicketStatus.CANCELLED]
    second = OrderVoidedV1(
        id=uuid.uuid4(), order_id=order.id, at=AT, reason="again", approved_by=MANAGER
    )
    refused = device.push_events(second).json()["results"][0]
    assert (refused["status"], refused["error"]["code"]) == ("rejected", "already_voided")


def test_refund_by_line_is_applied_once_and_capped(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    water = demo_products["Mineral Water"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=water.id).update(track_stock=True)
    device = pair_device()
    order = make_order(
        device, [(water, 3), (demo_products["Espresso"], 1)], shift_id=uuid.uuid4(), at=AT
    )
    assert _statuses(device.push_orders(order)) == ["created"]
    water_line = order.lines[0]
    amount = water_line.total_minor // 3
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=order.id,
        at=AT,
        reason="flat",
        approved_by=MANAGER,
        lines=(RefundLineV1(line_id=water_line.id, quantity=1, amount_minor=amount),),
        amount_minor=amount,
        payments=(RefundPaymentV1(method="card", amount_minor=amount),),
    )
    assert _statuses(device.push_events(refund)) == ["created"]
    assert _statuses(device.push_events(refund)) == ["duplicate"]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=order.id)
        line = OrderLine.objects.get(id=water_line.id)
        stock = StockLevel.objects.get(product_id=water.id).quantity
        assert Refund.objects.filter(order_id=order.id).count() == 1
    assert stored.status == OrderStatus.PARTIALLY_REFUNDED
    assert stored.refunded_minor == amount
    assert (line.refunded_quantity, line.refunded_minor) == (1, amount)
    assert stock == -3 + 1
    too_much = refund.model_copy(
        update={
            "id": uuid.uuid4(),
            "lines": (RefundLineV1(line_id=water_line.id, quantity=3, amount_minor=amount),),
        }
    )
    refused = device.push_events(too_much).json()["results"][0]
    assert (refused["status"], refused["error"]["code"]) == ("rejected", "over_refund")
    with tenant_atomic(demo_tenant):
        assert OrderLine.objects.get(id=water_line.id).refunded_quantity == 1  # nothing applied


def test_events_for_unknown_orders_are_rejected_so_the_terminal_retries(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    void = OrderVoidedV1(
        id=uuid.uuid4(), order_id=uuid.uuid4(), at=AT, reason="x", approved_by=MANAGER
    )
    result = device.push_events(void).json()["results"][0]
    assert (result["status"], result["error"]["code"]) == ("rejected", "order_unknown")
    # Nothing was recorded: once the order arrives the same event can still apply.
    assert device.push_events(void).json()["results"][0]["status"] == "rejected"


def test_a_shift_id_taken_by_another_tenant_is_refused_as_id_taken(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    rival_tenant: Tenant,
    demo_tenant: Tenant,
) -> None:
    from sync_server.tenants.models import Outlet, Terminal

    shift_id = uuid.uuid4()
    with tenant_atomic(rival_tenant):
        rival_outlet = Outlet.objects.first() or Outlet.objects.create(
            tenant=rival_tenant, code="r1", name="Rival outlet"
        )
        rival_terminal = Terminal.objects.create(
            tenant=rival_tenant, outlet=rival_outlet, code="rt1", name="Rival till"
        )
        Shift.objects.create(
            id=shift_id,
            tenant=rival_tenant,
            outlet_id=rival_terminal.outlet_id,
            terminal_id=rival_terminal.id,
            opened_at=AT,
        )
    device = pair_device()
    sale = make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT)
    order_result = device.push_orders(sale).json()["results"][0]
    assert order_result["status"] == "rejected", order_result
    assert order_result["error"]["code"] == "id_taken"
    assert order_result["error"]["field"] == "shift_id"
    for event in (
        _open(device, shift_id),
        _close(shift_id, counted=1000, expected=1000, at=AT + timedelta(hours=1)),
    ):
        answer = device.push_events(event)
        assert answer.status_code == 200, answer.content
        result = answer.json()["results"][0]
        assert result["status"] == "rejected", result
        assert (result["error"]["code"], result["error"]["field"]) == ("id_taken", "shift_id")
    with tenant_atomic(demo_tenant):
        assert not Order.objects.filter(id=sale.id).exists()
        assert not Shift.objects.filter(id=shift_id).exists()


def _customer_created(customer_id: uuid.UUID, **fields: str) -> CustomerCreatedV1:
    return CustomerCreatedV1(
        id=uuid.uuid4(), customer_id=customer_id, at=AT, **{"name": "Ayu Lestari", **fields}
    )


def test_a_customer_made_at_a_till_is_kept_whole_once(
    pair_device: Callable[..., PairedDevice], demo_tenant: Tenant
) -> None:
    device = pair_device()
    customer_id = uuid.uuid4()
    made = _customer_created(customer_id, phone="0812 555", email="ayu@example.co.id")
    assert _statuses(device.push_events(made)) == ["created"]
    assert _statuses(device.push_events(made)) == ["duplicate"]
    with tenant_atomic(demo_tenant):
        stored = Customer.objects.get(id=customer_id)
    assert (stored.name, stored.phone, stored.email) == (
        "Ayu Lestari",
        "0812 555",
        "ayu@example.co.id",
    )
    assert stored.version > 0  # the catalog feed hands it to the other tills
    # The same customer sent again under another event (a till restored from a backup):
    # what the back office may have edited since is left alone.
    with tenant_atomic(demo_tenant):
        Customer.objects.filter(id=customer_id).update(group="member")
    again = _customer_created(customer_id, name="Ayu L.", phone="0000")
    assert _statuses(device.push_events(again)) == ["created"]
    with tenant_atomic(demo_tenant):
        kept = Customer.objects.get(id=customer_id)
    assert (kept.name, kept.phone, kept.group) == ("Ayu Lestari", "0812 555", "member")


def test_a_customer_with_a_bad_email_or_a_taken_id_is_refused(
    pair_device: Callable[..., PairedDevice], demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    device = pair_device()
    with tenant_atomic(rival_tenant):
        rivals = Customer.objects.create(tenant=rival_tenant, name="Somebody else")
    bad_email = _customer_created(uuid.uuid4(), email="ayu at example")
    taken = _customer_created(rivals.id)
    answer = device.push_events(bad_email, taken)
    assert answer.status_code == 200, answer.content
    errors = [
        (r["status"], r["error"]["code"], r["error"]["field"]) for r in answer.json()["results"]
    ]
    assert errors == [
        ("rejected", "invalid_email", "email"),
        ("rejected", "id_taken", "customer_id"),
    ]
    with tenant_atomic(demo_tenant):
        assert not Customer.objects.filter(id=bad_email.customer_id).exists()
    with tenant_atomic(rival_tenant):
        assert Customer.objects.get(id=rivals.id).name == "Somebody else"


def test_a_refund_naming_one_line_twice_gives_back_both_counts(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    water = demo_products["Mineral Water"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=water.id).update(track_stock=True)
    device = pair_device()
    order = make_order(device, [(water, 3)], shift_id=uuid.uuid4(), at=AT)
    assert _statuses(device.push_orders(order)) == ["created"]
    water_line = order.lines[0]
    amount = water_line.total_minor // 3
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=order.id,
        at=AT,
        reason="flat",
        approved_by=MANAGER,
        lines=(
            RefundLineV1(line_id=water_line.id, quantity=1, amount_minor=amount),
            RefundLineV1(line_id=water_line.id, quantity=1, amount_minor=amount),
        ),
        amount_minor=2 * amount,
        payments=(RefundPaymentV1(method="card", amount_minor=2 * amount),),
    )
    answer = device.push_events(refund).json()["results"][0]
    with tenant_atomic(demo_tenant):
        line = OrderLine.objects.get(id=water_line.id)
        stock = StockLevel.objects.get(product_id=water.id).quantity
    assert answer["status"] == "created"
    assert line.refunded_quantity == 2  # the line and the stock both count two back
    assert stock == -3 + 2
