"""Sync health: what tills report with their batches, pings, and silent devices in red."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from shared.protocol_link import LinkStatusV1
from sync_server.accounts.models import Role
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.selectors import catalog_version_current
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device
from sync_server.link import presence, push
from sync_server.link.services import link_device, link_status_record
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from, sign_in
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


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


# --- the link's heartbeat on the page, and "Ask for status" -----------------------------------


@pytest.fixture
def linked(pair_device: Callable[..., PairedDevice]) -> Iterator[Callable[[PairedDevice], Device]]:
    """`linked(device)`: the till's link marked open (as its socket does), and its `Device`."""
    opened: list[uuid.UUID] = []

    def mark(paired: PairedDevice) -> Device:
        device = link_device(raw_token=paired.pairing.access, tenant_slug=paired.tenant_slug)
        assert device is not None
        async_to_sync(presence.socket_opened)(device.terminal_id, CHANNEL)
        opened.append(device.terminal_id)
        return device

    yield mark
    for terminal_id in opened:
        async_to_sync(presence.socket_closed)(terminal_id, CHANNEL)


CHANNEL = "test-link-channel"
SOLD_AT = datetime(2026, 12, 4, 8, 15, tzinfo=UTC)  # 15:15 in Jakarta


def _heartbeat(device: Device, *, catalog_version: int, sold_at: datetime = SOLD_AT) -> None:
    status = LinkStatusV1(
        app_version="0.2.0",
        pending_sales=0,
        needs_attention=0,
        last_sale_at=sold_at,
        catalog_version=catalog_version,
    )
    assert link_status_record(device=device, status=status)


def test_the_row_shows_the_till_s_last_sale_its_catalog_and_whether_it_is_linked(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    linked: Callable[[PairedDevice], Device],
    demo_tenant: Tenant,
) -> None:
    owner = browser("demo.owner")
    paired = pair_device("main", "t1")
    assert paired.client.get(paired.url("sync/ping/")).status_code == 200
    row = _row(owner.get("/backoffice/sync/").text, "device-main-t1")
    # Heard from over HTTP only: online, but no socket; it never sent a heartbeat.
    assert re.search(r'<span class="muted" data-testid="link"[^>]*>(HTTP only|hanya HTTP)<', row)
    assert 'data-testid="catalog" data-behind="false"><span class="muted">–' in row
    device = linked(paired)
    with tenant_atomic(demo_tenant):
        current = catalog_version_current(tenant=demo_tenant)
    assert current > 0
    _heartbeat(device, catalog_version=current - 1)
    row = _row(owner.get("/backoffice/sync/").text, "device-main-t1")
    assert re.search(r'<span class="badge good" data-testid="link"[^>]*>\s*(linked|terhubung)', row)
    assert "4 Des 15:15" in row or "4 Dec 15:15" in row, row  # the till's own last sale
    assert 'data-behind="true"' in row and f"{current - 1}</span>" in row
    assert re.search(rf"(behind|tertinggal) {current}", row), row
    # Caught up: no mark. And a kitchen screen never shows an "Ask for status" button.
    _heartbeat(device, catalog_version=current)
    page = owner.get("/backoffice/sync/").text
    row = _row(page, "device-main-t1")
    assert f'data-testid="catalog" data-behind="false">{current}<' in row
    assert "/status/" in row and "/status/" not in _row(page, "device-main-k1")


def _batch_status(*, sold_at: datetime | None, catalog_version: int | None) -> dict[str, Any]:
    """A batch's `till_status` as a till sends it (None: left out, as by an older till)."""
    status: dict[str, Any] = {"pending_sales": 0, "needs_attention": 0, "app_version": "0.3.0"}
    if sold_at is not None:
        status["last_sale_at"] = sold_at.isoformat()
    if catalog_version is not None:
        status["catalog_version"] = catalog_version
    return status


def _push_batch(
    device: PairedDevice, products: dict[str, Product], till_status: dict[str, Any]
) -> None:
    """Two sales of one shift in one batch (the ingest's one-statement path on PostgreSQL)."""
    shift_id = uuid.uuid4()
    orders = [
        make_order(device, [(products["Espresso"], 1)], shift_id=shift_id).model_dump(mode="json")
        for _ in range(2)
    ]
    body = {"protocol_version": 1, "orders": orders, "till_status": till_status}
    answer = device.client.post(device.url("sync/orders/"), body, format="json")
    assert answer.status_code == 200, answer.content
    assert [result["status"] for result in answer.json()["results"]] == ["created", "created"]


