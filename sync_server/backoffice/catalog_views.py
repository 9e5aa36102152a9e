"""Catalog pages: products (list, form with image), categories, CSV import with a preview."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.catalog import (
    CSV_COLUMNS,
    CategoryForm,
    ProductForm,
    import_products,
    preview_product_csv,
    read_upload,
)
from sync_server.backoffice.catalog_io import products_download
from sync_server.catalog import services
from sync_server.catalog.models import Category, Product

PRODUCTS_PER_PAGE = 50


@backoffice_page("products", "list")
def product_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Products with search (name, SKU, barcode) and a category filter."""
    products = Product.objects.filter(tenant=desk.tenant).select_related("category")
    search = request.GET.get("q", "").strip()[:100]
    if search:
        products = products.filter(
            Q(name__icontains=search) | Q(sku__icontains=search) | Q(barcode=search)
        )
    category = request.GET.get("category", "")
    try:
        category_id = uuid.UUID(category) if category else None
    except ValueError:
        category_id = None
    if category_id is not None:
        products = products.filter(category_id=category_id)
    page = Paginator(products.order_by("name", "id"), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/products.html",
        {
            "page": page,
            "query": query.urlencode(),
            "search": search,
            "category": str(category_id or ""),
            "categories": list(Category.objects.filter(tenant=desk.tenant).order_by("name")),
            "nav": "products",
        },
    )


def _product_form_page(request: HttpRequest, desk: Desk, product: Product | None) -> HttpResponse:
    initial: dict[str, Any] = {"is_active": True}
    if product is not None:
        initial = {
            "sku": product.sku,
            "name": product.name,
            "category": str(product.category_id or ""),
            "price": desk.money(product.price_minor),
            "cost": desk.money(product.cost_minor),
            "tax_rate": str(product.tax_rate_id or ""),
            "barcode": product.barcode,
            "kitchen_station": product.kitchen_station,
            "is_active": product.is_active,
            "track_stock": product.track_stock,
        }
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        desk=desk,
    )
    status = 200
    if request.method == "POST":
        fields = form.product_fields()
        if fields is not None:
            image = form.cleaned_data.get("image")
            if image:
                fields["image"] = image
            try:
                with transaction.atomic():
                    if product is None:
                        product = services.product_create(tenant=desk.tenant, **fields)
                    else:
                        services.product_update(tenant=desk.tenant, product=product, **fields)
            except IntegrityError:
                form.add_error("sku", _("Another product already has this SKU."))
            else:
                return redirect("backoffice:products")
        status = 400
    return render(
        request,
        "backoffice/product_form.html",
        {"form": form, "product": product, "nav": "products"},
        status=status,
    )


@backoffice_page("products", "create", methods=("GET", "POST"))
def product_create_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    return _product_form_page(request, desk, None)


@backoffice_page("products", "update", methods=("GET", "POST"))
def product_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    product = get_object_or_404(Product.objects.filter(tenant=desk.tenant), pk=pk)
    return _product_form_page(request, desk, product)


@backoffice_page("categories", "list", methods=("GET", "POST"))
def category_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Categories with their product counts; a POST adds one (the `categories create` cell)."""
    form = CategoryForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not is_allowed(desk.user.role, "categories", "create"):
            return forbidden(request, _("Your role may not open this page."))
        fields = form.category_fields()
        if fields is not None:
            try:
                with transaction.atomic():
                    services.category_create(tenant=desk.tenant, **fields)
            except IntegrityError:
                form.add_error("name", _("A category with this name exists."))
            else:
                return redirect("backoffice:categories")
        status = 400
    categories = Category.objects.filter(tenant=desk.tenant).order_by("sort_order", "name")
    counts = {
        row["category_id"]: row["count"]
        for row in Product.objects.filter(tenant=desk.tenant)
        .values("category_id")
        .annotate(count=Count("id"))
    }
    return render(
        request,
        "backoffice/categories.html",
        {
            "form": form,
            "categories": [(category, counts.get(category.id, 0)) for category in categories],
            "nav": "products",
        },
        status=status,
    )


@backoffice_page("products", "create", methods=("GET", "POST"))
def product_import_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Upload a CSV: preview every row with its errors; confirm: write all rows or none."""
    context: dict[str, Any] = {"columns": CSV_COLUMNS, "nav": "products"}
    status = 200
    if request.method == "POST":
        text = request.POST.get("csv_text", "")
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                text = read_upload(upload)
            except ValueError as error:
                context["problem"] = str(error)
                return render(request, "backoffice/product_import.html", context, status=400)
        preview = preview_product_csv(desk, text)
        context.update({"preview": preview, "csv_text": text})
        if request.POST.get("confirm") and preview.ready:
            with transaction.atomic():
                count = import_products(desk, preview)
            context["imported"] = count
        elif not preview.ready:
            status = 400
    return render(request, "backoffice/product_import.html", context, status=status)


@backoffice_page("products", "list")
def product_export_page(request: HttpRequest, desk: Desk, kind: str) -> HttpResponse:
    """The catalog's products as CSV or XLSX, in the columns the import reads."""
    return products_download(desk, kind)
