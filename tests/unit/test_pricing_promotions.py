"""Each promotion kind and condition, worked by hand in IDR and USD."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest

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
    PricingInputError,
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

JAKARTA = "Asia/Jakarta"  # UTC+7, no daylight saving
# Wednesday 25 November 2026, 10:00 in Jakarta
WEDNESDAY_10AM = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

PERCENT = PromotionKind.PERCENT_OFF
FIXED = PromotionKind.FIXED_OFF
BXGY = PromotionKind.BUY_X_GET_Y
BUNDLE = PromotionKind.BUNDLE
PRODUCT = PromotionTarget.PRODUCT
CATEGORY = PromotionTarget.CATEGORY


def line(
    line_id: str, product_id: str, quantity: int, unit_minor: int, category: str = ""
) -> CartLine:
    return CartLine(
        line_id=line_id,
        product_id=product_id,
        quantity=quantity,
        unit_price_minor=unit_minor,
        category_id=category or None,
    )


def promo(promotion_id: str, kind: PromotionKind, **options: object) -> Promotion:
    return Promotion(promotion_id, f"Promo {promotion_id}", kind, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    currency: str
    lines: tuple[CartLine, ...]
    promotions: tuple[Promotion, ...]
    discounts: dict[str, int]
    """Expected discount per line id (lines not named get 0)."""
    applied: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Expected promotion ids per line id, in the order applied."""


def run(case: Case, at: datetime = WEDNESDAY_10AM, customer: Customer | None = None) -> PricedCart:
    return price_cart(
        Cart(case.currency, case.lines),
        at=at,
        time_zone=JAKARTA,
        promotions=case.promotions,
        customer=customer,
    )


LATTE = line("a", "latte", 2, 25_000, "coffee")  # Rp 50.000
AMERICANO = line("b", "americano", 1, 20_000, "coffee")  # Rp 20.000
CROISSANT = line("c", "croissant", 1, 18_000, "pastry")  # Rp 18.000

