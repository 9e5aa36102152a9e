"""Past orders of this terminal as the orders screen reads them: the shift's list, one order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_desktop.services.refunds import refunded_quantities
from pos_desktop.services.shifts import open_shift_row
from pos_desktop.store.models import Order, Shift


def listed_shift_id(session: Session) -> str | None:
    """The open shift, else the latest one: after closing, its orders stay listed."""
    shift = open_shift_row(session)
    if shift is not None:
        return shift.id
    latest = session.scalar(select(Shift).order_by(Shift.opened_at.desc()).limit(1))
    return latest.id if latest else None


def shift_orders(session: Session, search: str = "") -> list[Order]:
    """The listed shift's orders, newest first; `search` matches part of a receipt number."""
    shift_id = listed_shift_id(session)
    if shift_id is None:
        return []
    query = select(Order).where(Order.shift_id == shift_id)
    if search.strip():
        query = query.where(Order.receipt_number.ilike(f"%{search.strip()}%"))
    return list(session.scalars(query.order_by(Order.created_at.desc())).all())


def shown_status(order: Order) -> str:
    """What the cashier reads: paid, partly_refunded, refunded or voided."""
    if order.status == "paid" and (order.refunded_minor or refunded_quantities(order)):
        return "partly_refunded"
    return order.status


def line_quantities(order: Order) -> dict[str, tuple[int, int]]:
    """Per line id: (units that may still be refunded, units refunded or voided so far)."""
    if order.status == "voided":
        return {line.id: (0, line.quantity) for line in order.lines}
    refunded = refunded_quantities(order)
    return {
        line.id: (line.quantity - refunded.get(line.id, 0), refunded.get(line.id, 0))
        for line in order.lines
    }
