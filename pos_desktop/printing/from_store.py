"""Print data read from the terminal's store: receipts and kitchen tickets of orders, X/Z."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_desktop.printing.document import (
    AdjustmentData,
    KitchenItemData,
    KitchenTicketData,
    ModifierData,
    PaymentData,
    ReceiptData,
    ReceiptLineData,
    ShiftReportData,
    TaxData,
    TenantHeader,
)
from pos_desktop.store.models import Cashier, Order, Setting, Shift

# Setting keys written by the catalog service (pos_desktop.services.catalog).
TENANT_KEY = "tenant"
OUTLET_KEY = "outlet"
TERMINAL_KEY = "terminal"

METHOD_NAMES = {"cash": "Cash", "card": "Card", "qris": "QRIS", "ewallet": "E-wallet"}


class OrderNotFound(LookupError):
    """No stored order has that receipt number on this terminal."""


def _setting(session: Session, key: str) -> dict[str, Any]:
    row = session.get(Setting, key)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def _cashier_name(session: Session, cashier_id: str) -> str:
    cashier = session.get(Cashier, cashier_id)
    return cashier.name if cashier is not None else cashier_id[:8]


def tenant_header(session: Session) -> TenantHeader:
    """The receipt header and footer from the tenant and outlet settings pulled with the catalog."""
    tenant = _setting(session, TENANT_KEY)
    outlet = _setting(session, OUTLET_KEY)
    address = outlet.get("address") or tenant.get("address") or ""
    header_lines = tuple(
        line for line in str(tenant.get("receipt_header", "")).splitlines() if line
    )
    return TenantHeader(
        tenant_name=str(tenant.get("name", "")),
        outlet_name=str(outlet.get("name", "")),
        address_lines=header_lines + tuple(line for line in str(address).splitlines() if line),
        tax_id=str(tenant.get("tax_id", "")),
        footer_lines=tuple(
            line for line in str(tenant.get("receipt_footer", "")).splitlines() if line
        ),
    )


def find_order(session: Session, receipt_no: str) -> Order:
    """The stored order with that receipt number; OrderNotFound otherwise."""
    order = session.scalars(select(Order).where(Order.receipt_number == receipt_no)).first()
    if order is None:
        raise OrderNotFound(f"no order with receipt number {receipt_no!r} on this terminal")
    return order


def receipt_data_for_order(session: Session, order: Order) -> ReceiptData:
    """Everything the receipt of a stored order shows, read back from the rows of the sale."""
    tenant = _setting(session, TENANT_KEY)
    terminal = _setting(session, TERMINAL_KEY)
    lines = tuple(
        ReceiptLineData(
            name=line.name,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            amount_minor=line.gross_minor,
            modifiers=tuple(
                ModifierData(str(m.get("name", "")), int(m.get("price_delta_minor", 0)))
                for m in line.modifiers
            ),
            note=line.note,
        )
        for line in order.lines
    )
    return ReceiptData(
        header=tenant_header(session),
        receipt_no=order.receipt_number,
        order_id=order.id,
        terminal_name=str(terminal.get("terminal_code", "")),
        cashier_name=_cashier_name(session, order.cashier_id),
        issued_at=order.created_at,
        time_zone=str(tenant.get("time_zone", "UTC")),
        currency=order.currency,
        locale=str(tenant.get("locale", "en_US")),
        lines=lines,
        subtotal_minor=order.subtotal_minor,
        total_minor=order.total_minor,
        discounts=_discounts(order),
        service_charges=(
            (AdjustmentData("Service charge", order.service_charge_minor),)
            if order.service_charge_minor
            else ()
        ),
        taxes=_taxes(order),
        rounding_minor=order.rounding_minor,
        payments=_payments(order),
        table=order.table,
        customer_name=order.customer_name,
        notice="" if order.status == "paid" else order.status.upper(),
    )


def _discounts(order: Order) -> tuple[AdjustmentData, ...]:
    """Line discounts summed by name (negative); what the lines do not explain is "Discount"."""
    by_name: dict[str, int] = defaultdict(int)
    for line in order.lines:
        for discount in line.discounts:
            by_name[str(discount.get("name", "Discount"))] += int(discount.get("amount_minor", 0))
    rest_minor = order.discount_minor - sum(by_name.values())
    if rest_minor:
        by_name["Discount"] += rest_minor
    return tuple(AdjustmentData(name, -amount) for name, amount in by_name.items() if amount)


def _taxes(order: Order) -> tuple[TaxData, ...]:
    """The order's tax breakdown (from the priced order, else summed from its lines)."""
    stored = (order.pricing or {}).get("tax_lines") or [
        tax for line in order.lines for tax in line.taxes
    ]
    by_rate: dict[tuple[str, int, bool], int] = defaultdict(int)
    for tax in stored:
        key = (str(tax.get("name", "Tax")), int(tax.get("rate_bp", 0)), bool(tax.get("inclusive")))
        by_rate[key] += int(tax.get("amount_minor", 0))
    return tuple(
        TaxData(name, rate, amount, inclusive)
        for (name, rate, inclusive), amount in by_rate.items()
    )