CASES = {
    # 20% off latte: 20% of Rp 50.000 = 10.000; americano and croissant untouched
    "percent off a product (IDR)": Case(
        "IDR",
        (LATTE, AMERICANO, CROISSANT),
        (promo("p", PERCENT, target=PRODUCT, target_ids=frozenset({"latte"}), percent_bp=2_000),),
        {"a": 10_000},
        {"a": ("p",)},
    ),
    # 10% off coffee: latte 5.000, americano 2.000, croissant is pastry
    "percent off a category (IDR)": Case(
        "IDR",
        (LATTE, AMERICANO, CROISSANT),
        (promo("p", PERCENT, target=CATEGORY, target_ids=frozenset({"coffee"}), percent_bp=1_000),),
        {"a": 5_000, "b": 2_000},
        {"a": ("p",), "b": ("p",)},
    ),
    # 15% off a $10.00 order = 150 cents, split by net 333:333:334 = 49.95, 49.95, 50.10
    # -> floors 49, 49, 50 (148), the 2 left go to remainders .95 and .95: 50, 50, 50
    "percent off the order (USD)": Case(
        "USD",
        (line("x", "tea", 1, 333), line("y", "cake", 1, 333), line("z", "pie", 1, 334)),
        (promo("p", PERCENT, percent_bp=1_500),),
        {"x": 50, "y": 50, "z": 50},
        {"x": ("p",), "y": ("p",), "z": ("p",)},
    ),
    # $1.00 off each muffin, 3 muffins at $2.50: 300 cents
    "fixed off per unit of a product (USD)": Case(
        "USD",
        (line("m", "muffin", 3, 250, "bakery"), line("t", "tea", 1, 300)),
        (
            promo(
                "p", FIXED, target=PRODUCT, target_ids=frozenset({"muffin"}), amount_off_minor=100
            ),
        ),
        {"m": 300},
    ),
    # $5.00 off a $2.50 muffin is capped at the muffin: 250
    "fixed off capped at the line (USD)": Case(
        "USD",
        (line("m", "muffin", 1, 250, "bakery"),),
        (
            promo(
                "p", FIXED, target=CATEGORY, target_ids=frozenset({"bakery"}), amount_off_minor=500
            ),
        ),
        {"m": 250},
    ),
    # Rp 10.000 off the order, split by net 30.000:20.000 = 6.000 and 4.000
    "fixed off the order (IDR)": Case(
        "IDR",
        (line("a", "nasi", 1, 30_000), line("b", "mie", 1, 20_000)),
        (promo("p", FIXED, amount_off_minor=10_000),),
        {"a": 6_000, "b": 4_000},
    ),
    # buy 2 get 1 free on coffee: 3 units, 1 free, the cheapest is the americano (20.000)
    "buy 2 get the cheapest free (IDR)": Case(
        "IDR",
        (LATTE, AMERICANO, CROISSANT),
        (
            promo(
                "p",
                BXGY,
                target=CATEGORY,
                target_ids=frozenset({"coffee"}),
                buy_quantity=2,
                get_quantity=1,
                percent_bp=10_000,
            ),
        ),
        {"b": 20_000},
        {"b": ("p",)},
    ),
    # buy 1 get 1 half price on donuts: 4 donuts at $2.00 make 2 pairs, 2 units at 50%
    # = 2 * 100 = 200 cents
    "buy 1 get 1 half price (USD)": Case(
        "USD",
        (line("d", "donut", 4, 200),),
        (
            promo(
                "p",
                BXGY,
                target=PRODUCT,
                target_ids=frozenset({"donut"}),
                buy_quantity=1,
                get_quantity=1,
                percent_bp=5_000,
            ),
        ),
        {"d": 200},
    ),
    # buy 2 get 1 with only 2 units: nothing
    "buy 2 get 1 short of the group (IDR)": Case(
        "IDR",
        (LATTE,),
        (promo("p", BXGY, buy_quantity=2, get_quantity=1, percent_bp=10_000),),
        {},
    ),
    # nasi goreng (30.000) + es teh (8.000) for Rp 32.000: cart has 2 nasi, 1 teh -> 1 bundle,
    # value 38.000, discount 6.000 split 30.000:8.000 = 4736.84 and 1263.16 -> 4737 and 1263
    "bundle at a fixed price (IDR)": Case(
        "IDR",
        (line("n", "nasi-goreng", 2, 30_000), line("t", "es-teh", 1, 8_000)),
        (
            promo(
                "p",
                BUNDLE,
                bundle_items=(BundleItem("nasi-goreng"), BundleItem("es-teh")),
                bundle_price_minor=32_000,
            ),
        ),
        {"n": 4_737, "t": 1_263},
        {"n": ("p",), "t": ("p",)},
    ),
    # a "bundle" dearer than its parts gives nothing
    "bundle that costs more gives nothing (USD)": Case(
        "USD",
        (line("b", "burger", 1, 500), line("f", "fries", 1, 200)),
        (
            promo(
                "p",
                BUNDLE,
                bundle_items=(BundleItem("burger"), BundleItem("fries")),
                bundle_price_minor=800,
            ),
        ),
        {},
    ),
    # 10% off with a Rp 100.000 minimum: Rp 88.000 is short
    "minimum spend not reached (IDR)": Case(
        "IDR",
        (LATTE, AMERICANO, CROISSANT),
        (promo("p", PERCENT, percent_bp=1_000, min_spend_minor=100_000),),
        {},
    ),
    # ... and Rp 100.000 reaches it: 10.000 split 60.000:40.000
    "minimum spend reached (IDR)": Case(
        "IDR",
        (line("a", "nasi", 2, 30_000), line("b", "mie", 2, 20_000)),
        (promo("p", PERCENT, percent_bp=1_000, min_spend_minor=100_000),),
        {"a": 6_000, "b": 4_000},
    ),
    # 50% off the order capped at Rp 20.000: 20.000 split 60.000:40.000
    "maximum discount cap (IDR)": Case(
        "IDR",
        (line("a", "nasi", 2, 30_000), line("b", "mie", 2, 20_000)),
        (promo("p", PERCENT, percent_bp=5_000, max_discount_minor=20_000),),
        {"a": 12_000, "b": 8_000},
    ),
    # two non-stackable promotions on the latte: the higher priority (20%) wins alone
    "priority picks the non-stackable winner (IDR)": Case(
        "IDR",
        (LATTE,),
        (
            promo(
                "low",
                PERCENT,
                target=PRODUCT,
                target_ids=frozenset({"latte"}),
                percent_bp=1_000,
                priority=1,
            ),
            promo(
                "high",
                PERCENT,
                target=PRODUCT,
                target_ids=frozenset({"latte"}),
                percent_bp=2_000,
                priority=2,
            ),
        ),
        {"a": 10_000},
        {"a": ("high",)},
    ),
    # stackable: 20% of 50.000 = 10.000, then 10% of the 40.000 left = 4.000
    "stackable promotions combine in priority order (IDR)": Case(
        "IDR",
        (LATTE,),
        (
            promo("ten", PERCENT, percent_bp=1_000, priority=1, stackable=True),
            promo("twenty", PERCENT, percent_bp=2_000, priority=2, stackable=True),
        ),
        {"a": 14_000},
        {"a": ("twenty", "ten")},
    ),
    # an exclusive promotion that applies is the only one, even at a lower priority
    "exclusive shuts out the others (USD)": Case(
        "USD",
        (line("x", "tea", 2, 300),),
        (
            promo("big", PERCENT, percent_bp=5_000, priority=9, stackable=True),
            promo("only", FIXED, amount_off_minor=100, exclusive=True),
        ),
        {"x": 100},
        {"x": ("only",)},
    ),
    # a non-stackable product promotion closes the latte; the stackable order promotion
    # (10%) then only reaches the americano: 2.000
    "non-stackable closes its lines (IDR)": Case(
        "IDR",
        (LATTE, AMERICANO),
        (
            promo(
                "latte",
                PERCENT,
                target=PRODUCT,
                target_ids=frozenset({"latte"}),
                percent_bp=2_000,
                priority=5,
            ),
            promo("order", PERCENT, percent_bp=1_000, stackable=True),
        ),
        {"a": 10_000, "b": 2_000},
        {"a": ("latte",), "b": ("order",)},
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_promotion_kinds(case: Case) -> None:
    priced = run(case)
    for priced_line in priced.lines:
        assert priced_line.discount_minor == case.discounts.get(priced_line.line_id, 0)
        applied = tuple(
            discount.promotion_id for discount in priced_line.discounts if discount.promotion_id
        )
        if case.applied:
            assert applied == case.applied.get(priced_line.line_id, ())
        for discount in priced_line.discounts:
            assert discount.name == f"Promo {discount.promotion_id}"
    assert priced.discount_minor == sum(case.discounts.values())
    assert priced.total_minor == priced.subtotal_minor - priced.discount_minor
    # the same promotions through a prebuilt book price the same
    indexed = price_cart(
        Cart(case.currency, case.lines),
        at=WEDNESDAY_10AM,
        time_zone=JAKARTA,
        promotions=PromotionBook(case.promotions),
    )
    assert indexed == priced


HAPPY_HOUR = promo(
    "happy",
    PERCENT,
    target=CATEGORY,
    target_ids=frozenset({"coffee"}),
    percent_bp=5_000,
    # Monday to Friday, 15:00 to 17:00 in Jakarta
    windows=(TimeWindow(frozenset({0, 1, 2, 3, 4}), time(15), time(17)),),
)
LATE_NIGHT = promo(
    "late",
    PERCENT,
    percent_bp=1_000,
    # Friday 22:00 to Saturday 02:00
    windows=(TimeWindow(frozenset({4}), time(22), time(2)),),
)


@pytest.mark.parametrize(
    ("promotion", "at_utc", "applies"),
    [
        # Wednesday 16:00 in Jakarta is 09:00 UTC: inside happy hour
        (HAPPY_HOUR, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), True),
        # 14:59 Jakarta: before
        (HAPPY_HOUR, datetime(2026, 11, 25, 7, 59, tzinfo=UTC), False),
        # 17:00 Jakarta: the end is exclusive
        (HAPPY_HOUR, datetime(2026, 11, 25, 10, 0, tzinfo=UTC), False),
        # Saturday 16:00 Jakarta: not a weekday of the window
        (HAPPY_HOUR, datetime(2026, 11, 28, 9, 0, tzinfo=UTC), False),
        # 16:00 UTC on Wednesday is 23:00 in Jakarta: the UTC hour must not count
        (HAPPY_HOUR, datetime(2026, 11, 25, 16, 0, tzinfo=UTC), False),
        # Friday 23:00 Jakarta (16:00 UTC) and Saturday 01:30 (Fri 18:30 UTC): inside
        (LATE_NIGHT, datetime(2026, 11, 27, 16, 0, tzinfo=UTC), True),
        (LATE_NIGHT, datetime(2026, 11, 27, 18, 30, tzinfo=UTC), True),
        # Saturday 02:00 Jakarta: over; Friday 01:00 Jakarta: Thursday's night, not ours
        (LATE_NIGHT, datetime(2026, 11, 27, 19, 0, tzinfo=UTC), False),
        (LATE_NIGHT, datetime(2026, 11, 26, 18, 0, tzinfo=UTC), False),
    ],
)
def test_time_windows_in_the_tenant_time_zone(
    promotion: Promotion, at_utc: datetime, applies: bool
) -> None:
    # 50% of latte Rp 50.000 = 25.000; 10% = 5.000
    expected = {"happy": 25_000, "late": 5_000}[promotion.promotion_id] if applies else 0
    priced = run(Case("IDR", (LATTE,), (promotion,), {}), at=at_utc)
    assert priced.discount_minor == expected


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "at_utc", "applies"),
    [
        # 30 Nov 23:30 UTC is already 1 Dec 06:30 in Jakarta: a December promotion applies
        (date(2026, 12, 1), None, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), True),
        (date(2026, 12, 1), None, datetime(2026, 11, 30, 16, 30, tzinfo=UTC), False),
        # valid_until is inclusive of the whole local day
        (None, date(2026, 11, 25), datetime(2026, 11, 25, 16, 59, tzinfo=UTC), True),
        (None, date(2026, 11, 25), datetime(2026, 11, 25, 17, 0, tzinfo=UTC), False),
    ],
)
def test_date_ranges_use_the_local_date(
    valid_from: date | None, valid_until: date | None, at_utc: datetime, applies: bool
) -> None:
    promotion = promo(
        "p", FIXED, amount_off_minor=1_000, valid_from=valid_from, valid_until=valid_until
    )
    priced = run(Case("IDR", (LATTE,), (promotion,), {}), at=at_utc)
    assert priced.discount_minor == (1_000 if applies else 0)


