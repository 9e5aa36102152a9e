"""Catalog reads, all within the tenant in context; query counts do not grow with rows."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, Q, QuerySet

from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    OutletTaxRate,
    Product,
    ProductModifierGroup,
    TaxRate,
)
from sync_server.tenants.models import Tenant


def product_queryset(*, tenant: Tenant) -> QuerySet[Product]:
    """Products with their modifier links prefetched (two queries for any page)."""
    links = ProductModifierGroup.objects.order_by("sort_order")
    return Product.objects.filter(tenant=tenant).prefetch_related(
        Prefetch("modifier_links", queryset=links, to_attr="live_modifier_links")
    )


def product_list(
    *,
    tenant: Tenant,
    search: str = "",
    category: uuid.UUID | None = None,
    is_active: bool | None = None,
    barcode: str = "",
) -> QuerySet[Product]:
    """Products of the tenant, searched by name/SKU/barcode and filtered."""
    queryset = product_queryset(tenant=tenant)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(sku__icontains=search) | Q(barcode=search)
        )
    if category is not None:
        queryset = queryset.filter(category_id=category)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    if barcode:
        queryset = queryset.filter(barcode=barcode)
    return queryset.order_by("sort_order", "name", "id")


def category_list(*, tenant: Tenant, search: str = "") -> QuerySet[Category]:
    queryset = Category.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("sort_order", "name", "id")


def modifier_group_queryset(*, tenant: Tenant) -> QuerySet[ModifierGroup]:
    """Groups with their live options prefetched."""
    options = ModifierOption.objects.order_by("sort_order", "name")
    return ModifierGroup.objects.filter(tenant=tenant).prefetch_related(
        Prefetch("options", queryset=options, to_attr="live_options")
    )


def modifier_group_list(*, tenant: Tenant, search: str = "") -> QuerySet[ModifierGroup]:
    queryset = modifier_group_queryset(tenant=tenant)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("sort_order", "name", "id")


def tax_rate_list(*, tenant: Tenant, search: str = "") -> QuerySet[TaxRate]:
    queryset = TaxRate.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("name", "id")


def outlet_tax_rate_list(
    *,
    tenant: Tenant,
    search: str = "",
    tax_rate: uuid.UUID | None = None,
    outlet: uuid.UUID | None = None,
) -> QuerySet[OutletTaxRate]:
    """Outlets' own tax rates, by tax or outlet (search matches the tax's name)."""
    queryset = OutletTaxRate.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(tax_rate__name__icontains=search)
    if tax_rate is not None:
        queryset = queryset.filter(tax_rate_id=tax_rate)
    if outlet is not None:
        queryset = queryset.filter(outlet_id=outlet)
    return queryset.order_by("tax_rate_id", "outlet_id", "id")
