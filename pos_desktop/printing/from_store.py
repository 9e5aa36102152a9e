"""Print data read from the terminal's store: receipts, kitchen tickets, refund slips, X/Z."""

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
    PaymentData,
    ReceiptData,
    ReceiptLineData,
    RefundLineData,
    RefundSlipData,
    ShiftReportData,
    TaxData,
    TenantHeader,
)
from pos_desktop.printing.labels import SlipLabels, slip_labels, tax_id_name
from pos_desktop.store.models import (
    Cashier,
    ModifierOption,
    Order,
    OrderLine,
    Refund,
    Shift,
)
from pos_desktop.store.receipt_logo import receipt_logo_png
from pos_desktop.store.settings import SettingKey, get_mapping
from shared.reports import ShiftFigures
from shared.tax import tax_label


class OrderNotFound(LookupError):
    """No stored order has that receipt number on this terminal."""


def _cashier_name(session: Session, cashier_id: str) -> str:
    cashier = session.get(Cashier, cashier_id)
    return cashier.name if cashier is not None else cashier_id[:8]


def till_language(session: Session) -> str:
    """The language the cashier app shows its screens in; its slips print in it too."""
    return str(get_mapping(session, SettingKey.UI_SETTINGS).get("language") or "en")


def till_labels(session: Session) -> SlipLabels:
    """The slip words in the till's language."""
    return slip_labels(till_language(session))


def _lines(text: object) -> tuple[str, ...]:
    return tuple(line.strip() for line in str(text or "").splitlines() if line.strip())


def tenant_header(session: Session, labels: SlipLabels | None = None) -> TenantHeader:
    """The slip header and footer from the tenant and outlet settings pulled with the catalog.

    The outlet's address wins over the tenant's; the tenant's receipt header text comes
    after them (`header_blocks` leaves out its lines that repeat the name or the address).
    The logo is the one the sync worker downloaded, while the settings still name it.
    """
    tenant = get_mapping(session, SettingKey.TENANT)
    outlet = get_mapping(session, SettingKey.OUTLET)
    labels = labels or till_labels(session)
    return TenantHeader(
        tenant_name=str(tenant.get("name", "")),
        outlet_name=str(outlet.get("name", "")),
        address_lines=_lines(outlet.get("address") or tenant.get("address")),
        tax_id=str(tenant.get("tax_id", "")).strip(),
        tax_id_label=tax_id_name(
            str(tenant.get("locale", "")), str(tenant.get("currency", "")), labels
        ),
        extra_lines=_lines(tenant.get("receipt_header")),
        logo_png=receipt_logo_png(session),
        footer_lines=_lines(tenant.get("receipt_footer")),
    )


def find_order(session: Session, receipt_no: str) -> Order:
    """The stored order with that receipt number; OrderNotFound otherwise."""
    order = session.scalars(select(Order).where(Order.receipt_number == receipt_no)).first()
    if order is None:
        raise OrderNotFound(f"no order with receipt number {receipt_no!r} on this terminal")
    return order


def _shown_modifiers(session: Session, lines: list[OrderLine]) -> dict[str, tuple[str, ...]]:
    """The modifier names each line prints, by line id: options that are the default of
    their group (Regular, Normal sugar) say nothing to the customer or the cook."""
    option_ids = {
        str(m.get("option_id")) for line in lines for m in line.modifiers if m.get("option_id")
    }
    defaults = (
        set(
            session.scalars(
                select(ModifierOption.id).where(
                    ModifierOption.id.in_(option_ids), ModifierOption.is_default.is_(True)
                )
            )
        )
        if option_ids
        else set()
    )
    return {
        line.id: tuple(
            str(m.get("name", ""))
            for m in line.modifiers
            if str(m.get("option_id")) not in defaults and m.get("name")
        )
        for line in lines
    }


def receipt_data_for_order(
    session: Session, order: Order, labels: SlipLabels | None = None
) -> ReceiptData:
    """Everything the receipt of a stored order shows, read back from the rows of the sale."""
    tenant = get_mapping(session, SettingKey.TENANT)
    terminal = get_mapping(session, SettingKey.TERMINAL)
    labels = labels or till_labels(session)
    modifiers = _shown_modifiers(session, list(order.lines))
    lines = tuple(
        ReceiptLineData(
            name=line.name,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,  # the engine's: modifiers included
            amount_minor=line.gross_minor,
            modifiers=modifiers[line.id],
            note=line.note,
        )
        for line in order.lines
    )
    return ReceiptData(
        header=tenant_header(session, labels),
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
        discounts=_discounts(order, labels),
        service_charges=(
            (AdjustmentData(_service_label(tenant, labels), order.service_charge_minor),)
            if order.service_charge_minor
            else ()
        ),
        taxes=_taxes(order),
        rounding_minor=order.rounding_minor,
        payments=_payments(order, labels),
        table=order.table,
        customer_name=order.customer_name,
        notice=_notice(order, labels),
        labels=labels,
    )


