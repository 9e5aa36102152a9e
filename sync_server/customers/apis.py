"""Customer endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from sync_server.common.apis import (
    FilterSerializer,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.common.serializers import (
    RoleAwareOutputSerializer,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    name_field,
)
from sync_server.customers import selectors, services
from sync_server.customers.models import Customer


class CustomerInput(StrictInputSerializer):
    name = name_field()
    phone = StrictCharField(required=False, allow_blank=True, max_length=32)
    email = serializers.EmailField(required=False, allow_blank=True)
    group = StrictCharField(required=False, allow_blank=True, max_length=32)
    loyalty_points = StrictIntegerField(required=False, min_value=0, max_value=10**12)


class CustomerOutput(RoleAwareOutputSerializer):
    resource = "customers"

    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "email", "group", "loyalty_points", "version"]


class CustomerFilter(FilterSerializer):
    group = serializers.CharField(required=False, allow_blank=True, max_length=32)


class CustomerListApi(ResourceListMixin, TenantApi):
    """GET: customers (search by name, phone, email); POST: add one."""

    resource = "customers"
    InputSerializer = CustomerInput
    OutputSerializer = CustomerOutput
    FilterSerializer = CustomerFilter

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.customer_list(tenant=self.current_tenant, **filters)

    def create_object(self, *, data: dict[str, Any]) -> Customer:
        return services.customer_create(tenant=self.current_tenant, **data)


class CustomerDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one customer."""

    resource = "customers"
    InputSerializer = CustomerInput
    OutputSerializer = CustomerOutput

    def detail_queryset(self) -> Any:
        return selectors.customer_list(tenant=self.current_tenant)

    def update_object(self, *, instance: Customer, data: dict[str, Any]) -> Customer:
        return services.customer_update(tenant=self.current_tenant, customer=instance, **data)

    def delete_object(self, *, instance: Customer) -> None:
        services.customer_delete(tenant=self.current_tenant, customer=instance)
