"""Back-office access: sign-in, throttling shared with the API, roles, outlets, tenants, CSRF."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant, Terminal
from tests.server.backoffice.conftest import csrf_from, sign_in
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_back_office_and_it_asks_for_sign_in() -> None:
    client = Client()
    assert client.get("/").headers["Location"] == "/backoffice/"
    answer = client.get("/backoffice/orders/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/backoffice/login/?next=/backoffice/orders/")


def test_owner_signs_in_sees_the_dashboard_and_signs_out(browser: Callable[[str], Client]) -> None:
    client = browser("demo.owner")
    page = client.get("/backoffice/")
    assert page.status_code == 200
    assert "Kopi Kiosk" in page.text or "demo" in page.text
    assert 'data-testid="value-net-sales"' in page.text
    client.post("/backoffice/logout/", {"csrfmiddlewaretoken": csrf_from(page.text)})
    assert client.get("/backoffice/").status_code == 302


def test_a_copied_session_cookie_is_worthless_after_sign_out(
    browser: Callable[[str], Client],
) -> None:
    client = browser("demo.owner")
    cookie = client.cookies["sessionid"].value
    page = client.get("/backoffice/")
    client.post("/backoffice/logout/", {"csrfmiddlewaretoken": csrf_from(page.text)})
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/backoffice/").status_code == 302


def test_wrong_password_is_refused_and_counts_toward_the_api_throttle() -> None:
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "demo.owner", "wrong").status_code == 401  # type: ignore[attr-defined]
    api = APIClient()
    for _ in range(4):
        api.post("/api/auth/token/", {"username": "demo.owner", "password": "wrong"})
    # Five failures in all (one in the form, four over the API): even the right password waits.
    throttled = sign_in(client, "demo.owner")
    assert throttled.status_code == 429  # type: ignore[attr-defined]
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value


@pytest.mark.parametrize("username", ["demo.cashier", "demo.kitchen"])
def test_cashier_and_kitchen_are_refused_the_back_office(username: str) -> None:
    client = Client(enforce_csrf_checks=True)
    answer = sign_in(client, username)
    assert answer.status_code == 403  # type: ignore[attr-defined]
    assert client.get("/backoffice/").status_code == 302  # no session was started


def test_a_form_posted_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/backoffice/login/")
    answer = client.post("/backoffice/login/", {"username": "demo.owner", "password": "kiosk-demo"})
    assert answer.status_code == 403
    assert client.get("/backoffice/").status_code == 302


def test_signed_in_post_without_csrf_token_is_refused(
    browser: Callable[[str], Client], demo_tenant: Tenant, in_tenant: Callable[..., object]
) -> None:
    client = browser("demo.owner")
    with in_tenant(demo_tenant):  # type: ignore[attr-defined]
        terminal = Terminal.objects.filter(kind="terminal").first()
    assert terminal is not None
    answer = client.post(f"/backoffice/terminals/{terminal.id}/revoke/")
    assert answer.status_code == 403
    with in_tenant(demo_tenant):  # type: ignore[attr-defined]
        terminal.refresh_from_db()
    assert terminal.status == "active"


def _demo_order(pair_device: Callable[..., PairedDevice], products: dict, outlet: str) -> Order:
    device = pair_device(outlet, "t1")
    order = make_order(
        device,
        [(products["Kopi Susu"], 2)],
        shift_id=uuid.uuid4(),
        at=datetime.now(UTC) - timedelta(minutes=5),
    )
    assert device.push_orders(order).status_code == 200
    tenant = Tenant.objects.get(slug="demo")
    from sync_server.common.tenancy import tenant_atomic

    with tenant_atomic(tenant):
        return Order.objects.get(id=order.id)


def test_every_url_with_a_demo_object_id_answers_404_to_rival_owner(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict,
    demo_tenant: Tenant,
    in_tenant: Callable[..., object],
) -> None:
    order = _demo_order(pair_device, demo_products, "main")
    with in_tenant(demo_tenant):  # type: ignore[attr-defined]
        terminal = Terminal.objects.get(id=order.terminal_id)
    client = browser("rival.owner")
    page = client.get("/backoffice/")
    token = csrf_from(page.text)
    assert client.get(f"/backoffice/orders/{order.id}/").status_code == 404
    for action in ("pairing-code", "revoke"):
        answer = client.post(
            f"/backoffice/terminals/{terminal.id}/{action}/", {"csrfmiddlewaretoken": token}
        )
        assert answer.status_code == 404, action
    listing = client.get("/backoffice/orders/")
    assert order.receipt_number not in listing.text
    health = client.get("/backoffice/sync/")
    assert terminal.name not in health.text or "Rival" in terminal.name
    # ...and the demo owner does see them.
    owner = browser("demo.owner")
    detail = owner.get(f"/backoffice/orders/{order.id}/")
    assert detail.status_code == 200 and order.receipt_number in detail.text


def test_a_manager_sees_only_their_outlet(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict,
    demo_tenant: Tenant,
    in_tenant: Callable[..., object],
) -> None:
    own = _demo_order(pair_device, demo_products, "main")
    other = _demo_order(pair_device, demo_products, "mall")
    client = browser("demo.manager")
    assert client.get(f"/backoffice/orders/{own.id}/").status_code == 200
    assert client.get(f"/backoffice/orders/{other.id}/").status_code == 404
    listing = client.get("/backoffice/orders/").text
    assert own.receipt_number in listing and other.receipt_number not in listing
    # Asking for the other outlet in the URL changes nothing.
    dashboard = client.get(f"/backoffice/?outlet={other.outlet_id}")
    assert dashboard.status_code == 200
    assert f'<option value="{other.outlet_id}"' not in dashboard.text
    assert f'<option value="{own.outlet_id}"' in dashboard.text
    # Managers read terminals but may not revoke them (the API's matrix cell).
    page = client.get("/backoffice/terminals/")
    answer = client.post(
        f"/backoffice/terminals/{own.terminal_id}/revoke/",
        {"csrfmiddlewaretoken": csrf_from(page.text)},
    )
    assert answer.status_code == 403


def test_a_super_admin_picks_a_tenant_first(browser: Callable[[str], Client]) -> None:
    client = browser("root")
    first = client.get("/backoffice/")
    assert first.status_code == 302 and first.headers["Location"] == "/backoffice/tenants/"
    picker = client.get("/backoffice/tenants/")
    assert "rival" in picker.text and "demo" in picker.text
    client.post(
        "/backoffice/tenants/", {"tenant": "demo", "csrfmiddlewaretoken": csrf_from(picker.text)}
    )
    assert client.get("/backoffice/").status_code == 200


def test_shift_reports_follow_tenant_and_outlet(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict,  # type: ignore[type-arg]
) -> None:
    own = _demo_order(pair_device, demo_products, "main")
    other = _demo_order(pair_device, demo_products, "mall")
    owner = browser("demo.owner")
    report = owner.get(f"/backoffice/shifts/{own.shift_id}/")
    assert report.status_code == 200 and 'data-testid="z-report"' in report.text
    manager = browser("demo.manager")
    assert manager.get(f"/backoffice/shifts/{own.shift_id}/").status_code == 200
    assert manager.get(f"/backoffice/shifts/{other.shift_id}/").status_code == 404
    rival = browser("rival.owner")
    assert rival.get(f"/backoffice/shifts/{own.shift_id}/").status_code == 404


def test_staff_list_follows_the_tenant_and_the_managers_outlet(
    browser: Callable[[str], Client],
) -> None:
    owner = browser("demo.owner").get("/backoffice/staff/").text
    assert 'data-testid="user-demo.cashier"' in owner and "rival.owner" not in owner
    assert "pbkdf2" not in owner  # a PIN is "set", never shown
    manager = browser("demo.manager").get("/backoffice/staff/").text
    assert 'data-testid="user-demo.cashier"' in manager
    assert 'data-testid="user-demo.owner"' not in manager  # no outlet: not the manager's
    assert browser("rival.owner").get("/backoffice/staff/").text.count("demo.") == 0
