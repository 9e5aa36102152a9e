"""Tenant isolation for every resource: by id, by URL slug, by filter, by foreign references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from sync_server.catalog.models import Category, ModifierGroup, Product, TaxRate
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet, Tenant
from tests.server.resources import TENANT_CASES, ResourceCase

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field", "code"}


@pytest.fixture
def demo_owner(role_client: Callable[..., APIClient]) -> APIClient:
    return role_client("owner")


def _error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.content
    body: dict[str, Any] = answer.json()
    assert set(body) == ERROR_KEYS
    return body


@pytest.mark.parametrize("case", TENANT_CASES, ids=lambda case: case.name)
def test_foreign_object_by_id_is_not_found(
    case: ResourceCase, demo_owner: APIClient, rival_tenant: Tenant
) -> None:
    foreign = case.make_in(rival_tenant)
    url = case.detail_url("demo", foreign.pk)
    _error(demo_owner.get(url), 404)
    _error(demo_owner.patch(url, case.update, format="json"), 404)
    _error(demo_owner.delete(url), 404)
    with tenant_atomic(rival_tenant):
        survivor = type(foreign).objects.get(pk=foreign.pk)
    assert survivor.deleted_at is None and survivor.version == foreign.version


@pytest.mark.parametrize("case", TENANT_CASES, ids=lambda case: case.name)
def test_foreign_tenant_url_is_forbidden(
    case: ResourceCase, demo_owner: APIClient, rival_tenant: Tenant
) -> None:
    foreign = case.make_in(rival_tenant)
    with tenant_atomic(rival_tenant):
        payload = case.create(rival_tenant)
    for answer in (
        demo_owner.get(case.list_url("rival")),
        demo_owner.get(case.detail_url("rival", foreign.pk)),
        demo_owner.post(case.list_url("rival"), payload, format="json"),
        demo_owner.patch(case.detail_url("rival", foreign.pk), case.update, format="json"),
        demo_owner.delete(case.detail_url("rival", foreign.pk)),
    ):
        assert _error(answer, 403)["code"] == "tenant_mismatch"


@pytest.mark.parametrize("case", TENANT_CASES, ids=lambda case: case.name)
def test_lists_never_contain_foreign_rows(
    case: ResourceCase, demo_owner: APIClient, rival_tenant: Tenant
) -> None:
    foreign = case.make_in(rival_tenant)
    ids = {
        row["id"]
        for row in demo_owner.get(case.list_url("demo") + "?page_size=500").json()["results"]
    }
    assert ids and str(foreign.pk) not in ids


@pytest.mark.parametrize("case", TENANT_CASES, ids=lambda case: case.name)
def test_search_for_a_foreign_row_finds_nothing(
    case: ResourceCase, demo_owner: APIClient, rival_tenant: Tenant, demo_tenant: Tenant
) -> None:
    foreign = case.make_in(rival_tenant)
    own = case.make_in(demo_tenant)
    field = next(
        name for name in ("sku", "username", "code", "phone", "name") if hasattr(foreign, name)
    )
    found = demo_owner.get(case.list_url("demo"), {"search": getattr(foreign, field)}).json()
    assert found["count"] == 0
    # The same search does find the tenant's own row, so the search itself works.
    mine = demo_owner.get(case.list_url("demo"), {"search": getattr(own, field)}).json()
    assert [row["id"] for row in mine["results"]] == [str(own.pk)]


def test_settings_are_per_tenant(
    demo_owner: APIClient, role_client: Callable[..., APIClient], rival_tenant: Tenant
) -> None:
    assert demo_owner.get("/api/demo/settings/").json()["slug"] == "demo"
    answer = demo_owner.patch("/api/rival/settings/", {"receipt_footer": "x"}, format="json")
    assert _error(answer, 403)["code"] == "tenant_mismatch"
    changed = demo_owner.patch(
        "/api/demo/settings/",
        {"receipt_footer": "Mampir lagi!", "service_charge_bp": 600},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["service_charge_bp"] == 600
    assert (
        role_client("owner", tenant="rival").get("/api/rival/settings/").json()["receipt_footer"]
        == rival_tenant.receipt_footer
    )
    refused = demo_owner.patch("/api/demo/settings/", {"currency": "USD"}, format="json")
    assert _error(refused, 400)["code"] == "unknown_field"


def test_unknown_slug_looks_like_a_foreign_one(demo_owner: APIClient) -> None:
    assert _error(demo_owner.get("/api/nope/products/"), 403)["code"] == "tenant_mismatch"


def test_filter_by_foreign_ids_finds_nothing(demo_owner: APIClient, rival_tenant: Tenant) -> None:
    with tenant_atomic(rival_tenant):
        rival_category = Category.objects.get(name="Coffee")
        rival_outlet = Outlet.objects.get(code="main")
        rival_product = Product.objects.first()
    assert rival_product is not None
    products = demo_owner.get(f"/api/demo/products/?category={rival_category.id}").json()
    assert products["count"] == 0 and products["results"] == []
    terminals = demo_owner.get(f"/api/demo/terminals/?outlet={rival_outlet.id}").json()
    assert terminals["count"] == 0
    by_barcode = demo_owner.get(f"/api/demo/products/?search={rival_product.sku}").json()
    assert by_barcode["count"] == 0
    injected = demo_owner.get(f"/api/demo/products/?tenant={rival_tenant.id}").json()
    assert {row["id"] for row in injected["results"]}.isdisjoint({str(rival_product.id)})


def _rival_rows(rival_tenant: Tenant) -> dict[str, Any]:
    with tenant_atomic(rival_tenant):
        group = ModifierGroup(tenant=rival_tenant, name="Rival size")
        group.save()
        return {
            "category": Category.objects.get(name="Coffee").id,
            "tax_rate": TaxRate.objects.first().id,  # type: ignore[union-attr]
            "outlet": Outlet.objects.get(code="main").id,
            "modifier_group": group.id,
        }


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (
            "products",
            {"sku": "X-1", "name": "x", "price_minor": 1, "category": "category"},
            "category",
        ),
        (
            "products",
            {"sku": "X-2", "name": "x", "price_minor": 1, "tax_rate": "tax_rate"},
            "tax_rate",
        ),
        (
            "products",
            {"sku": "X-3", "name": "x", "price_minor": 1, "modifier_groups": ["modifier_group"]},
            "modifier_groups",
        ),
        ("terminals", {"outlet": "outlet", "code": "tx", "name": "x"}, "outlet"),
        ("users", {"username": "x.y", "role": "cashier", "outlet": "outlet"}, "outlet"),
    ],
)
def test_writes_referencing_foreign_rows_are_rejected(
    url: str,
    payload: dict[str, Any],
    field: str,
    demo_owner: APIClient,
    rival_tenant: Tenant,
    demo_tenant: Tenant,
) -> None:
    rival = _rival_rows(rival_tenant)
    body = {
        key: (
            [str(rival[item]) for item in value]
            if isinstance(value, list)
            else str(rival[value])
            if value in rival
            else value
        )
        for key, value in payload.items()
    }
    error = _error(demo_owner.post(f"/api/demo/{url}/", body, format="json"), 400)
    assert error["field"].split(".")[0] == field and error["code"] == "does_not_exist"
    # The same write on an existing row (PATCH) is refused the same way.
    if url == "products":
        with tenant_atomic(demo_tenant):
            own = Product.objects.first()
        assert own is not None
        patch = {field: body[field]}
        error = _error(demo_owner.patch(f"/api/demo/products/{own.id}/", patch, format="json"), 400)
        assert error["code"] == "does_not_exist"


def test_super_admin_reaches_every_tenant(role_client: Callable[..., APIClient]) -> None:
    root = role_client("super_admin")
    assert root.get("/api/demo/products/").json()["count"] == 60
    assert root.get("/api/rival/products/").json()["count"] == 5
    assert _error(root.get("/api/nope/products/"), 404)["code"] == "not_found"


def test_rival_owner_is_kept_out_of_demo(role_client: Callable[..., APIClient]) -> None:
    rival = role_client("owner", tenant="rival")
    assert rival.get("/api/rival/products/").json()["count"] == 5
    assert _error(rival.get("/api/demo/products/"), 403)["code"] == "tenant_mismatch"
    assert _error(rival.get("/api/tenants/"), 403)["code"] == "role_forbidden"
