"""Reads of customers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sync_server.customers.models import Customer
from sync_server.tenants.models import Tenant


def customer_list(*, tenant: Tenant, search: str = "", group: str = "") -> QuerySet[Customer]:
    """Customers searched by name, phone or email, optionally one group."""
    queryset = Customer.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(phone__icontains=search) | Q(email__icontains=search)
        )
    if group:
        queryset = queryset.filter(group=group)
    return queryset.order_by("name", "id")
