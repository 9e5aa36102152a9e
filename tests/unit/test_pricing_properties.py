"""Properties of the pricing engine over random carts, promotions, taxes and moments."""

from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.pricing import (
    BundleItem,
    Cart,
    CartLine,
    CashRounding,
    Customer,
    DiscountKind,
    DiscountSource,
    ManualDiscount,
    Modifier,
    PricedCart,
    Promotion,
    PromotionBook,
    PromotionKind,
    PromotionTarget,
    RoundingRule,
    ServiceCharge,
    TaxRate,
    TimeWindow,
    price_cart,
)

PRODUCTS = ["latte", "tea", "cake", "nasi", "mie", "donut"]
CATEGORIES = ["coffee", "food", "bakery"]
GROUPS = ["member", "staff"]
RATE_IDS = ["pb1", "vat", "city"]

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

tax_rates = st.tuples(
    *(
        st.builds(
            TaxRate,
            rate_id=st.just(rate_id),
            name=st.just(rate_id.upper()),
            rate_bp=st.integers(0, 2_500),
            inclusive=st.booleans(),
        )
        for rate_id in RATE_IDS
    )
)

manual_discounts = st.one_of(
    st.builds(
        ManualDiscount,
        kind=st.just(DiscountKind.PERCENT),
        value=st.integers(0, 10_000),
        approver_id=st.just("manager"),
    ),
    st.builds(
        ManualDiscount,
        kind=st.just(DiscountKind.FIXED),
        value=st.integers(0, 200_000),
        approver_id=st.just("manager"),
    ),
)


@st.composite
def cart_lines(draw: st.DrawFn, line_id: str) -> CartLine:
    unit_minor = draw(st.integers(0, 100_000))
    modifiers = tuple(
        Modifier(f"m{index}", f"Modifier {index}", delta)
        for index, delta in enumerate(draw(st.lists(st.integers(0, 20_000), max_size=2)))
    )
    if unit_minor > 0 and draw(st.booleans()):
        # a "without" option that takes off part of the price, never below zero
        modifiers += (Modifier("less", "Less", -draw(st.integers(0, unit_minor))),)
    return CartLine(
        line_id=line_id,
        product_id=draw(st.sampled_from(PRODUCTS)),
        category_id=draw(st.sampled_from([*CATEGORIES, None])),
        quantity=draw(st.integers(1, 6)),
        unit_price_minor=unit_minor,
        modifiers=modifiers,
        manual_discount=draw(st.none() | manual_discounts),
        tax_rate_ids=tuple(draw(st.lists(st.sampled_from(RATE_IDS), unique=True, max_size=3))),
    )


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    count = draw(st.integers(1, 8))
    lines = tuple(draw(cart_lines(f"line-{index:02d}")) for index in range(count))
    return Cart(
        currency=draw(st.sampled_from(["IDR", "USD"])),
        lines=lines,
        order_discount=draw(st.none() | manual_discounts),
    )


windows = st.builds(
    TimeWindow,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.builds(time, st.integers(0, 23)),
    end=st.builds(time, st.integers(0, 23)),
)


