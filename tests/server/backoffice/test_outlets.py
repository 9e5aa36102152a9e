"""Outlets page: add an outlet, change its kitchen station and ticket timers (amber before red,
the API's rule), add a till or a kitchen screen; managers see their outlet and add nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind
from tests.server.backoffice.conftest import post_form as _post

pytestmark = pytest.mark.django_db

PAGE = "/backoffice/outlets/"


def _outlet_fields(**changes: str) -> dict[str, str]:
    return {
        "code": "airport",
        "name": "Airport",
        "address": "Terminal 3",
        "default_kitchen_station": "bar",
        "ticket_amber_after_s": "120",
        "ticket_red_after_s": "240",
        **changes,
    }


def test_an_outlet_and_a_kitchen_screen_are_added_and_the_timers_changed(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    added = _post(client, PAGE, {"add": "outlet", **_outlet_fields()})
    assert added.status_code == 302, added.content[:2000]
    with tenant_atomic(demo_tenant):
        airport = Outlet.objects.get(code="airport")
    assert (airport.default_kitchen_station, airport.ticket_red_after_s) == ("bar", 240)
    again = _post(client, PAGE, {"add": "outlet", **_outlet_fields(name="Twice")})
    assert again.status_code == 400 and b'data-testid="error-code"' in again.content
    device = _post(
        client,
        PAGE,
        {
            "add": "device",
            "device-outlet": str(airport.id),
            "device-kind": "kitchen",
            "device-code": "k1",
            "device-name": "Airport kitchen",
        },
    )
    assert device.status_code == 302 and device["Location"].endswith("/terminals/")
    with tenant_atomic(demo_tenant):
        screen = Terminal.objects.get(outlet=airport, code="k1")
    assert screen.kind == TerminalKind.KITCHEN
    path = f"/backoffice/outlets/{airport.id}/"
    late = _post(client, path, _outlet_fields(ticket_amber_after_s="500"))
    assert late.status_code == 400 and b'data-testid="error-ticket_amber_after_s"' in late.content
    changed = _post(client, path, _outlet_fields(ticket_amber_after_s="60", code="ignored"))
    assert changed.status_code == 302
    with tenant_atomic(demo_tenant):
        airport.refresh_from_db()
    assert (airport.ticket_amber_after_s, airport.code) == (60, "airport")
    listing = client.get(PAGE).content.decode()
    row = listing[listing.index('data-testid="outlet-airport"') :].split("</tr>")[0]
    assert "k1 · " in row


def test_a_manager_sees_their_outlet_and_adds_nothing(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    page = client.get(PAGE).content.decode()
    assert 'data-testid="outlet-main"' in page and 'data-testid="outlet-mall"' not in page
    assert 'data-testid="outlet-form"' not in page and 'data-testid="device-form"' not in page
    refused = _post(client, PAGE, {"add": "outlet", **_outlet_fields()})
    assert refused.status_code == 403
    with tenant_atomic(demo_tenant):
        assert not Outlet.objects.filter(code="airport").exists()
        main = Outlet.objects.get(code="main")
    assert client.get(f"/backoffice/outlets/{main.id}/").status_code == 403
