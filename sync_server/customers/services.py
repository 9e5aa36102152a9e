"""Writes of customers."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sync_server.common.services import apply_fields, create_owned, soft_delete
from sync_server.customers.models import Customer
from sync_server.tenants.models import Tenant


@transaction.atomic
def customer_create(*, tenant: Tenant, **fields: Any) -> Customer:
    return create_owned(Customer, tenant=tenant, data=fields)


@transaction.atomic
def customer_update(*, tenant: Tenant, customer: Customer, **fields: Any) -> Customer:
    return apply_fields(customer, fields)


@transaction.atomic
def customer_delete(*, tenant: Tenant, customer: Customer) -> None:
    soft_delete(customer)