@st.composite
def promotions(draw: st.DrawFn, promotion_id: str) -> Promotion:
    kind = draw(st.sampled_from(list(PromotionKind)))
    target = draw(st.sampled_from(list(PromotionTarget)))
    target_ids: frozenset[str] = frozenset()
    if target is PromotionTarget.PRODUCT:
        target_ids = draw(st.frozensets(st.sampled_from(PRODUCTS), min_size=1))
    elif target is PromotionTarget.CATEGORY:
        target_ids = draw(st.frozensets(st.sampled_from(CATEGORIES), min_size=1))
    options: dict[str, object] = {}
    if kind is PromotionKind.PERCENT_OFF:
        options["percent_bp"] = draw(st.integers(1, 10_000))
    elif kind is PromotionKind.FIXED_OFF:
        options["amount_off_minor"] = draw(st.integers(1, 100_000))
    elif kind is PromotionKind.BUY_X_GET_Y:
        options.update(
            buy_quantity=draw(st.integers(1, 3)),
            get_quantity=draw(st.integers(1, 2)),
            percent_bp=draw(st.integers(1, 10_000)),
        )
    else:
        products = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=3, unique=True))
        options.update(
            bundle_items=tuple(
                BundleItem(product, draw(st.integers(1, 2))) for product in products
            ),
            bundle_price_minor=draw(st.integers(0, 150_000)),
        )
    return Promotion(
        promotion_id=promotion_id,
        name=f"Promotion {promotion_id}",
        kind=kind,
        target=target,
        target_ids=target_ids,
        min_spend_minor=draw(st.sampled_from([0, 0, 50_000])),
        max_discount_minor=draw(st.none() | st.integers(0, 50_000)),
        customer_group_ids=draw(st.sampled_from([frozenset(), frozenset({"member"})])),
        windows=tuple(draw(st.lists(windows, max_size=1))),
        priority=draw(st.integers(0, 3)),
        exclusive=draw(st.integers(0, 9)) == 0,
        stackable=draw(st.booleans()),
        **options,  # type: ignore[arg-type]
    )


@st.composite
def pricing_inputs(draw: st.DrawFn) -> dict[str, object]:
    count = draw(st.integers(0, 6))
    return {
        "cart": draw(carts()),
        "promotions": tuple(draw(promotions(f"promo-{index}")) for index in range(count)),
        "tax_rates": draw(tax_rates),
        "service_charge": draw(
            st.none() | st.builds(ServiceCharge, rate_bp=st.integers(0, 1_500), taxed=st.booleans())
        ),
        "customer": draw(
            st.none() | st.builds(Customer, st.just("c"), st.sampled_from([*GROUPS, None]))
        ),
        "cash_rounding": draw(
            st.none()
            | st.builds(
                CashRounding, st.sampled_from([5, 100, 500]), st.sampled_from(list(RoundingRule))
            )
        ),
        "at": draw(
            st.datetimes(
                min_value=datetime(2026, 1, 1),
                max_value=datetime(2027, 1, 1),
                timezones=st.just(UTC),
            )
        ),
    }


def price(inputs: dict[str, object]) -> PricedCart:
    return price_cart(time_zone="Asia/Jakarta", **inputs)  # type: ignore[arg-type]


def _amounts(value: object, path: str = "cart") -> list[tuple[str, object]]:
    """Every *_minor / *_bp field anywhere in the result, with its path."""
    found: list[tuple[str, object]] = []
    if is_dataclass(value):
        for item in fields(value):
            child = getattr(value, item.name)
            if item.name.endswith(("_minor", "_bp")):
                found.append((f"{path}.{item.name}", child))
            found.extend(_amounts(child, f"{path}.{item.name}"))
    elif isinstance(value, tuple):
        for index, child in enumerate(value):
            found.extend(_amounts(child, f"{path}[{index}]"))
    return found


@PROPERTY_SETTINGS
@given(pricing_inputs())
def test_every_amount_is_an_int(inputs: dict[str, object]) -> None:
    priced = price(inputs)
    amounts = _amounts(priced)
    assert any(path.endswith("total_minor") for path, _ in amounts)
    for path, amount in amounts:
        assert type(amount) is int, f"{path} is {type(amount).__name__}"
    assert type(priced.tax_minor) is int


