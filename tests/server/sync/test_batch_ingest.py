"""A batch of orders is stored in one transaction, with the same answers as order by order.

The one-transaction path (`_store_batch`) is what a terminal draining its backlog hits; when
anything in it fails, the batch is ingested again order by order, so a bad order is still
refused alone and nothing of it stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from shared.protocol import DenominationCountV1, ShiftClosedV1, ShiftOpenedV1
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenOrderReady, KitchenTicket
from sync_server.orders.models import Order, OrderLine, Payment, StockLevel
from sync_server.shifts.models import Shift
from sync_server.tenants.models import Tenant
from tests.server.conftest import requires_postgres
from tests.server.sync.conftest import PairedDevice, make_order

AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def _results(answer: object) -> list[dict[str, object]]:
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    results: list[dict[str, object]] = answer.json()["results"]  # type: ignore[attr-defined]
    return results


def _statuses(answer: object) -> list[object]:
    return [result["status"] for result in _results(answer)]


def _menu(products: dict[str, Product]) -> list[list[tuple[Product, int]]]:
    """Carts cycling through kitchen and counter items, some with two lines."""
    return [
        [(products["Espresso"], 1), (products["Croissant"], 2)],
        [(products["Nasi Goreng"], 1)],
        [(products["Kopi Susu"], 2), (products["Nasi Goreng"], 1)],
    ]


@requires_postgres  # elsewhere the orders are inserted one by one through the ORM
def test_the_statements_of_a_batch_do_not_grow_with_its_orders(
    pair_device: Callable[..., PairedDevice], demo_products: dict[str, Product]
) -> None:
    """Order by order, each sale costs its own transaction and about ten statements; in one
    transaction a batch of 30 costs what a batch of 3 does. (The one statement for orders,
    lines and payments runs on a psycopg cursor that this capture does not see.)"""
    device = pair_device()
    menu = _menu(demo_products)

    def statements_for(count: int) -> int:
        shift_id = uuid.uuid4()
        orders = [
            make_order(device, menu[i % len(menu)], shift_id=shift_id, at=AT) for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert _statuses(device.push_orders(*orders)) == ["created"] * count
        return len(queries)

    statements_for(3)  # first use: the outlet's kitchen counter row is made
    small, large = statements_for(3), statements_for(30)
    assert large == small, (small, large)
    assert large < 40


def test_new_replayed_and_conflicting_ids_in_one_batch_each_get_their_answer(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    menu = _menu(demo_products)
    stored = make_order(device, menu[0], shift_id=shift_id, at=AT)
    changed = make_order(device, menu[1], shift_id=shift_id, at=AT)
    assert _statuses(device.push_orders(stored, changed)) == ["created", "created"]
    conflicting = changed.model_copy(update={"note": "another body under the same id"})
    fresh = [make_order(device, menu[2], shift_id=shift_id, at=AT) for _ in range(2)]
    batch = [fresh[0], stored, conflicting, fresh[1]]
    results = _results(device.push_orders(*batch))
    assert [r["status"] for r in results] == ["created", "duplicate", "conflict", "created"]
    assert [r["id"] for r in results] == [str(order.id) for order in batch]
    with tenant_atomic(demo_tenant):
        assert Order.objects.get(id=changed.id).note == changed.note  # the conflict changed nothing
        assert Order.objects.filter(id__in=[o.id for o in fresh]).count() == 2
        assert OrderLine.objects.filter(order_id__in=[o.id for o in fresh]).count() == 4
        assert Payment.objects.filter(order_id__in=[o.id for o in fresh]).count() == 2


def test_one_order_whose_line_id_is_taken_is_refused_alone_and_leaves_nothing(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    menu = _menu(demo_products)
    first = make_order(device, menu[1], shift_id=shift_id, at=AT)
    assert _statuses(device.push_orders(first)) == ["created"]
    good = [make_order(device, menu[0], shift_id=shift_id, at=AT) for _ in range(2)]
    thief = make_order(device, menu[1], shift_id=shift_id, at=AT)
    stolen = thief.lines[0].model_copy(update={"id": first.lines[0].id})
    thief = thief.model_copy(update={"lines": (stolen,)})
    with tenant_atomic(demo_tenant):
        sequences_before = KitchenTicket.objects.count()
    results = _results(device.push_orders(good[0], thief, good[1]))
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["error"]["code"] == "duplicate_child_id"  # type: ignore[index]
    with tenant_atomic(demo_tenant):
        assert not Order.objects.filter(id=thief.id).exists()
        assert not KitchenTicket.objects.filter(order_id=thief.id).exists()
        assert not KitchenOrderReady.objects.filter(order_id=thief.id).exists()
        # The rolled-back attempt handed out no sequence: the kitchen's stay gap-free.
        sequences = sorted(KitchenTicket.objects.values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    assert len(sequences) > sequences_before


def test_the_same_id_twice_in_a_batch_is_created_once_then_a_duplicate(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    order = make_order(device, _menu(demo_products)[0], shift_id=uuid.uuid4(), at=AT)
    assert _statuses(device.push_orders(order, order)) == ["created", "duplicate"]
    with tenant_atomic(demo_tenant):
        assert OrderLine.objects.filter(order_id=order.id).count() == 2


def _closed_shift(device: PairedDevice, float_minor: int) -> uuid.UUID:
    """A shift opened and closed (counted exactly its float) on the server."""
    shift_id = uuid.uuid4()
    opened = ShiftOpenedV1(
        id=uuid.uuid4(),
        shift_id=shift_id,
        outlet_id=device.pairing.outlet_id,
        terminal_id=device.pairing.terminal_id,
        at=AT,
        opening_float_minor=float_minor,
    )
    closed = ShiftClosedV1(
        id=uuid.uuid4(),
        shift_id=shift_id,
        at=AT + timedelta(hours=2),
        counted=(DenominationCountV1(value_minor=float_minor, count=1),),
        counted_cash_minor=float_minor,
        expected_cash_minor=float_minor,
        difference_minor=0,
    )
    assert _statuses(device.push_events(opened, closed)) == ["created", "created"]
    return shift_id


def test_a_batch_of_late_orders_counts_every_one_on_the_closed_shift(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = _closed_shift(device, 100_000)
    late = [
        make_order(device, items, shift_id=shift_id, at=AT + timedelta(minutes=10), method="cash")
        for items in _menu(demo_products)
    ]
    results = _results(device.push_orders(*late))
    assert all(r["status"] == "created" and "late" in r["flags"] for r in results)  # type: ignore[operator]
    with tenant_atomic(demo_tenant):
        shift = Shift.objects.get(id=shift_id)
    assert shift.late_order_count == 3
    assert shift.server_expected_cash_minor == 100_000 + sum(o.total_minor for o in late)


def test_one_batch_over_a_closed_shift_and_a_new_one_flags_only_the_late_orders(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    closed_id, new_id = _closed_shift(device, 50_000), uuid.uuid4()
    menu = _menu(demo_products)
    batch = [
        make_order(device, menu[0], shift_id=closed_id, at=AT, method="cash"),
        make_order(device, menu[1], shift_id=new_id, at=AT + timedelta(hours=3)),
        make_order(device, menu[2], shift_id=closed_id, at=AT, method="cash"),
        make_order(device, menu[0], shift_id=new_id, at=AT + timedelta(hours=3)),
    ]
    results = _results(device.push_orders(*batch))
    assert [r["status"] for r in results] == ["created"] * 4
    assert ["late" in r["flags"] for r in results] == [True, False, True, False]  # type: ignore[operator]
    with tenant_atomic(demo_tenant):
        closed = Shift.objects.get(id=closed_id)
        opened_by_order = Shift.objects.get(id=new_id)
        stored_flags = dict(
            Order.objects.filter(id__in=[o.id for o in batch]).values_list("id", "flags")
        )
    assert closed.late_order_count == 2 and opened_by_order.late_order_count == 0
    assert opened_by_order.provisional  # known before its shift_opened event
    assert "late" in stored_flags[batch[0].id] and "late" not in stored_flags[batch[1].id]


def test_stock_and_kitchen_tickets_of_a_batch_match_order_by_order(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    croissant = demo_products["Croissant"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=croissant.id).update(track_stock=True)
    device = pair_device()
    shift_id = uuid.uuid4()
    menu = _menu(demo_products)
    orders = [make_order(device, menu[i % 3], shift_id=shift_id, at=AT) for i in range(6)]
    assert _statuses(device.push_orders(*orders)) == ["created"] * 6
    assert _statuses(device.push_orders(*orders)) == ["duplicate"] * 6  # nothing twice
    with tenant_atomic(demo_tenant):
        level = StockLevel.objects.get(outlet_id=device.pairing.outlet_id, product_id=croissant.id)
        tickets = list(
            KitchenTicket.objects.filter(order_id__in=[o.id for o in orders]).order_by("sequence")
        )
        ready = KitchenOrderReady.objects.filter(order_id__in=[o.id for o in orders]).count()
    assert level.quantity == -2 * 2  # two of the six carts hold two croissants each
    sequences = [ticket.sequence for ticket in tickets]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    # Sequences follow the batch's order, so the oldest sale is cooked first.
    by_order = [ticket.order_id for ticket in tickets]
    first_seen = list(dict.fromkeys(by_order))
    assert first_seen == [o.id for o in orders if any(t.order_id == o.id for t in tickets)]
    assert ready == len(first_seen)


def test_a_database_outage_answers_503_and_refuses_no_order(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not the orders' fault: the terminal must back off and resend them, not flag them."""
    from sync_server.sync import orders as services

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "orders_store", unreachable)  # batch and one by one alike
    device = pair_device()
    shift_id = uuid.uuid4()
    menu = _menu(demo_products)
    for count in (1, 3):
        orders = [make_order(device, menu[i], shift_id=shift_id, at=AT) for i in range(count)]
        answer = device.push_orders(*orders)
        assert answer.status_code == 503, answer.content
        assert answer.json()["code"] == "database_unavailable"
        assert answer["Retry-After"] == "5"
        with tenant_atomic(demo_tenant):
            assert not Order.objects.filter(id__in=[o.id for o in orders]).exists()
