"""Catalog rows: every one tenant-owned, versioned and soft-deleted for the change feed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sync_server.common.tenancy import TenantOwnedModel

# Upper bound of any money amount or bp value the API accepts (minor units).
MONEY_LIMIT_MINOR = 10**12


def _live_unique(*fields: str, name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["tenant", *fields], condition=Q(deleted_at__isnull=True), name=name
    )


class TaxRate(TenantOwnedModel):
    """A tax in basis points (PB1 10% = 1000), included in or added to prices; an outlet may
    charge its own rate of it (OutletTaxRate)."""

    name = models.CharField(max_length=100)
    rate_bp = models.IntegerField()
    inclusive = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            _live_unique("name", name="taxrate_name_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(rate_bp__gte=0) & Q(rate_bp__lte=10_000), name="taxrate_bp_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutletTaxRate(TenantOwnedModel):
    """An outlet's own rate of a tax: PB1 is set by each city (Jakarta 10%, another 5%).

    Tills of that outlet price with it and the server re-prices that outlet's orders with it;
    every other outlet keeps the tax rate's own `rate_bp`.
    """

    tax_rate = models.ForeignKey(TaxRate, on_delete=models.CASCADE, related_name="outlet_rates")
    outlet = models.ForeignKey("tenants.Outlet", on_delete=models.CASCADE, related_name="+")
    rate_bp = models.IntegerField()

    class Meta:
        ordering = ["tax_rate", "outlet"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_rate", "outlet"],
                condition=Q(deleted_at__isnull=True),
                name="outlettaxrate_unique_per_outlet",
            ),
            models.CheckConstraint(
                condition=Q(rate_bp__gte=0) & Q(rate_bp__lte=10_000),
                name="outlettaxrate_bp_range",
            ),
        ]

    @property
    def name(self) -> str:
        """The tax's name: what a search of the outlets' rates matches."""
        return self.tax_rate.name

    def __str__(self) -> str:
        return f"{self.name} at {self.outlet_id}: {self.rate_bp} bp"


class Category(TenantOwnedModel):
    """A group of products on the terminal's menu; its kitchen station routes the products that
    name none of their own (blank: the outlet's default station)."""

    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, blank=True, default="")
    kitchen_station = models.CharField(max_length=32, blank=True, default="")
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [_live_unique("name", name="category_name_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class ModifierGroup(TenantOwnedModel):
    """A choice offered with a product (size, sugar, extra shot) with min/max selections."""

    name = models.CharField(max_length=100)
    min_selections = models.IntegerField(default=0)
    max_selections = models.IntegerField(default=1)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            _live_unique("name", name="modifiergroup_name_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(min_selections__gte=0)
                & Q(max_selections__gte=models.F("min_selections")),
                name="modifiergroup_selection_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ModifierOption(TenantOwnedModel):
    """One option of a group; its price delta may be negative (a smaller size)."""

    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=100)
    price_delta_minor = models.BigIntegerField(default=0)
    is_default = models.BooleanField(default=False)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Product(TenantOwnedModel):
    """Something sold; `cost_minor` is hidden from cashiers and kitchen screens."""

    sku = models.CharField(max_length=64)
    barcode = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    price_minor = models.BigIntegerField()
    cost_minor = models.BigIntegerField(default=0)
    tax_rate = models.ForeignKey(
        TaxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    kitchen_station = models.CharField(max_length=32, blank=True, default="")
    colour = models.CharField(max_length=7, blank=True, default="")
    image = models.ImageField(upload_to="products/", blank=True, default="")
    is_active = models.BooleanField(default=True)
    track_stock = models.BooleanField(default=False)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            _live_unique("sku", name="product_sku_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(price_minor__gte=0) & Q(cost_minor__gte=0),
                name="product_money_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "barcode"], name="product_barcode_idx")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductModifierGroup(TenantOwnedModel):
    """Which modifier groups a product offers (explicit link so it carries `tenant_id`)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="modifier_links")
    modifier_group = models.ForeignKey(
        ModifierGroup, on_delete=models.CASCADE, related_name="product_links"
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "modifier_group"],
                condition=Q(deleted_at__isnull=True),
                name="product_modifier_group_unique",
            )
        ]
