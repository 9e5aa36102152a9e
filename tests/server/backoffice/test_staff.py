"""Staff pages: users are created and changed through the accounts services (rank rules), a PIN
is set or reset as a hash and never shown or logged, a user is deactivated; a manager works
within their outlet and below their rank."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client

from sync_server.accounts.models import User
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet, Tenant
from tests.server.backoffice.conftest import post_form as _post

pytestmark = pytest.mark.django_db

NEW = "/backoffice/staff/new/"


def _user(tenant: Tenant, username: str) -> User:
    with tenant_atomic(tenant):
        return User.objects.get(username=username)


def _reload(tenant: Tenant, user: User) -> None:
    with tenant_atomic(tenant):
        user.refresh_from_db()


def _outlet(tenant: Tenant, code: str) -> Outlet:
    with tenant_atomic(tenant):
        return Outlet.objects.get(code=code)


def test_a_new_cashier_gets_a_hashed_pin_that_is_never_shown_or_logged(
    browser: Callable[[str], Client], demo_tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = browser("demo.owner")
    mall = _outlet(demo_tenant, "mall")
    pin = "908172"
    answer = _post(
        client,
        NEW,
        {
            "username": "mall.cashier2",
            "full_name": "Sari",
            "role": "cashier",
            "outlet": str(mall.id),
            "pin": pin,
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content[:3000]
    sari = _user(demo_tenant, "mall.cashier2")
    assert sari.outlet_id == mall.id and sari.role == "cashier" and sari.is_active
    assert sari.pin_hash and pin not in sari.pin_hash and sari.check_pin(pin)
    listing = client.get("/backoffice/staff/").content.decode()
    page = client.get(f"/backoffice/staff/{sari.id}/").content.decode()
    assert "mall.cashier2" in listing and 'data-testid="pin-state"' in page
    assert pin not in listing and pin not in page and sari.pin_hash not in page
    assert pin not in caplog.text


def test_a_pin_is_reset_and_a_blank_one_keeps_the_old(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    cashier = _user(demo_tenant, "demo.cashier")
    path = f"/backoffice/staff/{cashier.id}/"
    base = {"full_name": "Cashier", "role": "cashier", "outlet": str(cashier.outlet_id)}
    answer = _post(client, path, {**base, "pin": "5678", "is_active": "on"})
    assert answer.status_code == 302, answer.content[:3000]
    _reload(demo_tenant, cashier)
    assert cashier.check_pin("5678") and not cashier.check_pin("3333")
    answer = _post(client, path, {**base, "is_active": "on"})
    assert answer.status_code == 302
    _reload(demo_tenant, cashier)
    assert cashier.check_pin("5678") and cashier.full_name == "Cashier"
    refused = _post(client, path, {**base, "pin": "12a", "is_active": "on"})
    assert refused.status_code == 400 and b'data-testid="error-pin"' in refused.content
    _reload(demo_tenant, cashier)
    assert cashier.check_pin("5678")


def test_deactivate_and_reactivate(browser: Callable[[str], Client], demo_tenant: Tenant) -> None:
    client = browser("demo.owner")
    kitchen = _user(demo_tenant, "demo.kitchen")
    page = f"/backoffice/staff/{kitchen.id}/"
    done = _post(client, f"{page}deactivate/", {"active": "0"}, form=page)
    assert done.status_code == 302
    _reload(demo_tenant, kitchen)
    assert kitchen.is_active is False
    assert b'data-testid="reactivate"' in client.get(page).content
    _post(client, f"{page}deactivate/", {"active": "1"}, form=page)
    _reload(demo_tenant, kitchen)
    assert kitchen.is_active is True


def test_a_manager_adds_cashiers_to_their_outlet_only_and_nobody_of_their_rank(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    manager = _user(demo_tenant, "demo.manager")
    mall = _outlet(demo_tenant, "mall")
    form = client.get(NEW).content.decode()
    assert 'value="manager"' not in form and 'value="admin"' not in form
    assert str(mall.id) not in form
    elsewhere = _post(
        client, NEW, {"username": "x.mall", "role": "cashier", "outlet": str(mall.id)}
    )
    assert elsewhere.status_code == 400
    too_high = _post(
        client, NEW, {"username": "x.boss", "role": "admin", "outlet": str(manager.outlet_id)}
    )
    assert too_high.status_code == 400
    fine = _post(
        client,
        NEW,
        {"username": "main.cashier2", "role": "cashier", "outlet": str(manager.outlet_id)},
    )
    assert fine.status_code == 302, fine.content[:3000]
    with tenant_atomic(demo_tenant):
        assert not User.objects.filter(username__in=["x.mall", "x.boss"]).exists()
        assert User.objects.get(username="main.cashier2").outlet_id == manager.outlet_id
    added = _user(demo_tenant, "main.cashier2")
    kept = _post(client, f"/backoffice/staff/{added.id}/", {"role": "cashier", "outlet": ""})
    assert kept.status_code == 302
    _reload(demo_tenant, added)
    assert added.outlet_id == manager.outlet_id  # a manager cannot send staff out of the outlet
    owner = _user(demo_tenant, "demo.owner")
    # The owner has no outlet: outside a manager's outlet, hence not found.
    assert client.get(f"/backoffice/staff/{owner.id}/").status_code == 404
    # A user of their own rank is shown but not changed (the service's rank rule).
    own = client.get(f"/backoffice/staff/{manager.id}/")
    assert own.status_code == 200 and b'data-testid="save-staff"' not in own.content
    refused = _post(client, f"/backoffice/staff/{manager.id}/", {"role": "manager"})
    assert refused.status_code == 403


def test_a_taken_username_is_a_form_error_and_rival_sees_none_of_demos_staff(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    taken = _post(client, NEW, {"username": "rival.owner", "role": "cashier"})
    assert taken.status_code == 400 and b'data-testid="error-username"' in taken.content
    cashier = _user(demo_tenant, "demo.cashier")
    rival = browser("rival.owner")
    assert rival.get(f"/backoffice/staff/{cashier.id}/").status_code == 404
    forged = rival.post(f"/backoffice/staff/{cashier.id}/deactivate/", {"active": "0"})
    assert forged.status_code == 403  # no CSRF token
    _reload(demo_tenant, cashier)
    assert cashier.is_active
