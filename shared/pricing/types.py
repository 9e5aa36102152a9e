"""The pricing engine's frozen input and output types, validated when built."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from shared.money import InvalidValueError, currency_exponent
from shared.rounding import BASIS_POINTS, RoundingRule
from shared.tax import AppliedTax, TaxTotal


class PricingInputError(InvalidValueError):
    """A cart, discount or promotion handed to the engine is not valid (names the field)."""


class PromotionFormatError(PricingInputError):
    """A stored or received promotion is malformed."""


def _require_int(value: object, field_name: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PricingInputError(
            f"{field_name} must be an int, got {type(value).__name__}",
            field=field_name,
            code="not_integer",
        )
    if minimum is not None and value < minimum:
        raise PricingInputError(
            f"{field_name} must be at least {minimum}, got {value}",
            field=field_name,
            code="out_of_range",
        )
    return value


def _require_text(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PricingInputError(
            f"{field_name} must be non-empty text", field=field_name, code="required"
        )
    return value


def _require_bp(value: object, field_name: str) -> int:
    _require_int(value, field_name, minimum=0)
    if value > BASIS_POINTS:  # type: ignore[operator]
        raise PricingInputError(
            f"{field_name} must be at most {BASIS_POINTS} bp (100%), got {value}",
            field=field_name,
            code="out_of_range",
        )
    return value  # type: ignore[return-value]


class DiscountKind(StrEnum):
    """How a manual discount is expressed."""

    PERCENT = "percent"
    """value is basis points of what it discounts."""
    FIXED = "fixed"
    """value is an amount in minor units, capped at what it discounts."""


@dataclass(frozen=True, slots=True)
class ManualDiscount:
    """A discount a cashier gives by hand, approved by a manager (approver_id)."""

    kind: DiscountKind
    value: int
    approver_id: str
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DiscountKind):
            raise PricingInputError("kind must be percent or fixed", field="kind")
        if self.kind is DiscountKind.PERCENT:
            _require_bp(self.value, "value")
        else:
            _require_int(self.value, "value", minimum=0)
        _require_text(self.approver_id, "approver_id")


@dataclass(frozen=True, slots=True)
class Modifier:
    """A chosen option on a line (extra shot +Rp 5.000, no ice 0); delta may be negative."""

    modifier_id: str
    name: str
    price_delta_minor: int

    def __post_init__(self) -> None:
        _require_text(self.modifier_id, "modifier_id")
        _require_int(self.price_delta_minor, "price_delta_minor")


@dataclass(frozen=True, slots=True)
class CartLine:
    """One line of the cart as the cashier built it."""

    line_id: str
    product_id: str
    quantity: int
    unit_price_minor: int
    category_id: str | None = None
    modifiers: tuple[Modifier, ...] = ()
    manual_discount: ManualDiscount | None = None
    tax_rate_ids: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        _require_text(self.line_id, "line_id")
        _require_text(self.product_id, "product_id")
        _require_int(self.quantity, "quantity", minimum=1)
        _require_int(self.unit_price_minor, "unit_price_minor", minimum=0)
        if self.unit_price_minor + sum(m.price_delta_minor for m in self.modifiers) < 0:
            raise PricingInputError(
                "modifiers make the unit price negative",
                field="modifiers",
                code="negative_price",
            )


@dataclass(frozen=True, slots=True)
class Cart:
    """What is being priced: currency, lines and an optional manual order discount."""

    currency: str
    lines: tuple[CartLine, ...]
    order_discount: ManualDiscount | None = None

    def __post_init__(self) -> None:
        currency_exponent(self.currency)
        line_ids = [line.line_id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise PricingInputError("line_id must be unique", field="lines", code="duplicate")


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer attached to the order, for customer-group promotions."""

    customer_id: str
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class CashRounding:
    """Round the amount due in cash to a step (Rp 100 -> 100, 0.05 USD -> 5)."""

    step_minor: int
    rule: RoundingRule = RoundingRule.HALF_UP

    def __post_init__(self) -> None:
        _require_int(self.step_minor, "step_minor", minimum=1)
        if not isinstance(self.rule, RoundingRule):
            raise PricingInputError("rule must be a RoundingRule", field="rule")


