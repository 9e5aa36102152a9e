"""Sync health: what tills report with their batches, pings, and silent devices in red."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def _row(page: str, testid: str) -> str:
    found = re.search(rf'<tr data-testid="{testid}".*?</tr>', page, re.S)
    assert found, testid
    return found.group(0)


def test_a_batch_reports_waiting_sales_attention_and_version(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    order = make_order(device, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4())
    body = {
        "protocol_version": 1,
        "orders": [order.model_dump(mode="json")],
        "till_status": {"pending_sales": 4, "needs_attention": 1, "app_version": "0.1.0"},
    }
    answer = device.client.post(device.url("sync/orders/"), body, format="json")
    assert answer.status_code == 200, answer.content
    page = browser("demo.owner").get("/backoffice/sync/").text
    row = _row(page, "device-main-t1")
    assert re.search(r'data-testid="pending"><span class="badge warn">4<', row)
    assert re.search(r'data-testid="attention"><span class="badge bad">1<', row)
    assert "0.1.0" in row and 'class="dot on"' in row and 'data-silent="false"' in row
    # The mall till is paired too but was never heard from: red.
    pair_device("mall", "t1")
    page = browser("demo.owner").get("/backoffice/sync/").text
    assert 'data-silent="true"' in _row(page, "device-mall-t1")


def test_a_till_silent_past_the_threshold_is_red_and_a_ping_clears_it(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    assert device.client.get(device.url("sync/ping/")).status_code == 200
    with tenant_atomic(demo_tenant):
        status = DeviceStatus.objects.get(terminal_id=device.pairing.terminal_id)
        assert status.last_seen_at is not None
        DeviceStatus.objects.filter(id=status.id).update(
            last_seen_at=datetime.now(UTC) - timedelta(hours=2)
        )
    page = browser("demo.owner").get("/backoffice/sync/").text
    row = _row(page, "device-main-t1")
    assert 'data-silent="true"' in row and 'class="dot "' in row


def test_a_revoked_till_seen_just_before_is_not_shown_online(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    assert device.client.get(device.url("sync/ping/")).status_code == 200
    owner = browser("demo.owner")
    token = csrf_from(owner.get("/backoffice/terminals/").text)
    revoked = owner.post(
        f"/backoffice/terminals/{device.pairing.terminal_id}/revoke/",
        {"csrfmiddlewaretoken": token},
    )
    assert revoked.status_code == 302
    row = _row(owner.get("/backoffice/sync/").text, "device-main-t1")
    assert 'class="dot "' in row and 'class="dot on"' not in row


def test_an_old_batch_without_till_status_is_still_accepted(
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    order = make_order(device, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4())
    assert device.push_orders(order).status_code == 200
    with tenant_atomic(demo_tenant):
        status = DeviceStatus.objects.get(terminal_id=device.pairing.terminal_id)
    assert status.last_sync_at is not None and status.pending_sales is None
