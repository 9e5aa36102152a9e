"""Catalog endpoints: products, categories, modifier groups, tax rates (list/create, detail)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sync_server.catalog import selectors, services
from sync_server.catalog.error_codes import CatalogErrorCode
from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    OutletTaxRate,
    Product,
    TaxRate,
)
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
from sync_server.tenants.models import Outlet


def kitchen_station_field() -> StrictCharField:
    """A kitchen station as products and categories take it (blank: no station of its own)."""
    return StrictCharField(max_length=32, required=False, allow_blank=True)


class ProductInput(StrictInputSerializer):
    resource = "products"
    sku = StrictCharField(max_length=64)
    barcode = StrictCharField(max_length=64, required=False, allow_blank=True)
    name = name_field()
    category = tenant_related(Category.objects, allow_null=True, required=False)
    price_minor = money_field()
    cost_minor = money_field(required=False)
    tax_rate = tenant_related(TaxRate.objects, allow_null=True, required=False)
    kitchen_station = kitchen_station_field()
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

    list_selector = selectors.product_list
    create_service = services.product_create


class ProductDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one product of the tenant."""

    resource = "products"
    InputSerializer = ProductInput
    OutputSerializer = ProductOutput

    detail_selector = selectors.product_queryset
    update_service = services.product_update
    delete_service = services.product_delete
    instance_argument = "product"


class CategoryInput(StrictInputSerializer):
    name = name_field(max_length=100)
    colour = colour_field()
    kitchen_station = kitchen_station_field()
    sort_order = sort_order_field()


class CategoryOutput(RoleAwareOutputSerializer):
    resource = "categories"

    class Meta:
        model = Category
        fields = ["id", "name", "colour", "kitchen_station", "sort_order", "version", "updated_at"]


class CategoryListApi(ResourceListMixin, TenantApi):
    """GET: categories; POST: add one."""

    resource = "categories"
    InputSerializer = CategoryInput
    OutputSerializer = CategoryOutput
    FilterSerializer = FilterSerializer

    list_selector = selectors.category_list
    create_service = services.category_create


class CategoryDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one category (409 while it has products)."""

    resource = "categories"
    InputSerializer = CategoryInput
    OutputSerializer = CategoryOutput

    detail_selector = selectors.category_list
    update_service = services.category_update
    delete_service = services.category_delete
    instance_argument = "category"


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

    list_selector = selectors.tax_rate_list
    create_service = services.tax_rate_create


class TaxRateDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one tax rate (409 while products use it)."""

    resource = "tax-rates"
    InputSerializer = TaxRateInput
    OutputSerializer = TaxRateOutput

    detail_selector = selectors.tax_rate_list
    update_service = services.tax_rate_update
    delete_service = services.tax_rate_delete
    instance_argument = "tax_rate"


class OutletTaxRateInput(StrictInputSerializer):
    """An outlet's own rate of a tax (one per tax and outlet; a second one is a 409)."""

    tax_rate = tenant_related(TaxRate.objects)
    outlet = tenant_related(Outlet.objects)
    rate_bp = basis_points_field()


class OutletTaxRateOutput(RoleAwareOutputSerializer):
    resource = "outlet-tax-rates"

    class Meta:
        model = OutletTaxRate
        fields = ["id", "tax_rate", "outlet", "rate_bp", "version", "updated_at"]


class OutletTaxRateFilter(FilterSerializer):
    tax_rate = serializers.UUIDField(required=False)
    outlet = serializers.UUIDField(required=False)


class OutletTaxRateListApi(ResourceListMixin, TenantApi):
    """GET: the outlets' own tax rates; POST: let an outlet charge its own rate of a tax."""

    resource = "outlet-tax-rates"
    InputSerializer = OutletTaxRateInput
    OutputSerializer = OutletTaxRateOutput
    FilterSerializer = OutletTaxRateFilter

    list_selector = selectors.outlet_tax_rate_list
    create_service = services.outlet_tax_rate_create


class OutletTaxRateDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH (the rate), DELETE (the outlet charges the tax's own rate again)."""

    resource = "outlet-tax-rates"
    InputSerializer = OutletTaxRateInput
    OutputSerializer = OutletTaxRateOutput

    detail_selector = selectors.outlet_tax_rate_list
    update_service = services.outlet_tax_rate_update
    delete_service = services.outlet_tax_rate_delete
    instance_argument = "outlet_tax_rate"


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
                code=CatalogErrorCode.OUT_OF_RANGE,
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

    list_selector = selectors.modifier_group_list
    create_service = services.modifier_group_create


class ModifierGroupDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH (options replaced as a list), DELETE one modifier group."""

    resource = "modifier-groups"
    InputSerializer = ModifierGroupInput
    OutputSerializer = ModifierGroupOutput

    detail_selector = selectors.modifier_group_queryset
    update_service = services.modifier_group_update
    delete_service = services.modifier_group_delete
    instance_argument = "modifier_group"
