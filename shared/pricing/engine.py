"""price_cart: applies promotions, manual discounts, service charge and tax to a cart.

Order of work, on lines sorted by line_id so the cart's order never matters:
1. gross = (unit price + modifiers) * quantity;
2. promotions by priority (an exclusive one that gives anything is the only one);
3. the manual line discount on what is left of each line;
4. the manual order discount, split over lines by largest remainder;
5. taxes per line (inclusive ones taken out, exclusive ones added);
6. the service charge on the pre-tax net, split over lines, and its tax;
7. cash rounding of the total, when asked.
Every discount is capped at what is left of the line, so nothing goes negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.pricing.book import BookEntry, PromotionBook
from shared.pricing.promotions import (
    CartIndex,
    WorkLine,
    discounts_for,
    discounts_on_open,
    is_eligible,
)
from shared.pricing.types import (
    AppliedDiscount,
    Cart,
    CashRounding,
    Customer,
    DiscountKind,
    DiscountSource,
    ManualDiscount,
    PricedCart,
    PricedLine,
    PricingInputError,
    Promotion,
    PromotionTotal,
)
from shared.rounding import allocate, percent_of, round_to_step
from shared.tax import (
    AppliedTax,
    ServiceCharge,
    TaxPlan,
    TaxRate,
    _slot_setters,
    service_charge_shares,
    total_by_rate,
)

_new = object.__new__
(
    _set_discount_source,
    _set_discount_name,
    _set_discount_amount,
    _set_discount_promotion_id,
    _set_discount_approver_id,
) = _slot_setters(
    AppliedDiscount, ("source", "name", "amount_minor", "promotion_id", "approver_id")
)
_PRICED_LINE_FIELDS = (
    "line_id",
    "product_id",
    "quantity",
    "unit_price_minor",
    "gross_minor",
    "discounts",
    "discount_minor",
    "net_minor",
    "service_charge_minor",
    "taxes",
    "tax_included_minor",
    "tax_added_minor",
    "total_minor",
)
(
    _set_pl_line_id,
    _set_pl_product_id,
    _set_pl_quantity,
    _set_pl_unit_price,
    _set_pl_gross,
    _set_pl_discounts,
    _set_pl_discount,
    _set_pl_net,
    _set_pl_service_charge,
    _set_pl_taxes,
    _set_pl_tax_included,
    _set_pl_tax_added,
    _set_pl_total,
) = _slot_setters(PricedLine, _PRICED_LINE_FIELDS)


@lru_cache(maxsize=64)
def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise PricingInputError(
            f"unknown time zone {time_zone!r}", field="time_zone", code="unknown_time_zone"
        ) from error


def _local_moment(at: datetime, time_zone: str) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        # A naive moment would mean different things on a terminal and on the server.
        raise PricingInputError("at must be a time-zone-aware datetime", field="at")
    return at.astimezone(_zone(time_zone))


def _manual_amount(discount: ManualDiscount, base_minor: int) -> int:
    if discount.kind is DiscountKind.PERCENT:
        return percent_of(base_minor, discount.value)
    return min(discount.value, base_minor)


def _manual_name(discount: ManualDiscount, default: str) -> str:
    return discount.reason.strip() or default


def _apply_promotions(
    work_lines: list[WorkLine],
    entries: list[BookEntry],
    customer: Customer | None,
    local: datetime,
    local_date: date,
    subtotal_minor: int,
) -> list[PromotionTotal]:
    """Apply the promotions to the lines; what each applied one took off, in total."""
    totals: list[PromotionTotal] = []
    window_open: dict[int, bool] = {}
    eligible = [
        (promotion, looks_at, keys)
        for promotion, unconditional, looks_at, keys in entries
        if unconditional
        or is_eligible(
            promotion, local, local_date, customer, subtotal_minor, window_open=window_open
        )
    ]
    looked_up = CartIndex(work_lines).looked_up
    for promotion, looks_at, keys in eligible:
        if promotion.exclusive:
            found = discounts_for(promotion, looked_up(looks_at, keys))
            if found:
                totals.append(_record(promotion, found))
                return totals
    for promotion, looks_at, keys in eligible:
        if promotion.exclusive:
            continue
        if promotion.stackable:
            open_lines = [
                line for line in looked_up(looks_at, keys) if line.net_minor > 0 and not line.closed
            ]
        else:
            open_lines = [
                line
                for line in looked_up(looks_at, keys)
                if line.net_minor > 0 and not line.closed and not line.touched
            ]
        if open_lines:
            found = discounts_on_open(promotion, open_lines)
            if found:
                totals.append(_record(promotion, found))
    return totals


def _record(promotion: Promotion, found: list[tuple[WorkLine, int]]) -> PromotionTotal:
    """Put the promotion's discounts on their lines; the promotion's total."""
    source, name, promotion_id = DiscountSource.PROMOTION, promotion.name, promotion.promotion_id
    closes = not promotion.stackable
    total_minor = 0
    for line, amount_minor in found:
        if amount_minor <= 0:
            continue
        line.net_minor -= amount_minor
        total_minor += amount_minor
        # AppliedDiscount(source, name, amount_minor, promotion_id), built fast.
        discount = _new(AppliedDiscount)
        _set_discount_source(discount, source)
        _set_discount_name(discount, name)
        _set_discount_amount(discount, amount_minor)
        _set_discount_promotion_id(discount, promotion_id)
        _set_discount_approver_id(discount, None)
        line.discounts.append(discount)
        line.touched = True
        if closes:
            line.closed = True
    return PromotionTotal(promotion_id, name, total_minor)


def _apply_manual(work_lines: list[WorkLine], order_discount: ManualDiscount | None) -> None:
    for line in work_lines:
        discount = line.cart_line.manual_discount
        if discount is None:
            continue
        amount_minor = _manual_amount(discount, line.net_minor)
        if amount_minor > 0:
            line.net_minor -= amount_minor
            line.discounts.append(
                AppliedDiscount(
                    source=DiscountSource.MANUAL_LINE,
                    name=_manual_name(discount, "Line discount"),
                    amount_minor=amount_minor,
                    approver_id=discount.approver_id,
                )
            )
    if order_discount is None:
        return
    bases = [line.net_minor for line in work_lines]
    amount_minor = _manual_amount(order_discount, sum(bases))
    if amount_minor <= 0:
        return
    name = _manual_name(order_discount, "Order discount")
    for line, share_minor in zip(work_lines, allocate(amount_minor, bases), strict=True):
        if share_minor > 0:
            line.net_minor -= share_minor
            line.discounts.append(
                AppliedDiscount(
                    source=DiscountSource.MANUAL_ORDER,
                    name=name,
                    amount_minor=share_minor,
                    approver_id=order_discount.approver_id,
                )
            )


def _tax_plans(work_lines: list[WorkLine], rates: dict[str, TaxRate]) -> list[TaxPlan]:
    """Each line's TaxPlan, built once per distinct set of rate ids."""
    plans: dict[tuple[str, ...], TaxPlan] = {}
    found: list[TaxPlan] = []
    for line in work_lines:
        rate_ids = line.cart_line.tax_rate_ids
        plan = plans.get(rate_ids)
        if plan is None:
            unknown = [rate_id for rate_id in rate_ids if rate_id not in rates]
            if unknown:
                # Fail closed: a line must never be priced without a tax it names.
                raise PricingInputError(
                    f"line {line.cart_line.line_id!r} names unknown tax rate {unknown[0]!r}",
                    field="tax_rate_ids",
                    code="unknown_tax_rate",
                )
            plan = plans[rate_ids] = TaxPlan.of(rates[rate_id] for rate_id in set(rate_ids))
        found.append(plan)
    return found