def _payments(order: Order) -> tuple[PaymentData, ...]:
    """Tenders as paid; the change (stored as a negative cash payment) goes on the cash line."""
    change_minor = order.change_minor
    payments = []
    for payment in order.payments:
        if payment.is_change:
            continue
        is_cash = payment.method == "cash"
        change = change_minor if is_cash else 0
        change_minor -= change
        payments.append(
            PaymentData(
                method=METHOD_NAMES.get(payment.method, payment.method.title()),
                amount_minor=payment.amount_minor - change,
                tendered_minor=payment.amount_minor if is_cash else None,
                change_minor=change,
                is_cash=is_cash,
            )
        )
    return tuple(payments)


def order_number(receipt_no: str) -> str:
    """The short number the kitchen calls out: the counter at the end of the receipt number."""
    tail = receipt_no.rsplit("-", 1)[-1]
    if not tail.isdigit():
        return receipt_no
    return tail.lstrip("0") or "0"


def kitchen_tickets_for_order(
    session: Session, order: Order, *, offline: bool = False, default_station: str = "Kitchen"
) -> list[KitchenTicketData]:
    """One ticket per kitchen station of the order's lines, in station order of first appearance."""
    tenant = _setting(session, TENANT_KEY)
    by_station: dict[str, list[KitchenItemData]] = {}
    for line in order.lines:
        station = line.kitchen_station or default_station
        by_station.setdefault(station, []).append(
            KitchenItemData(
                name=line.name,
                quantity=line.quantity,
                modifiers=tuple(str(m.get("name", "")) for m in line.modifiers),
                note=line.note,
            )
        )
    return [
        KitchenTicketData(
            order_number=order_number(order.receipt_number),
            station=station,
            created_at=order.created_at,
            time_zone=str(tenant.get("time_zone", "UTC")),
            items=tuple(items),
            table=order.table,
            customer_name=order.customer_name,
            receipt_no=order.receipt_number,
            cashier_name=_cashier_name(session, order.cashier_id),
            offline=offline,
            order_id=order.id,
        )
        for station, items in by_station.items()
    ]


def shift_report_data(
    session: Session,
    *,
    shift_id: str,
    figures: Any,
    expected_cash_minor: int,
    printed_at: datetime,
) -> ShiftReportData:
    """An X report for an open shift, a Z report for a closed one, from the shift service's figures.

    `figures` is the `ShiftFiguresV1` of `pos_desktop.services.shifts.ShiftReport`.
    """
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise LookupError(f"no shift {shift_id}")
    tenant = _setting(session, TENANT_KEY)
    outlet = _setting(session, OUTLET_KEY)
    terminal = _setting(session, TERMINAL_KEY)
    closed = shift.state == "closed"
    return ShiftReportData(
        report="Z" if closed else "X",
        tenant_name=str(tenant.get("name", "")),
        outlet_name=str(outlet.get("name", "")),
        terminal_name=str(terminal.get("terminal_code", "")),
        shift_name=shift.id[:8],
        cashier_name=_cashier_name(session, shift.cashier_id),
        opened_at=shift.opened_at,
        printed_at=printed_at,
        time_zone=str(tenant.get("time_zone", "UTC")),
        currency=str(tenant.get("currency", "")),
        locale=str(tenant.get("locale", "en_US")),
        order_count=figures.order_count,
        gross_sales_minor=figures.gross_sales_minor,
        discounts_minor=figures.discount_minor,
        refunds_minor=figures.refunds_minor,
        net_sales_minor=figures.net_sales_minor,
        service_charge_minor=figures.service_charge_minor,
        tax_minor=figures.tax_minor,
        void_count=figures.void_count,
        payments=tuple(
            AdjustmentData(METHOD_NAMES.get(str(m), str(m).title()), amount)
            for m, amount in sorted(figures.payments_by_method.items())
        ),
        opening_float_minor=shift.opening_float_minor,
        cash_in_minor=figures.cash_in_minor,
        cash_out_minor=figures.cash_out_minor,
        cash_expected_minor=expected_cash_minor,
        cash_counted_minor=shift.counted_cash_minor if closed else None,
        closed_at=shift.closed_at,
    )
