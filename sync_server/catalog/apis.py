"""Catalog endpoints: products, categories, modifier groups, tax rates (list/create, detail)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from sync_server.catalog import selectors, services
from sync_server.catalog.models import Category, ModifierGroup, ModifierOption, Product, TaxRate
from sync_server.common.apis import (
    FilterSerializer,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.common.serializers import (
    RoleAwareOutputSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    basis_points_field,
    colour_field,
    money_field,
    name_field,
    sort_order_field,
    tenant_related,
)


class ProductInput(StrictInputSerializer):
    resource = "products"
    sku = StrictCharField(max_length=64)
    barcode = StrictCharField(max_length=64, required=False, allow_blank=True)
    name = name_field()
    category = tenant_related(Category.objects, allow_null=True, required=False)
    price_minor = money_field()
    cost_minor = money_field(required=False)
    tax_rate = tenant_related(TaxRate.objects, allow_null=True, required=False)
    kitchen_station = StrictCharField(max_length=32, required=False, allow_blank=True)
    colour = colour_field()
    is_active = StrictBooleanField(required=False)
    track_stock = StrictBooleanField(required=False)
    sort_order = sort_order_field()
    modifier_groups = tenant_related(ModifierGroup.objects, many=True, required=False)


class ProductOutput(RoleAwareOutputSerializer):
    resource = "products"
    modifier_groups = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "barcode",
            "name",
            "category",
            "price_minor",
            "cost_minor",
            "tax_rate",
            "kitchen_station",
            "colour",
            "image",
            "is_active",
            "track_stock",
            "sort_order",
            "modifier_groups",
            "version",
            "updated_at",
        ]

    def get_modifier_groups(self, product: Product) -> list[str]:
        links = getattr(product, "live_modifier_links", None)
        if links is None:
            links = list(product.modifier_links.filter(deleted_at__isnull=True))
        return [str(link.modifier_group_id) for link in links]

    def get_image(self, product: Product) -> str | None:
        return product.image.url if product.image else None


class ProductFilter(FilterSerializer):
    category = serializers.UUIDField(required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    barcode = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ProductListApi(ResourceListMixin, TenantApi):
    """GET: products (cost hidden from cashiers and kitchen); POST: add a product."""

    resource = "products"
    InputSerializer = ProductInput
    OutputSerializer = ProductOutput
    FilterSerializer = ProductFilter

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.product_list(tenant=self.current_tenant, **filters)

    def create_object(self, *, data: dict[str, Any]) -> Product:
        return services.product_create(tenant=self.current_tenant, **data)


class ProductDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one product of the tenant."""

    resource = "products"
    InputSerializer = ProductInput
    OutputSerializer = ProductOutput

    def detail_queryset(self) -> Any:
        return selectors.product_queryset(tenant=self.current_tenant)

    def update_object(self, *, instance: Product, data: dict[str, Any]) -> Product:
        return services.product_update(tenant=self.current_tenant, product=instance, **data)

    def delete_object(self, *, instance: Product) -> None:
        services.product_delete(tenant=self.current_tenant, product=instance)


class CategoryInput(StrictInputSerializer):
    name = name_field(max_length=100)
    colour = colour_field()
    sort_order = sort_order_field()


class CategoryOutput(RoleAwareOutputSerializer):
    resource = "categories"

    class Meta:
        model = Category
        fields = ["id", "name", "colour", "sort_order", "version", "updated_at"]


class CategoryListApi(ResourceListMixin, TenantApi):
    """GET: categories; POST: add one."""

    resource = "categories"
    InputSerializer = CategoryInput
    OutputSerializer = CategoryOutput
    FilterSerializer = FilterSerializer

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.category_list(tenant=self.current_tenant, **filters)

    def create_object(self, *, data: dict[str, Any]) -> Category:
        return services.category_create(tenant=self.current_tenant, **data)


class CategoryDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one category (409 while it has products)."""

    resource = "categories"
    InputSerializer = CategoryInput
    OutputSerializer = CategoryOutput

    def detail_queryset(self) -> Any:
        return selectors.category_list(tenant=self.current_tenant)

    def update_object(self, *, instance: Category, data: dict[str, Any]) -> Category:
        return services.category_update(tenant=self.current_tenant, category=instance, **data)

    def delete_object(self, *, instance: Category) -> None:
        services.category_delete(tenant=self.current_tenant, category=instance)


class TaxRateInput(StrictInputSerializer):
    name = name_field(max_length=100)
    rate_bp = basis_points_field()
    inclusive = StrictBooleanField(required=False)


class TaxRateOutput(RoleAwareOutputSerializer):
    resource = "tax-rates"

    class Meta:
        model = TaxRate
        fields = ["id", "name", "rate_bp", "inclusive", "version", "updated_at"]


class TaxRateListApi(ResourceListMixin, TenantApi):
    """GET: tax rates; POST: add one."""

    resource = "tax-rates"
    InputSerializer = TaxRateInput
    OutputSerializer = TaxRateOutput
    FilterSerializer = FilterSerializer

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.tax_rate_list(tenant=self.current_tenant, **filters)

    def create_object(self, *, data: dict[str, Any]) -> TaxRate:
        return services.tax_rate_create(tenant=self.current_tenant, **data)


class TaxRateDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one tax rate (409 while products use it)."""

    resource = "tax-rates"
    InputSerializer = TaxRateInput
    OutputSerializer = TaxRateOutput

    def detail_queryset(self) -> Any:
        return selectors.tax_rate_list(tenant=self.current_tenant)

    def update_object(self, *, instance: TaxRate, data: dict[str, Any]) -> TaxRate:
        return services.tax_rate_update(tenant=self.current_tenant, tax_rate=instance, **data)

    def delete_object(self, *, instance: TaxRate) -> None:
        services.tax_rate_delete(tenant=self.current_tenant, tax_rate=instance)


class ModifierOptionInput(StrictInputSerializer):
    name = name_field(max_length=100)
    price_delta_minor = money_field(allow_negative=True, required=False)
    is_default = StrictBooleanField(required=False)


class ModifierGroupInput(StrictInputSerializer):
    name = name_field(max_length=100)
    min_selections = StrictIntegerField(required=False, min_value=0, max_value=50)
    max_selections = StrictIntegerField(required=False, min_value=1, max_value=50)
    sort_order = sort_order_field()
    options = ModifierOptionInput(many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        low = attrs.get("min_selections", getattr(instance, "min_selections", 0))
        high = attrs.get("max_selections", getattr(instance, "max_selections", 1))
        if low > high:
            raise serializers.ValidationError(
                {"min_selections": ["min_selections is above max_selections"]},
                code="out_of_range",
            )
        return attrs


class ModifierOptionOutput(serializers.ModelSerializer[ModifierOption]):
    class Meta:
        model = ModifierOption
        fields = ["id", "name", "price_delta_minor", "is_default", "sort_order"]


class ModifierGroupOutput(RoleAwareOutputSerializer):
    resource = "modifier-groups"
    options = serializers.SerializerMethodField()

    class Meta:
        model = ModifierGroup
        fields = [
            "id",
            "name",
            "min_selections",
            "max_selections",
            "sort_order",
            "options",
            "version",
            "updated_at",
        ]

    def get_options(self, group: ModifierGroup) -> list[dict[str, Any]]:
        options = getattr(group, "live_options", None)
        if options is None:
            options = list(ModifierOption.objects.filter(group=group).order_by("sort_order"))
        return list(ModifierOptionOutput(options, many=True).data)


class ModifierGroupListApi(ResourceListMixin, TenantApi):
    """GET: modifier groups with options; POST: add one with its options."""

    resource = "modifier-groups"
    InputSerializer = ModifierGroupInput
    OutputSerializer = ModifierGroupOutput
    FilterSerializer = FilterSerializer

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.modifier_group_list(tenant=self.current_tenant, **filters)

    def create_object(self, *, data: dict[str, Any]) -> ModifierGroup:
        return services.modifier_group_create(tenant=self.current_tenant, **data)


class ModifierGroupDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH (options replaced as a list), DELETE one modifier group."""

    resource = "modifier-groups"
    InputSerializer = ModifierGroupInput
    OutputSerializer = ModifierGroupOutput

    def detail_queryset(self) -> Any:
        return selectors.modifier_group_queryset(tenant=self.current_tenant)

    def update_object(self, *, instance: ModifierGroup, data: dict[str, Any]) -> ModifierGroup:
        return services.modifier_group_update(
            tenant=self.current_tenant, modifier_group=instance, **data
        )

    def delete_object(self, *, instance: ModifierGroup) -> None:
        services.modifier_group_delete(tenant=self.current_tenant, modifier_group=instance)
