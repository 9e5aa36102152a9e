"""Writes of customers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from shared.protocol import CustomerCreatedV1
from sync_server.common.errors import ItemRefused
from sync_server.common.services import apply_fields, create_owned, insert_if_absent, soft_delete
from sync_server.common.tenancy import next_version, tenant_atomic
from sync_server.customers.error_codes import CustomerErrorCode
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


def customer_create_from_terminal(*, tenant: Tenant, event: CustomerCreatedV1) -> Customer | None:
    """Keep a customer a till created, under the id the till gave it (its orders name it).

    Idempotent by customer id: one already here, perhaps edited in the back office since, is
    left as it is (None). The version is taken here because bulk inserts skip `save()`.
    """
    if event.email:
        try:
            validate_email(event.email)
        except ValidationError as error:
            raise ItemRefused(
                "the e-mail address is not valid",
                code=CustomerErrorCode.INVALID_EMAIL,
                field="email",
            ) from error
    with tenant_atomic(tenant):
        customer = Customer(
            id=event.customer_id,
            tenant=tenant,
            name=event.name,
            phone=event.phone,
            email=event.email,
            version=next_version(),
        )
        if insert_if_absent(customer):
            return customer
        if not Customer.with_tombstones.filter(id=event.customer_id).exists():
            raise ItemRefused(
                "this customer id is taken", code=CustomerErrorCode.ID_TAKEN, field="customer_id"
            )
        return None
