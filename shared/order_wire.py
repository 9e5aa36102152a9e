"""The priced cart as an `OrderV1` and back: one mapping for the till, the server and the tests.

`order_v1` writes what the terminal charged (the outbox payload); `cart_from_order_v1`
reads an order back into the engine's cart so the server can price it again. A cart that
goes there and back prices to the same cents.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.pricing import (
    AppliedDiscount,
    AppliedTax,
    Cart,
    CartLine,
    DiscountKind,
    ManualDiscount,
    Modifier,
    PricedCart,
    TaxTotal,
)
from shared.pricing.tenders import PaymentSplit, TenderLike
from shared.protocol import (
    AppliedDiscountV1,
    ManualDiscountV1,
    ModifierV1,
    OrderLineV1,
    OrderV1,
    PaymentV1,
    TaxLineV1,
)

DEFAULT_GROUP_NAME = "Options"
"""The group a modifier is shown under when its group is not known."""


@dataclass(frozen=True)
class LineDetails:
    """What a wire line carries beyond the engine's cart line: words for people and the kitchen."""

    sku: str = ""
    kitchen_station: str | None = None
    note: str = ""
    modifier_groups: Mapping[str, str] | None = None
    """modifier id -> the name of its group (Size, Milk)."""


NO_DETAILS = LineDetails()


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def manual_discount_v1(discount: ManualDiscount | None) -> ManualDiscountV1 | None:
    """A cashier's manual discount as the wire carries it."""
    if discount is None:
        return None
    return ManualDiscountV1(
        kind=discount.kind.value,
        value=discount.value,
        reason=discount.reason,
        approved_by=uuid.UUID(discount.approver_id),
    )


def _discount_v1(discount: AppliedDiscount) -> AppliedDiscountV1:
    return AppliedDiscountV1(
        source=discount.source.value,
        promotion_id=uuid.UUID(discount.promotion_id) if discount.promotion_id else None,
        name=discount.name,
        amount_minor=discount.amount_minor,
    )


def tax_line_v1(tax: AppliedTax | TaxTotal) -> TaxLineV1:
    """A line's tax, or an order's total for one rate, as the wire carries it."""
    return TaxLineV1(
        tax_rate_id=uuid.UUID(tax.rate_id),
        name=tax.name,
        rate_bp=tax.rate_bp,
        inclusive=tax.inclusive,
        base_minor=tax.base_minor,
        amount_minor=tax.amount_minor,
    )


def _modifier_v1(modifier: Modifier, details: LineDetails) -> ModifierV1:
    groups = details.modifier_groups or {}
    return ModifierV1(
        option_id=_uuid_or_none(modifier.modifier_id),
        group_name=groups.get(modifier.modifier_id) or DEFAULT_GROUP_NAME,
        name=modifier.name,
        price_delta_minor=modifier.price_delta_minor,
    )


def order_lines_v1(
    cart: Cart, priced: PricedCart, details: Mapping[str, LineDetails] | None = None
) -> tuple[OrderLineV1, ...]:
    """The cart's lines as the wire carries them, at the prices `priced` charged.

    `details` (line id -> LineDetails) adds what the engine does not need: sku, kitchen
    station, note and the modifiers' group names.
    """
    details = details or {}
    lines = []
    for cart_line in cart.lines:
        line_details = details.get(cart_line.line_id, NO_DETAILS)
        priced_line = priced.line(cart_line.line_id)
        lines.append(
            OrderLineV1(
                id=uuid.UUID(cart_line.line_id),
                product_id=uuid.UUID(cart_line.product_id),
                category_id=uuid.UUID(cart_line.category_id) if cart_line.category_id else None,
                sku=line_details.sku,
                name=cart_line.name,
                quantity=cart_line.quantity,
                unit_price_minor=priced_line.unit_price_minor,
                modifiers=tuple(_modifier_v1(m, line_details) for m in cart_line.modifiers),
                note=line_details.note,
                kitchen_station=line_details.kitchen_station,
                manual_discount=manual_discount_v1(cart_line.manual_discount),
                discounts=tuple(_discount_v1(d) for d in priced_line.discounts),
                taxes=tuple(tax_line_v1(t) for t in priced_line.taxes),
                gross_minor=priced_line.gross_minor,
                discount_minor=priced_line.discount_minor,
                net_minor=priced_line.net_minor,
                tax_minor=priced_line.tax_minor,
                total_minor=priced_line.total_minor,
            )
        )
    return tuple(lines)


