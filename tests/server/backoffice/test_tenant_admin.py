"""Super admin pages: a business is registered with its first owner (both or neither), and a
suspended business keeps every row while its paired devices get a clear 403 on sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sync_server.accounts.models import User
from sync_server.backoffice.models import AuditEntry
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from, post_form, sign_in
from tests.server.sync.conftest import PairedDevice

pytestmark = pytest.mark.django_db

NEW = "/backoffice/tenants/new/"


def _business(**changes: str) -> dict[str, Any]:
    return {
        "slug": "warung-baru",
        "name": "Warung Baru",
        "currency": "IDR",
        "time_zone": "Asia/Makassar",
        "owner_username": "baru.owner",
        "owner_full_name": "Ibu Baru",
        "owner_password": "a-long-password",
        **changes,
    }


def test_a_business_is_registered_with_its_first_owner_who_can_sign_in(
    browser: Callable[[str], Client],
) -> None:
    root = browser("root")
    answer = post_form(root, NEW, _business())
    assert answer.status_code == 302, answer.content[:2000]
    tenant = Tenant.objects.get(slug="warung-baru")
    assert (tenant.time_zone, tenant.is_active) == ("Asia/Makassar", True)
    with tenant_atomic(tenant):
        owner = User.objects.get(username="baru.owner")
    assert owner.role == "owner" and owner.check_password("a-long-password")
    with tenant_atomic(tenant):
        (made,) = AuditEntry.objects.filter(entity="accounts.user")
    assert (made.actor_name, made.action, made.object_repr) == ("root", "create", "baru.owner")
    assert made.after is not None and "a-long-password" not in str(made.after)
    signed_in = Client(enforce_csrf_checks=True)
    assert sign_in(signed_in, "baru.owner", "a-long-password").status_code == 302  # type: ignore[attr-defined]
    assert b"Warung Baru" in signed_in.get("/backoffice/").content


def test_a_refused_owner_leaves_no_business_behind(browser: Callable[[str], Client]) -> None:
    root = browser("root")
    taken = post_form(root, NEW, _business(slug="twice", owner_username="demo.owner"))
    assert taken.status_code == 400 and b'data-testid="error-owner_username"' in taken.content
    assert not Tenant.objects.filter(slug="twice").exists()
    again = post_form(root, NEW, _business(slug="demo"))
    assert again.status_code == 400 and b'data-testid="error-slug"' in again.content


def test_only_a_super_admin_registers_or_suspends(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    owner = browser("demo.owner")
    assert owner.get(NEW).status_code == 403
    token_page = owner.get("/backoffice/").text
    refused = owner.post(
        "/backoffice/tenants/demo/suspend/",
        {"active": "0", "csrfmiddlewaretoken": csrf_from(token_page)},
    )
    assert refused.status_code == 403
    demo_tenant.refresh_from_db()
    assert demo_tenant.is_active


def test_a_suspended_business_keeps_its_rows_and_its_devices_get_a_clear_403(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device("main", "t1")
    assert device.client.get(device.url("sync/catalog/")).status_code == 200
    with tenant_atomic(demo_tenant):
        orders_before = Order.objects.count()
    root = browser("root")
    suspended = post_form(
        root, "/backoffice/tenants/demo/suspend/", {"active": "0"}, form="/backoffice/tenants/"
    )
    assert suspended.status_code == 302
    demo_tenant.refresh_from_db()
    assert demo_tenant.is_active is False and demo_tenant.deleted_at is None
    with tenant_atomic(demo_tenant):
        logged = AuditEntry.objects.get(entity="tenants.tenant", actor_name="root")
    assert logged.after == {"is_active": False}
    refused = device.client.get(device.url("sync/catalog/"))
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "tenant_suspended"
    refreshed = device.client.post(
        "/api/auth/token/refresh/", {"refresh": device.pairing.refresh}, format="json"
    )
    assert refreshed.status_code == 403 and refreshed.json()["code"] == "tenant_suspended"
    with tenant_atomic(demo_tenant):
        assert Order.objects.count() == orders_before
    assert b'data-testid="resume"' in root.get("/backoffice/tenants/").content
    post_form(
        root, "/backoffice/tenants/demo/suspend/", {"active": "1"}, form="/backoffice/tenants/"
    )
    assert device.client.get(device.url("sync/catalog/")).status_code == 200
