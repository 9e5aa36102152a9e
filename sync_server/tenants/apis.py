"""Endpoints of outlets and terminals (per tenant) and of tenants (super admin)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from shared.money import MoneyError, check_locale
from sync_server.common.apis import (
    FilterSerializer,
    PlatformApi,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.common.errors import KioskJSONParser
from sync_server.common.schema import ResourceSchema
from sync_server.common.serializers import (
    RoleAwareOutputSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    basis_points_field,
    name_field,
    tenant_related,
)
from sync_server.tenants import selectors, services
from sync_server.tenants.error_codes import TenantErrorCode
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind, TerminalStatus

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
# First path segments under /api/ that are not tenants.
RESERVED_SLUGS = frozenset({"auth", "schema", "docs", "tenants", "admin", "static", "media"})


class TenantSettingsInput(StrictInputSerializer):
    """What an owner may change of their own business (not slug, currency or active flag)."""

    name = name_field()
    time_zone = StrictCharField(max_length=64, required=False)
    locale = StrictCharField(max_length=16, required=False)
    prices_include_tax = StrictBooleanField(required=False)
    service_charge_bp = basis_points_field(required=False)
    service_charge_taxed = StrictBooleanField(required=False)
    approval_discount_threshold_bp = basis_points_field(required=False)
    cash_rounding_step_minor = StrictIntegerField(required=False, min_value=1, max_value=10**9)
    receipt_header = StrictCharField(required=False, allow_blank=True, max_length=2000)
    receipt_footer = StrictCharField(required=False, allow_blank=True, max_length=2000)
    tax_id = StrictCharField(required=False, allow_blank=True, max_length=64)
    address = StrictCharField(required=False, allow_blank=True, max_length=2000)
    receipt_logo = serializers.ImageField(required=False, allow_null=True)
    """A picture (multipart upload) becomes the receipt logo; null removes it."""

    def validate_receipt_logo(self, value: Any) -> bytes | None:
        """The PNG tills print, by the back office's own check (None: remove the logo)."""
        return None if value is None else services.receipt_logo_from_upload(value)

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(
                "unknown time zone", code=TenantErrorCode.INVALID_TIME_ZONE
            )
        return value

    def validate_locale(self, value: str) -> str:
        """A CLDR locale with a country (`id_ID`), which is how every amount will read."""
        try:
            return check_locale(value)
        except MoneyError as error:
            raise serializers.ValidationError(error.message, code=error.code) from error


class TenantInput(TenantSettingsInput):
    """Super admin: everything, including the slug, the currency and deactivation."""

    slug = serializers.RegexField(SLUG, max_length=63)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    is_active = StrictBooleanField(required=False)
    receipt_logo = None  # type: ignore[assignment]  # set by the business, not the platform

    def validate_slug(self, value: str) -> str:
        if value in RESERVED_SLUGS:
            raise serializers.ValidationError(
                "this slug is reserved", code=TenantErrorCode.RESERVED
            )
        return value


class TenantOutput(RoleAwareOutputSerializer):
    resource = "tenants"

    receipt_logo_url = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = [
            "id",
            "slug",
            "name",
            "currency",
            "time_zone",
            "locale",
            "prices_include_tax",
            "service_charge_bp",
            "service_charge_taxed",
            "approval_discount_threshold_bp",
            "cash_rounding_step_minor",
            "receipt_header",
            "receipt_footer",
            "receipt_logo_url",
            "receipt_logo_sha256",
            "tax_id",
            "address",
            "is_active",
            "version",
        ]

    def get_receipt_logo_url(self, tenant: Tenant) -> str:
        """The logo as the back office shows it ("" for none; set on the settings page)."""
        return tenant.receipt_logo.url if tenant.receipt_logo else ""


class TenantListApi(ResourceListMixin, PlatformApi):
    """Super admin: GET all tenants; POST register one."""

    resource = "tenants"
    InputSerializer = TenantInput
    OutputSerializer = TenantOutput
    FilterSerializer = FilterSerializer

    list_selector = selectors.tenant_list
    create_service = services.tenant_create


class TenantDetailApi(ResourceDetailMixin, PlatformApi):
    """Super admin: GET, PATCH, DELETE (deactivate) one tenant."""

    resource = "tenants"
    InputSerializer = TenantInput
    OutputSerializer = TenantOutput

    detail_selector = selectors.tenant_list
    update_service = services.tenant_update
    delete_service = services.tenant_delete
    instance_argument = "tenant"


