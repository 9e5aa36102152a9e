"""Promotion pages: every engine kind is created and edited through the promotions service,
the preview prices a sample cart with `shared.pricing` and writes nothing, the engine's refusal
names the field, and the matrix and the tenant hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.test import Client

from shared.pricing import PromotionKind, PromotionTarget
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.backoffice.conftest import post_form as _post

pytestmark = pytest.mark.django_db

NEW = "/backoffice/promotions/new/"


def _product(tenant: Tenant, name: str) -> Product:
    with tenant_atomic(tenant):
        return Product.objects.get(name=name)


def _stored(tenant: Tenant, name: str) -> Promotion:
    with tenant_atomic(tenant):
        return Promotion.objects.get(name=name)


def _base(name: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "priority": "3", "is_active": "on", **fields}


def test_a_happy_hour_percent_off_is_saved_with_its_window_and_group(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    answer = _post(
        client,
        NEW,
        _base(
            "Late coffee",
            "percent_off",
            target="order",
            percent="12,5",
            min_spend="Rp 50.000",
            max_discount="20.000",
            customer_groups="member, staff",
            window_0_days=["0", "4"],
            window_0_start="22:00",
            window_0_end="02:00",
            valid_from="2026-12-01",
        ),
    )
    assert answer.status_code == 302, answer.content[:3000]
    engine = _stored(demo_tenant, "Late coffee").to_engine()
    assert engine.kind is PromotionKind.PERCENT_OFF and engine.percent_bp == 1_250
    assert engine.min_spend_minor == 50_000 and engine.max_discount_minor == 20_000
    assert engine.customer_group_ids == frozenset({"member", "staff"})
    (window,) = engine.windows
    assert window.weekdays == frozenset({0, 4})
    assert (window.start, window.end) == (time(22), time(2))
    assert str(engine.valid_from) == "2026-12-01" and engine.priority == 3


def test_buy_x_get_y_fixed_off_and_bundle_are_saved_as_the_engine_reads_them(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    croissant = _product(demo_tenant, "Croissant")
    espresso = _product(demo_tenant, "Espresso")
    cases = [
        _base(
            "Two plus one",
            "buy_x_get_y",
            target="product",
            products=[str(croissant.id)],
            buy_quantity="2",
            get_quantity="1",
            percent="100",
        ),
        _base(
            "Coffee 5k off",
            "fixed_off",
            target="category",
            categories=[str(espresso.category_id)],
            amount_off="5.000",
        ),
        _base(
            "Duo",
            "bundle",
            bundle_items=f"{espresso.sku} 1\n{croissant.sku} 2",
            bundle_price="50.000",
        ),
    ]
    for data in cases:
        answer = _post(client, NEW, data)
        assert answer.status_code == 302, answer.content[:3000]
    two = _stored(demo_tenant, "Two plus one").to_engine()
    assert (two.buy_quantity, two.get_quantity, two.percent_bp) == (2, 1, 10_000)
    assert two.target is PromotionTarget.PRODUCT and two.target_ids == {str(croissant.id)}
    fixed = _stored(demo_tenant, "Coffee 5k off").to_engine()
    assert fixed.target is PromotionTarget.CATEGORY and fixed.amount_off_minor == 5_000
    assert fixed.target_ids == {str(espresso.category_id)}
    duo = _stored(demo_tenant, "Duo").to_engine()
    assert duo.bundle_price_minor == 50_000
    assert {(i.product_id, i.quantity) for i in duo.bundle_items} == {
        (str(espresso.id), 1),
        (str(croissant.id), 2),
    }


def test_the_preview_prices_a_sample_cart_and_writes_nothing(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    espresso = _product(demo_tenant, "Espresso")
    with tenant_atomic(demo_tenant):
        before = Promotion.objects.count()
    data = _base(
        "Preview only",
        "percent_off",
        target="order",
        percent="50",
        action="preview",
        **{"sample-product_0": str(espresso.id), "sample-quantity_0": "2"},
    )
    answer = _post(client, NEW, data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200, answer.content[:3000]
    html = answer.content.decode()
    assert "<!doctype" not in html and 'data-testid="preview-applied"' in html
    half = espresso.price_minor  # 50% of two
    assert "Preview only" in html and "−Rp" in html
    assert f"{half:,}".replace(",", ".") in html
    # The same POST without htmx shows the whole editor with the preview in it.
    whole = _post(client, NEW, data)
    assert whole.status_code == 200 and b"<html" in whole.content
    assert b'data-testid="promotion-preview"' in whole.content
    with tenant_atomic(demo_tenant):
        assert Promotion.objects.count() == before


def test_the_preview_says_when_the_schedule_leaves_the_sample_out(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    espresso = _product(demo_tenant, "Espresso")
    answer = _post(
        client,
        NEW,
        _base(
            "Monday mornings",
            "percent_off",
            target="order",
            percent="10",
            window_0_days=["0"],
            window_0_start="08:00",
            window_0_end="10:00",
            action="preview",
            # A Tuesday.
            **{"sample-product_0": str(espresso.id), "sample-at": "2026-12-01T09:00"},
        ),
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    assert b'data-testid="preview-not-applied"' in answer.content


def test_the_engines_refusal_names_the_field_and_nothing_is_saved(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    refused = [
        (_base("No share", "percent_off", target="order", percent="0"), "percent"),
        (_base("No products", "percent_off", target="product", percent="5"), "products"),
        (_base("Bad bundle", "bundle", bundle_items="NOPE-1 2", bundle_price="1"), "bundle_items"),
        (_base("Half window", "percent_off", percent="5", window_0_days=["1"]), "window_0_days"),
        (_base("Too much", "percent_off", percent="120"), "percent"),
    ]
    for data, field in refused:
        answer = _post(client, NEW, data)
        assert answer.status_code == 400, data
        assert f'data-testid="error-{field}"'.encode() in answer.content, (field, data)
    with tenant_atomic(demo_tenant):
        assert not Promotion.objects.filter(name__in=[d["name"] for d, _ in refused]).exists()


def test_an_edit_shows_the_stored_rule_and_saves_through_the_service(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    happy = _stored(demo_tenant, "Happy hour coffee 20%")
    path = f"/backoffice/promotions/{happy.id}/"
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="20"' in html and 'value="14:00"' in html and 'value="17:00"' in html
    data = _base(
        "Happy hour coffee 25%",
        "percent_off",
        target="category",
        categories=happy.rule["target_ids"],
        percent="25",
        window_0_days=["0", "1", "2", "3", "4"],
        window_0_start="14:00",
        window_0_end="18:00",
    )
    answer = _post(client, path, data)
    assert answer.status_code == 302, answer.content[:3000]
    with tenant_atomic(demo_tenant):
        happy.refresh_from_db()
    assert happy.name == "Happy hour coffee 25%" and happy.rule["percent_bp"] == 2_500
    assert happy.rule["windows"][0]["end"] == "18:00"
    listing = client.get("/backoffice/promotions/")
    assert b"Happy hour coffee 25%" in listing.content and b"14:00" in listing.content


def test_delete_leaves_a_tombstone_and_the_list_drops_it(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    duo = _stored(demo_tenant, "Breakfast bundle")
    # The delete form lives on the edit page: its token is taken there.
    token = csrf_from(client.get(f"/backoffice/promotions/{duo.id}/").text)
    deleted = client.post(
        f"/backoffice/promotions/{duo.id}/delete/", {"csrfmiddlewaretoken": token}
    )
    assert deleted.status_code == 302
    with tenant_atomic(demo_tenant):
        assert not Promotion.objects.filter(id=duo.id).exists()
        assert Promotion.with_tombstones.get(id=duo.id).deleted_at is not None
    assert b"Breakfast bundle" not in client.get("/backoffice/promotions/").content


def test_the_matrix_and_the_tenant_hold_on_promotion_pages(
    browser: Callable[[str], Client], demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    happy = _stored(demo_tenant, "Happy hour coffee 20%")
    rival = browser("rival.owner")
    assert rival.get(f"/backoffice/promotions/{happy.id}/").status_code == 404
    assert b"Happy hour" not in rival.get("/backoffice/promotions/").content
    owner = browser("demo.owner")
    forged = owner.post(NEW, _base("Forged", "percent_off", percent="5"))
    assert forged.status_code == 403
    with tenant_atomic(demo_tenant):
        assert not Promotion.objects.filter(name="Forged").exists()
