"""Catalog exports: the products as CSV or XLSX in the import's own columns, so an export
imports back unchanged."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from sync_server.backoffice.access import Desk
from sync_server.backoffice.catalog import CSV_COLUMNS, cost_visible
from sync_server.backoffice.spreadsheets import csv_download, xlsx_download
from sync_server.catalog.models import Product


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def product_table(desk: Desk) -> list[list[str]]:
    """The header and one row per product, amounts as the tenant writes them (`Rp 25.000`);
    the cost column only for roles that may see costs."""
    with_cost = cost_visible(desk)
    columns = [column for column in CSV_COLUMNS if with_cost or column != "cost"]
    rows: list[list[str]] = [columns]
    products = (
        Product.objects.filter(tenant=desk.tenant)
        .select_related("category", "tax_rate")
        .order_by("sku", "id")
    )
    for product in products:
        values = {
            "sku": product.sku,
            "name": product.name,
            "price": desk.money(product.price_minor),
            "category": product.category.name if product.category else "",
            "barcode": product.barcode,
            "cost": desk.money(product.cost_minor),
            "tax_rate": product.tax_rate.name if product.tax_rate else "",
            "kitchen_station": product.kitchen_station,
            "active": _yes(product.is_active),
            "track_stock": _yes(product.track_stock),
        }
        rows.append([values[column] for column in columns])
    return rows


def products_download(desk: Desk, kind: str) -> HttpResponse:
    """`kind` is `csv` or `xlsx`."""
    filename = f"{desk.tenant.slug}-products.{kind}"
    if kind == "xlsx":
        return xlsx_download(product_table(desk), filename, _("Products"))
    return csv_download(product_table(desk), filename)
