"""The one-statement sale path as production runs it: its own implicit transaction, really
committed (the `db` fixture's outer transaction would make it take its savepoint branch).

Eight pushes of the same sale at once: one created, seven duplicates, the rollups counted
once; a replay is a duplicate, a changed body a conflict; the connection keeps no tenant
setting afterwards; a suspended business and a revoked till are refused on the next push.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.services import device_revoke
from sync_server.orders import services as order_services
from sync_server.orders.models import Order, OrderLine
from sync_server.reports.models import PaymentDay, SalesHour
from sync_server.sync import orders as sync_orders
from sync_server.tenants.models import Tenant
from tests.server.conftest import DB_MODE
from tests.server.sync.conftest import FreshWorld, PairedDevice, make_order, pair_through_api
from tests.server.sync.test_concurrency import _in_threads

pytestmark = pytest.mark.skipif(
    DB_MODE != "postgres", reason="the one-statement path is PostgreSQL's"
)


def _post(device: PairedDevice, order: Any, pending_sales: int = 0) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {device.pairing.access}")
    body = {
        "protocol_version": 1,
        "orders": [order.model_dump(mode="json")],
        "till_status": {"pending_sales": pending_sales, "needs_attention": 0, "app_version": "x"},
    }
    return client.post(device.url("sync/orders/"), body, format="json")


def _status(device: PairedDevice, order: Any, pending_sales: int = 0) -> str:
    answer = _post(device, order, pending_sales)
    assert answer.status_code == 200, answer.content
    return str(answer.json()["results"][0]["status"])


def test_one_sale_pushed_eight_times_at_once_is_stored_and_counted_once(
    fresh_world: FreshWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_statement: list[bool] = []
    store = order_services.orders_store_new

    def watched(*args: Any, **kwargs: Any) -> bool:
        stored = store(*args, **kwargs)
        one_statement.append(stored)
        return stored

    monkeypatch.setattr(sync_orders, "orders_store_new", watched)
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    shift = uuid.uuid4()
    first = make_order(device, [(fresh_world.products[0], 1)], shift_id=shift, method="cash")
    assert not connections["default"].in_atomic_block
    assert _status(device, first) == "created"  # opens the shift: the transaction path

    sale = make_order(device, [(p, 2) for p in fresh_world.products], shift_id=shift, method="cash")
    statuses = _in_threads(8, lambda i: _status(device, sale, pending_sales=i))
    assert sorted(statuses) == ["created"] + ["duplicate"] * 7, statuses
    assert True in one_statement  # the sale went the one-statement way
    assert _status(device, sale) == "duplicate"
    assert _status(device, sale.model_copy(update={"note": "changed"})) == "conflict"

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in ("", None)  # no tenant left on the connection
    with tenant_atomic(fresh_world.tenant):
        assert Order.objects.filter(id=sale.id).count() == 1
        assert OrderLine.objects.filter(order_id=sale.id).count() == len(fresh_world.products)
        assert sum(SalesHour.objects.values_list("orders", flat=True)) == 2
        cash = PaymentDay.objects.get(method="cash")
        assert cash.amount_minor == first.total_minor + sale.total_minor


def test_a_suspended_business_and_a_revoked_till_are_refused_on_the_next_push(
    fresh_world: FreshWorld,
) -> None:
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    shift = uuid.uuid4()

    def sale() -> Any:
        return make_order(device, [(fresh_world.products[0], 1)], shift_id=shift, method="cash")

    assert _post(device, sale()).status_code == 200
    with tenant_atomic(None):
        Tenant.objects.filter(id=fresh_world.tenant.id).update(is_active=False)
    suspended = _post(device, sale())
    assert suspended.status_code == 403
    assert suspended.json()["code"] == "tenant_suspended"
    with tenant_atomic(None):
        Tenant.objects.filter(id=fresh_world.tenant.id).update(is_active=True)
    assert _post(device, sale()).status_code == 200
    with tenant_atomic(fresh_world.tenant):
        device_revoke(tenant=fresh_world.tenant, terminal=fresh_world.terminal)
    revoked = _post(device, sale())
    assert revoked.status_code == 401
