"""The order wire mapping and the tender rules in `shared`: same input, same cents, both ways."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.order_wire import (
    LineDetails,
    base_unit_price_minor,
    cart_from_order_v1,
    order_v1,
    payments_v1,
)
from shared.pricing import (
    Cart,
    CartLine,
    CashRounding,
    DiscountKind,
    ManualDiscount,
    Modifier,
    PricedCart,
    Promotion,
    PromotionKind,
    ServiceCharge,
    TaxRate,
    price_cart,
)
from shared.pricing.tenders import (
    PaymentMethod,
    Tender,
    TenderError,
    cash_rounding_applies,
    cash_rounding_for,
    payment_method_label,
    split_tenders,
)
from shared.protocol import OrderV1

AT = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)
PB1 = TaxRate(str(uuid.uuid4()), "PB1", 1000, inclusive=False)
APPROVER = str(uuid.uuid4())
RULES: dict[str, Any] = {
    "time_zone": "Asia/Jakarta",
    "tax_rates": (PB1,),
    "service_charge": ServiceCharge(rate_bp=500),
    "promotions": (
        Promotion(str(uuid.uuid4()), "10% off", PromotionKind.PERCENT_OFF, percent_bp=1000),
    ),
}


def _cart() -> Cart:
    shot = str(uuid.uuid4())
    return Cart(
        "IDR",
        (
            CartLine(
                line_id=str(uuid.uuid4()),
                product_id=str(uuid.uuid4()),
                quantity=2,
                unit_price_minor=27_500,
                category_id=str(uuid.uuid4()),
                modifiers=(Modifier(shot, "Extra shot", 5_000),),
                manual_discount=ManualDiscount(DiscountKind.FIXED, 1_250, APPROVER, "regular"),
                tax_rate_ids=(PB1.rate_id,),
                name="Caffè latte",
            ),
            CartLine(
                line_id=str(uuid.uuid4()),
                product_id=str(uuid.uuid4()),
                quantity=3,
                unit_price_minor=18_333,
                tax_rate_ids=(PB1.rate_id,),
                name="Croissant",
            ),
        ),
        order_discount=ManualDiscount(DiscountKind.PERCENT, 750, APPROVER),
    )


def _order(cart: Cart, method: str, rounding: CashRounding | None) -> tuple[PricedCart, OrderV1]:
    priced = price_cart(cart, at=AT, cash_rounding=cash_rounding_for((method,), rounding), **RULES)
    splits = split_tenders([Tender(method, priced.payable_minor)], priced.payable_minor)
    order = order_v1(
        cart,
        priced,
        payments=payments_v1(splits, [uuid.uuid4()], at=AT),
        details={cart.lines[0].line_id: LineDetails(sku="LAT", kitchen_station="bar")},
        id=uuid.uuid4(),
        outlet_id=uuid.uuid4(),
        terminal_id=uuid.uuid4(),
        shift_id=uuid.uuid4(),
        receipt_number="MAIN-T1-000001",
        created_at=AT,
    )
    return priced, order


@pytest.mark.parametrize("method", ["cash", "card"])
def test_a_cart_sent_and_read_back_prices_to_the_same_cents(method: str) -> None:
    rounding = CashRounding(100)
    cart = _cart()
    priced, order = _order(cart, method, rounding)
    back = cart_from_order_v1(order)
    again = price_cart(
        back,
        at=AT,
        cash_rounding=cash_rounding_for((p.method for p in order.payments), rounding),
        **RULES,
    )
    assert again == priced
    assert order.total_minor == priced.payable_minor
    assert (order.rounding_minor != 0) == (method == "cash")
    first = order.lines[0]
    assert (first.sku, first.kitchen_station) == ("LAT", "bar")
    assert base_unit_price_minor(first) == 27_500
    assert first.modifiers[0].group_name == "Options"


def test_the_receiver_s_catalog_decides_the_taxes() -> None:
    cart = _cart()
    _, order = _order(cart, "card", None)
    product_id = order.lines[1].product_id
    assert product_id is not None
    back = cart_from_order_v1(order, tax_rate_ids={product_id: ()})
    assert back.lines[0].tax_rate_ids == (PB1.rate_id,)
    assert back.lines[1].tax_rate_ids == ()


def test_cash_rounding_only_when_every_tender_is_cash() -> None:
    step = CashRounding(100)
    assert cash_rounding_applies(["cash", "cash"])
    assert not cash_rounding_applies(["cash", "card"])
    assert cash_rounding_for(["cash"], step) is step
    assert cash_rounding_for(["qris"], step) is None
    assert cash_rounding_for(["cash"], None) is None


def test_change_comes_out_of_the_last_cash_and_cards_never_overpay() -> None:
    splits = split_tenders([Tender("card", 30_000), Tender("cash", 50_000)], 62_000)
    assert [(s.paid_minor, s.change_minor, s.tendered_minor) for s in splits] == [
        (30_000, 0, None),
        (32_000, 18_000, 50_000),
    ]
    with pytest.raises(TenderError) as refused:
        split_tenders([Tender("card", 70_000)], 62_000)
    assert (refused.value.code, refused.value.field) == ("overpaid", "amount_minor")
    with pytest.raises(TenderError) as refused:
        split_tenders([Tender("cash", 10_000)], 62_000)
    assert refused.value.code == "underpaid"
    with pytest.raises(TenderError) as refused:
        split_tenders([Tender("cash", 70_000), Tender("cash", 10_000)], 62_000)
    assert refused.value.message == "A cash payment is not needed."
    with pytest.raises(TenderError) as refused:
        split_tenders([Tender("bitcoin", 62_000)], 62_000)
    assert (refused.value.code, refused.value.field) == ("bad_method", "method")
    with pytest.raises(TenderError) as refused:
        split_tenders([], 62_000)
    assert refused.value.code == "no_payment"


def test_every_method_has_a_label_in_every_language() -> None:
    for language in ("en", "id", "id_ID"):
        for method in PaymentMethod:
            assert payment_method_label(method, language)
    assert payment_method_label("cash", "id_ID") == "Tunai"
    assert payment_method_label("ewallet") == "E-wallet"
    assert payment_method_label("gift", "id") == "gift"
