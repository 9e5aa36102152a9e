"""Audit log: a change made in the back office and one made over the API are both recorded
(who, when, what, before and after) in the change's transaction, tenant-scoped; secrets are
only marked as changed; devices are not people; the page filters and is the owners'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from sync_server.accounts.models import User
from sync_server.backoffice.models import AuditEntry
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.backoffice.conftest import post_form as _post

pytestmark = pytest.mark.django_db


def _entries(tenant: Tenant, **filters: Any) -> list[AuditEntry]:
    with tenant_atomic(tenant):
        return list(AuditEntry.objects.filter(**filters).order_by("id"))


def test_a_back_office_edit_and_an_api_patch_are_both_recorded(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    client_for: Callable[[User], APIClient],
    user_of: Callable[..., User],
) -> None:
    with tenant_atomic(demo_tenant):
        espresso = Product.objects.get(name="Espresso")
    owner = browser("demo.owner")
    page = f"/backoffice/products/{espresso.id}/"
    answer = _post(
        owner,
        page,
        {
            "sku": espresso.sku,
            "name": "Espresso",
            "price": "Rp 19.500",
            "cost": "6.000",
            "is_active": "on",
            "category": str(espresso.category_id),
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    (entry,) = _entries(demo_tenant, entity="catalog.product", object_id=str(espresso.id))
    assert (entry.actor_name, entry.via, entry.action) == ("demo.owner", "backoffice", "update")
    assert entry.before is not None and entry.after is not None
    assert entry.before["price_minor"] == espresso.price_minor
    assert entry.after["price_minor"] == 19_500 and "version" not in entry.after
    api = client_for(user_of("manager"))
    patched = api.patch(
        f"/api/demo/products/{espresso.id}/", {"name": "Espresso Doppio"}, format="json"
    )
    assert patched.status_code == 200, patched.content
    last = _entries(demo_tenant, entity="catalog.product", object_id=str(espresso.id))[-1]
    assert (last.actor_name, last.via) == ("demo.manager", "api")
    assert last.before == {"name": "Espresso"} and last.after == {"name": "Espresso Doppio"}
    # The rival tenant sees none of it.
    rival = Tenant.objects.get(slug="rival")
    with tenant_atomic(rival):
        assert not AuditEntry.objects.filter(object_id=str(espresso.id)).exists()


def test_a_pin_change_is_marked_never_stored_and_a_create_and_delete_are_named(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    owner = browser("demo.owner")
    with tenant_atomic(demo_tenant):
        cashier = User.objects.get(username="demo.cashier")
    answer = _post(
        owner,
        f"/backoffice/staff/{cashier.id}/",
        {
            "full_name": cashier.full_name,
            "role": "cashier",
            "outlet": str(cashier.outlet_id),
            "pin": "6061",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302
    (entry,) = _entries(demo_tenant, entity="accounts.user")
    assert entry.after == {"pin_hash": "••••"} and "6061" not in str(entry.before)
    with tenant_atomic(demo_tenant):
        assert "6061" not in str(list(AuditEntry.objects.values_list("before", "after")))
    created = _post(
        owner,
        "/backoffice/promotions/new/",
        {"name": "Audit me", "kind": "percent_off", "percent": "5", "is_active": "on"},
    )
    assert created.status_code == 302
    (made,) = _entries(demo_tenant, entity="promotions.promotion", action="create")
    assert made.before is None and made.after["name"] == "Audit me"  # type: ignore[index]
    token = csrf_from(owner.get(f"/backoffice/promotions/{made.object_id}/").text)
    owner.post(f"/backoffice/promotions/{made.object_id}/delete/", {"csrfmiddlewaretoken": token})
    assert _entries(demo_tenant, entity="promotions.promotion", action="delete")


def test_the_page_filters_and_is_for_owners_and_admins(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    owner = browser("demo.owner")
    _post(owner, "/backoffice/categories/", {"name": "Audited", "colour": "#123456"})
    _post(
        owner,
        "/backoffice/promotions/new/",
        {"name": "Filtered", "kind": "percent_off", "percent": "5", "is_active": "on"},
    )
    everything = owner.get("/backoffice/audit/").content.decode()
    assert "Audited" in everything and "Filtered" in everything
    only = owner.get("/backoffice/audit/?entity=catalog.category").content.decode()
    assert "Audited" in only and "Filtered" not in only
    assert owner.get("/backoffice/audit/?q=nothing-like-it").content.count(b"audit-entry") == 0
    today = timezone.now().astimezone(ZoneInfo(demo_tenant.time_zone)).date()
    since_today = owner.get(f"/backoffice/audit/?date_from={today}").content
    assert since_today.count(b'data-testid="audit-entry"') == 2
    before_today = owner.get(f"/backoffice/audit/?date_to={today - timedelta(days=1)}").content
    assert before_today.count(b'data-testid="audit-entry"') == 0
    assert browser("demo.manager").get("/backoffice/audit/").status_code == 403


def test_a_change_with_no_person_behind_it_is_not_audited(demo_tenant: Tenant) -> None:
    """(Jobs and commands run outside any request; devices are not users.)"""
    with tenant_atomic(demo_tenant):
        product = Product.objects.get(name="Espresso")
        product.name = "Quiet"
        product.save()
        assert not AuditEntry.objects.exists()
