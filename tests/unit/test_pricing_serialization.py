"""Promotions through JSON and back, and malformed JSON refused with the field named."""

import json
from datetime import date, datetime, time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.pricing import (
    BundleItem,
    PricingInputError,
    Promotion,
    PromotionFormatError,
    PromotionKind,
    PromotionTarget,
    TimeWindow,
    promotion_from_dict,
    promotion_to_dict,
)
from tests.unit.test_pricing_properties import promotions

HAPPY_HOUR = Promotion(
    promotion_id="happy",
    name="Happy hour",
    kind=PromotionKind.PERCENT_OFF,
    target=PromotionTarget.CATEGORY,
    target_ids=frozenset({"coffee", "tea"}),
    percent_bp=5_000,
    max_discount_minor=50_000,
    customer_group_ids=frozenset({"member"}),
    windows=(TimeWindow(frozenset({0, 4}), time(15), time(17, 30)),),
    valid_from=date(2026, 12, 1),
    valid_until=date(2026, 12, 31),
    priority=3,
    stackable=True,
)


def test_known_promotion_as_json() -> None:
    data = promotion_to_dict(HAPPY_HOUR)
    assert data["kind"] == "percent_off"
    assert data["target_ids"] == ["coffee", "tea"]
    assert data["windows"] == [{"weekdays": [0, 4], "start": "15:00", "end": "17:30"}]
    assert data["valid_from"] == "2026-12-01"
    assert promotion_from_dict(json.loads(json.dumps(data))) == HAPPY_HOUR


def test_bundle_as_json() -> None:
    bundle = Promotion(
        "combo",
        "Nasi + teh",
        PromotionKind.BUNDLE,
        bundle_items=(BundleItem("nasi", 1), BundleItem("teh", 2)),
        bundle_price_minor=32_000,
    )
    data = promotion_to_dict(bundle)
    assert data["bundle_items"] == [
        {"product_id": "nasi", "quantity": 1},
        {"product_id": "teh", "quantity": 2},
    ]
    assert promotion_from_dict(json.loads(json.dumps(data))) == bundle


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999).flatmap(lambda number: promotions(f"p{number}")))
def test_any_promotion_round_trips_through_json(promotion: Promotion) -> None:
    text = json.dumps(promotion_to_dict(promotion))
    assert promotion_from_dict(json.loads(text)) == promotion


def _with(**changes: Any) -> dict[str, Any]:
    data = promotion_to_dict(HAPPY_HOUR)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not _DROP}


_DROP = object()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (_with(promotion_id=_DROP), "promotion_id", "required"),
        (_with(kind="half_price"), "kind", "invalid"),
        (_with(target="shelf"), "target", "invalid"),
        (_with(percent_bp=12.5), "percent_bp", "not_integer"),
        (_with(percent_bp=10_001), "percent_bp", "out_of_range"),
        (_with(percent_bp=True), "percent_bp", "not_integer"),
        (_with(max_discount_minor=-1), "max_discount_minor", "out_of_range"),
        (_with(target_ids="coffee"), "target_ids", "invalid"),
        (_with(target_ids=[]), "target_ids", "invalid"),
        (
            _with(windows=[{"weekdays": [7], "start": "15:00", "end": "17:00"}]),
            "weekdays",
            "out_of_range",
        ),
        (
            _with(windows=[{"weekdays": [1], "start": "25:00", "end": "17:00"}]),
            "windows",
            "invalid",
        ),
        (_with(windows=[{"weekdays": [1], "start": "15:00"}]), "windows", "invalid"),
        (_with(valid_from="2026-13-01"), "valid_from", "invalid"),
        (_with(valid_from="2027-01-01"), "valid_until", "out_of_range"),
        (_with(exclusive="yes"), "exclusive", "invalid"),
        (_with(discount_everything=True), "discount_everything", "unknown_field"),
        (_with(kind="bundle", bundle_items=[]), "bundle_items", "invalid"),
        (
            _with(kind="bundle", bundle_items=[{"product_id": "x", "quantity": 0}]),
            "quantity",
            "out_of_range",
        ),
        (_with(kind="buy_x_get_y", buy_quantity=0, get_quantity=1), "buy_quantity", "invalid"),
    ],
)
def test_malformed_promotion_is_refused_with_its_field(
    data: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(PromotionFormatError) as caught:
        promotion_from_dict(data)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == field
    assert caught.value.code == code
    assert caught.value.as_error()["field"] == field


@pytest.mark.parametrize("data", [None, [], "promotion", 42])
def test_non_object_is_refused(data: Any) -> None:
    with pytest.raises(PromotionFormatError) as caught:
        promotion_from_dict(data)
    assert caught.value.code == "not_object"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_group_ids": ["member"]}, "customer_group_ids"),
        ({"windows": [TimeWindow(frozenset({1}), time(9), time(10))]}, "windows"),
        ({"valid_from": "2026-12-01"}, "valid_from"),
        ({"valid_until": datetime(2026, 12, 1)}, "valid_until"),
    ],
)
def test_promotion_refuses_wrong_python_types(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PricingInputError) as caught:
        Promotion("p", "P", PromotionKind.FIXED_OFF, amount_off_minor=1, **changes)
    assert caught.value.field == field
