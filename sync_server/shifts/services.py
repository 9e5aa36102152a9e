"""Shift writes from synced events, and the server's own expected cash."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import Sum

from shared.pricing.tenders import PaymentMethod
from shared.protocol import CashMovementV1, ShiftClosedV1, ShiftOpenedV1
from sync_server.common.errors import ItemRefused
from sync_server.common.tenancy import tenant_atomic
from sync_server.shifts.error_codes import ShiftErrorCode
from sync_server.shifts.models import CashMovement, Shift, ShiftStatus
from sync_server.tenants.models import Tenant


def shift_ensure(
    *,
    tenant: Tenant,
    shift_id: uuid.UUID,
    outlet_id: uuid.UUID,
    terminal_id: uuid.UUID,
    opened_at: datetime,
) -> Shift:
    """The shift, created provisional when an order or event names it before `shift_opened`."""
    with tenant_atomic(tenant):
        Shift.objects.bulk_create(
            [
                Shift(
                    id=shift_id,
                    tenant=tenant,
                    outlet_id=outlet_id,
                    terminal_id=terminal_id,
                    opened_at=opened_at,
                    provisional=True,
                )
            ],
            ignore_conflicts=True,
        )
        shift: Shift | None = Shift.objects.select_for_update().filter(id=shift_id).first()
        if shift is None:  # the insert was skipped, yet the row is not ours: another tenant's
            raise ItemRefused(
                "this shift id is already taken", code=ShiftErrorCode.ID_TAKEN, field="shift_id"
            )
        if shift.terminal_id != terminal_id:
            raise ItemRefused(
                "this shift belongs to another terminal",
                code=ShiftErrorCode.WRONG_SHIFT,
                field="shift_id",
            )
        return shift


def shift_recount_if_closed(*, tenant: Tenant, shift: Shift) -> None:
    """A change to a closed shift (a late sale, cash movement, void) recounts its cash."""
    if shift.status == ShiftStatus.CLOSED:
        shift_recount(tenant=tenant, shift=shift)


@contextmanager
def _shift_change(
    tenant: Tenant,
    event: ShiftOpenedV1 | CashMovementV1 | ShiftClosedV1,
    outlet_id: uuid.UUID,
    terminal_id: uuid.UUID,
) -> Iterator[Shift]:
    """One shift event's transaction: the shift it names, locked (made provisional if its
    opening has not arrived), then its cash recounted if it is closed after the change."""
    with tenant_atomic(tenant):
        shift = shift_ensure(
            tenant=tenant,
            shift_id=event.shift_id,
            outlet_id=outlet_id,
            terminal_id=terminal_id,
            opened_at=event.at,
        )
        yield shift
        shift_recount_if_closed(tenant=tenant, shift=shift)


def shift_open(*, tenant: Tenant, event: ShiftOpenedV1) -> Shift:
    """Record the opening float; fills a provisional shift made by an earlier order."""
    with _shift_change(tenant, event, event.outlet_id, event.terminal_id) as shift:
        if not shift.provisional:
            raise ItemRefused("this shift was opened already", code=ShiftErrorCode.ALREADY_OPEN)
        shift.provisional = False
        shift.opened_at = event.at
        shift.cashier_id = event.cashier_id
        shift.opening_float_minor = event.opening_float_minor
        shift.save()
    return shift


def cash_movement_add(
    *, tenant: Tenant, event: CashMovementV1, outlet_id: uuid.UUID, terminal_id: uuid.UUID
) -> CashMovement:
    """Cash in or out of the drawer; the id is the event's."""
    with _shift_change(tenant, event, outlet_id, terminal_id) as shift:
        movement = CashMovement(
            id=event.id,
            tenant=tenant,
            shift=shift,
            direction=event.direction,
            amount_minor=event.amount_minor,
            reason=event.reason,
            cashier_id=event.cashier_id,
            approved_by=event.approved_by,
            at=event.at,
        )
        movement.save()
    return movement


def shift_close(
    *, tenant: Tenant, event: ShiftClosedV1, outlet_id: uuid.UUID, terminal_id: uuid.UUID
) -> Shift:
    """Close with counted cash; the server's own expected cash and difference are stored too
    (the recount on leaving `_shift_change`)."""
    with _shift_change(tenant, event, outlet_id, terminal_id) as shift:
        if shift.status == ShiftStatus.CLOSED:
            raise ItemRefused("this shift was closed already", code=ShiftErrorCode.ALREADY_CLOSED)
        shift.status = ShiftStatus.CLOSED
        shift.closed_at = event.at
        shift.closed_by = event.cashier_id
        shift.counted = [count.model_dump(mode="json") for count in event.counted]
        shift.counted_cash_minor = event.counted_cash_minor
        shift.expected_cash_minor = event.expected_cash_minor
        shift.difference_minor = event.difference_minor
        shift.figures = event.figures.model_dump(mode="json")
    return shift


def server_expected_cash(*, tenant: Tenant, shift: Shift) -> int:
    """Float + cash taken by orders not voided + cash in - cash out - cash refunded."""
    from sync_server.orders.models import OrderStatus, Payment, Refund

    with tenant_atomic(tenant):
        sales = (
            Payment.objects.filter(order__shift=shift, method=PaymentMethod.CASH)
            .exclude(order__status=OrderStatus.VOIDED)
            .aggregate(total=Sum("amount_minor"))["total"]
        )
        movements = dict(
            CashMovement.objects.filter(shift=shift)
            .values_list("direction")
            .annotate(total=Sum("amount_minor"))
        )
        refunded = 0
        for payments in Refund.objects.filter(order__shift=shift).values_list(
            "payments", flat=True
        ):
            refunded += sum(
                p["amount_minor"] for p in payments if p.get("method") == PaymentMethod.CASH
            )
    return (
        shift.opening_float_minor
        + int(sales or 0)
        + int(movements.get("in") or 0)
        - int(movements.get("out") or 0)
        - refunded
    )


def shift_recount(*, tenant: Tenant, shift: Shift) -> Shift:
    """Recompute the server's expected cash of a closed shift (also after late orders)."""
    with tenant_atomic(tenant):
        if shift.status == ShiftStatus.CLOSED and shift.counted_cash_minor is not None:
            expected = server_expected_cash(tenant=tenant, shift=shift)
            shift.server_expected_cash_minor = expected
            shift.server_difference_minor = shift.counted_cash_minor - expected
        shift.save()
        return shift
