"""Category kitchen stations (REST, seed, routing of tickets) and per-outlet ticket timer
thresholds (REST, validation, who may change them), and both as terminals read them in the feed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from shared.protocol import CatalogPageV1, CategoryV1, OutletV1
from sync_server.accounts.models import Role, User
from sync_server.catalog.models import Category, Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.demo_data import seed_demo
from sync_server.kitchen.models import KitchenTicket
from sync_server.kitchen.services import KitchenLine, kitchen_tickets_create_for_order
from sync_server.tenants.models import Outlet, Tenant, Terminal
from tests.server.sync.conftest import (  # noqa: F401 (fresh_world is a fixture)
    FreshWorld,
    fresh_world,
    make_order,
    pair_through_api,
)

# No module-wide django_db mark: the feed test needs committed rows (`fresh_world`); every
# other test gets the rolled-back transaction through its fixtures (`demo_tenant`, `user_of`).


def _catalog(tenant: Tenant) -> dict[str, Any]:
    """A category on `bar`, one without a station, and products in them: one with no station of
    its own in each, and one with its own (`grill`) in the `bar` category."""
    with tenant_atomic(tenant):
        bar = Category(tenant=tenant, name="Juices", kitchen_station="bar")
        bar.save()
        plain = Category(tenant=tenant, name="Odds and ends")
        plain.save()
        products = {}
        for sku, name, category, station in (
            ("JU-1", "Orange juice", bar, ""),
            ("JU-2", "Juice with toast", bar, "grill"),
            ("OD-1", "Mystery plate", plain, ""),
        ):
            product = Product(
                tenant=tenant,
                sku=sku,
                name=name,
                category=category,
                price_minor=20_000,
                kitchen_station=station,
            )
            product.save()
            products[name] = product
        outlet = Outlet.objects.get(code="main")
        outlet.default_kitchen_station = "pass"
        outlet.save()
    return {"outlet": outlet, "products": products}


# --- routing ------------------------------------------------------------------------------


def test_routing_takes_the_product_station_then_the_category_then_the_outlet_default(
    demo_tenant: Tenant,
) -> None:
    world = _catalog(demo_tenant)
    lines = [
        KitchenLine(line_id=uuid.uuid4(), name=product.name, quantity=1, product_id=product.id)
        for product in world["products"].values()
    ]
    tickets = kitchen_tickets_create_for_order(
        tenant=demo_tenant,
        outlet=world["outlet"],
        order_id=uuid.uuid4(),
        receipt_number="MAIN-T1-000901",
        lines=lines,
    )
    by_station = {t.station: [item["name"] for item in t.items] for t in tickets}
    assert by_station == {
        "bar": ["Orange juice"],
        "grill": ["Juice with toast"],
        "pass": ["Mystery plate"],
    }


def test_an_order_synced_by_a_till_routes_by_category_when_the_product_has_no_station(
    demo_tenant: Tenant, user_of: Callable[..., User]
) -> None:
    world = _catalog(demo_tenant)
    with tenant_atomic(demo_tenant):
        terminal = Terminal.objects.get(outlet__code="main", code="t1")
    device = pair_through_api(demo_tenant, terminal, user_of(Role.OWNER))
    products = world["products"]
    order = make_order(
        device,
        [(products["Orange juice"], 2), (products["Juice with toast"], 1)],
        shift_id=uuid.uuid4(),
    )
    assert order.lines[0].kitchen_station is None  # the server resolves, not the till
    answer = device.push_orders(order)
    assert answer.status_code == 200, answer.content
    assert answer.json()["results"][0]["status"] == "created"
    with tenant_atomic(demo_tenant):
        tickets = {t.station: t for t in KitchenTicket.objects.filter(order_id=order.id)}
    assert set(tickets) == {"bar", "grill"}
    assert [(i["name"], i["quantity"]) for i in tickets["bar"].items] == [("Orange juice", 2)]


# --- categories over REST -----------------------------------------------------------------


def test_categories_take_and_show_a_kitchen_station(
    role_client: Callable[..., APIClient],
) -> None:
    client = role_client(Role.MANAGER)
    created = client.post(
        "/api/demo/categories/", {"name": "Smoothies", "kitchen_station": "bar"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["kitchen_station"] == "bar"
    url = f"/api/demo/categories/{created.json()['id']}/"
    cleared = client.patch(url, {"kitchen_station": ""}, format="json")
    assert cleared.status_code == 200 and cleared.json()["kitchen_station"] == ""
    default = client.post("/api/demo/categories/", {"name": "Plain"}, format="json")
    assert default.json()["kitchen_station"] == ""
    for bad, code in (("x" * 33, "max_length"), (7, "invalid"), (None, "null")):
        answer = client.patch(url, {"kitchen_station": bad}, format="json")
        assert answer.status_code == 400, bad
        assert (answer.json()["field"], answer.json()["code"]) == ("kitchen_station", code)
    assert client.get(url).json()["kitchen_station"] == ""
    refused = role_client(Role.CASHIER).patch(url, {"kitchen_station": "bar"}, format="json")
    assert refused.status_code == 403


@pytest.mark.django_db
def test_the_schema_documents_the_new_fields(anon_client: APIClient) -> None:
    schemas = anon_client.get("/api/schema/?format=json").json()["components"]["schemas"]
    category = [s for name, s in schemas.items() if name.startswith("Category")]
    outlet = [
        s
        for name, s in schemas.items()
        if name.startswith("Outlet") and not name.startswith("OutletTaxRate")
    ]
    assert category and all("kitchen_station" in s.get("properties", {}) for s in category)
    assert outlet and all("ticket_red_after_s" in s.get("properties", {}) for s in outlet)


def test_seeded_categories_carry_stations_and_reseeding_changes_nothing(
    demo_tenant: Tenant,
) -> None:
    with tenant_atomic(demo_tenant):
        before = {c.name: (c.kitchen_station, c.version) for c in Category.objects.all()}
    assert before["Coffee"][0] == "bar"
    assert before["Pastry"][0] == "bar"
    assert before["Rice & Noodles"][0] == "kitchen"
    assert all(station for station, _ in before.values())
    seed_demo()
    with tenant_atomic(demo_tenant):
        after = {c.name: (c.kitchen_station, c.version) for c in Category.objects.all()}
    assert after == before


# --- outlet ticket timer thresholds -------------------------------------------------------


def _main_outlet_url(tenant: Tenant) -> str:
    with tenant_atomic(tenant):
        return f"/api/demo/outlets/{Outlet.objects.get(code='main').id}/"


def test_outlets_default_to_five_and_ten_minutes_and_owners_and_admins_change_them(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    owner = role_client(Role.OWNER)
    created = owner.post("/api/demo/outlets/", {"code": "kiosk", "name": "Kiosk"}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["ticket_amber_after_s"], created.json()["ticket_red_after_s"]) == (
        300,
        600,
    )
    url = _main_outlet_url(demo_tenant)
    changed = owner.patch(
        url, {"ticket_amber_after_s": 120, "ticket_red_after_s": 240}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["ticket_red_after_s"] == 240
    by_admin = role_client(Role.ADMIN).patch(url, {"ticket_red_after_s": 900}, format="json")
    assert by_admin.status_code == 200, by_admin.content
    with tenant_atomic(demo_tenant):
        outlet = Outlet.objects.get(code="main")
    assert (outlet.ticket_amber_after_s, outlet.ticket_red_after_s) == (120, 900)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"ticket_amber_after_s": 0}, "ticket_amber_after_s", "min_value"),
        ({"ticket_red_after_s": -5}, "ticket_red_after_s", "min_value"),
        ({"ticket_red_after_s": 86_401}, "ticket_red_after_s", "max_value"),
        ({"ticket_amber_after_s": "300"}, "ticket_amber_after_s", "invalid"),
        ({"ticket_amber_after_s": 1.5}, "ticket_amber_after_s", "invalid"),
        # against the stored red (600): amber may not reach it
        ({"ticket_amber_after_s": 600}, "ticket_amber_after_s", "out_of_range"),
        # against the stored amber (300)
        ({"ticket_red_after_s": 200}, "ticket_red_after_s", "out_of_range"),
        ({"ticket_amber_after_s": 500, "ticket_red_after_s": 500}, None, "out_of_range"),
    ],
)
def test_thresholds_must_be_positive_and_amber_below_red(
    demo_tenant: Tenant,
    role_client: Callable[..., APIClient],
    body: dict[str, Any],
    field: str | None,
    code: str,
) -> None:
    answer = role_client(Role.OWNER).patch(_main_outlet_url(demo_tenant), body, format="json")
    assert answer.status_code == 400, answer.content
    error = answer.json()
    assert error["code"] == code
    assert error["field"] == (field or "ticket_amber_after_s")
    with tenant_atomic(demo_tenant):
        outlet = Outlet.objects.get(code="main")
    assert (outlet.ticket_amber_after_s, outlet.ticket_red_after_s) == (300, 600)


def test_a_new_outlet_with_amber_above_red_is_refused(
    role_client: Callable[..., APIClient],
) -> None:
    answer = role_client(Role.OWNER).post(
        "/api/demo/outlets/",
        {"code": "odd", "name": "Odd", "ticket_amber_after_s": 700},
        format="json",
    )
    assert answer.status_code == 400
    assert (answer.json()["field"], answer.json()["code"]) == (
        "ticket_amber_after_s",
        "out_of_range",
    )


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER, Role.KITCHEN])
def test_staff_below_admin_cannot_change_thresholds(
    demo_tenant: Tenant, role_client: Callable[..., APIClient], role: str
) -> None:
    url = _main_outlet_url(demo_tenant)
    client = role_client(role)
    assert client.get(url).json()["ticket_amber_after_s"] == 300  # they may read them
    answer = client.patch(url, {"ticket_amber_after_s": 60}, format="json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "role_forbidden"
    with tenant_atomic(demo_tenant):
        assert Outlet.objects.get(code="main").ticket_amber_after_s == 300


# --- the catalog feed -----------------------------------------------------------------------


def test_the_catalog_feed_sends_category_stations_and_outlet_thresholds(
    fresh_world: FreshWorld,  # noqa: F811
) -> None:
    """Committed rows (the PostgreSQL feed serves only finished transactions)."""
    tenant = fresh_world.tenant
    with tenant_atomic(tenant):
        category = Category(tenant=tenant, name="Drinks", kitchen_station="bar")
        category.save()
        outlet = fresh_world.outlet
        outlet.ticket_amber_after_s, outlet.ticket_red_after_s = 90, 420
        outlet.save()
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    seen: dict[uuid.UUID, Any] = {}
    since, deadline = "", time.monotonic() + 60
    while not {category.id, outlet.id} <= seen.keys():
        # Other suites' transactions on the same server may hold the feed back a moment.
        assert time.monotonic() < deadline, "the feed never sent the rows"
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": 100})
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        seen.update(
            (change.id, change.typed_data() if change.data is not None else None)
            for change in page.changes
        )
        since = page.next_cursor
        if not page.has_more:
            time.sleep(0.2)
    sent_category, sent_outlet = seen[category.id], seen[outlet.id]
    assert isinstance(sent_category, CategoryV1) and sent_category.kitchen_station == "bar"
    assert isinstance(sent_outlet, OutletV1)
    assert (sent_outlet.ticket_amber_after_s, sent_outlet.ticket_red_after_s) == (90, 420)