def _held(tenant: Tenant, device: PairedDevice) -> tuple[datetime | None, int | None]:
    with tenant_atomic(tenant):
        status = DeviceStatus.objects.get(terminal_id=device.pairing.terminal_id)
    return status.last_sale_at, status.catalog_version


def test_an_unlinked_till_s_batch_shows_its_own_last_sale_and_catalog_on_the_row(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    """No socket, HTTP only: what the heartbeat would say comes with the till's pushes."""
    paired = pair_device("main", "t1")
    with tenant_atomic(demo_tenant):
        current = catalog_version_current(tenant=demo_tenant)
    _push_batch(paired, demo_products, _batch_status(sold_at=SOLD_AT, catalog_version=current - 1))
    row = _row(browser("demo.owner").get("/backoffice/sync/").text, "device-main-t1")
    assert re.search(r'<span class="muted" data-testid="link"[^>]*>(HTTP only|hanya HTTP)<', row)
    assert "4 Des 15:15" in row or "4 Dec 15:15" in row, row  # the till's own last sale
    assert 'data-behind="true"' in row and f"{current - 1}</span>" in row
    assert re.search(rf"(behind|tertinggal) {current}", row), row


def test_a_batch_moves_the_till_s_last_sale_and_catalog_forward_only(
    pair_device: Callable[..., PairedDevice],
    linked: Callable[[PairedDevice], Device],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    """A batch's status was read before its push; a heartbeat heard meanwhile is newer."""
    paired = pair_device("main", "t1")
    device = linked(paired)
    later = SOLD_AT + timedelta(hours=1)
    _heartbeat(device, catalog_version=7, sold_at=later)
    _push_batch(paired, demo_products, _batch_status(sold_at=SOLD_AT, catalog_version=6))
    assert _held(demo_tenant, paired) == (later, 7)
    # An events batch writes the status by the other path; an older till leaves both out.
    events = {
        "protocol_version": 1,
        "events": [],
        "till_status": _batch_status(sold_at=SOLD_AT, catalog_version=6),
    }
    assert paired.client.post(paired.url("sync/events/"), events, format="json").status_code == 200
    _push_batch(paired, demo_products, _batch_status(sold_at=None, catalog_version=None))
    assert _held(demo_tenant, paired) == (later, 7)
    latest = later + timedelta(minutes=5)
    _push_batch(paired, demo_products, _batch_status(sold_at=latest, catalog_version=8))
    assert _held(demo_tenant, paired) == (latest, 8)


def test_asking_a_linked_till_pushes_a_status_request_and_the_row_waits_for_the_answer(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    linked: Callable[[PairedDevice], Device],
    demo_tenant: Tenant,
) -> None:
    paired = pair_device("main", "t1")
    device = linked(paired)
    layer = get_channel_layer()
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(push.device_group(device.terminal_id), listener)
    owner = browser("demo.owner")
    token = csrf_from(owner.get("/backoffice/sync/").text)
    url = f"/backoffice/sync/{device.terminal_id}/status/"
    asked = owner.post(url, {"csrfmiddlewaretoken": token}, headers=HTMX)
    assert asked.status_code == 200, asked.content[:500]
    heard = async_to_sync(layer.receive)(listener)
    assert heard == {"type": push.STATUS_REQUEST_EVENT}
    row = asked.text
    assert 'data-testid="ask-said"' in row and 'hx-trigger="load delay:1s"' in row
    [poll] = re.findall(r'hx-get="([^"]+)"', row)
    poll = poll.replace("&amp;", "&")
    waiting = owner.get(poll, headers=HTMX)
    assert waiting.status_code == 200 and 'hx-trigger="load delay:1s"' in waiting.text
    _heartbeat(device, catalog_version=1, sold_at=SOLD_AT + timedelta(hours=1))
    answered = owner.get(poll, headers=HTMX).text
    assert 'hx-get="' not in answered  # the row stops polling
    assert re.search(r'class="badge good" data-testid="ask-said">(Answered|Dijawab) ', answered)
    assert "16:15" in answered  # the new last sale, in the row at once


def test_a_till_that_does_not_answer_is_said_to_and_an_unlinked_one_is_not_asked(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    linked: Callable[[PairedDevice], Device],
) -> None:
    owner = browser("demo.owner")
    token = csrf_from(owner.get("/backoffice/sync/").text)
    unlinked = pair_device("mall", "t1")
    url = f"/backoffice/sync/{unlinked.pairing.terminal_id}/status/"
    said = owner.post(url, {"csrfmiddlewaretoken": token}, headers=HTMX)
    assert said.status_code == 200
    assert re.search(
        r'class="badge warn" data-testid="ask-said">(Not linked|Tidak terhubung)', said.text
    )
    assert 'hx-get="' not in said.text
    quiet = linked(pair_device("main", "t1"))
    long_ago = int((datetime.now(UTC) - timedelta(seconds=30)).timestamp() * 1000)
    url = f"/backoffice/sync/{quiet.terminal_id}/status/?asked={long_ago}"
    late = owner.get(url, headers=HTMX).text
    assert re.search(r'class="badge bad" data-testid="ask-said">', late) and "10" in late
    for bad in ("yesterday", "-5", "9" * 40):
        assert owner.get(f"{url.split('?')[0]}?asked={bad}", headers=HTMX).status_code == 400
    # Without htmx (no script): back to the page, nothing broken.
    plain = owner.post(
        f"/backoffice/sync/{quiet.terminal_id}/status/", {"csrfmiddlewaretoken": token}
    )
    assert plain.status_code == 302 and plain.headers["Location"] == "/backoffice/sync/"


@pytest.mark.parametrize(
    ("username", "outlet", "expected"),
    [
        ("demo.owner", "main", 200),
        ("demo.admin", "main", 200),
        ("demo.manager", "main", 200),
        ("demo.manager", "mall", 404),  # another outlet's till is not theirs to see
        ("demo.owner", "mall", 200),
        ("rival.owner", "main", 404),  # another business's till is not found
    ],
)
def test_ask_for_status_follows_the_terminals_retrieve_cell_and_the_manager_s_outlet(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    username: str,
    outlet: str,
    expected: int,
) -> None:
    """docs/permissions.md: asking a till for its status is `terminals` retrieve (owner, admin,
    manager; a manager for their own outlet's devices only). Cashier and kitchen users are
    refused the back office altogether (`test_access`)."""
    assert is_allowed(Role.MANAGER, "terminals", "retrieve")
    assert not is_allowed(Role.CASHIER, "terminals", "retrieve")
    paired = pair_device(outlet, "t1")
    client = browser(username)
    token = csrf_from(client.get("/backoffice/sync/").text)
    url = f"/backoffice/sync/{paired.pairing.terminal_id}/status/"
    answer = client.post(url, {"csrfmiddlewaretoken": token}, headers=HTMX)
    assert answer.status_code == expected, answer.content[:300]
    assert client.get(url, headers=HTMX).status_code == expected
    forged = client.post(url, headers=HTMX)  # no CSRF token
    assert forged.status_code == 403


@pytest.mark.parametrize("username", ["demo.cashier", "demo.kitchen"])
def test_cashier_and_kitchen_users_may_not_ask_for_a_status(
    username: str, pair_device: Callable[..., PairedDevice]
) -> None:
    paired = pair_device("main", "t1")
    client = Client()
    refused = sign_in(client, username)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    url = f"/backoffice/sync/{paired.pairing.terminal_id}/status/"
    answer = client.post(url, headers=HTMX)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/backoffice/login/")


@pytest.mark.parametrize(
    ("role", "tenant", "expected"),
    [
        ("owner", "demo", 202),
        ("admin", "demo", 202),
        ("manager", "demo", 202),  # `terminals` retrieve, as on the sync health page
        ("cashier", "demo", 403),
        ("kitchen", "demo", 403),
        ("owner", "rival", 404),  # another business's till is not found
    ],
)
def test_the_status_request_api_asks_the_till_for_whoever_may_see_it(
    role_client: Callable[..., Any],
    pair_device: Callable[..., PairedDevice],
    linked: Callable[[PairedDevice], Device],
    role: str,
    tenant: str,
    expected: int,
) -> None:
    """POST `link/terminals/<id>/status-request/` follows the `terminals` retrieve cell, like
    the back office's "Ask for status": it reads nothing private and changes nothing stored."""
    device = linked(pair_device("main", "t1"))
    layer = get_channel_layer()
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(push.device_group(device.terminal_id), listener)
    client = role_client(role, tenant=tenant)
    url = f"/api/{tenant}/link/terminals/{device.terminal_id}/status-request/"
    answer = client.post(url)
    assert answer.status_code == expected, answer.content[:300]
    if expected == 202:
        assert async_to_sync(layer.receive)(listener) == {"type": push.STATUS_REQUEST_EVENT}
    unknown = client.post(f"/api/{tenant}/link/terminals/{uuid.uuid4()}/status-request/")
    assert unknown.status_code == (404 if expected != 403 else 403)
