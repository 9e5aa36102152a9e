"""Voids and refunds after payment: a manager's approval is required and recorded on the order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.orm import Session

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.catalog import cash_rounding_of
from pos_desktop.services.errors import InvalidInput, NotFound, StateError, refused_when_not_written
from pos_desktop.services.shifts import open_shift_row
from pos_desktop.store.models import Approval, Order, Refund, Shift
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork
from shared.protocol import OrderRefundedV1, OrderVoidedV1, RefundLineV1, RefundPaymentV1
from shared.rounding import divide, round_to_step


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    amount_minor: int
    order_status: str


def stored_order(session: Session, order_id: str) -> Order:
    """One stored order; NotFound when this terminal has none with that id."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order on this terminal.", field="order_id", code="no_order")
    return order


def _check_approval(approval: ManagerApproval, action: str) -> None:
    if approval.action != action:
        raise InvalidInput(
            "The approval is for another action.", field="approval", code="wrong_approval"
        )


def _record(order: Order, approval: ManagerApproval) -> None:
    order.approvals.append(
        Approval(
            id=new_id(),
            action=approval.action,
            manager_id=approval.manager_id,
            reason=approval.reason,
            approved_at=approval.at,
        )
    )


@refused_when_not_written("This void")
def void_order(
    uow: UnitOfWork,
    *,
    order_id: str,
    cashier: SignedIn,
    approval: ManagerApproval,
    reason: str,
) -> RefundResult:
    """Cancel a whole paid order of the open shift (money back in full), manager-approved."""
    _check_approval(approval, "void")
    if not reason.strip():
        raise InvalidInput("Say why the order is voided.", field="reason", code="required")
    session = uow.session
    order = stored_order(session, order_id)
    shift = open_shift_row(session)
    if shift is None or order.shift_id != shift.id:
        raise StateError("Only orders of the open shift can be voided; refund it instead.")
    if order.status != "paid" or order.refunded_minor:
        raise StateError("This order was already voided or refunded.", code="not_voidable")
    at = utcnow()
    refund = Refund(
        id=new_id(),
        order_id=order.id,
        shift_id=shift.id,
        kind="void",
        amount_minor=order.total_minor,
        method="original",
        lines=[],
        reason=reason,
        cashier_id=cashier.cashier_id,
        manager_id=approval.manager_id,
        created_at=at,
    )
    session.add(refund)
    order.status = "voided"
    _record(order, approval)
    event = OrderVoidedV1(
        id=UUID(refund.id),
        order_id=UUID(order.id),
        at=at,
        reason=reason,
        approved_by=UUID(approval.manager_id),
        cashier_id=UUID(cashier.cashier_id),
    )
    uow.outbox.add(QueueKind.EVENT, refund.id, event)
    uow.commit()
    return RefundResult(
        refund_id=refund.id, amount_minor=refund.amount_minor, order_status="voided"
    )


def refunded_quantities(order: Order) -> dict[str, int]:
    """Units refunded so far per line id (the orders screen shows them; refunds cap on them)."""
    done: dict[str, int] = {}
    for refund in order.refunds:
        for line in refund.lines:
            done[line["line_id"]] = done.get(line["line_id"], 0) + int(line["quantity"])
    return done


def voidable(order: Order, open_shift: Shift | None) -> bool:
    """The void's own conditions: paid in the open shift, nothing given back yet."""
    return (
        order.status == "paid"
        and not order.refunded_minor
        and open_shift is not None
        and order.shift_id == open_shift.id
    )


