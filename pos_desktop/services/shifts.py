"""Shifts (cash-drawer sessions): open with a float, cash in and out, X and Z figures, close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.catalog import terminal_identity
from pos_desktop.services.errors import InvalidInput, StateError
from pos_desktop.store.models import CashMovement, Order, Payment, Refund, Shift
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.queue import QueueKind, counts, enqueue
from shared.protocol import (
    CashMovementV1,
    DenominationCountV1,
    ShiftClosedV1,
    ShiftFiguresV1,
    ShiftOpenedV1,
)

OPEN_STATES = ("opening_control", "opened", "closing_control")


def open_shift_row(session: Session) -> Shift | None:
    """The terminal's shift that is open for sales, if any (there is at most one)."""
    return session.scalar(select(Shift).where(Shift.state == "opened").limit(1))


def _current(session: Session) -> Shift:
    shift = session.scalar(select(Shift).where(Shift.state.in_(OPEN_STATES)).limit(1))
    if shift is None:
        raise StateError("No shift is open.", code="no_open_shift")
    return shift


def _positive(amount_minor: int, field: str) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise InvalidInput("Enter an amount above zero.", field=field, code="amount")


def open_shift(uow: UnitOfWork, *, cashier: SignedIn, opening_float_minor: int) -> str:
    """Open a shift with the counted float (opening_control → opened); one per terminal."""
    if (
        isinstance(opening_float_minor, bool)
        or not isinstance(opening_float_minor, int)
        or opening_float_minor < 0
    ):
        raise InvalidInput("The float is a whole amount ≥ 0.", field="opening_float_minor")
    session = uow.session
    if session.scalar(select(Shift.id).where(Shift.state.in_(OPEN_STATES)).limit(1)):
        raise StateError("A shift is already open on this terminal.", code="shift_open")
    identity = terminal_identity(session)
    at = utcnow()
    shift = Shift(
        id=new_id(),
        cashier_id=cashier.cashier_id,
        state="opened",
        opened_at=at,
        opening_float_minor=opening_float_minor,
    )
    session.add(shift)
    event = ShiftOpenedV1(
        id=UUID(new_id()),
        shift_id=UUID(shift.id),
        outlet_id=UUID(identity.outlet_id),
        terminal_id=UUID(identity.terminal_id),
        cashier_id=UUID(cashier.cashier_id),
        at=at,
        opening_float_minor=opening_float_minor,
    )
    enqueue(session, QueueKind.EVENT, str(event.id), event)
    uow.commit()
    return shift.id


def move_cash(
    uow: UnitOfWork, *, cashier: SignedIn, direction: str, amount_minor: int, reason: str
) -> str:
    """Cash put in (change top-up) or taken out (to the safe) of the drawer, with a reason."""
    if direction not in ("in", "out"):
        raise InvalidInput("Cash goes in or out.", field="direction")
    _positive(amount_minor, "amount_minor")
    session = uow.session
    shift = open_shift_row(session)
    if shift is None:
        raise StateError("No shift is open.", code="no_open_shift")
    at = utcnow()
    movement = CashMovement(
        id=new_id(),
        shift_id=shift.id,
        kind=direction,
        amount_minor=amount_minor,
        reason=reason,
        cashier_id=cashier.cashier_id,
        created_at=at,
    )
    session.add(movement)
    event = CashMovementV1(
        id=UUID(movement.id),
        shift_id=UUID(shift.id),
        direction=direction,
        amount_minor=amount_minor,
        reason=reason,
        cashier_id=UUID(cashier.cashier_id),
        at=at,
    )
    enqueue(session, QueueKind.EVENT, movement.id, event)
    uow.commit()
    return movement.id


@dataclass(frozen=True)
class ShiftReport:
    """X (mid-shift) or Z (closing) figures plus the cash the drawer should hold."""

    shift_id: str
    state: str
    opening_float_minor: int
    figures: ShiftFiguresV1
    expected_cash_minor: int


