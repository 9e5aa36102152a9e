"""The published entry point: the module docstring's example, and the book's own checks."""

from datetime import UTC, datetime

import pytest

import shared.pricing
from shared.pricing import (
    Cart,
    CartLine,
    PricingInputError,
    Promotion,
    PromotionBook,
    PromotionKind,
    PromotionTarget,
    TaxRate,
    price_cart,
)


def test_docstring_example_gives_what_it_says() -> None:
    # Rp 50.000 of latte, 10% off = 45.000, PB1 10% inside: base 40.909, tax 4.091
    cart = Cart(
        "IDR",
        (CartLine("l1", "latte", quantity=2, unit_price_minor=25_000, tax_rate_ids=("pb1",)),),
    )
    priced = price_cart(
        cart,
        at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        time_zone="Asia/Jakarta",
        promotions=(Promotion("p1", "10% off", PromotionKind.PERCENT_OFF, percent_bp=1000),),
        tax_rates=(TaxRate("pb1", "PB1", 1000, inclusive=True),),
    )
    assert priced.total_minor == 45_000
    assert priced.lines[0].discounts[0].name == "10% off"
    assert priced.tax_included_minor == 4_091
    assert "45000" in (shared.pricing.__doc__ or "")


def test_book_refuses_duplicate_promotion_ids() -> None:
    promotion = Promotion("p1", "10% off", PromotionKind.PERCENT_OFF, percent_bp=1000)
    with pytest.raises(PricingInputError) as caught:
        PromotionBook([promotion, promotion])
    assert caught.value.code == "duplicate"


def test_book_finds_only_promotions_that_can_touch_the_cart() -> None:
    on_latte = Promotion(
        "latte",
        "Latte deal",
        PromotionKind.PERCENT_OFF,
        target=PromotionTarget.PRODUCT,
        target_ids=frozenset({"latte"}),
        percent_bp=1000,
    )
    on_food = Promotion(
        "food",
        "Food deal",
        PromotionKind.PERCENT_OFF,
        target=PromotionTarget.CATEGORY,
        target_ids=frozenset({"food"}),
        percent_bp=1000,
        priority=5,
    )
    on_order = Promotion("order", "Order deal", PromotionKind.FIXED_OFF, amount_off_minor=100)
    book = PromotionBook([on_order, on_latte, on_food])
    assert [p.promotion_id for p in book.relevant({"latte"}, {"coffee"})] == ["latte", "order"]
    assert [p.promotion_id for p in book.relevant({"tea"}, {"food", None})] == ["food", "order"]
    assert len(book) == 3