@pytest.mark.parametrize(
    ("customer", "applies"),
    [
        (None, False),
        (Customer("c1", "member"), True),
        (Customer("c2", "staff"), False),
        (Customer("c3", None), False),
    ],
)
def test_customer_group_only(customer: Customer | None, applies: bool) -> None:
    members = promo("p", PERCENT, percent_bp=1_000, customer_group_ids=frozenset({"member"}))
    priced = run(Case("IDR", (LATTE,), (members,), {}), customer=customer)
    assert priced.discount_minor == (5_000 if applies else 0)


def test_indonesian_receipt_with_service_charge_pb1_and_cash_rounding() -> None:
    # latte 2 x Rp 25.000 with an extra shot (+5.000) = 60.000; croissant 18.000; 10% off
    # the croissant by a manager = 1.800; service 5% of 76.200 = 3.810 split 60.000:16.200
    # = 3.000 and 810; PB1 10% on top: goods 6.000 + 1.620, service 300 + 81;
    # total 60.000 + 16.200 + 3.810 + 8.001 = 88.011; cash to Rp 100 half-up: 88.000 (-11)
    pb1 = TaxRate("pb1", "PB1", 1_000)
    cart = Cart(
        "IDR",
        (
            CartLine(
                "a",
                "latte",
                2,
                25_000,
                modifiers=(Modifier("shot", "Extra shot", 5_000),),
                tax_rate_ids=("pb1",),
            ),
            CartLine(
                "c",
                "croissant",
                1,
                18_000,
                manual_discount=ManualDiscount(DiscountKind.PERCENT, 1_000, approver_id="mgr-1"),
                tax_rate_ids=("pb1",),
            ),
        ),
    )
    priced = price_cart(
        cart,
        at=WEDNESDAY_10AM,
        time_zone=JAKARTA,
        tax_rates=(pb1,),
        service_charge=ServiceCharge(500),
        cash_rounding=CashRounding(100, RoundingRule.HALF_UP),
    )
    latte, croissant = priced.lines
    assert (latte.unit_price_minor, latte.gross_minor, latte.net_minor) == (30_000, 60_000, 60_000)
    assert croissant.discounts[0].source is DiscountSource.MANUAL_LINE
    assert croissant.discounts[0].approver_id == "mgr-1"
    assert (croissant.discount_minor, croissant.net_minor) == (1_800, 16_200)
    assert (latte.service_charge_minor, croissant.service_charge_minor) == (3_000, 810)
    assert (latte.tax_added_minor, croissant.tax_added_minor) == (6_300, 1_701)
    assert priced.service_charge_minor == 3_810
    assert priced.tax_added_minor == 8_001
    assert priced.tax_by_rate[0].amount_minor == 8_001
    assert priced.total_minor == 88_011
    assert (priced.cash_rounding_minor, priced.payable_minor) == (-11, 88_000)


