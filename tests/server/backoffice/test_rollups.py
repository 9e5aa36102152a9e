"""The rollups the ingest keeps equal a recount from the orders, after sales, refunds and voids."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from shared.protocol import OrderRefundedV1, OrderVoidedV1, RefundLineV1, RefundPaymentV1
from sync_server.backoffice import selectors as backoffice_selectors
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order, OrderLine, OrderStatus
from sync_server.reports import selectors
from sync_server.reports.models import ROLLUPS
from sync_server.reports.rollups import rollups_rebuild
from sync_server.tenants.models import Tenant
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db

MANAGER = uuid.uuid4()


def _sell(device: PairedDevice, products: dict[str, Product], count: int, method: str) -> list[Any]:
    shift = uuid.uuid4()
    names = ["Kopi Susu", "Espresso", "Croissant", "Mineral Water"]
    orders = [
        make_order(
            device,
            [(products[names[index % 4]], 1 + index % 2), (products[names[(index + 1) % 4]], 2)],
            shift_id=shift,
            method=method,
            at=datetime.now(UTC) - timedelta(minutes=5 + 70 * index),
        )
        for index in range(count)
    ]
    answer = device.push_orders(*orders)
    assert answer.status_code == 200, answer.content
    assert {item["status"] for item in answer.json()["results"]} == {"created"}
    return orders


def _refund(device: PairedDevice, order: Any, method: str) -> None:
    line = order.lines[-1]  # two of them: give one back
    amount = line.total_minor // line.quantity
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=order.id,
        at=datetime.now(UTC),
        reason="cold",
        approved_by=MANAGER,
        lines=(RefundLineV1(line_id=line.id, quantity=1, amount_minor=amount),),
        amount_minor=amount,
        payments=(RefundPaymentV1(method=method, amount_minor=amount),),
    )
    assert device.push_events(refund).json()["results"][0]["status"] == "created"


def _void(device: PairedDevice, order: Any) -> None:
    void = OrderVoidedV1(
        id=uuid.uuid4(), order_id=order.id, at=datetime.now(UTC), reason="test", approved_by=MANAGER
    )
    assert device.push_events(void).json()["results"][0]["status"] == "created"


def _snapshot(tenant: Tenant) -> dict[str, set[tuple[Any, ...]]]:
    """Every rollup row with a sum other than zero (a void leaves zeroed rows behind)."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    for model in ROLLUPS:
        sums = [
            field.attname
            for field in model._meta.concrete_fields
            if field.name not in {"id", "tenant", "outlet_id", "day", *model.KEY}
        ]
        rows = model.objects.filter(tenant=tenant).values_list(*model.KEY, *sums)
        found[model.__name__] = {row for row in rows if any(row[len(model.KEY) :])}
    return found


def test_rollups_equal_a_recount_after_sales_refunds_and_voids(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    main, mall = pair_device("main", "t1"), pair_device("mall", "t1")
    sold_main = _sell(main, demo_products, 6, "cash")
    sold_mall = _sell(mall, demo_products, 4, "qris")
    _refund(main, sold_main[0], "cash")
    _void(main, sold_main[1])
    _refund(mall, sold_mall[0], "qris")
    _void(mall, sold_mall[0])  # refunded, then voided: the refund stays where it was given
    zone = ZoneInfo(demo_tenant.time_zone)
    today = timezone.localdate(timezone=zone)
    period = backoffice_selectors.Period(first=today - timedelta(days=1), last=today, zone=zone)
    with tenant_atomic(demo_tenant):
        main_outlet = Order.objects.get(id=sold_main[0].id).outlet_id
        for outlet in (None, main_outlet):
            counted = backoffice_selectors.period_figures_by_order(
                tenant=demo_tenant, period=period, outlet=outlet
            )
            rolled = selectors.period_figures(
                tenant=demo_tenant, first=period.first, last=period.last, outlet=outlet
            )
            assert rolled == counted
        kept = _snapshot(demo_tenant)
        products = selectors.group_rows(
            "product", tenant=demo_tenant, first=period.first, last=period.last, outlet=None
        )
        lines = OrderLine.objects.filter(tenant=demo_tenant).exclude(
            order__status=OrderStatus.VOIDED
        )
        assert sum(row.quantity for row in products) == sum(line.quantity for line in lines)
        assert sum(row.refunded_quantity for row in products) == 2
        assert rollups_rebuild(tenant=demo_tenant) == 10
        assert _snapshot(demo_tenant) == kept
    assert counted.order_count == 5 and counted.void_count == 1
    assert counted.refunds_minor > 0 and counted.tax_minor > 0
    assert rolled.payments_by_method.keys() == {"cash"}
    with tenant_atomic(demo_tenant):
        by_hour = selectors.sales_rows(
            by="hour", tenant=demo_tenant, first=period.first, last=period.last, outlet=None
        )
        assert sum(row.orders for row in by_hour) == 8
        assert sum(row.voids for row in by_hour) == 2
        everything = selectors.period_figures(
            tenant=demo_tenant, first=period.first, last=period.last, outlet=None
        )
    assert sum(row.figures.net_sales_minor for row in by_hour) == everything.net_sales_minor
    assert sum(row.figures.tax_minor for row in by_hour) == everything.tax_minor


def test_rebuild_rollups_command_recounts_what_was_lost(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    _sell(pair_device("main", "t1"), demo_products, 3, "card")
    with tenant_atomic(demo_tenant):
        kept = _snapshot(demo_tenant)
        for model in ROLLUPS:
            model.objects.filter(tenant=demo_tenant).delete()
    call_command("rebuild_rollups", "--tenant", "demo", verbosity=0)
    with tenant_atomic(demo_tenant):
        assert _snapshot(demo_tenant) == kept
    assert sum(len(rows) for rows in kept.values()) > 0


def test_a_new_time_zone_recounts_the_rollups_in_local_hours(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    from sync_server.reports.models import SalesHour
    from sync_server.tenants.services import tenant_update

    sold = _sell(pair_device("main", "t1"), demo_products, 1, "card")
    at = sold[0].created_at
    with tenant_atomic(demo_tenant):
        hours = set(SalesHour.objects.filter(orders__gt=0).values_list("hour", flat=True))
        assert hours == {at.astimezone(ZoneInfo("Asia/Jakarta")).hour}
        tenant_update(tenant=demo_tenant, time_zone="Asia/Tokyo")
        hours = set(SalesHour.objects.filter(orders__gt=0).values_list("hour", flat=True))
    assert hours == {at.astimezone(ZoneInfo("Asia/Tokyo")).hour}
