"""Reads: the orders API for owners and managers, the catalog feed's content, ready orders."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from shared.protocol import (
    CashierV1,
    CatalogPageV1,
    OrderRefundedV1,
    ProductV1,
    PromotionV1,
    RefundLineV1,
    RefundPaymentV1,
)
from sync_server.accounts.models import Role, User
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenTicket
from sync_server.kitchen.services import kitchen_ticket_bump
from sync_server.tenants.models import Tenant
from tests.server.sync.conftest import PairedDevice, make_order

AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)


@pytest.fixture
def three_orders(
    pair_device: Callable[..., PairedDevice], demo_products: dict[str, Product]
) -> tuple[PairedDevice, list[uuid.UUID]]:
    device = pair_device()
    shift_id = uuid.uuid4()
    orders = [
        make_order(device, [(demo_products["Espresso"], 1)], shift_id=shift_id, at=AT),
        make_order(
            device,
            [(demo_products["Croissant"], 2)],
            shift_id=shift_id,
            at=AT + timedelta(minutes=1),
            method="cash",
        ),
        make_order(
            device, [(demo_products["Mocha"], 1)], shift_id=shift_id, at=AT + timedelta(hours=2)
        ),
    ]
    body = orders[2].model_dump(mode="json")
    body["lines"][0]["total_minor"] += 100  # flagged price_mismatch
    body["total_minor"] += 100
    body["payments"][0]["amount_minor"] += 100
    answer = device.push_orders(orders[0], orders[1], body)
    assert [r["status"] for r in answer.json()["results"]] == ["created"] * 3
    line = orders[1].lines[0]
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=orders[1].id,
        at=AT,
        reason="dropped",
        approved_by=uuid.uuid4(),
        lines=(RefundLineV1(line_id=line.id, quantity=1, amount_minor=1000),),
        amount_minor=1000,
        payments=(RefundPaymentV1(method="cash", amount_minor=1000),),
    )
    assert device.push_events(refund).json()["results"][0]["status"] == "created"
    return device, [o.id for o in orders]


def test_owners_list_orders_with_a_count_and_filters(
    three_orders: tuple[PairedDevice, list[uuid.UUID]], role_client: Callable[..., APIClient]
) -> None:
    device, ids = three_orders
    client = role_client("owner")
    listing = client.get("/api/demo/orders/", {"terminal": str(device.pairing.terminal_id)})
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [str(ids[2]), str(ids[1]), str(ids[0])]

    def ids_for(**query: str) -> set[str]:
        answer = client.get("/api/demo/orders/", query)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert ids_for(flag="price_mismatch") == {str(ids[2])}
    assert ids_for(payment_method="cash", terminal=str(device.pairing.terminal_id)) == {str(ids[1])}
    assert ids_for(status="partially_refunded") == {str(ids[1])}
    assert ids_for(date_from=(AT + timedelta(hours=1)).isoformat()) >= {str(ids[2])}
    assert str(ids[0]) not in ids_for(date_from=(AT + timedelta(hours=1)).isoformat())
    assert client.get("/api/demo/orders/", {"flag": "nonsense"}).status_code == 400


def test_an_order_reads_back_with_lines_payments_refunds_and_flags(
    three_orders: tuple[PairedDevice, list[uuid.UUID]], role_client: Callable[..., APIClient]
) -> None:
    _, ids = three_orders
    detail = role_client("manager").get(f"/api/demo/orders/{ids[1]}/")
    assert detail.status_code == 200
    order = detail.json()
    assert order["status"] == "partially_refunded"
    assert len(order["lines"]) == 1 and order["lines"][0]["quantity"] == 2
    assert order["lines"][0]["refunded_quantity"] == 1
    assert order["payments"][0]["method"] == "cash"
    assert order["refunds"][0]["amount_minor"] == 1000
    assert order["refunds"][0]["lines"][0]["quantity"] == 1
    flagged = role_client("admin").get(f"/api/demo/orders/{ids[2]}/").json()
    assert flagged["flags"] == ["price_mismatch"]
    assert flagged["price_difference_minor"] == 100


@pytest.mark.parametrize("role", [Role.CASHIER, Role.KITCHEN])
def test_cashiers_and_kitchen_staff_cannot_read_orders(
    role: str, role_client: Callable[..., APIClient]
) -> None:
    assert role_client(role).get("/api/demo/orders/").status_code == 403


def test_another_tenant_sees_neither_the_list_nor_the_order(
    three_orders: tuple[PairedDevice, list[uuid.UUID]], role_client: Callable[..., APIClient]
) -> None:
    _, ids = three_orders
    rival = role_client("owner", tenant="rival")
    assert rival.get("/api/demo/orders/").status_code == 403
    assert rival.get(f"/api/rival/orders/{ids[0]}/").status_code == 404
    assert rival.get("/api/rival/orders/").json()["count"] == 0


def test_the_feed_carries_the_catalog_staff_pins_of_the_outlet_and_promotion_rules(
    pair_device: Callable[..., PairedDevice], demo_tenant: Tenant
) -> None:
    device = pair_device("main", "t1")
    with tenant_atomic(demo_tenant):
        product_ids = set(Product.objects.values_list("id", flat=True))
    changes = []
    since = ""
    deadline = time.monotonic() + 60
    while True:  # transactions elsewhere in the cluster may hold rows back a moment
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": 50})
        assert answer.status_code == 200
        page = CatalogPageV1.model_validate(answer.json())
        changes.extend(page.changes)
        assert page.catalog_version >= max((c.version for c in page.changes), default=0)
        since = page.next_cursor
        if page.has_more:
            continue
        if product_ids <= {c.id for c in changes} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    by_entity: dict[str, list[object]] = {}
    for change in changes:
        by_entity.setdefault(change.entity, []).append(change.typed_data())
    with tenant_atomic(demo_tenant):
        users = {u.username: u for u in User.objects.all()}
    # A product is re-sent when its modifier links change later; applying it twice is harmless.
    assert {p.id for p in by_entity["product"] if isinstance(p, ProductV1)} == product_ids
    assert all(isinstance(p, ProductV1) for p in by_entity["product"])
    cashiers = {c.username: c for c in by_entity["cashier"] if isinstance(c, CashierV1)}
    assert cashiers["demo.cashier"].pin_hash == users["demo.cashier"].pin_hash
    assert cashiers["demo.cashier"].pin_hash.startswith("pbkdf2_sha256$")
    promotions = [p for p in by_entity["promotion"] if isinstance(p, PromotionV1)]
    assert promotions and all("kind" in p.rule for p in promotions)
    assert len(by_entity["tenant"]) == 1 and len(by_entity["outlet"]) == 2
    again = device.client.get(device.url("sync/catalog/"), {"since": since}).json()
    assert again["changes"] == [] and again["has_more"] is False
    bad = device.client.get(device.url("sync/catalog/"), {"since": "v1.x"})
    assert bad.status_code == 400 and bad.json()["field"] == "since"


def test_a_terminal_learns_which_of_its_orders_are_ready(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    order = make_order(device, [(demo_products["Nasi Goreng"], 1)], shift_id=uuid.uuid4(), at=AT)
    device.push_orders(order)
    before = device.client.get(device.url("sync/ready/")).json()
    assert str(order.id) not in {o["order_id"] for o in before["orders"]}
    with tenant_atomic(demo_tenant):
        tickets = list(KitchenTicket.objects.filter(order_id=order.id))
    for ticket in tickets:
        kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id)
    ready = device.client.get(device.url("sync/ready/")).json()
    assert [o["order_id"] for o in ready["orders"]] == [str(order.id)]
    assert ready["orders"][0]["receipt_number"] == order.receipt_number
    later = device.client.get(
        device.url("sync/ready/"), {"since": ready["orders"][0]["ready_at"]}
    ).json()
    assert later["orders"] == []


@pytest.mark.parametrize(
    "since",
    [
        "v1.².1.1",  # str.isdigit() is true for a superscript two; int() refuses it
        "v1.1.١.1",  # Arabic-Indic digit: int() takes it, the protocol does not
        "v1.1.1.9223372036854775808",  # one past a PostgreSQL bigint
        "v1.1.1." + "9" * 150,
        "v1.1..1",
        "v1.+1.1.1",
        "v1. 1.1.1",
        "v2.1.1.1",
    ],
)
def test_a_malformed_catalog_cursor_is_a_400_in_the_error_shape(
    pair_device: Callable[..., PairedDevice], since: str
) -> None:
    device = pair_device()
    answer = device.client.get(device.url("sync/catalog/"), {"since": since})
    assert answer.status_code == 400, answer.content
    assert set(answer.json()) == {"error", "message", "field", "code"}
    assert answer.json()["field"] == "since"


@pytest.mark.parametrize("limit", ["0", "-1", "100000000000000000000000", "²", "1.5", "x"])
def test_a_catalog_limit_out_of_bounds_is_a_400_in_the_error_shape(
    pair_device: Callable[..., PairedDevice], limit: str
) -> None:
    device = pair_device()
    answer = device.client.get(device.url("sync/catalog/"), {"limit": limit})
    assert answer.status_code == 400, answer.content
    assert set(answer.json()) == {"error", "message", "field", "code"}
    assert answer.json()["field"] == "limit"


def test_the_largest_cursor_is_accepted(pair_device: Callable[..., PairedDevice]) -> None:
    device = pair_device()
    top = 2**63 - 1
    answer = device.client.get(device.url("sync/catalog/"), {"since": f"v1.{top}.{top}.{top}"})
    assert answer.status_code == 200, answer.content
