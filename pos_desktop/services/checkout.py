"""Checkout: one durable transaction writes the order, lines, payments and its outbox row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.cart import CartSession
from pos_desktop.services.errors import InvalidInput, StateError, refused_when_not_written
from pos_desktop.services.identity import terminal_identity
from pos_desktop.services.kitchen_offline import prints_kitchen_offline
from pos_desktop.services.shifts import open_shift_row
from pos_desktop.store.identity import TerminalIdentity
from pos_desktop.store.models import Approval, Customer, Order, OrderLine, Payment
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.prepared import driver_cursor, prepared
from pos_desktop.store.uow import UnitOfWork
from shared.order_wire import LineDetails, order_v1, payments_v1
from shared.pricing import PricedCart
from shared.pricing.tenders import (
    PaymentSplit,
    TenderError,
    cash_rounding_applies,
    split_tenders,
)
from shared.pricing.tenders import (
    Tender as Tender,  # the till's tender is the shared one
)
from shared.protocol import ApprovalV1, OrderV1, format_receipt_number

RECEIPT_COUNTER = "receipt"
ORDER_INSERT = prepared(Order.__table__)
LINE_INSERT = prepared(OrderLine.__table__)
PAYMENT_INSERT = prepared(Payment.__table__)
APPROVAL_INSERT = prepared(Approval.__table__)
BUMP_COUNTER_SQL = "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value"
FIRST_COUNTER_SQL = "INSERT INTO counters (name, value) VALUES (?, 1)"


@dataclass(frozen=True)
class CheckoutResult:
    """What the screen shows after "paid": the order is on disk when this exists."""

    order_id: str
    receipt_number: str
    total_minor: int
    change_minor: int
    kitchen_printed_offline: bool = False
    """Its kitchen tickets are to print on this terminal (`enqueue_kitchen_tickets`)."""


@dataclass(frozen=True)
class SaleRows:
    """Every row of one sale, ready to insert (built outside the write for a short lock)."""

    order: dict[str, object]
    lines: list[dict[str, object]]
    payments: list[dict[str, object]]
    approvals: list[dict[str, object]]
    outbox_payload: str


def write_sale(uow: UnitOfWork, rows: SaleRows) -> None:
    """Insert a sale and its outbox row in the caller's transaction, through statements
    compiled once (`pos_desktop.store.prepared`): Core's per-execute bookkeeping cost as
    much as the fsync, and nothing here needs identity-mapped objects afterwards."""
    cursor = driver_cursor(uow.session)
    ORDER_INSERT.run(cursor, [rows.order])
    LINE_INSERT.run(cursor, rows.lines)
    PAYMENT_INSERT.run(cursor, rows.payments)
    APPROVAL_INSERT.run(cursor, rows.approvals)
    uow.outbox.add(QueueKind.ORDER, str(rows.order["id"]), rows.outbox_payload)


def _dumped(model: BaseModel | None) -> dict[str, object] | None:
    return model.model_dump(mode="json") if model is not None else None


def next_receipt_number(uow: UnitOfWork, identity: TerminalIdentity) -> str:
    """Bump the per-terminal counter inside the order's transaction (no gaps, no repeats)."""
    cursor = driver_cursor(uow.session)
    bumped = cursor.execute(BUMP_COUNTER_SQL, (RECEIPT_COUNTER,)).fetchone()
    if bumped is None:
        cursor.execute(FIRST_COUNTER_SQL, (RECEIPT_COUNTER,))
        number = 1
    else:
        number = int(bumped[0])
    return format_receipt_number(identity.outlet_code, identity.terminal_code, number)


def last_receipt_number(uow: UnitOfWork) -> str | None:
    """The most recent receipt number written on this terminal (status, support)."""
    return uow.session.scalar(
        select(Order.receipt_number).order_by(Order.created_at.desc(), Order.id.desc()).limit(1)
    )


def _split_tenders(tenders: Sequence[Tender], due_minor: int) -> list[PaymentSplit[Tender]]:
    try:
        return split_tenders(tenders, due_minor)
    except TenderError as refused:
        raise InvalidInput(refused.message, field=refused.field, code=refused.code) from refused