class PromotionKind(StrEnum):
    """What a promotion does."""

    PERCENT_OFF = "percent_off"
    """percent_bp off each targeted line (or the order)."""
    FIXED_OFF = "fixed_off"
    """amount_off_minor off each targeted unit; for an ORDER target, once off the order."""
    BUY_X_GET_Y = "buy_x_get_y"
    """For every buy_quantity + get_quantity targeted units, the get_quantity cheapest get
    percent_bp off (10000 = free)."""
    BUNDLE = "bundle"
    """The bundle_items together cost bundle_price_minor."""


class PromotionTarget(StrEnum):
    """What a promotion looks at."""

    PRODUCT = "product"
    CATEGORY = "category"
    ORDER = "order"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Weekdays (0 = Monday) and hours in the tenant's time zone, start inclusive, end exclusive.

    An end at or before the start runs past midnight (22:00-02:00 on Friday covers
    Friday 22:00 to Saturday 02:00).
    """

    weekdays: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.weekdays, frozenset) or not self.weekdays:
            raise PricingInputError("weekdays must be a non-empty set", field="weekdays")
        for day in self.weekdays:
            _require_int(day, "weekdays", minimum=0)
            if day > 6:
                raise PricingInputError(
                    "weekdays are 0 (Monday) to 6 (Sunday)", field="weekdays", code="out_of_range"
                )
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise PricingInputError(f"{name} must be a naive local time", field=name)


@dataclass(frozen=True, slots=True)
class BundleItem:
    """quantity units of product_id are part of the bundle."""

    product_id: str
    quantity: int = 1

    def __post_init__(self) -> None:
        _require_text(self.product_id, "product_id")
        _require_int(self.quantity, "quantity", minimum=1)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A promotion as the back office defines it; see PromotionKind for the kinds.

    Conditions: min_spend_minor (cart subtotal before any discount), customer_group_ids
    (empty = everyone), windows (empty = any time), valid_from/valid_until (local dates,
    inclusive). Combination: higher priority first; an exclusive promotion that applies
    is the only promotion on the order; a non-stackable one only touches lines no other
    promotion touched, and then closes them; stackable ones combine on the rest.
    max_discount_minor caps this promotion's total discount on the order.
    """

    promotion_id: str
    name: str
    kind: PromotionKind
    target: PromotionTarget = PromotionTarget.ORDER
    target_ids: frozenset[str] = frozenset()
    percent_bp: int = 0
    amount_off_minor: int = 0
    buy_quantity: int = 0
    get_quantity: int = 0
    bundle_items: tuple[BundleItem, ...] = ()
    bundle_price_minor: int = 0
    min_spend_minor: int = 0
    max_discount_minor: int | None = None
    customer_group_ids: frozenset[str] = frozenset()
    windows: tuple[TimeWindow, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    priority: int = 0
    exclusive: bool = False
    stackable: bool = False

    def __post_init__(self) -> None:
        _require_text(self.promotion_id, "promotion_id")
        _require_text(self.name, "name")
        if not isinstance(self.kind, PromotionKind):
            raise PricingInputError("kind is not a promotion kind", field="kind")
        if not isinstance(self.target, PromotionTarget):
            raise PricingInputError("target is not a promotion target", field="target")
        if not isinstance(self.target_ids, frozenset) or not all(
            isinstance(item, str) and item for item in self.target_ids
        ):
            raise PricingInputError("target_ids must be a set of ids", field="target_ids")
        _require_bp(self.percent_bp, "percent_bp")
        _require_int(self.amount_off_minor, "amount_off_minor", minimum=0)
        _require_int(self.buy_quantity, "buy_quantity", minimum=0)
        _require_int(self.get_quantity, "get_quantity", minimum=0)
        _require_int(self.bundle_price_minor, "bundle_price_minor", minimum=0)
        _require_int(self.min_spend_minor, "min_spend_minor", minimum=0)
        if self.max_discount_minor is not None:
            _require_int(self.max_discount_minor, "max_discount_minor", minimum=0)
        _require_int(self.priority, "priority")
        for flag in ("exclusive", "stackable"):
            if not isinstance(getattr(self, flag), bool):
                raise PricingInputError(f"{flag} must be true or false", field=flag)
        self._check_collections()
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise PricingInputError(
                "valid_from is after valid_until", field="valid_until", code="out_of_range"
            )
        self._check_kind()

    def _check_collections(self) -> None:
        """Conditions must be of the declared types: a list or a datetime would be misread."""
        if not isinstance(self.customer_group_ids, frozenset) or not all(
            isinstance(group, str) and group for group in self.customer_group_ids
        ):
            raise PricingInputError(
                "customer_group_ids must be a set of ids", field="customer_group_ids"
            )
        if not isinstance(self.windows, tuple) or not all(
            isinstance(window, TimeWindow) for window in self.windows
        ):
            raise PricingInputError("windows must be a tuple of TimeWindow", field="windows")
        if not isinstance(self.bundle_items, tuple) or not all(
            isinstance(item, BundleItem) for item in self.bundle_items
        ):
            raise PricingInputError(
                "bundle_items must be a tuple of BundleItem", field="bundle_items"
            )
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            # datetime is a date subclass; a moment here would compare wrongly with a day.
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise PricingInputError(f"{name} must be a local date", field=name)

    def _check_kind(self) -> None:
        targeted = self.target is not PromotionTarget.ORDER
        if self.kind is PromotionKind.BUNDLE:
            if not self.bundle_items:
                raise PricingInputError("a bundle needs items", field="bundle_items")
            products = [item.product_id for item in self.bundle_items]
            if len(set(products)) != len(products):
                raise PricingInputError(
                    "bundle items must name each product once", field="bundle_items"
                )
            return
        if targeted and not self.target_ids:
            raise PricingInputError(
                "a product or category promotion needs target_ids", field="target_ids"
            )
        if self.kind is PromotionKind.PERCENT_OFF and self.percent_bp == 0:
            raise PricingInputError("percent_bp must be above 0", field="percent_bp")
        if self.kind is PromotionKind.FIXED_OFF and self.amount_off_minor == 0:
            raise PricingInputError("amount_off_minor must be above 0", field="amount_off_minor")
        if self.kind is PromotionKind.BUY_X_GET_Y:
            if self.buy_quantity < 1 or self.get_quantity < 1:
                raise PricingInputError(
                    "buy X get Y needs buy_quantity and get_quantity of at least 1",
                    field="buy_quantity" if self.buy_quantity < 1 else "get_quantity",
                )
            if self.percent_bp == 0:
                raise PricingInputError(
                    "percent_bp must be above 0 (10000 = free)", field="percent_bp"
                )


class DiscountSource(StrEnum):
    """Where a discount on a line came from."""

    PROMOTION = "promotion"
    MANUAL_LINE = "manual_line"
    MANUAL_ORDER = "manual_order"


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    """One discount on one line, named: the promotion (id and name) or the manual discount."""

    source: DiscountSource
    name: str
    amount_minor: int
    promotion_id: str | None = None
    approver_id: str | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line with its arithmetic explained.

    net = gross - discount; total = net + service_charge + tax_added. Taxes marked
    inclusive are already inside net (tax_included_minor).
    """

    line_id: str
    product_id: str
    quantity: int
    unit_price_minor: int
    """Unit price including modifiers."""
    gross_minor: int
    discounts: tuple[AppliedDiscount, ...]
    discount_minor: int
    net_minor: int
    service_charge_minor: int
    taxes: tuple[AppliedTax, ...]
    tax_included_minor: int
    tax_added_minor: int
    total_minor: int

    @property
    def tax_minor(self) -> int:
        """All tax on the line, included or added."""
        return self.tax_included_minor + self.tax_added_minor


@dataclass(frozen=True, slots=True)
class PromotionTotal:
    """What one promotion took off the order in total."""

    promotion_id: str
    name: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class PricedCart:
    """The priced order: lines in cart order and totals that are exact sums of the lines.

    total = subtotal - discount + service_charge + tax_added;
    payable = total + cash_rounding (cash_rounding is 0 unless asked for).
    """

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal_minor: int
    discount_minor: int
    service_charge_minor: int
    tax_included_minor: int
    tax_added_minor: int
    tax_by_rate: tuple[TaxTotal, ...]
    total_minor: int
    cash_rounding_minor: int
    payable_minor: int
    promotions: tuple[PromotionTotal, ...] = field(default=())

    @property
    def tax_minor(self) -> int:
        """All tax on the order, included or added."""
        return self.tax_included_minor + self.tax_added_minor

    def line(self, line_id: str) -> PricedLine:
        """The priced line with this id (KeyError if none)."""
        for priced_line in self.lines:
            if priced_line.line_id == line_id:
                return priced_line
        raise KeyError(line_id)
