"""Shifts (cash-drawer sessions): open with a float, cash in and out, X and Z figures, close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.errors import InvalidInput, StateError, refused_when_not_written
from pos_desktop.services.identity import terminal_identity
from pos_desktop.store.models import CashMovement, Order, OrderLine, Refund, Shift
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork
from shared.protocol import (
    CashMovementV1,
    DenominationCountV1,
    ShiftClosedV1,
    ShiftFiguresV1,
    ShiftOpenedV1,
)
from shared.reports import (
    CashMovementRecord,
    RefundRecord,
    SalePayment,
    SaleRecord,
    ShiftFigures,
    refund_tax_minor,
    sale_taxes,
    shift_figures,
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


@refused_when_not_written("The shift")
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
    uow.outbox.add(QueueKind.EVENT, str(event.id), event)
    uow.commit()
    return shift.id


CASH_MOVEMENT_ACTION = "cash_movement"
"""What a manager's PIN approves for a cash in or cash out (`auth.approve(action=...)`)."""


@refused_when_not_written("This cash movement")
def move_cash(
    uow: UnitOfWork,
    *,
    cashier: SignedIn,
    direction: str,
    amount_minor: int,
    reason: str,
    approval: ManagerApproval,
) -> str:
    """Cash put in (change top-up, pay-in) or taken out (to the safe, pay-out) of the drawer,
    with a reason and a manager's PIN; its outbox event commits with it."""
    if direction not in ("in", "out"):
        raise InvalidInput("Cash goes in or out.", field="direction")
    _positive(amount_minor, "amount_minor")
    if not reason.strip():
        raise InvalidInput("Say why the cash goes in or out.", field="reason", code="required")
    if approval.action != CASH_MOVEMENT_ACTION:
        raise InvalidInput(
            "The approval is for another action.", field="approval", code="wrong_approval"
        )
    reason = reason.strip()
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
        manager_id=approval.manager_id,
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
        approved_by=UUID(approval.manager_id),
        at=at,
    )
    uow.outbox.add(QueueKind.EVENT, movement.id, event)
    uow.commit()
    return movement.id


@dataclass(frozen=True)
class ShiftReport:
    """X (mid-shift) or Z (closing) figures plus the cash the drawer should hold.

    `figures` are `shared.reports.ShiftFigures`, the same definitions the back office uses.
    """

    shift_id: str
    state: str
    opening_float_minor: int
    figures: ShiftFigures
    expected_cash_minor: int

    def wire_figures(self) -> ShiftFiguresV1:
        """The figures as the Z event carries them to the cloud."""
        figures = self.figures
        return ShiftFiguresV1(
            order_count=figures.order_count,
            gross_sales_minor=figures.gross_sales_minor,
            discount_minor=figures.discount_minor,
            service_charge_minor=figures.service_charge_minor,
            tax_minor=figures.tax_minor,
            net_sales_minor=figures.net_sales_minor,
            refunds_minor=figures.refunds_minor,
            void_count=figures.void_count,
            payments_by_method=dict(figures.payments_by_method),
            cash_in_minor=figures.cash_in_minor,
            cash_out_minor=figures.cash_out_minor,
            rounding_minor=figures.rounding_minor,
            total_collected_minor=figures.total_collected_minor,
        )


def _sale_record(order: Order) -> SaleRecord:
    """A stored order as the shared report reads it (payments net of change)."""
    payments: dict[str, int] = {}
    for payment in order.payments:
        payments[payment.method] = payments.get(payment.method, 0) + payment.amount_minor
    tax_lines = (order.pricing or {}).get("tax_lines", [])
    return SaleRecord(
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        service_charge_minor=order.service_charge_minor,
        rounding_minor=order.rounding_minor,
        total_minor=order.total_minor,
        taxes=sale_taxes(tax_lines),
        payments=tuple(SalePayment(method, amount) for method, amount in payments.items()),
        voided=order.status == "voided",
    )


def _refund_record(refund: Refund, lines: dict[str, OrderLine]) -> RefundRecord:
    """A refund with the tax inside it (each refunded line's share of its tax)."""
    tax_minor = 0
    for refunded in refund.lines:
        line = lines.get(str(refunded.get("line_id")))
        if line is not None:
            tax_minor += refund_tax_minor(
                line_total_minor=line.total_minor,
                line_tax_minor=line.tax_minor,
                amount_minor=int(refunded.get("amount_minor", 0)),
            )
    return RefundRecord(method=refund.method, amount_minor=refund.amount_minor, tax_minor=tax_minor)


def _figures(session: Session, shift: Shift, counted_cash_minor: int | None = None) -> ShiftReport:
    orders = session.scalars(select(Order).where(Order.shift_id == shift.id)).all()
    refunds = session.scalars(
        select(Refund).where(Refund.shift_id == shift.id, Refund.kind == "refund")
    ).all()
    refunded_order_ids = {refund.order_id for refund in refunds}
    lines = {
        line.id: line
        for line in session.scalars(
            select(OrderLine).where(OrderLine.order_id.in_(refunded_order_ids))
        )
    }
    movements = session.scalars(select(CashMovement).where(CashMovement.shift_id == shift.id))
    figures = shift_figures(
        opening_float_minor=shift.opening_float_minor,
        sales=[_sale_record(order) for order in orders],
        refunds=[_refund_record(refund, lines) for refund in refunds],
        cash_movements=[
            CashMovementRecord(
                direction="in" if movement.kind == "in" else "out",
                amount_minor=movement.amount_minor,
                reason=movement.reason,
            )
            for movement in movements
        ],
        cash_counted_minor=counted_cash_minor,
    )
    return ShiftReport(
        shift_id=shift.id,
        state=shift.state,
        opening_float_minor=shift.opening_float_minor,
        figures=figures,
        expected_cash_minor=figures.cash_expected_minor,
    )


def x_report(uow: UnitOfWork) -> ShiftReport:
    """The running figures of the open shift (an X report changes nothing)."""
    return _figures(uow.session, _current(uow.session))


@refused_when_not_written("The shift's closing")
def start_closing(uow: UnitOfWork) -> ShiftReport:
    """opened → closing_control: no more sales; the cashier counts the drawer."""
    shift = _current(uow.session)
    shift.state = "closing_control"
    report = _figures(uow.session, shift)
    uow.commit()
    return report


def unsynced_warning(uow: UnitOfWork) -> str | None:
    """What to tell someone logging out or closing while sales are not in the cloud yet."""
    waiting = uow.outbox.counts()
    if not waiting.unsynced:
        return None
    return (
        f"{waiting.unsynced} sale(s) or event(s) are not in the cloud yet "
        f"({waiting.needs_attention} need a manager). They stay on this terminal "
        "and will be sent when the connection is back; nothing is discarded."
    )


@refused_when_not_written("The shift's close")
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
    report = _figures(session, shift, counted_cash_minor)
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
        figures=report.wire_figures(),
    )
    shift.state = "closed"
    shift.closed_at = at
    shift.expected_cash_minor = report.expected_cash_minor
    shift.counted_cash_minor = counted_cash_minor
    shift.counted_denominations = {str(d.value_minor): d.count for d in denominations}
    shift.z_report = event.model_dump(mode="json")
    uow.outbox.add(QueueKind.EVENT, str(event.id), event)
    uow.commit()
    return ShiftReport(
        shift_id=shift.id,
        state="closed",
        opening_float_minor=shift.opening_float_minor,
        figures=report.figures,
        expected_cash_minor=report.expected_cash_minor,
    )
