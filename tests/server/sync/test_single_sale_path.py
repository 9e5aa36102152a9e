"""A till's single sale in an open shift is stored in one statement with its rollups and the
device's status; a replay of it rolls that statement back and is answered as before."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders import services as order_services
from sync_server.orders.models import Order, OrderLine, Payment
from sync_server.reports.models import PaymentDay, SalesHour
from sync_server.sync import orders as sync_orders
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import Tenant
from tests.server.conftest import DB_MODE
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.skipif(
    DB_MODE != "postgres", reason="the one-statement path is PostgreSQL's"
)


def _push(device: PairedDevice, order: Any, pending_sales: int) -> dict[str, Any]:
    body = {
        "protocol_version": 1,
        "orders": [order.model_dump(mode="json")],
        "till_status": {"pending_sales": pending_sales, "needs_attention": 0, "app_version": "9.9"},
    }
    answer = device.client.post(device.url("sync/orders/"), body, format="json")
    assert answer.status_code == 200, answer.content
    result: dict[str, Any] = answer.json()["results"][0]
    return result


def test_a_sale_in_an_open_shift_is_one_statement_and_its_replay_changes_nothing(
    pair_device: Callable[..., PairedDevice],
    demo_tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with tenant_atomic(demo_tenant):
        water = Product(tenant=demo_tenant, sku="WATER-1", name="Water", price_minor=5_000)
        water.save()
    calls: list[bool] = []
    real = order_services.orders_store_new

    def spy(*args: Any, **kwargs: Any) -> bool:
        calls.append(real(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(sync_orders, "orders_store_new", spy)
    device = pair_device()
    shift_id = uuid.uuid4()
    first = make_order(device, [(water, 1)], shift_id=shift_id, method="cash")
    assert _push(device, first, 5)["status"] == "created"
    assert calls == []  # the shift's first sale makes the shift: the transaction path

    sale = make_order(device, [(water, 2)], shift_id=shift_id, method="cash")
    assert _push(device, sale, 3)["status"] == "created"
    assert calls == [True]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=sale.id)
        assert stored.total_minor == sale.total_minor
        assert OrderLine.objects.filter(order_id=sale.id).count() == 1
        assert Payment.objects.filter(order_id=sale.id).count() == 1
        assert sum(SalesHour.objects.values_list("orders", flat=True)) == 2
        cash = PaymentDay.objects.get(method="cash")
        assert cash.amount_minor == first.total_minor + sale.total_minor
        status = DeviceStatus.objects.get(terminal_id=device.pairing.terminal_id)
        assert (status.pending_sales, status.app_version) == (3, "9.9")
        synced_at = status.last_sync_at

    # The replay: the guard rolls the one statement back, the transaction path answers.
    replay = _push(device, sale, 0)
    assert replay["status"] == "duplicate"
    assert calls == [True, False]
    changed = sale.model_copy(update={"note": "another body"})
    assert _push(device, changed, 0)["status"] == "conflict"
    with tenant_atomic(demo_tenant):
        assert Order.objects.filter(id__in=[first.id, sale.id]).count() == 2
        assert sum(SalesHour.objects.values_list("orders", flat=True)) == 2
        cash = PaymentDay.objects.get(method="cash")
        assert cash.amount_minor == first.total_minor + sale.total_minor
        status = DeviceStatus.objects.get(terminal_id=device.pairing.terminal_id)
        assert status.pending_sales == 0 and status.last_sync_at is not None
        assert synced_at is not None and status.last_sync_at >= synced_at