def _rounded_for_payout(
    session: Session,
    order: Order,
    lines: list[RefundLineV1],
    *,
    done: Mapping[str, int],
    method: str,
) -> list[RefundLineV1]:
    """What is handed back: the rest of what was paid when this refund leaves nothing; cash
    rounded to the tenant's step (Rp 100) otherwise, so the drawer can pay it and the shift
    closes even. The difference lands on the largest line, so lines still add up."""
    lines_sum = sum(line.amount_minor for line in lines)
    refunded_units = {line.line_id: line.quantity for line in lines}
    everything_left = all(
        done.get(line.id, 0) + refunded_units.get(UUID(line.id), 0) >= line.quantity
        for line in order.lines
    )
    rounding = cash_rounding_of(session)
    if everything_left:
        target = order.total_minor - order.refunded_minor
    elif method == "cash" and rounding is not None:
        target = round_to_step(lines_sum, rounding.step_minor, rounding.rule)
    else:
        return lines
    difference = target - lines_sum
    if difference == 0 or target <= 0:
        return lines
    largest = max(range(len(lines)), key=lambda index: lines[index].amount_minor)
    if lines[largest].amount_minor + difference <= 0:
        return lines
    adjusted = list(lines)
    adjusted[largest] = lines[largest].model_copy(
        update={"amount_minor": lines[largest].amount_minor + difference}
    )
    return adjusted


@refused_when_not_written("This refund")
def refund_order(
    uow: UnitOfWork,
    *,
    order_id: str,
    cashier: SignedIn,
    approval: ManagerApproval,
    reason: str,
    quantities: Mapping[str, int] | None = None,
    method: str = "cash",
) -> RefundResult:
    """Give money back for some lines ({line_id: quantity}) or, with None, all that is left.

    A partial quantity refunds its share of the line total (half-up); the last unit refunds
    what is left, so a line never refunds more than was paid for it.
    """
    _check_approval(approval, "refund")
    if not reason.strip():
        raise InvalidInput("Say why the order is refunded.", field="reason", code="required")
    session = uow.session
    order = stored_order(session, order_id)
    if order.status == "voided":
        raise StateError("A voided order cannot be refunded.", code="not_refundable")
    shift = open_shift_row(session)
    if shift is None:
        raise StateError("Open a shift to give money back.", code="no_open_shift")
    done = refunded_quantities(order)
    wanted = (
        dict(quantities)
        if quantities is not None
        else {line.id: line.quantity - done.get(line.id, 0) for line in order.lines}
    )
    refund_lines: list[RefundLineV1] = []
    for line in order.lines:
        quantity = wanted.pop(line.id, 0)
        if quantity == 0:
            continue
        left = line.quantity - done.get(line.id, 0)
        if quantity < 0 or quantity > left:
            raise InvalidInput(
                f"At most {left} of {line.name} can be refunded.", field="quantities"
            )
        already_minor = divide(line.total_minor * done.get(line.id, 0), line.quantity)
        after_minor = divide(line.total_minor * (done.get(line.id, 0) + quantity), line.quantity)
        amount_minor = after_minor - already_minor
        if amount_minor > 0:
            refund_lines.append(
                RefundLineV1(line_id=UUID(line.id), quantity=quantity, amount_minor=amount_minor)
            )
    if wanted:
        raise InvalidInput("A line is not on this order.", field="quantities", code="no_line")
    if not refund_lines:
        raise InvalidInput("Nothing left to refund.", field="quantities", code="nothing")
    refund_lines = _rounded_for_payout(session, order, refund_lines, done=done, method=method)
    amount_minor = sum(line.amount_minor for line in refund_lines)
    at = utcnow()
    refund_id = new_id()
    event = OrderRefundedV1(
        id=UUID(refund_id),
        order_id=UUID(order.id),
        at=at,
        reason=reason,
        approved_by=UUID(approval.manager_id),
        cashier_id=UUID(cashier.cashier_id),
        lines=tuple(refund_lines),
        amount_minor=amount_minor,
        payments=(RefundPaymentV1(method=method, amount_minor=amount_minor),),
    )
    session.add(
        Refund(
            id=refund_id,
            order_id=order.id,
            shift_id=shift.id,
            kind="refund",
            amount_minor=amount_minor,
            method=method,
            lines=[line.model_dump(mode="json") for line in refund_lines],
            reason=reason,
            cashier_id=cashier.cashier_id,
            manager_id=approval.manager_id,
            created_at=at,
        )
    )
    order.refunded_minor += amount_minor
    order.status = "refunded" if order.refunded_minor >= order.total_minor else "paid"
    _record(order, approval)
    uow.outbox.add(QueueKind.EVENT, refund_id, event)
    uow.commit()
    return RefundResult(refund_id=refund_id, amount_minor=amount_minor, order_status=order.status)