def _service_label(tenant: dict[str, Any], labels: SlipLabels) -> str:
    """`Service charge 5%` with the tenant's rate, so the customer can check the amount."""
    rate_bp = int(tenant.get("service_charge_bp") or 0)
    return tax_label(labels.service_charge, rate_bp) if rate_bp else labels.service_charge


def _notice(order: Order, labels: SlipLabels) -> str:
    """The banner on the reprint of an order that was voided or (partly) refunded."""
    if order.status == "voided":
        return labels.voided
    if order.status == "refunded":
        return labels.refunded
    if order.refunded_minor:
        return labels.partly_refunded
    return "" if order.status == "paid" else order.status.upper()


def _discounts(order: Order, labels: SlipLabels) -> tuple[AdjustmentData, ...]:
    """Line discounts summed by name (negative); what the lines do not explain is "Discount"."""
    by_name: dict[str, int] = defaultdict(int)
    for line in order.lines:
        for discount in line.discounts:
            name = str(discount.get("name") or labels.discount)
            by_name[name] += int(discount.get("amount_minor", 0))
    rest_minor = order.discount_minor - sum(by_name.values())
    if rest_minor:
        by_name[labels.discount] += rest_minor
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


def _payments(order: Order, labels: SlipLabels) -> tuple[PaymentData, ...]:
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
                method=labels.method_name(payment.method),
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
    tenant = get_mapping(session, SettingKey.TENANT)
    labels = till_labels(session)
    modifiers = _shown_modifiers(session, list(order.lines))
    by_station: dict[str, list[KitchenItemData]] = {}
    for line in order.lines:
        station = line.kitchen_station or default_station
        by_station.setdefault(station, []).append(
            KitchenItemData(
                name=line.name,
                quantity=line.quantity,
                modifiers=modifiers[line.id],
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
            labels=labels,
        )
        for station, items in by_station.items()
    ]


def shift_report_data(
    session: Session,
    *,
    shift_id: str,
    figures: ShiftFigures,
    printed_at: datetime,
) -> ShiftReportData:
    """An X report for an open shift, a Z report for a closed one, from the shift's figures."""
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise LookupError(f"no shift {shift_id}")
    tenant = get_mapping(session, SettingKey.TENANT)
    outlet = get_mapping(session, SettingKey.OUTLET)
    terminal = get_mapping(session, SettingKey.TERMINAL)
    return ShiftReportData(
        report="Z" if shift.state == "closed" else "X",
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
        figures=figures,
        closed_at=shift.closed_at,
        labels=till_labels(session),
    )


def refund_slip_data(session: Session, refund: Refund) -> RefundSlipData:
    """The slip of a stored refund or void: its lines (a void gives back every line)."""
    order = refund.order
    tenant = get_mapping(session, SettingKey.TENANT)
    terminal = get_mapping(session, SettingKey.TERMINAL)
    labels = till_labels(session)
    by_id = {line.id: line for line in order.lines}
    if refund.kind == "void":
        lines = tuple(
            RefundLineData(line.name, line.quantity, line.total_minor) for line in order.lines
        )
        methods = dict.fromkeys(p.method for p in order.payments if not p.is_change)
        method = ", ".join(labels.method_name(m) for m in methods) or labels.original_payment
    else:
        lines = tuple(
            RefundLineData(
                by_id[str(row["line_id"])].name if str(row["line_id"]) in by_id else "?",
                int(row["quantity"]),
                int(row["amount_minor"]),
            )
            for row in refund.lines
        )
        method = labels.method_name(refund.method)
    return RefundSlipData(
        kind="void" if refund.kind == "void" else "refund",
        header=tenant_header(session, labels),
        receipt_no=order.receipt_number,
        order_id=order.id,
        terminal_name=str(terminal.get("terminal_code", "")),
        cashier_name=_cashier_name(session, refund.cashier_id),
        manager_name=_cashier_name(session, refund.manager_id),
        refunded_at=refund.created_at,
        time_zone=str(tenant.get("time_zone", "UTC")),
        currency=order.currency,
        locale=str(tenant.get("locale", "en_US")),
        lines=lines,
        amount_minor=refund.amount_minor,
        method=method,
        reason=refund.reason,
        labels=labels,
    )


def receipt_data_by_id(session: Session, order_id: str) -> ReceiptData | None:
    """The receipt of the stored order with that id; None when there is none."""
    order = session.get(Order, order_id)
    return None if order is None else receipt_data_for_order(session, order)


def refund_slip_data_by_id(session: Session, refund_id: str) -> RefundSlipData | None:
    """The slip of the stored refund or void with that id; None when there is none."""
    refund = session.get(Refund, refund_id)
    return None if refund is None else refund_slip_data(session, refund)


def refund_slips_of_order(session: Session, order_id: str) -> list[RefundSlipData] | None:
    """The slips of every refund and void of an order, oldest first; None: no such order."""
    order = session.get(Order, order_id)
    if order is None:
        return None
    return [
        refund_slip_data(session, refund)
        for refund in sorted(order.refunds, key=lambda r: r.created_at)
    ]