class TenantSettingsApi(TenantApi):
    """GET the tenant's own settings (currency, tax, receipt); PATCH them (owner, admin), as
    JSON, or as a multipart form to upload the receipt logo."""

    resource = "settings"
    parser_classes = [KioskJSONParser, MultiPartParser]
    singleton = True
    InputSerializer = TenantSettingsInput
    OutputSerializer = TenantOutput
    schema = ResourceSchema()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._output())

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tenant = selectors.tenant_by_slug(slug=self.current_tenant.slug)
        assert tenant is not None
        serializer = TenantSettingsInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        changes_logo = "receipt_logo" in fields
        png = fields.pop("receipt_logo", None)
        services.tenant_update(tenant=tenant, **fields)
        if changes_logo:
            services.tenant_receipt_logo_set(tenant=tenant, png=png)
        return Response(self._output())

    def _output(self) -> Any:
        tenant = selectors.tenant_by_slug(slug=self.current_tenant.slug)
        return TenantOutput(tenant, context=self.serializer_context()).data


# A ticket older than a day is a forgotten one, not a slow one.
TICKET_TIMER_LIMIT_S = 86_400


class OutletInput(StrictInputSerializer):
    code = serializers.RegexField(SLUG, max_length=32)
    name = name_field()
    address = StrictCharField(required=False, allow_blank=True, max_length=2000)
    default_kitchen_station = StrictCharField(required=False, max_length=32)
    ticket_amber_after_s = StrictIntegerField(
        required=False, min_value=1, max_value=TICKET_TIMER_LIMIT_S
    )
    ticket_red_after_s = StrictIntegerField(
        required=False, min_value=1, max_value=TICKET_TIMER_LIMIT_S
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Amber must come before red, also when a PATCH sends only one of the two."""
        amber = attrs.get(
            "ticket_amber_after_s", getattr(self.instance, "ticket_amber_after_s", 300)
        )
        red = attrs.get("ticket_red_after_s", getattr(self.instance, "ticket_red_after_s", 600))
        if amber >= red:
            field = (
                "ticket_amber_after_s" if "ticket_amber_after_s" in attrs else "ticket_red_after_s"
            )
            raise serializers.ValidationError(
                {field: ["ticket_amber_after_s must be below ticket_red_after_s"]},
                code=TenantErrorCode.OUT_OF_RANGE,
            )
        return attrs


class OutletOutput(RoleAwareOutputSerializer):
    resource = "outlets"

    class Meta:
        model = Outlet
        fields = [
            "id",
            "code",
            "name",
            "address",
            "default_kitchen_station",
            "ticket_amber_after_s",
            "ticket_red_after_s",
            "version",
        ]


class OutletListApi(ResourceListMixin, TenantApi):
    """GET: the tenant's outlets; POST: open one."""

    resource = "outlets"
    InputSerializer = OutletInput
    OutputSerializer = OutletOutput
    FilterSerializer = FilterSerializer

    list_selector = selectors.outlet_list
    create_service = services.outlet_create


class OutletDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one outlet (409 while it has terminals)."""

    resource = "outlets"
    InputSerializer = OutletInput
    OutputSerializer = OutletOutput

    detail_selector = selectors.outlet_list
    update_service = services.outlet_update
    delete_service = services.outlet_delete
    instance_argument = "outlet"


class TerminalInput(StrictInputSerializer):
    outlet = tenant_related(Outlet.objects)
    code = serializers.RegexField(SLUG, max_length=32)
    name = name_field()
    kind = serializers.ChoiceField(choices=TerminalKind.choices, required=False)
    status = serializers.ChoiceField(choices=TerminalStatus.choices, required=False)


class TerminalOutput(RoleAwareOutputSerializer):
    resource = "terminals"

    class Meta:
        model = Terminal
        fields = ["id", "outlet", "code", "name", "kind", "status", "paired_at", "version"]


class TerminalFilter(FilterSerializer):
    outlet = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=TerminalKind.choices, required=False)


class TerminalListApi(ResourceListMixin, TenantApi):
    """GET: terminals and kitchen screens; POST: register one (pairing is issue 4)."""

    resource = "terminals"
    InputSerializer = TerminalInput
    OutputSerializer = TerminalOutput
    FilterSerializer = TerminalFilter

    list_selector = selectors.terminal_list
    create_service = services.terminal_create


class TerminalDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH (rename, revoke), DELETE one terminal."""

    resource = "terminals"
    InputSerializer = TerminalInput
    OutputSerializer = TerminalOutput

    detail_selector = selectors.terminal_list
    update_service = services.terminal_update
    delete_service = services.terminal_delete
    instance_argument = "terminal"