def _line_details(cart: CartSession) -> dict[str, LineDetails]:
    """The catalog words a wire line carries beyond the engine's cart line."""
    snapshot = cart.snapshot
    details = {}
    for draft in cart.lines:
        product = snapshot.products[draft.product_id]
        category = snapshot.categories.get(product.category_id or "")
        groups = {}
        for option_id in draft.modifier_option_ids:
            group = snapshot.modifier_groups.get(snapshot.modifier_options[option_id].group_id)
            if group:
                groups[option_id] = group.name
        details[draft.line_id] = LineDetails(
            sku=product.sku,
            kitchen_station=product.kitchen_station
            or (category.kitchen_station if category else None),
            note=draft.note,
            modifier_groups=groups,
        )
    return details


def build_order_v1(
    *,
    order_id: str,
    cart: CartSession,
    priced: PricedCart,
    identity: TerminalIdentity,
    shift_id: str,
    receipt_number: str,
    splits: Sequence[PaymentSplit[Tender]],
    payment_ids: Sequence[str],
    at: datetime,
) -> OrderV1:
    """The wire form of the order, exactly what was charged (it is also the outbox payload)."""
    return order_v1(
        cart.pricing_cart(),
        priced,
        details=_line_details(cart),
        payments=payments_v1(splits, [UUID(payment_id) for payment_id in payment_ids], at=at),
        id=UUID(order_id),
        outlet_id=UUID(identity.outlet_id),
        terminal_id=UUID(identity.terminal_id),
        shift_id=UUID(shift_id),
        receipt_number=receipt_number,
        cashier_id=UUID(cart.cashier.cashier_id),
        customer_id=UUID(cart.customer_id) if cart.customer_id else None,
        customer_name=cart.customer_name,
        table=cart.table,
        note=cart.note,
        created_at=at,
        approvals=tuple(
            ApprovalV1(
                action=approval.action,
                approved_by=UUID(approval.manager_id),
                at=approval.at,
                reason=approval.reason,
            )
            for approval in cart.approvals
        ),
        catalog_version=cart.snapshot.catalog_version,
    )