def payments_v1(
    splits: Sequence[PaymentSplit[Any]], payment_ids: Sequence[uuid.UUID], *, at: datetime
) -> tuple[PaymentV1, ...]:
    """The split tenders as the wire's payments (tendered and change only for cash)."""
    return tuple(
        PaymentV1(
            id=payment_id,
            method=split.tender.method,
            amount_minor=split.paid_minor,
            tendered_minor=split.tendered_minor,
            change_minor=split.change_minor,
            reference=_reference(split.tender),
            paid_at=at,
        )
        for split, payment_id in zip(splits, payment_ids, strict=True)
    )


def _reference(tender: TenderLike) -> str:
    reference = getattr(tender, "reference", "")
    return reference if isinstance(reference, str) else ""


def order_totals(priced: PricedCart) -> dict[str, int]:
    """The order's totals under the names the wire and both databases give them."""
    return {
        "subtotal_minor": priced.subtotal_minor,
        "discount_minor": priced.discount_minor,
        "service_charge_minor": priced.service_charge_minor,
        "tax_minor": priced.tax_minor,
        "rounding_minor": priced.cash_rounding_minor,
        "total_minor": priced.payable_minor,
    }


def order_v1(
    cart: Cart,
    priced: PricedCart,
    *,
    payments: Sequence[PaymentV1],
    details: Mapping[str, LineDetails] | None = None,
    **fields: Any,
) -> OrderV1:
    """The wire form of a priced cart, exactly what was charged.

    `fields` are the order's own (id, outlet, terminal, shift, receipt number, created_at,
    cashier, customer, approvals...); one that names a priced field replaces it, which
    lets a test send an order that disagrees with its own arithmetic.
    """
    priced_fields: dict[str, Any] = {
        "currency": priced.currency,
        "lines": order_lines_v1(cart, priced, details),
        "manual_discount": manual_discount_v1(cart.order_discount),
        "tax_lines": tuple(tax_line_v1(total) for total in priced.tax_by_rate),
        **order_totals(priced),
        "payments": tuple(payments),
    }
    return OrderV1(**{**priced_fields, **fields})


# --- and back -------------------------------------------------------------------------------


def base_unit_price_minor(line: OrderLineV1) -> int:
    """The line's unit price without its modifiers: what the catalog's price should be."""
    return line.unit_price_minor - sum(m.price_delta_minor for m in line.modifiers)


def _manual(discount: ManualDiscountV1 | None, fallback_approver: str) -> ManualDiscount | None:
    if discount is None:
        return None
    return ManualDiscount(
        kind=DiscountKind(discount.kind),
        value=discount.value,
        approver_id=str(discount.approved_by) if discount.approved_by else fallback_approver,
        reason=discount.reason,
    )


def _named_rates(line: OrderLineV1) -> tuple[str, ...]:
    """The rates a line's taxes name, once each (a taxed service charge names its rate again)."""
    return tuple(dict.fromkeys(str(tax.tax_rate_id) for tax in line.taxes if tax.tax_rate_id))


def cart_from_order_v1(
    order: OrderV1, *, tax_rate_ids: Mapping[uuid.UUID, tuple[str, ...]] | None = None
) -> Cart:
    """The engine's cart for a synced order, at the base prices the terminal charged.

    `tax_rate_ids` (product id -> the catalog's tax rate ids) is the receiver's view of
    which taxes apply; a product it does not know keeps the taxes the line names.
    """
    tax_rate_ids = tax_rate_ids or {}
    approver = str(order.cashier_id) if order.cashier_id else "terminal"
    lines = []
    for line in order.lines:
        modifiers = tuple(
            Modifier(
                modifier_id=str(modifier.option_id or f"{modifier.group_name}:{modifier.name}"),
                name=modifier.name,
                price_delta_minor=modifier.price_delta_minor,
            )
            for modifier in line.modifiers
        )
        known = tax_rate_ids.get(line.product_id) if line.product_id else None
        lines.append(
            CartLine(
                line_id=str(line.id),
                product_id=str(line.product_id or line.id),
                quantity=line.quantity,
                unit_price_minor=base_unit_price_minor(line),
                category_id=str(line.category_id) if line.category_id else None,
                modifiers=modifiers,
                manual_discount=_manual(line.manual_discount, approver),
                tax_rate_ids=known if known is not None else _named_rates(line),
                name=line.name,
            )
        )
    return Cart(
        currency=order.currency,
        lines=tuple(lines),
        order_discount=_manual(order.manual_discount, approver),
    )
