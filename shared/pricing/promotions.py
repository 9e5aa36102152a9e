"""What each promotion kind takes off which lines, and when a promotion is in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from math import lcm
from operator import attrgetter

from shared.pricing.book import (
    LOOKS_AT_BUNDLE,
    LOOKS_AT_CATEGORIES,
    LOOKS_AT_ORDER,
    LOOKS_AT_PRODUCTS,
)
from shared.pricing.types import (
    AppliedDiscount,
    CartLine,
    Customer,
    Promotion,
    PromotionKind,
    PromotionTarget,
    TimeWindow,
)
from shared.rounding import BASIS_POINTS, allocate, divide, percent_of


@dataclass(slots=True)
class WorkLine:
    """A line while it is being priced: the engine's only mutable state, never returned."""

    cart_line: CartLine
    line_id: str
    unit_minor: int
    gross_minor: int
    net_minor: int
    discounts: list[AppliedDiscount] = field(default_factory=list)
    touched: bool = False
    """Some promotion discounted this line."""
    closed: bool = False
    """A non-stackable promotion discounted this line: no further promotion may."""

    @classmethod
    def start(cls, cart_line: CartLine) -> WorkLine:
        """A fresh line at its gross price (unit price plus modifiers, times quantity)."""
        unit_minor = cart_line.unit_price_minor + sum(
            modifier.price_delta_minor for modifier in cart_line.modifiers
        )
        gross_minor = unit_minor * cart_line.quantity
        return cls(cart_line, cart_line.line_id, unit_minor, gross_minor, gross_minor)


def _in_window(window: TimeWindow, local: datetime) -> bool:
    moment = time(local.hour, local.minute, local.second, local.microsecond)
    weekday = local.weekday()
    if window.start < window.end:
        return weekday in window.weekdays and window.start <= moment < window.end
    # The window runs past midnight: its tail belongs to the previous day's window.
    return (weekday in window.weekdays and moment >= window.start) or (
        (weekday - 1) % 7 in window.weekdays and moment < window.end
    )


def is_eligible(
    promotion: Promotion,
    local: datetime,
    local_date: date,
    customer: Customer | None,
    subtotal_minor: int,
    *,
    window_open: dict[int, bool] | None = None,
) -> bool:
    """Whether the promotion's conditions hold for this moment, customer and spend.

    window_open, when given, remembers each window's answer by id() for one moment: pass
    a fresh dict per moment and keep the windows alive while it is used.
    """
    if promotion.valid_from is not None and local_date < promotion.valid_from:
        return False
    if promotion.valid_until is not None and local_date > promotion.valid_until:
        return False
    if promotion.customer_group_ids and (
        customer is None or customer.group_id not in promotion.customer_group_ids
    ):
        return False
    if subtotal_minor < promotion.min_spend_minor:
        return False
    if not promotion.windows:
        return True
    if window_open is None:
        return any(_in_window(window, local) for window in promotion.windows)
    for window in promotion.windows:
        # Promotions often share one TimeWindow object (one happy hour): test it once.
        is_open = window_open.get(id(window))
        if is_open is None:
            is_open = window_open[id(window)] = _in_window(window, local)
        if is_open:
            return True
    return False


_by_line_id = attrgetter("line_id")
_TWICE_BP = 2 * BASIS_POINTS
_NO_LINES: list[WorkLine] = []
"""Shared empty result of a look-up: never appended to."""


class CartIndex:
    """The cart's lines by product and category, so a promotion finds its lines directly."""

    __slots__ = ("by_category", "by_product", "lines")

    def __init__(self, lines: list[WorkLine]) -> None:
        self.lines = lines
        self.by_product: dict[str, list[WorkLine]] = {}
        self.by_category: dict[str, list[WorkLine]] = {}
        by_product, by_category = self.by_product, self.by_category
        for line in lines:
            cart_line = line.cart_line
            found = by_product.get(cart_line.product_id)
            if found is None:
                by_product[cart_line.product_id] = [line]
            else:
                found.append(line)
            category_id = cart_line.category_id
            if category_id is not None:
                found = by_category.get(category_id)
                if found is None:
                    by_category[category_id] = [line]
                else:
                    found.append(line)

    def targeted(self, promotion: Promotion) -> list[WorkLine]:
        """The lines this promotion looks at, in line_id order (which decides allocation ties)."""
        if promotion.kind is PromotionKind.BUNDLE:
            keys = tuple(item.product_id for item in promotion.bundle_items)
            looks_at = LOOKS_AT_BUNDLE
        elif promotion.target is PromotionTarget.ORDER:
            return self.lines
        else:
            keys = tuple(promotion.target_ids)
            looks_at = (
                LOOKS_AT_PRODUCTS
                if promotion.target is PromotionTarget.PRODUCT
                else LOOKS_AT_CATEGORIES
            )
        return sorted(self.looked_up(looks_at, keys), key=_by_line_id)

    def looked_up(self, looks_at: int, keys: tuple[str, ...]) -> list[WorkLine]:
        """targeted() from a BookEntry's looks_at and keys, but NOT sorted by line_id.

        Only a cap split over percent- or fixed-off amounts depends on line order, and
        discounts_on_open sorts those itself. The caller must not change the list.
        """
        if looks_at == LOOKS_AT_ORDER:
            return self.lines
        index = self.by_category if looks_at == LOOKS_AT_CATEGORIES else self.by_product
        if len(keys) == 1:
            return index.get(keys[0], _NO_LINES)
        groups = [index[key] for key in keys if key in index]
        if looks_at == LOOKS_AT_BUNDLE and len(groups) != len(keys):
            return _NO_LINES
        if not groups:
            return _NO_LINES
        if len(groups) == 1:
            return groups[0]
        return [line for group in groups for line in group]