def test_usd_receipt_with_inclusive_tax_order_discount_and_nickel_rounding() -> None:
    # two items at $5.50 and $4.50 with 10% VAT inside; a $1.00 manual order discount split
    # 550:450 = 55 and 45; nets 495 and 405; VAT inside 495 / 1.1 = 450 -> 45, 405 / 1.1
    # = 368.18 -> base 368, VAT 37; total $9.00, cash to 5 cents stays $9.00
    vat = TaxRate("vat", "VAT", 1_000, inclusive=True)
    cart = Cart(
        "USD",
        (
            CartLine("a", "sandwich", 1, 550, tax_rate_ids=("vat",)),
            CartLine("b", "soup", 1, 450, tax_rate_ids=("vat",)),
        ),
        order_discount=ManualDiscount(
            DiscountKind.FIXED, 100, approver_id="mgr-2", reason="Late order"
        ),
    )
    priced = price_cart(
        cart,
        at=WEDNESDAY_10AM,
        time_zone="America/New_York",
        tax_rates=(vat,),
        cash_rounding=CashRounding(5),
    )
    assert [line.discount_minor for line in priced.lines] == [55, 45]
    assert priced.lines[0].discounts[0].name == "Late order"
    assert [line.tax_included_minor for line in priced.lines] == [45, 37]
    assert priced.total_minor == 900
    assert priced.tax_included_minor == 82
    assert priced.payable_minor == 900