@PROPERTY_SETTINGS
@given(pricing_inputs())
def test_totals_equal_the_sum_of_lines(inputs: dict[str, object]) -> None:
    priced = price(inputs)
    lines = priced.lines
    assert priced.subtotal_minor == sum(line.gross_minor for line in lines)
    assert priced.discount_minor == sum(line.discount_minor for line in lines)
    assert priced.service_charge_minor == sum(line.service_charge_minor for line in lines)
    assert priced.tax_included_minor == sum(line.tax_included_minor for line in lines)
    assert priced.tax_added_minor == sum(line.tax_added_minor for line in lines)
    assert priced.total_minor == sum(line.total_minor for line in lines)
    assert priced.total_minor == (
        priced.subtotal_minor
        - priced.discount_minor
        + priced.service_charge_minor
        + priced.tax_added_minor
    )
    assert sum(row.amount_minor for row in priced.tax_by_rate) == priced.tax_minor
    assert priced.payable_minor == priced.total_minor + priced.cash_rounding_minor
    promotion_minor = sum(
        discount.amount_minor
        for line in lines
        for discount in line.discounts
        if discount.source is DiscountSource.PROMOTION
    )
    assert sum(total.amount_minor for total in priced.promotions) == promotion_minor
    for line in lines:
        assert line.gross_minor == line.unit_price_minor * line.quantity
        assert line.net_minor == line.gross_minor - line.discount_minor
        assert line.discount_minor == sum(discount.amount_minor for discount in line.discounts)
        assert line.total_minor == line.net_minor + line.service_charge_minor + line.tax_added_minor
        assert sum(tax.amount_minor for tax in line.taxes) == line.tax_minor
        assert (
            sum(tax.amount_minor for tax in line.taxes if tax.inclusive) == line.tax_included_minor
        )


@PROPERTY_SETTINGS
@given(pricing_inputs())
def test_no_discount_exceeds_what_it_discounts_and_nothing_is_negative(
    inputs: dict[str, object],
) -> None:
    priced = price(inputs)
    promotions_by_id = {p.promotion_id: p for p in inputs["promotions"]}  # type: ignore[attr-defined]
    for line in priced.lines:
        left_minor = line.gross_minor
        for discount in line.discounts:
            assert discount.amount_minor > 0
            assert discount.amount_minor <= left_minor
            left_minor -= discount.amount_minor
            if discount.promotion_id is not None:
                assert discount.promotion_id in promotions_by_id
                assert discount.name == promotions_by_id[discount.promotion_id].name
        assert line.tax_included_minor <= line.net_minor
    for total in priced.promotions:
        cap_minor = promotions_by_id[total.promotion_id].max_discount_minor
        if cap_minor is not None:
            assert total.amount_minor <= cap_minor
    for path, amount in _amounts(priced):
        if path.endswith("cash_rounding_minor"):
            continue
        assert amount >= 0, f"{path} is negative: {amount}"  # type: ignore[operator]
    assert priced.payable_minor >= 0


@PROPERTY_SETTINGS
@given(pricing_inputs(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_line_or_promotion_order(
    inputs: dict[str, object], random: object
) -> None:
    priced = price(inputs)
    cart: Cart = inputs["cart"]  # type: ignore[assignment]
    lines = list(cart.lines)
    promotion_list = list(inputs["promotions"])  # type: ignore[call-overload]
    random.shuffle(lines)  # type: ignore[attr-defined]
    random.shuffle(promotion_list)  # type: ignore[attr-defined]
    shuffled = price(
        {**inputs, "cart": replace(cart, lines=tuple(lines)), "promotions": tuple(promotion_list)}
    )
    assert [line.line_id for line in shuffled.lines] == [line.line_id for line in lines]
    assert {line.line_id: line for line in shuffled.lines} == {
        line.line_id: line for line in priced.lines
    }
    assert replace(shuffled, lines=()) == replace(priced, lines=())


@PROPERTY_SETTINGS
@given(pricing_inputs())
def test_cash_rounding_lands_on_the_step(inputs: dict[str, object]) -> None:
    priced = price(inputs)
    rounding: CashRounding | None = inputs["cash_rounding"]  # type: ignore[assignment]
    if rounding is None:
        assert priced.cash_rounding_minor == 0
    else:
        assert priced.payable_minor % rounding.step_minor == 0
        assert abs(priced.cash_rounding_minor) < rounding.step_minor


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pricing_inputs())
def test_prebuilt_book_prices_like_a_plain_tuple(inputs: dict[str, object]) -> None:
    book = PromotionBook(inputs["promotions"])  # type: ignore[arg-type]
    assert price({**inputs, "promotions": book}) == price(inputs)
