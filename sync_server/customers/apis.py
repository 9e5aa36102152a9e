"""Customer endpoints."""

from __future__ import annotations

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

    list_selector = selectors.customer_list
    create_service = services.customer_create


class CustomerDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one customer."""

    resource = "customers"
    InputSerializer = CustomerInput
    OutputSerializer = CustomerOutput

    detail_selector = selectors.customer_list
    update_service = services.customer_update
    delete_service = services.customer_delete
    instance_argument = "customer"
