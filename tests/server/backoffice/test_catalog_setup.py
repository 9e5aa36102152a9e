"""Catalog set-up and files: modifier groups with options, taxes with per-outlet rates, and the
catalog export (CSV and XLSX) that the import (CSV or XLSX) reads back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from sync_server.catalog.models import ModifierGroup, ModifierOption, OutletTaxRate, TaxRate
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet, Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.backoffice.conftest import post_form as _post
from tests.support.backoffice import product_csv

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_csv_and_xlsx_exports_hold_the_same_rows_and_import_back_unchanged(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    exported = client.get("/backoffice/products/export.csv")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = _rows(exported.content)
    assert rows[0][:3] == ["sku", "name", "price"] and "cost" in rows[0]
    espresso = next(row for row in rows if row[1] == "Espresso")
    assert espresso[2].startswith("Rp ") and espresso[rows[0].index("category")] == "Coffee"
    workbook = client.get("/backoffice/products/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    assert [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)] == rows
    for name, content in (("back.csv", exported.content), ("back.xlsx", workbook.content)):
        answer = _post(
            client,
            "/backoffice/products/import/",
            {"file": SimpleUploadedFile(name, content)},
        )
        assert answer.status_code == 200, answer.content[:2000]
        assert b'data-testid="import-ready"' in answer.content, name


def test_an_xlsx_upload_is_previewed_row_by_row_like_a_csv(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    rows = list(csv.reader(io.StringIO(product_csv(20, {5: "IMP-0005,Five,lots,Coffee,yes"}))))
    answer = _post(
        client,
        "/backoffice/products/import/",
        {"file": SimpleUploadedFile("products.xlsx", _xlsx(rows))},
    )
    assert answer.status_code == 400
    assert b'data-line="7"' in answer.content  # header is line 1, row index 5 is line 7
    broken = _post(
        client,
        "/backoffice/products/import/",
        {"file": SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really a workbook")},
    )
    assert broken.status_code == 400 and b'data-testid="import-problem"' in broken.content


def test_a_modifier_group_is_created_edited_and_deleted_with_its_options(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    answer = _post(
        client,
        "/backoffice/modifiers/new/",
        {
            "name": "Milk",
            "min_selections": "1",
            "max_selections": "1",
            "option_0_name": "Dairy",
            "option_0_default": "on",
            "option_1_name": "Oat",
            "option_1_price": "Rp 5.000",
            "option_2_name": "Less",
            "option_2_price": "-1.000",
        },
    )
    assert answer.status_code == 302, answer.content[:3000]
    with tenant_atomic(demo_tenant):
        group = ModifierGroup.objects.get(name="Milk")
        options = {
            o.name: (o.price_delta_minor, o.is_default)
            for o in ModifierOption.objects.filter(group=group)
        }
    assert options == {"Dairy": (0, True), "Oat": (5_000, False), "Less": (-1_000, False)}
    path = f"/backoffice/modifiers/{group.id}/"
    page = client.get(path).content.decode()
    assert 'value="Oat"' in page and 'value="Rp 5.000"' in page
    refused = _post(client, path, {"name": "Milk", "min_selections": "3", "max_selections": "1"})
    assert refused.status_code == 400 and b'data-testid="error-min_selections"' in refused.content
    changed = _post(
        client,
        path,
        {"name": "Milk", "min_selections": "0", "max_selections": "2", "option_0_name": "Soy"},
    )
    assert changed.status_code == 302
    with tenant_atomic(demo_tenant):
        assert list(ModifierOption.objects.filter(group=group).values_list("name", flat=True)) == [
            "Soy"
        ]
    listing = client.get("/backoffice/modifiers/").content.decode()
    assert "Soy" in listing and "Oat" not in listing
    owner = browser("demo.owner")
    deleted = _post(owner, f"{path}delete/", {}, form=path)
    assert deleted.status_code == 302
    with tenant_atomic(demo_tenant):
        assert not ModifierGroup.objects.filter(id=group.id).exists()


def test_a_tax_with_an_outlets_own_rate(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    with tenant_atomic(demo_tenant):
        mall = Outlet.objects.get(code="mall")
        main = Outlet.objects.get(code="main")
    answer = _post(
        client,
        "/backoffice/taxes/",
        {"name": "PPN", "rate": "11", f"outlet_{mall.id}": "5,5"},
    )
    assert answer.status_code == 302, answer.content[:3000]
    with tenant_atomic(demo_tenant):
        tax = TaxRate.objects.get(name="PPN")
        assert (tax.rate_bp, tax.inclusive) == (1_100, False)
        own = dict(OutletTaxRate.objects.filter(tax_rate=tax).values_list("outlet_id", "rate_bp"))
    assert own == {mall.id: 550}
    path = f"/backoffice/taxes/{tax.id}/"
    changed = _post(
        client,
        path,
        {"name": "PPN", "rate": "12", "inclusive": "on", f"outlet_{main.id}": "10"},
    )
    assert changed.status_code == 302, changed.content[:3000]
    with tenant_atomic(demo_tenant):
        tax.refresh_from_db()
        own = dict(OutletTaxRate.objects.filter(tax_rate=tax).values_list("outlet_id", "rate_bp"))
    assert (tax.rate_bp, tax.inclusive) == (1_200, True) and own == {main.id: 1_000}
    listing = client.get("/backoffice/taxes/").content.decode()
    assert "12%" in listing and "10%" in listing
    bad = _post(client, path, {"name": "PPN", "rate": "140"})
    assert bad.status_code == 400 and b'data-testid="error-rate"' in bad.content
    with tenant_atomic(demo_tenant):
        used = TaxRate.objects.exclude(id=tax.id).first()
    assert used is not None
    in_use = _post(
        client, f"/backoffice/taxes/{used.id}/delete/", {}, form=f"/backoffice/taxes/{used.id}/"
    )
    assert in_use.status_code == 409


def test_a_manager_reads_taxes_but_does_not_change_them(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    page = client.get("/backoffice/taxes/")
    assert page.status_code == 200 and b'data-testid="tax-rate-form"' not in page.content
    with tenant_atomic(demo_tenant):
        tax = TaxRate.objects.first()
    assert tax is not None
    assert client.get(f"/backoffice/taxes/{tax.id}/").status_code == 403
    token = csrf_from(page.content.decode())
    added = client.post(
        "/backoffice/taxes/", {"name": "X", "rate": "1", "csrfmiddlewaretoken": token}
    )
    assert added.status_code == 403