def _figures(session: Session, shift: Shift) -> ShiftReport:
    sold = select(Order).where(Order.shift_id == shift.id, Order.status != "voided")
    orders = session.scalars(sold).all()
    void_count = session.scalar(
        select(func.count()).where(Order.shift_id == shift.id, Order.status == "voided")
    )
    by_method: dict[str, int] = {}
    payments = session.scalars(
        select(Payment).join(Order).where(Order.shift_id == shift.id, Order.status != "voided")
    ).all()
    for payment in payments:
        by_method[payment.method] = by_method.get(payment.method, 0) + payment.amount_minor
    refunds = session.scalars(
        select(Refund).where(Refund.shift_id == shift.id, Refund.kind == "refund")
    ).all()
    cash_refunds_minor = sum(r.amount_minor for r in refunds if r.method == "cash")
    movements = session.scalars(select(CashMovement).where(CashMovement.shift_id == shift.id))
    cash_in_minor = cash_out_minor = 0
    for movement in movements:
        if movement.kind == "in":
            cash_in_minor += movement.amount_minor
        else:
            cash_out_minor += movement.amount_minor
    figures = ShiftFiguresV1(
        order_count=len(orders),
        gross_sales_minor=sum(o.subtotal_minor for o in orders),
        discount_minor=sum(o.discount_minor for o in orders),
        service_charge_minor=sum(o.service_charge_minor for o in orders),
        tax_minor=sum(o.tax_minor for o in orders),
        net_sales_minor=sum(o.total_minor for o in orders),
        refunds_minor=sum(r.amount_minor for r in refunds),
        void_count=int(void_count or 0),
        payments_by_method=by_method,
        cash_in_minor=cash_in_minor,
        cash_out_minor=cash_out_minor,
    )
    expected_cash_minor = (
        shift.opening_float_minor
        + by_method.get("cash", 0)
        + cash_in_minor
        - cash_out_minor
        - cash_refunds_minor
    )
    return ShiftReport(
        shift_id=shift.id,
        state=shift.state,
        opening_float_minor=shift.opening_float_minor,
        figures=figures,
        expected_cash_minor=expected_cash_minor,
    )


def x_report(uow: UnitOfWork) -> ShiftReport:
    """The running figures of the open shift (an X report changes nothing)."""
    return _figures(uow.session, _current(uow.session))


def start_closing(uow: UnitOfWork) -> ShiftReport:
    """opened → closing_control: no more sales; the cashier counts the drawer."""
    shift = _current(uow.session)
    shift.state = "closing_control"
    report = _figures(uow.session, shift)
    uow.commit()
    return report


def unsynced_warning(uow: UnitOfWork) -> str | None:
    """What to tell someone logging out or closing while sales are not in the cloud yet."""
    waiting = counts(uow.session)
    if not waiting.unsynced:
        return None
    return (
        f"{waiting.unsynced} sale(s) or event(s) are not in the cloud yet "
        f"({waiting.needs_attention} need a manager). They stay on this terminal "
        "and will be sent when the connection is back; nothing is discarded."
    )


def close_shift(
    uow: UnitOfWork,
    *,
    cashier: SignedIn,
    counted: Mapping[int, int],
    confirm_unsynced: bool = False,
) -> ShiftReport:
    """closing_control → closed with the counted drawer ({note or coin value: how many}).

    With unsynced sales it refuses until `confirm_unsynced` (the screen showed the warning);
    the sales themselves are never touched.
    """
    session = uow.session
    shift = _current(session)
    warning = unsynced_warning(uow)
    if warning and not confirm_unsynced:
        raise StateError(warning, code="unsynced_orders")
    denominations = []
    for value_minor, count in sorted(counted.items()):
        _positive(value_minor, "counted")
        if count < 0:
            raise InvalidInput("A count cannot be negative.", field="counted")
        if count:
            denominations.append(DenominationCountV1(value_minor=value_minor, count=count))
    counted_cash_minor = sum(d.value_minor * d.count for d in denominations)
    shift.state = "closing_control"
    report = _figures(session, shift)
    at = utcnow()
    event = ShiftClosedV1(
        id=UUID(new_id()),
        shift_id=UUID(shift.id),
        cashier_id=UUID(cashier.cashier_id),
        at=at,
        counted=tuple(denominations),
        counted_cash_minor=counted_cash_minor,
        expected_cash_minor=report.expected_cash_minor,
        difference_minor=counted_cash_minor - report.expected_cash_minor,
        figures=report.figures,
    )
    shift.state = "closed"
    shift.closed_at = at
    shift.expected_cash_minor = report.expected_cash_minor
    shift.counted_cash_minor = counted_cash_minor
    shift.counted_denominations = {str(d.value_minor): d.count for d in denominations}
    shift.z_report = event.model_dump(mode="json")
    enqueue(session, QueueKind.EVENT, str(event.id), event)
    uow.commit()
    return ShiftReport(
        shift_id=shift.id,
        state="closed",
        opening_float_minor=shift.opening_float_minor,
        figures=report.figures,
        expected_cash_minor=report.expected_cash_minor,
    )
