"""Catalog writes: every one keyword-only, inside the caller's tenant transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from sync_server.catalog.error_codes import CatalogErrorCode
from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    OutletTaxRate,
    Product,
    ProductModifierGroup,
    TaxRate,
)
from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.services import apply_fields, create_owned, soft_delete
from sync_server.tenants.models import Tenant


def _set_modifier_groups(
    *, tenant: Tenant, product: Product, groups: Sequence[ModifierGroup]
) -> None:
    """Make the product offer exactly `groups`, in order (tombstoning removed links)."""
    wanted = {group.id: index for index, group in enumerate(groups)}
    for link in ProductModifierGroup.objects.filter(product=product):
        if link.modifier_group_id not in wanted:
            soft_delete(link)
        elif link.sort_order != wanted[link.modifier_group_id]:
            apply_fields(link, {"sort_order": wanted.pop(link.modifier_group_id)})
        else:
            wanted.pop(link.modifier_group_id)
    for group_id, sort_order in wanted.items():
        create_owned(
            ProductModifierGroup,
            tenant=tenant,
            data={"product": product, "modifier_group_id": group_id, "sort_order": sort_order},
        )


@transaction.atomic
def product_create(
    *, tenant: Tenant, modifier_groups: Sequence[ModifierGroup] = (), **fields: Any
) -> Product:
    """Add a product; `modifier_groups` become its ordered modifier links."""
    product = create_owned(Product, tenant=tenant, data=fields)
    _set_modifier_groups(tenant=tenant, product=product, groups=modifier_groups)
    return product


@transaction.atomic
def product_update(
    *,
    tenant: Tenant,
    product: Product,
    modifier_groups: Sequence[ModifierGroup] | None = None,
    **fields: Any,
) -> Product:
    """Change a product; its version moves so terminals pull it."""
    apply_fields(product, fields)
    if modifier_groups is not None:
        _set_modifier_groups(tenant=tenant, product=product, groups=modifier_groups)
    return product


@transaction.atomic
def product_delete(*, tenant: Tenant, product: Product) -> None:
    """Tombstone a product and its modifier links."""
    for link in ProductModifierGroup.objects.filter(product=product):
        soft_delete(link)
    soft_delete(product)


@transaction.atomic
def category_create(*, tenant: Tenant, **fields: Any) -> Category:
    return create_owned(Category, tenant=tenant, data=fields)


@transaction.atomic
def category_update(*, tenant: Tenant, category: Category, **fields: Any) -> Category:
    return apply_fields(category, fields)


@transaction.atomic
def category_delete(*, tenant: Tenant, category: Category) -> None:
    """Refuse while live products are in the category (409): they would lose their menu tab."""
    if Product.objects.filter(category=category).exists():
        raise Refused(
            "the category still has products",
            code=CatalogErrorCode.IN_USE,
            category=ErrorCategory.CONFLICT,
        )
    soft_delete(category)


@transaction.atomic
def tax_rate_create(*, tenant: Tenant, **fields: Any) -> TaxRate:
    return create_owned(TaxRate, tenant=tenant, data=fields)


@transaction.atomic
def tax_rate_update(*, tenant: Tenant, tax_rate: TaxRate, **fields: Any) -> TaxRate:
    return apply_fields(tax_rate, fields)


@transaction.atomic
def tax_rate_delete(*, tenant: Tenant, tax_rate: TaxRate) -> None:
    """Refuse while live products use the rate (409)."""
    if Product.objects.filter(tax_rate=tax_rate).exists():
        raise Refused(
            "products still use this tax rate",
            code=CatalogErrorCode.IN_USE,
            category=ErrorCategory.CONFLICT,
        )
    for outlet_rate in OutletTaxRate.objects.filter(tax_rate=tax_rate):
        soft_delete(outlet_rate)
    soft_delete(tax_rate)


@transaction.atomic
def outlet_tax_rate_create(*, tenant: Tenant, **fields: Any) -> OutletTaxRate:
    """An outlet charges its own rate of a tax; the tax goes out again in the catalog feed."""
    return create_owned(OutletTaxRate, tenant=tenant, data=fields)


@transaction.atomic
def outlet_tax_rate_update(
    *, tenant: Tenant, outlet_tax_rate: OutletTaxRate, **fields: Any
) -> OutletTaxRate:
    return apply_fields(outlet_tax_rate, fields)


@transaction.atomic
def outlet_tax_rate_delete(*, tenant: Tenant, outlet_tax_rate: OutletTaxRate) -> None:
    """The outlet charges the tax's own rate again (the tombstone re-sends the tax)."""
    soft_delete(outlet_tax_rate)


def _replace_options(
    *, tenant: Tenant, group: ModifierGroup, options: Sequence[Mapping[str, Any]]
) -> None:
    """Options are edited as a whole list: old ones are tombstoned, the new list inserted."""
    for option in ModifierOption.objects.filter(group=group):
        soft_delete(option)
    for index, option in enumerate(options):
        create_owned(
            ModifierOption,
            tenant=tenant,
            data={"sort_order": index, **option, "group": group},
        )


@transaction.atomic
def modifier_group_create(
    *, tenant: Tenant, options: Sequence[Mapping[str, Any]] = (), **fields: Any
) -> ModifierGroup:
    """A modifier group with its options (size: small/regular/large)."""
    group = create_owned(ModifierGroup, tenant=tenant, data=fields)
    _replace_options(tenant=tenant, group=group, options=options)
    return group


@transaction.atomic
def modifier_group_update(
    *,
    tenant: Tenant,
    modifier_group: ModifierGroup,
    options: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ModifierGroup:
    apply_fields(modifier_group, fields)
    if options is not None:
        _replace_options(tenant=tenant, group=modifier_group, options=options)
    return modifier_group


@transaction.atomic
def modifier_group_delete(*, tenant: Tenant, modifier_group: ModifierGroup) -> None:
    """Tombstone the group, its options and its product links."""
    for option in ModifierOption.objects.filter(group=modifier_group):
        soft_delete(option)
    for link in ProductModifierGroup.objects.filter(modifier_group=modifier_group):
        soft_delete(link)
    soft_delete(modifier_group)
