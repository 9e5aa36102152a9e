"""Order ingest: created, duplicate, conflict, rejected; flags; stock; kitchen tickets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from shared.protocol import ModifierV1
from sync_server.catalog.models import ModifierOption, Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenTicket
from sync_server.kitchen.selectors import kitchen_ticket_wire
from sync_server.orders.models import Order, OrderLine, Payment, StockLevel
from sync_server.shifts.models import Shift
from sync_server.tenants.models import Tenant
from tests.server.sync.conftest import PairedDevice, make_order

# A sale made offline yesterday morning: old enough to prove nothing about the clock.
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)


def _results(answer: object) -> list[dict[str, object]]:
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    results: list[dict[str, object]] = answer.json()["results"]  # type: ignore[attr-defined]
    return results


def _counts(tenant: Tenant) -> tuple[int, int, int]:
    with tenant_atomic(tenant):
        return Order.objects.count(), OrderLine.objects.count(), Payment.objects.count()


def test_a_batch_is_created_then_its_replay_is_all_duplicate(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    orders = [
        make_order(
            device,
            [(demo_products["Espresso"], 2), (demo_products["Croissant"], 1)],
            shift_id=shift_id,
            at=AT,
        ),
        make_order(
            device, [(demo_products["Nasi Goreng"], 1)], shift_id=shift_id, at=AT, method="cash"
        ),
        make_order(
            device,
            [(demo_products["Kopi Susu"], 1), (demo_products["Croissant"], 1)],
            shift_id=shift_id,
            at=AT,
        ),
    ]
    first = _results(device.push_orders(*orders))
    assert [r["status"] for r in first] == ["created"] * 3
    assert [r["id"] for r in first] == [str(o.id) for o in orders]
    # Priced by the same engine from the same catalog: the server agrees to the minor unit.
    assert all(r["flags"] == [] for r in first), first
    counts = _counts(demo_tenant)

    replay = _results(device.push_orders(*orders))
    assert [r["status"] for r in replay] == ["duplicate"] * 3
    assert [r["received_at"] for r in replay] == [r["received_at"] for r in first]
    assert _counts(demo_tenant) == counts
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=orders[1].id)
        assert stored.total_minor == orders[1].total_minor
        assert stored.shift_id == shift_id
        assert stored.lines.count() == 1
        assert Shift.objects.get(id=shift_id).provisional  # known before its shift_opened event


def test_same_id_with_a_changed_total_is_a_conflict_and_changes_nothing(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    order = make_order(device, [(demo_products["Americano"], 1)], shift_id=uuid.uuid4(), at=AT)
    assert _results(device.push_orders(order))[0]["status"] == "created"
    body = order.model_dump(mode="json")
    body["total_minor"] += 1000
    body["payments"][0]["amount_minor"] += 1000
    answer = _results(device.push_orders(body))[0]
    assert answer["status"] == "conflict"
    assert answer["error"]["code"] == "conflict"  # type: ignore[index]
    with tenant_atomic(demo_tenant):
        assert Order.objects.get(id=order.id).total_minor == order.total_minor
        assert Payment.objects.get(order_id=order.id).amount_minor == order.total_minor


def test_one_malformed_order_is_rejected_alone(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    good = [
        make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT)
        for _ in range(2)
    ]
    bad = good[0].model_dump(mode="json") | {"id": str(uuid.uuid4())}
    bad["lines"][0]["quantity"] = 1.5  # money and counts are strict integers
    results = _results(device.push_orders(good[0], bad, good[1], {"not": "an order"}))
    assert [r["status"] for r in results] == ["created", "rejected", "created", "rejected"]
    error = results[1]["error"]
    assert set(error) == {"error", "message", "field", "code"}  # type: ignore[arg-type]
    assert error["field"] == "lines.0.quantity"  # type: ignore[index]
    assert results[1]["id"] == bad["id"]
    assert results[3]["id"] == "#3"
    with tenant_atomic(demo_tenant):
        assert not Order.objects.filter(id=bad["id"]).exists()
        assert Order.objects.filter(id__in=[o.id for o in good]).count() == 2


def test_lines_of_another_tenants_products_are_rejected(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    rival_tenant: Tenant,
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    with tenant_atomic(rival_tenant):
        foreign = Product.objects.first()
    assert foreign is not None
    order = make_order(
        device,
        [(demo_products["Espresso"], 1), (demo_products["Americano"], 1)],
        shift_id=uuid.uuid4(),
        at=AT,
    )
    body = order.model_dump(mode="json")
    body["lines"][1]["product_id"] = str(foreign.id)  # the other tenant's product
    result = _results(device.push_orders(body))[0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "unknown_product"  # type: ignore[index]
    assert result["error"]["field"] == "lines.1.product_id"  # type: ignore[index]
    with tenant_atomic(demo_tenant):
        assert not Order.objects.filter(id=order.id).exists()


def test_an_order_naming_another_terminal_is_rejected(
    pair_device: Callable[..., PairedDevice], demo_products: dict[str, Product]
) -> None:
    main = pair_device("main", "t1")
    mall = pair_device("mall", "t1")
    order = make_order(main, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4(), at=AT)
    result = _results(mall.push_orders(order))[0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "wrong_terminal"  # type: ignore[index]


def test_a_different_charge_is_flagged_never_rejected(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    order = make_order(device, [(demo_products["Mocha"], 1)], shift_id=uuid.uuid4(), at=AT)
    body = order.model_dump(mode="json")
    body["lines"][0]["total_minor"] -= 500  # a terminal that mis-added by 500
    body["total_minor"] -= 500
    body["payments"][0]["amount_minor"] -= 500
    result = _results(device.push_orders(body))[0]
    assert result["status"] == "created"
    assert "price_mismatch" in result["flags"]  # type: ignore[operator]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=order.id)
    assert stored.total_minor == order.total_minor - 500  # kept as charged
    assert stored.server_total_minor == order.total_minor
    assert stored.price_difference_minor == -500


def test_a_clock_off_by_more_than_five_minutes_is_flagged(
    pair_device: Callable[..., PairedDevice], demo_products: dict[str, Product]
) -> None:
    device = pair_device()
    shift_id = uuid.uuid4()
    future = datetime.now(UTC) + timedelta(minutes=10)
    ahead = make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=future)
    assert "clock_skew" in _results(device.push_orders(ahead))[0]["flags"]  # type: ignore[operator]
    offline = make_order(
        device,
        [(demo_products["Espresso"], 1)],
        shift_id=shift_id,
        at=datetime.now(UTC) - timedelta(hours=3),
    )
    assert _results(device.push_orders(offline))[0]["flags"] == []  # old sale: just offline
    slow_clock = format_datetime(datetime.now(UTC) - timedelta(minutes=7), usegmt=True)
    behind = make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT)
    flagged = _results(device.push_orders(behind, HTTP_DATE=slow_clock))[0]
    assert "clock_skew" in flagged["flags"]  # type: ignore[operator]


def test_stock_of_tracked_products_goes_down_per_outlet(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    water = demo_products["Mineral Water"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=water.id).update(track_stock=True)
    device = pair_device()
    shift_id = uuid.uuid4()
    orders = [
        make_order(device, [(water, 2), (demo_products["Espresso"], 1)], shift_id=shift_id, at=AT),
        make_order(device, [(water, 3)], shift_id=shift_id, at=AT),
    ]
    _results(device.push_orders(*orders))
    _results(device.push_orders(*orders))  # a replay takes nothing twice
    with tenant_atomic(demo_tenant):
        levels = {(s.outlet_id, s.product_id): s.quantity for s in StockLevel.objects.all()}
    assert levels == {(device.pairing.outlet_id, water.id): -5}


def test_kitchen_lines_make_tickets_in_the_same_transaction(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    order = make_order(
        device,
        [(demo_products["Nasi Goreng"], 1), (demo_products["Espresso"], 2)],
        shift_id=uuid.uuid4(),
        at=AT,
        kitchen_printed_offline=True,
    )
    assert _results(device.push_orders(order))[0]["status"] == "created"
    assert _results(device.push_orders(order))[0]["status"] == "duplicate"
    with tenant_atomic(demo_tenant):
        tickets = list(KitchenTicket.objects.filter(order_id=order.id).order_by("station"))
    assert [t.station for t in tickets] == ["bar", "kitchen"]
    assert all(t.already_printed for t in tickets)
    assert [item["quantity"] for item in tickets[0].items] == [2]
    # The sale's time at the till travels with the ticket: a screen times it from the sale.
    assert {t.ordered_at for t in tickets} == {order.created_at}
    assert all(kitchen_ticket_wire(t).ordered_at == order.created_at for t in tickets)


def test_a_batch_over_the_limit_or_of_another_version_is_a_400(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    too_many = device.client.post(
        device.url("sync/orders/"), {"protocol_version": 1, "orders": [{}] * 201}, format="json"
    )
    assert too_many.status_code == 400
    assert too_many.json()["field"] == "orders"
    version = device.client.post(
        device.url("sync/orders/"), {"protocol_version": 2, "orders": []}, format="json"
    )
    assert version.status_code == 400
    assert version.json()["field"] == "protocol_version"


def test_a_failure_inside_one_order_rolls_it_back_and_spares_the_batch(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sync_server.sync import orders as services

    device = pair_device()
    shift_id = uuid.uuid4()
    fine = make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT)
    cooked = make_order(device, [(demo_products["Nasi Goreng"], 1)], shift_id=shift_id, at=AT)
    working_batch = services.kitchen_tickets_create_for_new_orders
    attempts: list[int] = []

    def broken_kitchen(**kwargs: Any) -> Any:
        attempts.append(len(kwargs["orders"]))
        if any(order.order_id == cooked.id for order in kwargs["orders"]):
            raise RuntimeError("kitchen bug")
        return working_batch(**kwargs)

    monkeypatch.setattr(services, "kitchen_tickets_create_for_new_orders", broken_kitchen)
    results = _results(device.push_orders(cooked, fine))
    assert attempts == [2, 1, 1]  # tried together first, rolled back, then one by one
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert results[0]["error"]["code"] == "server_error"  # type: ignore[index]
    with tenant_atomic(demo_tenant):
        assert not Order.objects.filter(id=cooked.id).exists()  # order went with its tickets
        assert not OrderLine.objects.filter(order_id=cooked.id).exists()
        assert Order.objects.filter(id=fine.id).exists()


def test_retail_lines_make_no_kitchen_ticket(
    pair_device: Callable[..., PairedDevice], demo_tenant: Tenant
) -> None:
    with tenant_atomic(demo_tenant):
        water = Product(tenant=demo_tenant, sku="RETAIL-1", name="Bottled water", price_minor=5000)
        water.save()  # no category, no station: nobody cooks it
    device = pair_device()
    order = make_order(device, [(water, 2)], shift_id=uuid.uuid4(), at=AT)
    assert _results(device.push_orders(order))[0]["status"] == "created"
    with tenant_atomic(demo_tenant):
        assert not KitchenTicket.objects.filter(order_id=order.id).exists()
        assert Order.objects.filter(id=order.id).exists()


@pytest.mark.parametrize("years", [69, 500])
def test_a_clock_off_by_decades_is_flagged_and_the_sale_still_stored(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
    years: int,
) -> None:
    device = pair_device()
    far = datetime.now(UTC) + timedelta(days=366 * years)
    order = make_order(device, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4(), at=far)
    result = _results(device.push_orders(order))[0]
    assert result["status"] == "created", result
    assert "clock_skew" in result["flags"]  # type: ignore[operator]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=order.id)
    assert stored.clock_skew_seconds == 2**31 - 1


def test_kitchen_tickets_leave_out_the_default_option_of_a_group(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    """`Regular` and `Normal sugar` tell the cook nothing; `Less sugar` does."""
    device = pair_device()
    with tenant_atomic(demo_tenant):
        options = {o.name: o for o in ModifierOption.objects.select_related("group")}
    order = make_order(device, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4(), at=AT)
    [line] = order.lines
    chosen = tuple(
        ModifierV1(option_id=options[name].id, group_name=options[name].group.name, name=name)
        for name in ("Regular", "Less sugar", "Normal sugar")
    )
    order = order.model_copy(update={"lines": (line.model_copy(update={"modifiers": chosen}),)})
    assert _results(device.push_orders(order))[0]["status"] == "created"
    with tenant_atomic(demo_tenant):
        [ticket] = KitchenTicket.objects.filter(order_id=order.id)
    assert [item["modifiers"] for item in ticket.items] == [["Less sugar"]]
