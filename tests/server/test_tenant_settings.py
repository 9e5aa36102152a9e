"""Tenant settings the protocol carries: the discount approval threshold and whether the service
charge is taxed. REST (validation, roles, super admin), the catalog feed as a paired till reads
it, and the server's re-pricing of an order priced with an untaxed service charge."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from shared.pricing import ServiceCharge
from shared.protocol import CatalogPageV1, TenantSettingsV1
from sync_server.accounts.models import Role
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant
from tests.server.sync import conftest as sync_fixtures
from tests.server.sync.conftest import (  # noqa: F401 (fixtures)
    FreshWorld,
    PairedDevice,
    demo_products,
    fresh_world,
    make_order,
    pair_device,
    pair_through_api,
)

SETTINGS = "/api/demo/settings/"
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)


def _stored(slug: str = "demo") -> Tenant:
    return Tenant.objects.get(slug=slug)


# --- REST -------------------------------------------------------------------------------------


def test_defaults_are_ten_percent_and_a_taxed_service_charge(
    role_client: Callable[..., APIClient],
) -> None:
    body = role_client(Role.CASHIER).get(SETTINGS).json()
    assert (body["approval_discount_threshold_bp"], body["service_charge_taxed"]) == (1000, True)
    created = role_client(Role.SUPER_ADMIN).post(
        "/api/tenants/", {"slug": "newbiz", "name": "New"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["approval_discount_threshold_bp"] == 1000
    assert created.json()["service_charge_taxed"] is True


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_change_both(
    demo_tenant: Tenant, role_client: Callable[..., APIClient], role: str
) -> None:
    answer = role_client(role).patch(
        SETTINGS,
        {"approval_discount_threshold_bp": 2500, "service_charge_taxed": False},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["approval_discount_threshold_bp"] == 2500
    assert answer.json()["service_charge_taxed"] is False
    stored = _stored()
    assert (stored.approval_discount_threshold_bp, stored.service_charge_taxed) == (2500, False)
    assert stored.version > demo_tenant.version  # the change ships to terminals


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER, Role.KITCHEN])
def test_staff_below_admin_cannot_change_them(
    role_client: Callable[..., APIClient], role: str
) -> None:
    answer = role_client(role).patch(SETTINGS, {"approval_discount_threshold_bp": 0}, format="json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "role_forbidden"
    assert _stored().approval_discount_threshold_bp == 1000


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"approval_discount_threshold_bp": -1}, "approval_discount_threshold_bp", "min_value"),
        (
            {"approval_discount_threshold_bp": 10_001},
            "approval_discount_threshold_bp",
            "max_value",
        ),
        ({"approval_discount_threshold_bp": "500"}, "approval_discount_threshold_bp", "invalid"),
        ({"approval_discount_threshold_bp": 2.5}, "approval_discount_threshold_bp", "invalid"),
        ({"approval_discount_threshold_bp": True}, "approval_discount_threshold_bp", "invalid"),
        ({"service_charge_taxed": "no"}, "service_charge_taxed", "invalid"),
        ({"service_charge_taxed": 0}, "service_charge_taxed", "invalid"),
        ({"service_charge_taxed": None}, "service_charge_taxed", "null"),
    ],
)
def test_bad_values_are_a_400_in_the_error_shape(
    demo_tenant: Tenant,
    role_client: Callable[..., APIClient],
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    answer = role_client(Role.OWNER).patch(SETTINGS, body, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"] == "validation_error"
    assert (answer.json()["field"], answer.json()["code"]) == (field, code)
    stored = _stored()
    assert (stored.approval_discount_threshold_bp, stored.service_charge_taxed) == (1000, True)


def test_the_super_admin_sets_and_validates_them_on_a_tenant(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    root = role_client(Role.SUPER_ADMIN)
    url = f"/api/tenants/{demo_tenant.id}/"
    bounds = root.patch(url, {"approval_discount_threshold_bp": 10_000}, format="json")
    assert bounds.status_code == 200, bounds.content
    zero = root.patch(
        url, {"approval_discount_threshold_bp": 0, "service_charge_taxed": False}, format="json"
    )
    assert zero.status_code == 200, zero.content
    assert (
        zero.json()["approval_discount_threshold_bp"],
        zero.json()["service_charge_taxed"],
    ) == (0, False)
    over = root.patch(url, {"approval_discount_threshold_bp": 10_001}, format="json")
    assert over.status_code == 400
    assert (over.json()["field"], over.json()["code"]) == (
        "approval_discount_threshold_bp",
        "max_value",
    )
    assert _stored().approval_discount_threshold_bp == 0
    created = root.post(
        "/api/tenants/",
        {"slug": "bigdeal", "name": "Big", "approval_discount_threshold_bp": 20_000},
        format="json",
    )
    assert created.status_code == 400
    assert not Tenant.objects.filter(slug="bigdeal").exists()


def test_owners_of_a_tenant_cannot_use_the_tenants_resource(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    answer = role_client(Role.OWNER).patch(
        f"/api/tenants/{demo_tenant.id}/", {"service_charge_taxed": False}, format="json"
    )
    assert answer.status_code == 403
    assert _stored().service_charge_taxed is True


# --- the catalog feed ---------------------------------------------------------------------------


def test_a_paired_till_reads_both_in_the_feed(fresh_world: FreshWorld) -> None:  # noqa: F811
    """Committed rows (the PostgreSQL feed serves only finished transactions)."""
    tenant = fresh_world.tenant
    with tenant_atomic(None):
        tenant.approval_discount_threshold_bp = 1500
        tenant.service_charge_taxed = False
        tenant.save()
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    sent: TenantSettingsV1 | None = None
    since, deadline = "", time.monotonic() + 60
    while sent is None:
        assert time.monotonic() < deadline, "the feed never sent the tenant settings"
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": 100})
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        for change in page.changes:
            if change.id == tenant.id and change.data is not None:
                data = change.typed_data()
                assert isinstance(data, TenantSettingsV1)
                sent = data
        since = page.next_cursor
        if sent is None and not page.has_more:
            time.sleep(0.2)
    assert (sent.approval_discount_threshold_bp, sent.service_charge_taxed) == (1500, False)


# --- re-pricing -----------------------------------------------------------------------------------


def _priced_as_terminal(monkeypatch: pytest.MonkeyPatch, *, taxed: bool) -> None:
    """Make `make_order` price the service charge taxed or untaxed, as a terminal would."""
    engine_rules = sync_fixtures._engine_rules

    def rules(tenant: Tenant) -> dict[str, Any]:
        found = engine_rules(tenant)
        charge = found["service_charge"]
        assert charge is not None, "the demo tenant charges service"
        found["service_charge"] = ServiceCharge(rate_bp=charge.rate_bp, taxed=taxed)
        return found

    monkeypatch.setattr(sync_fixtures, "_engine_rules", rules)


def test_an_untaxed_service_charge_reprices_without_a_mismatch(
    demo_tenant: Tenant,
    pair_device: Callable[..., PairedDevice],  # noqa: F811
    demo_products: dict[str, Product],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Tenant.objects.filter(id=demo_tenant.id).update(service_charge_taxed=False)
    device = pair_device()
    items = [(demo_products["Mocha"], 2), (demo_products["Espresso"], 1)]
    _priced_as_terminal(monkeypatch, taxed=False)
    untaxed = make_order(device, items, shift_id=uuid.uuid4(), at=AT)
    _priced_as_terminal(monkeypatch, taxed=True)
    taxed = make_order(device, items, shift_id=uuid.uuid4(), at=AT)
    assert untaxed.service_charge_minor > 0
    assert taxed.tax_minor > untaxed.tax_minor  # the setting changes the bill

    answer = device.push_orders(untaxed, taxed)
    assert answer.status_code == 200, answer.content
    results = {r["id"]: r for r in answer.json()["results"]}
    assert results[str(untaxed.id)]["status"] == "created"
    assert results[str(untaxed.id)]["flags"] == []
    assert "price_mismatch" in results[str(taxed.id)]["flags"]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=untaxed.id)
    assert stored.server_total_minor == untaxed.total_minor
    assert stored.price_difference_minor == 0
