"""The tenant's locale (how money reads) and outlets' own tax rates (PB1 is set per city):
REST with validation and roles, tenant isolation, the catalog feed a paired till reads, and
the server's re-pricing of an order sold at an outlet with its own rate."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from shared.pricing import TaxRate
from shared.protocol import CatalogPageV1, TaxRateV1, TenantSettingsV1
from sync_server.accounts.models import Role
from sync_server.catalog.models import OutletTaxRate, Product
from sync_server.catalog.models import TaxRate as TaxRateRow
from sync_server.common.tenancy import tenant_atomic
from sync_server.demo_data import MALL_PB1_BP
from sync_server.orders.models import Order
from sync_server.tenants.models import Outlet, Tenant
from tests.server.conftest import requires_postgres
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
OVERRIDES = "/api/demo/outlet-tax-rates/"
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def _feed_until(device: PairedDevice, found: Callable[[Any], Any], since: str = "") -> Any:
    """Read the feed (from the start, or after `since`) until `found(change)` returns something;
    the result and the cursor after its page."""
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the feed never sent it"
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": 200})
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        result = None
        for change in page.changes:
            result = found(change) or result
        since = page.next_cursor
        if result is not None:
            return result, since
        if not page.has_more:
            time.sleep(0.2)


# --- locale -----------------------------------------------------------------------------------


def test_the_demo_tenant_reads_money_in_indonesian(role_client: Callable[..., APIClient]) -> None:
    assert role_client(Role.CASHIER).get(SETTINGS).json()["locale"] == "id_ID"


@pytest.mark.parametrize(("currency", "locale"), [("IDR", "id_ID"), ("USD", "en_US")])
def test_a_new_tenant_gets_its_currencys_locale(
    role_client: Callable[..., APIClient], currency: str, locale: str
) -> None:
    slug = f"loc-{uuid.uuid4().hex[:6]}"
    created = role_client(Role.SUPER_ADMIN).post(
        "/api/tenants/", {"slug": slug, "name": "Shop", "currency": currency}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["locale"] == locale
    assert Tenant.objects.get(slug=slug).locale == locale


def test_owners_change_the_locale_and_its_form_is_normalised(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    answer = role_client(Role.OWNER).patch(SETTINGS, {"locale": "en-US"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["locale"] == "en_US"
    stored = Tenant.objects.get(slug="demo")
    assert stored.locale == "en_US" and stored.version > demo_tenant.version


@pytest.mark.parametrize("bad", ["xx_YY", "id", "", "Rp", 5, None, "id_ID_EXTRA_LONG_X"])
def test_a_bad_locale_is_a_400_naming_the_field(
    demo_tenant: Tenant, role_client: Callable[..., APIClient], bad: Any
) -> None:
    for client, url in (
        (role_client(Role.OWNER), SETTINGS),
        (role_client(Role.SUPER_ADMIN), f"/api/tenants/{demo_tenant.id}/"),
    ):
        answer = client.patch(url, {"locale": bad}, format="json")
        assert answer.status_code == 400, answer.content
        assert answer.json()["field"] == "locale"
    assert Tenant.objects.get(slug="demo").locale == "id_ID"


def test_the_super_admin_sets_a_locale(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    answer = role_client(Role.SUPER_ADMIN).patch(
        f"/api/tenants/{demo_tenant.id}/", {"locale": "en_SG"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["locale"] == "en_SG"


def test_managers_cannot_change_the_locale(role_client: Callable[..., APIClient]) -> None:
    answer = role_client(Role.MANAGER).patch(SETTINGS, {"locale": "en_US"}, format="json")
    assert answer.status_code == 403
    assert Tenant.objects.get(slug="demo").locale == "id_ID"


def test_a_paired_till_reads_the_locale_in_the_feed(
    fresh_world: FreshWorld,  # noqa: F811
) -> None:
    tenant = fresh_world.tenant
    with tenant_atomic(None):
        tenant.locale = "id_ID"
        tenant.save()
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)

    def settings(change: Any) -> TenantSettingsV1 | None:
        if change.id == tenant.id and change.data is not None:
            data = change.typed_data()
            assert isinstance(data, TenantSettingsV1)
            return data
        return None

    sent, _ = _feed_until(device, settings)
    assert sent.locale == "id_ID"


# --- outlets' own tax rates -------------------------------------------------------------------


def _pb1(tenant: Tenant) -> TaxRateRow:
    with tenant_atomic(tenant):
        return TaxRateRow.objects.get(name="PB1")


def test_the_demo_charges_pb1_and_the_mall_its_own_rate(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        pb1 = TaxRateRow.objects.get(name="PB1")
        assert (pb1.rate_bp, pb1.inclusive) == (1_000, False)
        assert not TaxRateRow.objects.filter(name="PPN 11%").exists()
        assert Product.objects.exclude(tax_rate=pb1).count() == 0
        mall = OutletTaxRate.objects.get(tax_rate=pb1)
        assert (mall.outlet.code, mall.rate_bp) == ("mall", MALL_PB1_BP)


def test_owners_set_an_outlets_rate_and_a_second_one_is_a_conflict(
    demo_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    owner = role_client(Role.OWNER)
    with tenant_atomic(demo_tenant):
        tax = TaxRateRow(tenant=demo_tenant, name=f"Tax {uuid.uuid4().hex[:6]}", rate_bp=1_000)
        tax.save()
        main = Outlet.objects.get(code="main")
    body = {"tax_rate": str(tax.id), "outlet": str(main.id), "rate_bp": 500}
    created = owner.post(OVERRIDES, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["rate_bp"] == 500
    again = owner.post(OVERRIDES, body, format="json")
    assert again.status_code == 409, again.content
    listed = owner.get(OVERRIDES, {"tax_rate": str(tax.id)}).json()["results"]
    assert [row["outlet"] for row in listed] == [str(main.id)]
    changed = owner.patch(f"{OVERRIDES}{created.json()['id']}/", {"rate_bp": 750}, format="json")
    assert changed.status_code == 200 and changed.json()["rate_bp"] == 750
    gone = owner.delete(f"{OVERRIDES}{created.json()['id']}/")
    assert gone.status_code == 204
    assert owner.get(OVERRIDES, {"tax_rate": str(tax.id)}).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate_bp": 10_001}, "rate_bp"),
        ({"rate_bp": -1}, "rate_bp"),
        ({"rate_bp": "5%"}, "rate_bp"),
        ({"outlet": str(uuid.uuid4())}, "outlet"),
        ({"tax_rate": None}, "tax_rate"),
    ],
)
def test_a_bad_outlet_rate_is_a_400_naming_the_field(
    demo_tenant: Tenant, role_client: Callable[..., APIClient], body: dict[str, Any], field: str
) -> None:
    with tenant_atomic(demo_tenant):
        tax = TaxRateRow(tenant=demo_tenant, name=f"Tax {uuid.uuid4().hex[:6]}", rate_bp=1_000)
        tax.save()
        main = Outlet.objects.get(code="main")
    payload = {"tax_rate": str(tax.id), "outlet": str(main.id), "rate_bp": 500, **body}
    answer = role_client(Role.OWNER).post(OVERRIDES, payload, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field
    with tenant_atomic(demo_tenant):
        assert not OutletTaxRate.objects.filter(tax_rate=tax).exists()


def test_another_tenants_tax_or_outlet_cannot_be_named(
    demo_tenant: Tenant, rival_tenant: Tenant, role_client: Callable[..., APIClient]
) -> None:
    with tenant_atomic(rival_tenant):
        rival_tax = TaxRateRow.objects.first()
        rival_outlet = Outlet.objects.first()
    assert rival_tax is not None and rival_outlet is not None
    with tenant_atomic(demo_tenant):
        main = Outlet.objects.get(code="main")
    pb1 = _pb1(demo_tenant)
    owner = role_client(Role.OWNER)
    for body, field in (
        ({"tax_rate": str(rival_tax.id), "outlet": str(main.id)}, "tax_rate"),
        ({"tax_rate": str(pb1.id), "outlet": str(rival_outlet.id)}, "outlet"),
    ):
        answer = owner.post(OVERRIDES, {**body, "rate_bp": 100}, format="json")
        assert answer.status_code == 400, answer.content
        assert answer.json()["field"] == field
    # The rival's owner sees none of the demo's outlet rates.
    rival_rows = role_client(Role.OWNER, tenant="rival").get("/api/rival/outlet-tax-rates/")
    assert rival_rows.status_code == 200 and rival_rows.json()["count"] == 0


@requires_postgres
def test_row_level_security_hides_other_tenants_outlet_rates(
    demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    with tenant_atomic(rival_tenant):
        # Under the rival's tenant, even an unfiltered query of the table sees no demo row.
        assert OutletTaxRate.with_tombstones.filter(tenant=demo_tenant).count() == 0
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM catalog_outlettaxrate")
            assert cursor.fetchone()[0] == 0
    with tenant_atomic(demo_tenant):
        assert OutletTaxRate.objects.count() >= 1


def test_a_till_at_the_mall_reads_its_outlets_rate_in_the_feed(
    fresh_world: FreshWorld,  # noqa: F811
) -> None:
    tenant = fresh_world.tenant
    outlet_id = fresh_world.terminal.outlet_id
    with tenant_atomic(tenant):
        tax = TaxRateRow(tenant=tenant, name="PB1", rate_bp=1_000)
        tax.save()
        OutletTaxRate(tenant=tenant, tax_rate=tax, outlet_id=outlet_id, rate_bp=500).save()
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)

    def pb1(change: Any) -> TaxRateV1 | None:
        if change.entity == "tax_rate" and change.id == tax.id and change.data is not None:
            data = change.typed_data()
            assert isinstance(data, TaxRateV1)
            return data if data.outlet_rates else None
        return None

    sent, cursor = _feed_until(device, pb1)
    assert sent.rate_bp == 1_000
    assert sent.rate_bp_at(outlet_id) == 500
    assert sent.rate_bp_at(uuid.uuid4()) == 1_000

    # The city changes its rate: only the outlet's row changes, and the tax goes out again.
    with tenant_atomic(tenant):
        override = OutletTaxRate.objects.get(tax_rate=tax)
        override.rate_bp = 750
        override.save()

    def changed(change: Any) -> TaxRateV1 | None:
        data = pb1(change)
        return data if data is not None and data.rate_bp_at(outlet_id) == 750 else None

    again, _ = _feed_until(device, changed, since=cursor)
    assert again.rate_bp == 1_000


def _priced_at(monkeypatch: pytest.MonkeyPatch, rate_bp: int) -> None:
    """Make `make_order` price PB1 at `rate_bp`, as a till of an outlet with that rate would."""
    engine_rules = sync_fixtures._engine_rules

    def rules(tenant: Tenant) -> dict[str, Any]:
        found = engine_rules(tenant)
        found["tax_rates"] = tuple(
            TaxRate(rate.rate_id, rate.name, rate_bp, rate.inclusive)
            if rate.name == "PB1"
            else rate
            for rate in found["tax_rates"]
        )
        return found

    monkeypatch.setattr(sync_fixtures, "_engine_rules", rules)


def test_an_order_at_the_mall_reprices_with_the_malls_rate(
    demo_tenant: Tenant,
    pair_device: Callable[..., PairedDevice],  # noqa: F811
    demo_products: dict[str, Product],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mall_till = pair_device("mall", "t1")
    main_till = pair_device("main", "t1")
    items = [(demo_products["Mocha"], 2), (demo_products["Espresso"], 1)]
    _priced_at(monkeypatch, MALL_PB1_BP)
    at_mall = make_order(mall_till, items, shift_id=uuid.uuid4(), at=AT)
    wrongly_at_main = make_order(main_till, items, shift_id=uuid.uuid4(), at=AT)
    _priced_at(monkeypatch, 1_000)
    at_main = make_order(main_till, items, shift_id=uuid.uuid4(), at=AT)
    assert at_mall.tax_minor < at_main.tax_minor  # 5% against 10%

    mall_answer = mall_till.push_orders(at_mall)
    main_answer = main_till.push_orders(at_main, wrongly_at_main)
    assert mall_answer.status_code == main_answer.status_code == 200
    results = {r["id"]: r for r in [*mall_answer.json()["results"], *main_answer.json()["results"]]}
    assert results[str(at_mall.id)]["status"] == "created"
    assert results[str(at_mall.id)]["flags"] == []
    assert results[str(at_main.id)]["flags"] == []
    assert "price_mismatch" in results[str(wrongly_at_main.id)]["flags"]
    with tenant_atomic(demo_tenant):
        stored = Order.objects.get(id=at_mall.id)
    assert stored.server_total_minor == at_mall.total_minor
    assert stored.price_difference_minor == 0
