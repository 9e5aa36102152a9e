"""Resource behaviour: CRUD, pagination, search, soft delete with versions, seed data, schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sync_server.accounts.models import User
from sync_server.catalog.models import Category, ModifierGroup, Product, ProductModifierGroup
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.demo_data import DEMO_MENU, seed_demo
from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Outlet, Tenant, Terminal

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(role_client: Callable[..., APIClient]) -> APIClient:
    return role_client("manager")


def test_product_lifecycle_with_modifier_groups(manager: APIClient, demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        size = ModifierGroup.objects.get(name="Size")
        sugar = ModifierGroup.objects.get(name="Sugar")
        coffee = Category.objects.get(name="Coffee")
    created = manager.post(
        "/api/demo/products/",
        {
            "sku": "NEW-1",
            "name": "Es Kopi Gula Aren",
            "price_minor": 27_000,
            "cost_minor": 9_000,
            "category": str(coffee.id),
            "modifier_groups": [str(sugar.id), str(size.id)],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    product = created.json()
    assert product["modifier_groups"] == [str(sugar.id), str(size.id)]
    assert product["price_minor"] == 27_000 and product["version"] > 0

    url = f"/api/demo/products/{product['id']}/"
    updated = manager.patch(
        url, {"price_minor": 28_000, "modifier_groups": [str(size.id)]}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["modifier_groups"] == [str(size.id)]
    assert updated.json()["version"] > product["version"]
    assert updated.json()["cost_minor"] == 9_000  # untouched by a partial update

    assert manager.delete(url).status_code == 204
    assert manager.get(url).status_code == 404
    with tenant_atomic(demo_tenant):
        tombstone = Product.with_tombstones.get(id=product["id"])
        links = ProductModifierGroup.with_tombstones.filter(product_id=product["id"])
        assert tombstone.deleted_at is not None
        assert tombstone.version > updated.json()["version"]
        assert all(link.deleted_at is not None for link in links)
    # A deleted SKU can be used again.
    again = manager.post(
        "/api/demo/products/", {"sku": "NEW-1", "name": "x", "price_minor": 1}, format="json"
    )
    assert again.status_code == 201


def test_list_pagination_search_and_filters(manager: APIClient, demo_tenant: Tenant) -> None:
    page = manager.get("/api/demo/products/?page_size=25").json()
    assert page["count"] == 60 and len(page["results"]) == 25 and page["next"]
    last = manager.get("/api/demo/products/?page_size=25&page=3").json()
    assert len(last["results"]) == 10 and last["previous"]
    lattes = [name for _, _, _, items in DEMO_MENU for name, _ in items if "latte" in name.lower()]
    assert manager.get("/api/demo/products/?search=latte").json()["count"] == len(lattes) > 1
    with tenant_atomic(demo_tenant):
        pastry = Category.objects.get(name="Pastry")
    by_category = manager.get(f"/api/demo/products/?category={pastry.id}").json()
    assert by_category["count"] == 10
    assert {row["category"] for row in by_category["results"]} == {str(pastry.id)}
    assert manager.get("/api/demo/customers/?group=member").json()["count"] == 10
    assert manager.get("/api/demo/terminals/?kind=kitchen").json()["count"] == 1
    assert manager.get("/api/demo/products/?is_active=maybe").status_code == 400


def test_modifier_group_options_are_replaced_as_a_list(manager: APIClient) -> None:
    created = manager.post(
        "/api/demo/modifier-groups/",
        {"name": "Milk", "options": [{"name": "Oat", "price_delta_minor": 6_000}, {"name": "Soy"}]},
        format="json",
    ).json()
    assert [option["name"] for option in created["options"]] == ["Oat", "Soy"]
    url = f"/api/demo/modifier-groups/{created['id']}/"
    changed = manager.patch(
        url, {"options": [{"name": "Almond", "price_delta_minor": 7_000}]}, format="json"
    )
    assert [option["name"] for option in changed.json()["options"]] == ["Almond"]
    bad = manager.patch(url, {"min_selections": 3}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "min_selections"


def test_seed_demo_has_the_issue_data_and_is_idempotent(demo_tenant: Tenant) -> None:
    def snapshot() -> dict[str, Any]:
        with tenant_atomic(demo_tenant):
            return {
                "products": sorted(Product.objects.values_list("sku", "version")),
                "categories": Category.objects.count(),
                "groups": sorted(ModifierGroup.objects.values_list("name", flat=True)),
                "promotions": sorted(Promotion.objects.values_list("kind", flat=True)),
                "customers": Customer.objects.count(),
                "outlets": sorted(Outlet.objects.values_list("code", flat=True)),
                "terminals": sorted(
                    Terminal.objects.values_list("outlet__code", "kind", "paired_at")
                ),
                "users": sorted(User.objects.values_list("username", "role")),
            }

    before = snapshot()
    seed_demo()
    assert snapshot() == before
    assert len(before["products"]) == 60 and before["categories"] == 6
    assert before["groups"] == ["Extra shot", "Size", "Sugar"]
    assert before["promotions"] == ["bundle", "buy_x_get_y", "percent_off", "percent_off"]
    assert before["customers"] == 20 and before["outlets"] == ["main", "mall"]
    assert before["terminals"] == [
        ("main", "kitchen", None),
        ("main", "terminal", None),
        ("mall", "terminal", None),
    ]
    assert {name for name, _ in before["users"]} >= {
        "demo.owner",
        "demo.manager",
        "demo.cashier",
        "demo.kitchen",
    }
    assert demo_tenant.name == "Kopi Kiosk" and demo_tenant.currency == "IDR"
    assert demo_tenant.time_zone == "Asia/Jakarta" and demo_tenant.service_charge_bp == 500
    with tenant_atomic(demo_tenant):
        pb1 = Product.objects.select_related("tax_rate").first().tax_rate  # type: ignore[union-attr]
        assert pb1 is not None and (pb1.name, pb1.rate_bp, pb1.inclusive) == ("PB1", 1_000, False)
        assert demo_tenant.locale == "id_ID"
        for promotion in Promotion.objects.all():
            promotion.to_engine()
        images = Product.objects.exclude(image="").count()
    assert images == 60


def test_product_list_queries_do_not_grow_with_rows(
    manager: APIClient, demo_tenant: Tenant
) -> None:
    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            answer = manager.get(f"/api/demo/products/?page_size={page_size}")
        assert answer.status_code == 200 and len(answer.json()["results"]) == page_size
        return len(captured)

    assert queries(5) == queries(60)
    assert queries(60) <= 10


def test_schema_and_docs_are_served(anon_client: APIClient) -> None:
    schema = anon_client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/{tenant_slug}/products/" in paths and "/api/auth/token/" in paths
    assert anon_client.get("/api/docs/").status_code == 200


def test_schema_of_the_core_views_has_no_warnings_or_errors() -> None:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    core = ("accounts", "catalog", "common", "customers", "promotions", "tenants", "config")
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    ours = [m for m in messages if any(f"sync_server/{app}/" in m for app in core)]
    assert ours == []
    products = schema["paths"]["/api/{tenant_slug}/products/"]
    assert products["get"]["operationId"] == "products_list"
    assert "PaginatedProductOutputList" in str(products["get"]["responses"]["200"])
    assert products["post"]["requestBody"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("ProductInputRequest")
