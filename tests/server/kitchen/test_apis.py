"""Kitchen HTTP endpoints: idempotent actions, recall-last, the speed-report list, refusals in
the one error shape."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenTicket
from sync_server.kitchen.services import kitchen_ticket_bump
from sync_server.tenants.models import Outlet, Tenant

from .conftest import kitchen_lines, pair_device, place_order

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field", "code"}


def action_url(ticket: KitchenTicket, action: str) -> str:
    return f"/api/demo/kitchen/tickets/{ticket.id}/{action}/"


def test_bump_twice_with_one_request_id_bumps_once_and_recall_brings_it_back(
    demo_tenant: Tenant, main_outlet: Outlet, role_client: Callable[..., APIClient]
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    kitchen = role_client("kitchen")
    request_id = str(uuid.uuid4())
    first = kitchen.post(action_url(ticket, "bump"), {"request_id": request_id}, format="json")
    again = kitchen.post(action_url(ticket, "bump"), {"request_id": request_id}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "done"
    assert again.json() == first.json()
    recalled = kitchen.post(
        f"/api/demo/kitchen/outlets/{main_outlet.id}/recall/", {"station": "grill"}, format="json"
    )
    assert recalled.status_code == 200 and recalled.json()["id"] == str(ticket.id)
    assert recalled.json()["status"] == "new"
    assert recalled.json()["sequence"] == first.json()["sequence"] + 1


def test_a_paired_kitchen_screen_may_act_over_http_but_a_till_may_not(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    screen, till = APIClient(), APIClient()
    screen.credentials(HTTP_AUTHORIZATION=f"Bearer {pair_device(demo_tenant, 'k1')}")
    till.credentials(HTTP_AUTHORIZATION=f"Bearer {pair_device(demo_tenant, 't1')}")
    refused = till.post(action_url(ticket, "start"), {}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS
    started = screen.post(action_url(ticket, "start"), {}, format="json")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "started"
    elsewhere = screen.post(
        action_url(ticket, "bump").replace("/demo/", "/rival/"), {}, format="json"
    )
    assert elsewhere.status_code == 403


def test_bump_item_needs_a_line_and_an_unknown_line_is_a_field_error(
    demo_tenant: Tenant, main_outlet: Outlet, role_client: Callable[..., APIClient]
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    kitchen = role_client("kitchen")
    missing = kitchen.post(action_url(ticket, "bump_item"), {}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "line_id"
    unknown = kitchen.post(
        action_url(ticket, "bump_item"), {"line_id": str(uuid.uuid4())}, format="json"
    )
    assert unknown.status_code == 400
    assert set(unknown.json()) == ERROR_KEYS and unknown.json()["code"] == "unknown_line"
    line_id = ticket.items[0]["line_id"]
    done = kitchen.post(action_url(ticket, "bump_item"), {"line_id": line_id}, format="json")
    assert done.status_code == 200 and done.json()["items"][0]["done"] is True
    assert done.json()["status"] == "done"  # its only item: the ticket is done too


def test_speed_report_lists_tickets_with_prep_time(
    demo_tenant: Tenant, main_outlet: Outlet, role_client: Callable[..., APIClient]
) -> None:
    grill_ticket = next(
        t
        for t in place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"))
        if t.station == "grill"
    )
    manager = role_client("manager")
    manager.post(action_url(grill_ticket, "bump"), {}, format="json")
    listed = manager.get("/api/demo/kitchen/tickets/", {"station": "grill"})
    assert listed.status_code == 200, listed.content
    [row] = listed.json()["results"]
    assert row["id"] == str(grill_ticket.id) and row["status"] == "done"
    assert isinstance(row["prep_seconds"], int) and row["prep_seconds"] >= 0
    open_only = manager.get("/api/demo/kitchen/tickets/", {"status": "new"}).json()["results"]
    assert [r["station"] for r in open_only] == ["bar"] and open_only[0]["prep_seconds"] is None


def test_speed_report_per_station_uses_stored_times(
    demo_tenant: Tenant, main_outlet: Outlet, role_client: Callable[..., APIClient]
) -> None:
    tickets = [
        t for _ in range(3) for t in place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    ]
    place_order(demo_tenant, main_outlet, kitchen_lines("bar"))
    for minutes, ticket in zip((2, 4, 9), tickets, strict=True):
        kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id)
        with tenant_atomic(demo_tenant):  # as if it had been cooked for `minutes`
            KitchenTicket.objects.filter(id=ticket.id).update(
                created_at=timezone.now() - timedelta(minutes=minutes)
            )
    answer = role_client("manager").get("/api/demo/kitchen/speed/")
    assert answer.status_code == 200, answer.content
    by_station = {row["station"]: row for row in answer.json()}
    grill, bar = by_station["grill"], by_station["bar"]
    assert (grill["done"], grill["open"], bar["done"], bar["open"]) == (3, 0, 0, 1)
    assert abs(grill["median_prep_seconds"] - 240) <= 2
    assert abs(grill["p90_prep_seconds"] - 540) <= 2
    assert bar["median_prep_seconds"] is None


@pytest.mark.parametrize(("role", "tenant"), [("cashier", "demo"), ("owner", "rival")])
def test_other_roles_and_tenants_are_refused(
    role: str,
    tenant: str,
    demo_tenant: Tenant,
    main_outlet: Outlet,
    role_client: Callable[..., APIClient],
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    answer = role_client(role, tenant=tenant).post(action_url(ticket, "bump"), {}, format="json")
    assert answer.status_code == 403
    assert set(answer.json()) == ERROR_KEYS
    with tenant_atomic(demo_tenant):
        assert KitchenTicket.objects.get(id=ticket.id).status == "new"


def test_unknown_ticket_and_action_are_404(role_client: Callable[..., APIClient]) -> None:
    kitchen = role_client("kitchen")
    missing = kitchen.post(f"/api/demo/kitchen/tickets/{uuid.uuid4()}/bump/", {}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = kitchen.post(f"/api/demo/kitchen/tickets/{uuid.uuid4()}/explode/", {}, format="json")
    assert wrong.status_code == 404
