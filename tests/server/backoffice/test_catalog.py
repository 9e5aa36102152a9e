"""Catalog pages: a product with an image reaches a till's feed; CSV import previews row errors
and writes all rows or none; the API's rules and the matrix hold on the pages too."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sync_server.catalog.models import Category, Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.support.backoffice import product_csv

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "#0f766e").save(buffer, format="PNG")
    return buffer.getvalue()


def _post(client: Client, path: str, data: dict[str, object]) -> object:
    token = csrf_from(client.get(path).text)
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def test_a_new_product_with_an_image_is_saved_through_the_catalog_service(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    """(That it reaches a till's feed is checked end to end: the feed serves committed rows.)"""
    client = browser("demo.owner")
    _post(client, "/backoffice/categories/", {"name": "Seasonal", "colour": "#aa3300"})
    with tenant_atomic(demo_tenant):
        category = Category.objects.get(name="Seasonal")
    answer = _post(
        client,
        "/backoffice/products/new/",
        {
            "sku": "SEA-001",
            "name": "Pumpkin Latte",
            "category": str(category.id),
            "price": "Rp 42.500",
            "cost": "15.000",
            "is_active": "on",
            "image": SimpleUploadedFile("latte.png", _png(), content_type="image/png"),
        },
    )
    assert answer.status_code == 302, getattr(answer, "content", b"")[:2000]  # type: ignore[attr-defined]
    with tenant_atomic(demo_tenant):
        product = Product.objects.get(sku="SEA-001")
    assert product.price_minor == 42_500 and product.cost_minor == 15_000
    assert product.image.name.startswith("products/") and product.version > 0
    assert "Pumpkin Latte" in client.get("/backoffice/products/?q=pumpkin").text


def test_a_text_file_posing_as_an_image_and_a_bad_price_are_refused(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    answer = _post(
        client,
        "/backoffice/products/new/",
        {
            "sku": "BAD-001",
            "name": "Fake",
            "price": "twelve",
            "image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        },
    )
    assert answer.status_code == 400  # type: ignore[attr-defined]
    page = answer.content.decode()  # type: ignore[attr-defined]
    assert 'data-testid="error-image"' in page and 'data-testid="error-price"' in page
    with tenant_atomic(demo_tenant):
        assert not Product.objects.filter(sku="BAD-001").exists()


def test_csv_import_previews_the_bad_rows_then_imports_all_once_fixed(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    bad = {
        10: "IMP-0010,Imported 10,ten thousand,Coffee,yes",
        200: "IMP-0200,Imported 200,12000,No Such Category,yes",
        499: "IMP-0001,Duplicate,12000,Coffee,maybe",
    }
    upload = SimpleUploadedFile(
        "products.csv", product_csv(500, bad).encode(), content_type="text/csv"
    )
    preview = _post(client, "/backoffice/products/import/", {"file": upload})
    assert preview.status_code == 400  # type: ignore[attr-defined]
    page = preview.content.decode()  # type: ignore[attr-defined]
    assert sorted(int(line) for line in re.findall(r'data-line="(\d+)"', page)) == [12, 202, 501]
    assert "No Such Category" in page and "juga ada di baris 3" in page  # demo: Indonesian
    with tenant_atomic(demo_tenant):
        assert not Product.objects.filter(sku__startswith="IMP-").exists()
    fixed = SimpleUploadedFile(
        "products.csv", product_csv(500, {}).encode(), content_type="text/csv"
    )
    ready = _post(client, "/backoffice/products/import/", {"file": fixed})
    assert ready.status_code == 200 and 'data-testid="import-ready"' in ready.content.decode()  # type: ignore[attr-defined]
    text = product_csv(500, {})
    done = _post(client, "/backoffice/products/import/", {"confirm": "1", "csv_text": text})
    assert 'data-testid="imported"' in done.content.decode()  # type: ignore[attr-defined]
    with tenant_atomic(demo_tenant):
        assert Product.objects.filter(sku__startswith="IMP-").count() == 500
        assert Product.objects.get(sku="IMP-0007").price_minor == 10_007


def test_a_tampered_confirm_with_a_bad_row_writes_nothing(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    text = product_csv(20, {19: "IMP-0019,Broken,-5,Coffee,yes"})
    done = _post(client, "/backoffice/products/import/", {"confirm": "1", "csv_text": text})
    assert done.status_code == 400  # type: ignore[attr-defined]
    with tenant_atomic(demo_tenant):
        assert not Product.objects.filter(sku__startswith="IMP-").exists()


def test_rival_owner_gets_404_for_a_demo_product(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    with tenant_atomic(demo_tenant):
        product = Product.objects.first()
    assert product is not None
    client = browser("rival.owner")
    assert client.get(f"/backoffice/products/{product.id}/").status_code == 404
    assert product.name not in client.get("/backoffice/products/").text