def _spread(amount_minor: int, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    """An order-level amount (at most the lines' total) split over lines by their net."""
    shares = allocate(amount_minor, [line.net_minor for line in lines])
    return list(zip(lines, shares, strict=True))


def _percent_off(promotion: Promotion, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    if promotion.target is PromotionTarget.ORDER:
        # Rounded once on the order, as the customer reads "10% off the bill".
        return _spread(
            percent_of(sum(line.net_minor for line in lines), promotion.percent_bp), lines
        )
    # percent_of half-up on a positive net, inlined: (2 * net * bp + 1) // 2 in bp units.
    twice_bp = 2 * promotion.percent_bp
    return [(line, (line.net_minor * twice_bp + BASIS_POINTS) // _TWICE_BP) for line in lines]


def _fixed_off(promotion: Promotion, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    if promotion.target is PromotionTarget.ORDER:
        return _spread(
            min(promotion.amount_off_minor, sum(line.net_minor for line in lines)), lines
        )
    return [
        (line, min(promotion.amount_off_minor * line.cart_line.quantity, line.net_minor))
        for line in lines
    ]


def _by_unit_value(lines: list[WorkLine], *, reverse: bool = False) -> list[WorkLine]:
    """lines sorted as by _unit_value_key, comparing net / quantity in exact integers.

    net_a / qty_a < net_b / qty_b exactly when net_a * (L / qty_a) < net_b * (L / qty_b)
    for L the least common multiple of the quantities, so ints order them as Fractions do.
    """
    multiple = lcm(*{line.cart_line.quantity for line in lines}) if lines else 1
    return sorted(
        lines,
        key=lambda line: (
            line.net_minor * (multiple // line.cart_line.quantity),
            line.line_id,
        ),
        reverse=reverse,
    )


def _buy_x_get_y(promotion: Promotion, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    units = sum(line.cart_line.quantity for line in lines)
    group = promotion.buy_quantity + promotion.get_quantity
    rewarded = (units // group) * promotion.get_quantity
    found: list[tuple[WorkLine, int]] = []
    # The cheapest units are the ones given away (or discounted).
    for line in _by_unit_value(lines):
        if rewarded == 0:
            break
        quantity = line.cart_line.quantity
        taken = min(rewarded, quantity)
        rewarded -= taken
        found.append(
            (line, divide(line.net_minor * taken * promotion.percent_bp, quantity * BASIS_POINTS))
        )
    return found


def _bundle(promotion: Promotion, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    by_product: dict[str, list[WorkLine]] = {}
    for line in lines:
        by_product.setdefault(line.cart_line.product_id, []).append(line)
    bundles = min(
        sum(line.cart_line.quantity for line in by_product.get(item.product_id, ()))
        // item.quantity
        for item in promotion.bundle_items
    )
    if bundles == 0:
        return []
    consumed: list[tuple[WorkLine, int]] = []
    for item in promotion.bundle_items:
        wanted = item.quantity * bundles
        # The dearest units go into the bundle: the customer gets the best of the deal.
        for line in _by_unit_value(by_product[item.product_id], reverse=True):
            if wanted == 0:
                break
            quantity = line.cart_line.quantity
            taken = min(wanted, quantity)
            wanted -= taken
            consumed.append((line, divide(line.net_minor * taken, quantity)))
    value_minor = sum(value for _, value in consumed)
    discount_minor = value_minor - promotion.bundle_price_minor * bundles
    if discount_minor <= 0:
        return []
    shares = allocate(discount_minor, [value for _, value in consumed])
    return [(line, share) for (line, _), share in zip(consumed, shares, strict=True)]


_KINDS = {
    PromotionKind.PERCENT_OFF: _percent_off,
    PromotionKind.FIXED_OFF: _fixed_off,
    PromotionKind.BUY_X_GET_Y: _buy_x_get_y,
    PromotionKind.BUNDLE: _bundle,
}


def discounts_for(promotion: Promotion, open_lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    """(line, amount) pairs this promotion takes off its open targeted lines; empty if nothing.

    Each amount is at most the line's current net, and the promotion's total is at most
    its max_discount_minor (the cap is split over the lines in proportion to their amounts).
    """
    lines = [line for line in open_lines if line.net_minor > 0]
    if not lines:
        return []
    return discounts_on_open(promotion, lines)


def discounts_on_open(promotion: Promotion, lines: list[WorkLine]) -> list[tuple[WorkLine, int]]:
    """discounts_for on lines the caller already knows are non-empty with net above 0.

    The lines may come in any order (CartIndex.looked_up): the result is the same as for
    the lines in line_id order.
    """
    kind = promotion.kind
    found = [(line, amount) for line, amount in _KINDS[kind](promotion, lines) if amount > 0]
    cap_minor = promotion.max_discount_minor
    if cap_minor is not None:
        total_minor = sum(amount for _, amount in found)
        if total_minor > cap_minor:
            if kind is PromotionKind.PERCENT_OFF or kind is PromotionKind.FIXED_OFF:
                # Per-line amounts come in the lines' order; the split's ties follow line_id.
                # (Buy X get Y and bundles order their amounts by unit value themselves.)
                found.sort(key=_by_line_id_of_pair)
            capped = allocate(cap_minor, [amount for _, amount in found])
            found = [
                (line, share) for (line, _), share in zip(found, capped, strict=True) if share > 0
            ]
    return found


def _by_line_id_of_pair(pair: tuple[WorkLine, int]) -> str:
    return pair[0].line_id
