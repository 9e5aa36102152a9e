"""Customers: look up from the synced list, or create one offline at the till."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import or_, select

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.errors import InvalidInput, NotFound
from pos_desktop.store.models import Customer
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork
from shared.protocol import CustomerCreatedV1

MAX_PHONE = 32  # the cloud's limit
MAX_EMAIL = 200
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"""Something@somewhere.tld: catches typing slips; the cloud checks the address fully."""


@dataclass(frozen=True)
class CustomerView:
    """A customer as a list screen shows it (plain data, no session attached)."""

    customer_id: str
    name: str
    phone: str
    created_offline: bool
    group: str = ""


def _view(customer: Customer) -> CustomerView:
    return CustomerView(
        customer_id=customer.id,
        name=customer.name,
        phone=customer.phone or "",
        created_offline=customer.created_offline,
        group=customer.customer_group,
    )


def get_customer(uow: UnitOfWork, *, customer_id: str) -> CustomerView:
    """One stored customer (to attach to a sale); NotFound when there is none."""
    customer = uow.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("No such customer.", field="customer_id", code="no_customer")
    return _view(customer)


def find_customers(uow: UnitOfWork, *, query: str, limit: int = 20) -> list[CustomerView]:
    """Customers whose name or phone contains `query` (case-insensitive)."""
    pattern = f"%{query.strip()}%"
    rows = uow.session.scalars(
        select(Customer)
        .where(or_(Customer.name.ilike(pattern), Customer.phone.ilike(pattern)))
        .order_by(Customer.name)
        .limit(limit)
    ).all()
    return [_view(c) for c in rows]


def create_customer(
    uow: UnitOfWork, *, name: str, phone: str = "", email: str = ""
) -> CustomerView:
    """A new customer made at the till, often offline. The whole record goes to the cloud as
    a `customer_created` event, written in the same transaction as the customer."""
    name, phone, email = name.strip(), phone.strip(), email.strip()
    if not name:
        raise InvalidInput("A customer needs a name.", field="name", code="required")
    if len(name) > 200:
        raise InvalidInput("That name is too long.", field="name", code="too_long")
    if len(phone) > MAX_PHONE:
        raise InvalidInput("That phone number is too long.", field="phone", code="too_long")
    if len(email) > MAX_EMAIL:
        raise InvalidInput("That e-mail address is too long.", field="email", code="too_long")
    if email and not EMAIL_SHAPE.fullmatch(email):
        raise InvalidInput("That is not an e-mail address.", field="email", code="invalid_email")
    customer = Customer(
        id=new_id(),
        name=name,
        phone=phone or None,
        email=email or None,
        customer_group="",
        created_offline=True,
        version=0,
    )
    uow.session.add(customer)
    event = CustomerCreatedV1(
        id=UUID(new_id()),
        customer_id=UUID(customer.id),
        name=name,
        phone=phone,
        email=email,
        at=utcnow(),
    )
    uow.outbox.add(QueueKind.EVENT, str(event.id), event)
    uow.commit()
    return _view(customer)
