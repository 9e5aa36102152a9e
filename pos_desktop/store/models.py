"""SQLAlchemy 2.0 typed models of the terminal's SQLite store (catalog cache, sales, outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pos_desktop.ids import new_id, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC in SQLite and hands back aware UTC, so comparisons never mix zones."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so batch migrations can name constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


# --- catalog cache (replaced by the catalog feed; no foreign keys, pages arrive in any order) ---


class Category(Base):
    """A product category as the catalog feed sent it."""

    __tablename__ = "categories"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    kitchen_station: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=0)


class TaxRate(Base):
    """A tax rate in basis points; `inclusive` means prices already contain it."""

    __tablename__ = "tax_rates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rate_bp: Mapped[int] = mapped_column(Integer)
    inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Product(Base):
    """A sellable product; `modifier_group_ids` lists the groups offered with it."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    category_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64), default="")
    barcode: Mapped[str] = mapped_column(String(64), default="", index=True)
    price_minor: Mapped[int] = mapped_column(Integer)
    tax_rate_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    modifier_group_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kitchen_station: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    image_url: Mapped[str] = mapped_column(String(500), default="")
    """The catalog's picture of the product (often relative to the server), "" for none."""
    colour: Mapped[str] = mapped_column(String(16), default="")
    """The tile colour the owner set (`#6F4E37`), "" for none."""


class ModifierGroup(Base):
    """A group of modifier options with how many a cashier may or must pick."""

    __tablename__ = "modifier_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    min_select: Mapped[int] = mapped_column(Integer, default=0)
    max_select: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ModifierOption(Base):
    """One option of a modifier group, with the price it adds."""

    __tablename__ = "modifier_options"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(200))
    price_delta_minor: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Promotion(Base):
    """A promotion kept as the JSON the shared pricing engine reads."""

    __tablename__ = "promotions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Cashier(Base):
    """A person who may sign in on this terminal, with the server's Django PIN hash."""

    __tablename__ = "cashiers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(150))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), default="cashier")
    pin_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


class Customer(Base):
    """A customer, from the catalog feed or created offline on this terminal."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    customer_group: Mapped[str] = mapped_column(String(40), default="")
    created_offline: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Setting(Base):
    """A key/value setting (tenant and outlet settings, pairing, catalog cursor) as JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Counter(Base):
    """A per-terminal counter (receipt numbers) bumped inside the transaction that uses it."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- sales ---


class Shift(Base):
    """A cash-drawer session (Odoo: opening_control → opened → closing_control → closed)."""

    __tablename__ = "shifts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    cashier_id: Mapped[str] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(20), default="opening_control", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opening_float_minor: Mapped[int] = mapped_column(Integer, default=0)
    expected_cash_minor: Mapped[int | None] = mapped_column(Integer)
    counted_cash_minor: Mapped[int | None] = mapped_column(Integer)
    counted_denominations: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    z_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    orders: Mapped[list[Order]] = relationship(back_populates="shift")
    cash_movements: Mapped[list[CashMovement]] = relationship(back_populates="shift")


class CashMovement(Base):
    """Cash put in or taken out of the drawer during a shift, with a reason."""

    __tablename__ = "cash_movements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # 'in' | 'out'
    amount_minor: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    cashier_id: Mapped[str] = mapped_column(String(36))
    manager_id: Mapped[str] = mapped_column(String(36), default="")
    """Who approved it with their PIN ('' for movements made before approvals)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="cash_movements")


class Order(Base):
    """A paid sale; its lines, payments and outbox row are written in one transaction."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    receipt_number: Mapped[str] = mapped_column(String(64), unique=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    cashier_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    table: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="paid")  # paid|voided|refunded
    currency: Mapped[str] = mapped_column(String(3))
    catalog_version: Mapped[int] = mapped_column(Integer, default=0)
    manual_discount: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    subtotal_minor: Mapped[int] = mapped_column(Integer)
    discount_minor: Mapped[int] = mapped_column(Integer, default=0)
    service_charge_minor: Mapped[int] = mapped_column(Integer, default=0)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)
    rounding_minor: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(Integer)
    paid_minor: Mapped[int] = mapped_column(Integer)
    change_minor: Mapped[int] = mapped_column(Integer, default=0)
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    pricing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    shift: Mapped[Shift] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )
    refunds: Mapped[list[Refund]] = relationship(back_populates="order")


class OrderLine(Base):
    """One line of an order, priced by the shared engine at the time of sale."""

    __tablename__ = "order_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str | None] = mapped_column(String(36))
    category_id: Mapped[str | None] = mapped_column(String(36))
    sku: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200))
    kitchen_station: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    modifiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    manual_discount: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    taxes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    gross_minor: Mapped[int] = mapped_column(Integer)
    discount_minor: Mapped[int] = mapped_column(Integer, default=0)
    net_minor: Mapped[int] = mapped_column(Integer)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")

    order: Mapped[Order] = relationship(back_populates="lines")


class Payment(Base):
    """A tender on an order; change given back is a negative cash payment with is_change."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(Integer)
    is_change: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")


class Approval(Base):
    """A manager's recorded approval (discount over threshold, void, refund) on an order."""

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # shared.protocol.ApprovalAction
    manager_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(500), default="")
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="approvals")


class Refund(Base):
    """A void (whole order, same shift) or refund (some or all of it), money in minor units."""

    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # 'void' | 'refund'
    amount_minor: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32), default="cash")
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(500), default="")
    cashier_id: Mapped[str] = mapped_column(String(36))
    manager_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")


# --- outbox and print queue ---


class SyncQueueItem(Base):
    """An outbox row: one order or event to deliver; deleted only once the server acknowledged it.

    States: 'pending' (waiting for next_attempt_at) and 'needs_attention' (rejected or
    failed 5 times; a manager retries or exports it). Acknowledged rows are deleted.
    """

    __tablename__ = "sync_queue"
    __table_args__ = (UniqueConstraint("kind", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # 'order' | 'event'
    entity_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrintJob(Base):
    """A queued print (receipt, kitchen, report, test); a dead printer never blocks a sale."""

    __tablename__ = "print_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # 'receipt'|'kitchen'|'report'|'test'
    target: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    document_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