def price_cart(
    cart: Cart,
    *,
    at: datetime,
    time_zone: str,
    promotions: Sequence[Promotion] | PromotionBook = (),
    tax_rates: Sequence[TaxRate] = (),
    service_charge: ServiceCharge | None = None,
    customer: Customer | None = None,
    cash_rounding: CashRounding | None = None,
) -> PricedCart:
    """Price cart at moment `at` in the tenant's time_zone (IANA name, e.g. Asia/Jakarta).

    Pure: same arguments, same result, on the terminal and on the server. Raises
    PricingInputError (a ValueError naming the field) for input it cannot price.
    """
    if not isinstance(cart, Cart):
        raise PricingInputError("cart must be a Cart", field="cart")
    local = _local_moment(at, time_zone)
    book = promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)
    rates: dict[str, TaxRate] = {}
    for rate in tax_rates:
        if rate.rate_id in rates:
            raise PricingInputError(
                f"tax rate {rate.rate_id!r} appears twice", field="tax_rates", code="duplicate"
            )
        rates[rate.rate_id] = rate

    work_lines = [WorkLine.start(line) for line in sorted(cart.lines, key=lambda x: x.line_id)]
    subtotal_minor = sum(line.gross_minor for line in work_lines)
    relevant = book.relevant_entries(
        {line.cart_line.product_id for line in work_lines},
        {line.cart_line.category_id for line in work_lines},
    )
    promotion_totals = (
        _apply_promotions(work_lines, relevant, customer, local, local.date(), subtotal_minor)
        if relevant
        else []
    )
    _apply_manual(work_lines, cart.order_discount)

    plans = _tax_plans(work_lines, rates)
    goods_taxes = [
        plan.on_amount(line.net_minor) for line, plan in zip(work_lines, plans, strict=True)
    ]
    if service_charge is not None and service_charge.rate_bp > 0:
        shares = service_charge_shares([taxes.base_minor for taxes in goods_taxes], service_charge)
    else:
        shares = [0] * len(work_lines)

    priced_by_id: dict[str, PricedLine] = {}
    all_taxes: list[AppliedTax] = []
    for line, plan, taxes, share_minor in zip(work_lines, plans, goods_taxes, shares, strict=True):
        line_taxes = list(taxes.taxes)
        tax_added_minor = taxes.added_minor
        if share_minor and service_charge is not None and service_charge.taxed and plan.every:
            charge_taxes = plan.on_service_charge(share_minor)
            line_taxes.extend(charge_taxes.taxes)
            tax_added_minor += charge_taxes.added_minor
        all_taxes.extend(line_taxes)
        # PricedLine(line_id=..., ..., total_minor=...) in field order, built fast.
        cart_line = line.cart_line
        net_minor = line.net_minor
        priced = _new(PricedLine)
        _set_pl_line_id(priced, cart_line.line_id)
        _set_pl_product_id(priced, cart_line.product_id)
        _set_pl_quantity(priced, cart_line.quantity)
        _set_pl_unit_price(priced, line.unit_minor)
        _set_pl_gross(priced, line.gross_minor)
        _set_pl_discounts(priced, tuple(line.discounts))
        _set_pl_discount(priced, line.gross_minor - net_minor)
        _set_pl_net(priced, net_minor)
        _set_pl_service_charge(priced, share_minor)
        _set_pl_taxes(priced, tuple(line_taxes))
        _set_pl_tax_included(priced, taxes.included_minor)
        _set_pl_tax_added(priced, tax_added_minor)
        _set_pl_total(priced, net_minor + share_minor + tax_added_minor)
        priced_by_id[cart_line.line_id] = priced

    priced_lines = tuple(priced_by_id[line.line_id] for line in cart.lines)
    total_minor = sum(line.total_minor for line in priced_lines)
    payable_minor = (
        total_minor
        if cash_rounding is None
        else round_to_step(total_minor, cash_rounding.step_minor, cash_rounding.rule)
    )
    return PricedCart(
        currency=cart.currency,
        lines=priced_lines,
        subtotal_minor=subtotal_minor,
        discount_minor=sum(line.discount_minor for line in priced_lines),
        service_charge_minor=sum(shares),
        tax_included_minor=sum(line.tax_included_minor for line in priced_lines),
        tax_added_minor=sum(line.tax_added_minor for line in priced_lines),
        tax_by_rate=total_by_rate(all_taxes),
        total_minor=total_minor,
        cash_rounding_minor=payable_minor - total_minor,
        payable_minor=payable_minor,
        # Promotion ids are unique in a book, so this orders them as by id alone.
        promotions=tuple(sorted(promotion_totals, key=_by_promotion_id)),
    )


def _by_promotion_id(total: PromotionTotal) -> str:
    return total.promotion_id
