"""Customers: look up from the synced list, or create one offline at the till."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from pos_desktop.ids import new_id
from pos_desktop.services.errors import InvalidInput
from pos_desktop.store.models import Customer
from pos_desktop.store.uow import UnitOfWork


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
    """A new customer made at the till, offline; the cloud learns of them with their order."""
    name = name.strip()
    if not name:
        raise InvalidInput("A customer needs a name.", field="name", code="required")
    if len(name) > 200 or len(phone) > 40 or len(email) > 200:
        raise InvalidInput("That is too long.", field="name", code="too_long")
    customer = Customer(
        id=new_id(),
        name=name,
        phone=phone.strip() or None,
        email=email.strip() or None,
        customer_group="",
        created_offline=True,
        version=0,
    )
    uow.session.add(customer)
    uow.commit()
    return _view(customer)