@refused_when_not_written("This sale", ", so it is not paid (take no money for it)")
def checkout(
    uow: UnitOfWork,
    *,
    cart: CartSession,
    tenders: Sequence[Tender],
    cashier: SignedIn,
    cloud_unreachable: bool = False,
) -> CheckoutResult:
    """Pay the cart: order, lines, payments, approvals and outbox row in ONE transaction.

    Returns only after the commit is on disk (WAL, synchronous=FULL): then the screen may
    say "paid". Any refusal raises before anything is written. `cloud_unreachable` (the
    sync engine's view, or no engine at all) lets the kitchen tickets print here; the
    outbox payload then says `kitchen_printed_offline` so the kitchen cooks them once.
    """
    if not cart.lines:
        raise InvalidInput("The cart is empty.", field="lines", code="empty_cart")
    session = uow.session
    shift = open_shift_row(session)
    if shift is None:
        raise StateError("Open a shift before selling.", code="no_open_shift")
    identity = terminal_identity(session)
    if cart.customer_id and not cart.customer_group:
        # The server prices with the customer's group; a screen that did not pass it
        # must not make this terminal charge more than the cloud will compute.
        customer = session.get(Customer, cart.customer_id)
        cart.customer_group = customer.customer_group if customer else ""
    at = utcnow()
    priced = cart.priced(at=at, cash_rounding=cash_rounding_applies(t.method for t in tenders))
    if priced.payable_minor <= 0:
        raise InvalidInput("Nothing to pay.", field="lines", code="nothing_due")
    splits = _split_tenders(tenders, priced.payable_minor)
    order_id = new_id()
    payment_ids = [new_id() for _ in splits]
    receipt_number = next_receipt_number(uow, identity)
    wire = build_order_v1(
        order_id=order_id,
        cart=cart,
        priced=priced,
        identity=identity,
        shift_id=shift.id,
        receipt_number=receipt_number,
        splits=splits,
        payment_ids=payment_ids,
        at=at,
    )
    if prints_kitchen_offline(session, cloud_unreachable=cloud_unreachable, lines=wire.lines):
        wire = wire.model_copy(update={"kitchen_printed_offline": True})
    change_minor = sum(split.change_minor for split in splits)
    order_row: dict[str, object] = {
        "id": order_id,
        "receipt_number": receipt_number,
        "shift_id": shift.id,
        "cashier_id": cashier.cashier_id,
        "customer_id": cart.customer_id,
        "customer_name": cart.customer_name,
        "table": cart.table,
        "note": cart.note,
        "status": "paid",
        "currency": priced.currency,
        "catalog_version": cart.snapshot.catalog_version,
        "manual_discount": _dumped(wire.manual_discount),
        "subtotal_minor": priced.subtotal_minor,
        "discount_minor": priced.discount_minor,
        "service_charge_minor": priced.service_charge_minor,
        "tax_minor": priced.tax_minor,
        "rounding_minor": priced.cash_rounding_minor,
        "total_minor": priced.payable_minor,
        "paid_minor": priced.payable_minor + change_minor,
        "change_minor": change_minor,
        "refunded_minor": 0,
        "pricing": {
            "tax_lines": [t.model_dump(mode="json") for t in wire.tax_lines],
            "promotions": [
                {
                    "promotion_id": p.promotion_id,
                    "name": p.name,
                    "amount_minor": p.amount_minor,
                }
                for p in priced.promotions
            ],
        },
        "created_at": at,
    }
    line_rows: list[dict[str, object]] = [
        {
            "id": str(line.id),
            "order_id": order_id,
            "position": position,
            "product_id": str(line.product_id) if line.product_id else None,
            "category_id": str(line.category_id) if line.category_id else None,
            "sku": line.sku,
            "name": line.name,
            "kitchen_station": line.kitchen_station,
            "quantity": line.quantity,
            "unit_price_minor": line.unit_price_minor,
            "modifiers": [m.model_dump(mode="json") for m in line.modifiers],
            "manual_discount": _dumped(line.manual_discount),
            "discounts": [d.model_dump(mode="json") for d in line.discounts],
            "taxes": [t.model_dump(mode="json") for t in line.taxes],
            "gross_minor": line.gross_minor,
            "discount_minor": line.discount_minor,
            "net_minor": line.net_minor,
            "tax_minor": line.tax_minor,
            "total_minor": line.total_minor,
            "note": line.note,
        }
        for position, line in enumerate(wire.lines)
    ]
    payment_rows: list[dict[str, object]] = []
    for split, payment_id in zip(splits, payment_ids, strict=True):
        payment_rows.append(
            {
                "id": payment_id,
                "order_id": order_id,
                "method": split.tender.method,
                "amount_minor": split.tender.amount_minor,
                "is_change": False,
                "reference": split.tender.reference,
                "created_at": at,
            }
        )
        if split.change_minor:
            payment_rows.append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "method": "cash",
                    "amount_minor": -split.change_minor,
                    "is_change": True,
                    "reference": "",
                    "created_at": at,
                }
            )
    approval_rows: list[dict[str, object]] = [
        {
            "id": new_id(),
            "order_id": order_id,
            "action": approval.action,
            "manager_id": approval.manager_id,
            "reason": approval.reason,
            "approved_at": approval.at,
        }
        for approval in cart.approvals
    ]
    write_sale(
        uow,
        SaleRows(
            order=order_row,
            lines=line_rows,
            payments=payment_rows,
            approvals=approval_rows,
            outbox_payload=wire.model_dump_json(),
        ),
    )
    uow.commit()
    return CheckoutResult(
        order_id=order_id,
        receipt_number=receipt_number,
        total_minor=priced.payable_minor,
        change_minor=change_minor,
        kitchen_printed_offline=wire.kitchen_printed_offline,
    )
