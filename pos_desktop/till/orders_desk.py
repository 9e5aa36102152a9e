"""The orders desk: orders of the shift, one order's detail, reprint, void and refund."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pos_desktop.services import order_history, refunds, shifts
from pos_desktop.services.errors import ServiceError
from pos_desktop.store.models import Order
from pos_desktop.till.context import TillContext, refuse
from pos_desktop.till.printer_desk import PrinterDesk
from pos_desktop.till.views import OrderDetail, OrderLineRow, OrderRow


class OrdersDesk:
    """What the orders screen does with past orders; money goes back only with a manager."""

    def __init__(self, context: TillContext, printer: PrinterDesk) -> None:
        self._context = context
        self._printer = printer

    def orders(self, search: str = "") -> Sequence[OrderRow]:
        with self._context.terminal.uow() as uow:
            return [_order_row(order) for order in order_history.shift_orders(uow.session, search)]

    def order_detail(self, order_id: str) -> OrderDetail:
        receipt = self._printer.receipt(order_id, copy=False)
        with self._context.terminal.uow() as uow:
            try:
                order = refunds.stored_order(uow.session, order_id)
            except ServiceError as error:
                raise refuse(error) from error
            left_and_done = order_history.line_quantities(order)
            lines = tuple(
                OrderLineRow(
                    line.id, line.name, line.quantity, line.total_minor, *left_and_done[line.id]
                )
                for line in order.lines
            )
            row = _order_row(order)
            can_void = refunds.voidable(order, shifts.open_shift_row(uow.session))
        return OrderDetail(row, lines, self._printer.service().text(receipt), can_void)

    def reprint(self, order_id: str) -> None:
        """The receipt again, marked COPY; a refunded or voided order's slips follow it."""
        receipt = self._printer.receipt(order_id, copy=True)
        self._printer.service().print_document(receipt, order_id=order_id)
        with self._context.terminal.uow() as uow:
            refunded = bool(refunds.stored_order(uow.session, order_id).refunds)
        if refunded:
            self._printer.reprint_refunds(order_id)

    def reprint_refunds(self, order_id: str) -> int:
        """The refund and void slips of an order again, marked COPY; how many were queued."""
        return self._printer.reprint_refunds(order_id)

    def void(self, order_id: str, reason: str, manager_pin: str) -> None:
        self._give_back(refunds.void_order, "void", order_id, reason, manager_pin)

    def refund(
        self, order_id: str, quantities: dict[str, int], reason: str, manager_pin: str
    ) -> int:
        return self._give_back(
            refunds.refund_order, "refund", order_id, reason, manager_pin, quantities=quantities
        )

    def _give_back(
        self,
        service: Callable[..., refunds.RefundResult],
        action: str,
        order_id: str,
        reason: str,
        manager_pin: str,
        **arguments: Any,
    ) -> int:
        """A void or refund approved by a manager's PIN, then its slip; the amount given back."""
        context = self._context
        approval = context.approval(manager_pin, action, reason)
        result = context.call(
            service,
            order_id=order_id,
            cashier=context.signed_in(),
            approval=approval,
            reason=reason,
            **arguments,
        )
        context.nudge()
        self._printer.print_refund_slip(result.refund_id)
        return result.amount_minor


def _order_row(order: Order) -> OrderRow:
    return OrderRow(
        order_id=order.id,
        receipt_number=order.receipt_number,
        created_at=order.created_at,
        total_minor=order.total_minor,
        status=order_history.shown_status(order),
        refunded_minor=order.refunded_minor,
        customer_name=order.customer_name,
    )
