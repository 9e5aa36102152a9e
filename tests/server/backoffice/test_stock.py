"""Stock pages: levels per outlet, adjustments by hand (received, wasted, counted) written with
their movement, and a movement history holding the sales, refunds and voids the ingest applied;
the movements sum to the level. A manager works at their own outlet."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum
from django.test import Client

from shared.protocol import OrderRefundedV1, OrderVoidedV1, RefundLineV1, RefundPaymentV1
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import StockLevel
from sync_server.stock.models import StockMovement
from sync_server.tenants.models import Outlet, Tenant
from tests.server.backoffice.conftest import post_form
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db

AT = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
MANAGER = uuid.uuid4()


def _level(tenant: Tenant, outlet: Outlet, product: Product) -> tuple[int, int]:
    """(the level, the sum of the movements) of a product at an outlet."""
    with tenant_atomic(tenant):
        level = StockLevel.objects.filter(outlet=outlet, product_id=product.id).first()
        moved = StockMovement.objects.filter(outlet_id=outlet.id, product_id=product.id).aggregate(
            total=Sum("delta")
        )["total"]
    return (level.quantity if level else 0), (moved or 0)


def test_sales_refunds_voids_and_hand_adjustments_are_movements_that_sum_to_the_level(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    demo_products: dict[str, Product],
    pair_device: Callable[..., PairedDevice],
) -> None:
    water, rice = demo_products["Mineral Water"], demo_products["Nasi Goreng"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id__in=[water.id, rice.id]).update(track_stock=True)
        main = Outlet.objects.get(code="main")
    client = browser("demo.manager")
    page = "/backoffice/stock/"
    received = post_form(
        client,
        page,
        {
            "outlet": str(main.id),
            "product": str(water.id),
            "reason": "received",
            "quantity": "24",
            "note": "delivery 17",
        },
    )
    assert received.status_code == 302, received.content[:2000]
    assert _level(demo_tenant, main, water) == (24, 24)
    device = pair_device("main", "t1")
    sale = make_order(device, [(water, 3), (rice, 2)], shift_id=uuid.uuid4(), at=AT)
    assert device.push_orders(sale).status_code == 200
    voided = make_order(device, [(rice, 1)], shift_id=uuid.uuid4(), at=AT)
    assert device.push_orders(voided).status_code == 200
    void = OrderVoidedV1(
        id=uuid.uuid4(), order_id=voided.id, at=AT, reason="wrong table", approved_by=MANAGER
    )
    refund_amount = sale.lines[0].total_minor // 3
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=sale.id,
        at=AT,
        reason="flat",
        approved_by=MANAGER,
        lines=(RefundLineV1(line_id=sale.lines[0].id, quantity=1, amount_minor=refund_amount),),
        amount_minor=refund_amount,
        payments=(RefundPaymentV1(method="card", amount_minor=refund_amount),),
    )
    assert device.push_events(void, refund).status_code == 200
    wasted = post_form(
        client,
        page,
        {"outlet": str(main.id), "product": str(water.id), "reason": "wasted", "quantity": "2"},
    )
    assert wasted.status_code == 302
    assert _level(demo_tenant, main, water) == (24 - 3 + 1 - 2, 24 - 3 + 1 - 2)
    assert _level(demo_tenant, main, rice) == (-2, -2)
    counted = post_form(
        client,
        page,
        {"outlet": str(main.id), "product": str(water.id), "reason": "counted", "quantity": "15"},
    )
    assert counted.status_code == 302
    assert _level(demo_tenant, main, water) == (15, 15)
    with tenant_atomic(demo_tenant):
        reasons = sorted(
            StockMovement.objects.filter(product_id=water.id).values_list("reason", flat=True)
        )
        sold = StockMovement.objects.get(product_id=water.id, reason="sale")
    assert reasons == ["counted", "received", "refund", "sale", "wasted"]
    assert (sold.order_id, sold.delta) == (sale.id, -3)
    levels = client.get(f"{page}?outlet={main.id}").content.decode()
    assert 'data-testid="level-' + water.sku + '"' in levels
    history = client.get("/backoffice/stock/movements/?reason=sale").content.decode()
    assert sale.receipt_number in history and 'data-reason="received"' not in history
    assert (
        voided.receipt_number
        in client.get("/backoffice/stock/movements/?reason=void").content.decode()
    )
    everything = client.get("/backoffice/stock/movements/").content.decode()
    assert "delivery 17" in everything and "demo.manager" in everything


def test_a_manager_adjusts_only_their_outlet(
    browser: Callable[[str], Client], demo_tenant: Tenant, demo_products: dict[str, Product]
) -> None:
    water = demo_products["Mineral Water"]
    with tenant_atomic(demo_tenant):
        Product.objects.filter(id=water.id).update(track_stock=True)
        main = Outlet.objects.get(code="main")
        mall = Outlet.objects.get(code="mall")
    client = browser("demo.manager")
    page = client.get(f"/backoffice/stock/?outlet={mall.id}").content.decode()
    assert mall.name not in page
    post_form(
        client,
        "/backoffice/stock/",
        {"outlet": str(mall.id), "product": str(water.id), "reason": "received", "quantity": "5"},
    )
    assert _level(demo_tenant, mall, water) == (0, 0)
    assert _level(demo_tenant, main, water) == (5, 5)  # held to their own outlet