def test_bad_input_names_the_field() -> None:
    with pytest.raises(PricingInputError) as caught:
        price_cart(
            Cart("IDR", (CartLine("a", "latte", 1, 1_000, tax_rate_ids=("nope",)),)),
            at=WEDNESDAY_10AM,
            time_zone=JAKARTA,
        )
    assert caught.value.field == "tax_rate_ids"
    with pytest.raises(PricingInputError) as caught:
        price_cart(Cart("IDR", ()), at=datetime(2026, 1, 1), time_zone=JAKARTA)
    assert caught.value.field == "at"
    with pytest.raises(PricingInputError) as caught:
        price_cart(Cart("IDR", ()), at=WEDNESDAY_10AM, time_zone="Mars/Olympus")
    assert caught.value.field == "time_zone"
    with pytest.raises(PricingInputError) as caught:
        CartLine("a", "latte", 0, 1_000)
    assert caught.value.field == "quantity"
    with pytest.raises(PricingInputError) as caught:
        CartLine("a", "latte", 1, 1_000, modifiers=(Modifier("m", "less", -2_000),))
    assert caught.value.field == "modifiers"
    with pytest.raises(PricingInputError) as caught:
        ManualDiscount(DiscountKind.PERCENT, 10_001, approver_id="m")
    assert caught.value.field == "value"
    with pytest.raises(PricingInputError) as caught:
        ManualDiscount(DiscountKind.FIXED, 100, approver_id="")
    assert caught.value.field == "approver_id"


def test_several_rates_on_one_order_and_untaxed_service_charge() -> None:
    # food Rp 40.000 with PB1 10% added; merchandise Rp 22.200 with VAT 11% inside
    # (base 22.200 / 1.11 = 20.000, VAT 2.200); service 10% of the pre-tax bases
    # 40.000 + 20.000 = 6.000, split 4.000 / 2.000, and not taxed here
    pb1 = TaxRate("pb1", "PB1", 1_000)
    vat = TaxRate("vat", "VAT", 1_100, inclusive=True)
    cart = Cart(
        "IDR",
        (
            CartLine("food", "nasi", 2, 20_000, tax_rate_ids=("pb1",)),
            CartLine("shirt", "kaos", 1, 22_200, tax_rate_ids=("vat",)),
        ),
    )
    priced = price_cart(
        cart,
        at=WEDNESDAY_10AM,
        time_zone=JAKARTA,
        tax_rates=(vat, pb1),
        service_charge=ServiceCharge(1_000, taxed=False),
    )
    rows = {
        (row.rate_id, row.inclusive): (row.base_minor, row.amount_minor)
        for row in priced.tax_by_rate
    }
    assert rows == {("pb1", False): (40_000, 4_000), ("vat", True): (20_000, 2_200)}
    assert [line.service_charge_minor for line in priced.lines] == [4_000, 2_000]
    # 40.000 + 22.200 + 6.000 service + 4.000 PB1 added = 72.200
    assert priced.total_minor == 72_200
    assert priced.tax_included_minor == 2_200
    assert priced.tax_added_minor == 4_000
