"""Promotions to and from plain JSON data, for the server's store and the terminals' catalog feed.

Reading is strict and fails closed: an unknown key, a wrong type or a bad value
raises PromotionFormatError naming the field, because a promotion a terminal half
understood would charge the wrong price.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, time
from typing import Any, TypeVar

from shared.pricing.types import (
    BundleItem,
    PricingInputError,
    Promotion,
    PromotionFormatError,
    PromotionKind,
    PromotionTarget,
    TimeWindow,
)

_Value = TypeVar("_Value")


def _window_to_dict(window: TimeWindow) -> dict[str, Any]:
    return {
        "weekdays": sorted(window.weekdays),
        "start": window.start.isoformat(timespec="minutes"),
        "end": window.end.isoformat(timespec="minutes"),
    }


def promotion_to_dict(promotion: Promotion) -> dict[str, Any]:
    """A promotion as JSON-able data (ids sorted, dates ISO, times HH:MM)."""
    return {
        "promotion_id": promotion.promotion_id,
        "name": promotion.name,
        "kind": promotion.kind.value,
        "target": promotion.target.value,
        "target_ids": sorted(promotion.target_ids),
        "percent_bp": promotion.percent_bp,
        "amount_off_minor": promotion.amount_off_minor,
        "buy_quantity": promotion.buy_quantity,
        "get_quantity": promotion.get_quantity,
        "bundle_items": [
            {"product_id": item.product_id, "quantity": item.quantity}
            for item in promotion.bundle_items
        ],
        "bundle_price_minor": promotion.bundle_price_minor,
        "min_spend_minor": promotion.min_spend_minor,
        "max_discount_minor": promotion.max_discount_minor,
        "customer_group_ids": sorted(promotion.customer_group_ids),
        "windows": [_window_to_dict(window) for window in promotion.windows],
        "valid_from": promotion.valid_from.isoformat() if promotion.valid_from else None,
        "valid_until": promotion.valid_until.isoformat() if promotion.valid_until else None,
        "priority": promotion.priority,
        "exclusive": promotion.exclusive,
        "stackable": promotion.stackable,
    }


_FIELDS = frozenset(field.name for field in fields(Promotion))
_REQUIRED = ("promotion_id", "name", "kind")


def _fail(field: str, message: str, code: str = "invalid") -> PromotionFormatError:
    return PromotionFormatError(message, field=field, code=code)


def _list(data: Mapping[str, Any], field: str) -> list[Any]:
    value = data.get(field, [])
    if not isinstance(value, list):
        raise _fail(field, f"{field} must be a list")
    return value


def _id_set(data: Mapping[str, Any], field: str) -> frozenset[str]:
    values = _list(data, field)
    if not all(isinstance(value, str) and value for value in values):
        raise _fail(field, f"{field} must be a list of non-empty ids")
    return frozenset(values)


def _parsed(field: str, value: Any, parse: Callable[[str], _Value]) -> _Value:
    if not isinstance(value, str):
        raise _fail(field, f"{field} must be text")
    try:
        return parse(value)
    except ValueError as error:
        raise _fail(field, f"{field} is not valid: {value!r}") from error


def _optional_date(data: Mapping[str, Any], field: str) -> date | None:
    value = data.get(field)
    return None if value is None else _parsed(field, value, date.fromisoformat)


def _windows(data: Mapping[str, Any]) -> tuple[TimeWindow, ...]:
    windows: list[TimeWindow] = []
    for raw in _list(data, "windows"):
        if not isinstance(raw, Mapping) or set(raw) != {"weekdays", "start", "end"}:
            raise _fail("windows", "a window has exactly weekdays, start and end")
        weekdays = raw["weekdays"]
        if not isinstance(weekdays, list):
            raise _fail("windows", "weekdays must be a list")
        windows.append(
            TimeWindow(
                weekdays=frozenset(weekdays),
                start=_parsed("windows", raw["start"], time.fromisoformat),
                end=_parsed("windows", raw["end"], time.fromisoformat),
            )
        )
    return tuple(windows)


def _bundle_items(data: Mapping[str, Any]) -> tuple[BundleItem, ...]:
    items: list[BundleItem] = []
    for raw in _list(data, "bundle_items"):
        if not isinstance(raw, Mapping) or not set(raw) <= {"product_id", "quantity"}:
            raise _fail("bundle_items", "a bundle item has product_id and quantity")
        items.append(
            BundleItem(product_id=raw.get("product_id", ""), quantity=raw.get("quantity", 1))
        )
    return tuple(items)


def _enum(data: Mapping[str, Any], field: str, kind: type[_Value], default: str) -> _Value:
    value = data.get(field, default)
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError as error:
        raise _fail(field, f"{field} {value!r} is not one of the known values") from error


def promotion_from_dict(data: Mapping[str, Any]) -> Promotion:
    """A promotion from JSON data; PromotionFormatError (a ValueError) names the bad field."""
    if not isinstance(data, Mapping):
        raise _fail("promotion", "a promotion must be an object", "not_object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise _fail(unknown[0], f"unknown promotion field {unknown[0]!r}", "unknown_field")
    for field in _REQUIRED:
        if data.get(field) is None:
            raise _fail(field, f"{field} is required", "required")
    try:
        return Promotion(
            promotion_id=data["promotion_id"],
            name=data["name"],
            kind=_enum(data, "kind", PromotionKind, ""),
            target=_enum(data, "target", PromotionTarget, PromotionTarget.ORDER.value),
            target_ids=_id_set(data, "target_ids"),
            percent_bp=data.get("percent_bp", 0),
            amount_off_minor=data.get("amount_off_minor", 0),
            buy_quantity=data.get("buy_quantity", 0),
            get_quantity=data.get("get_quantity", 0),
            bundle_items=_bundle_items(data),
            bundle_price_minor=data.get("bundle_price_minor", 0),
            min_spend_minor=data.get("min_spend_minor", 0),
            max_discount_minor=data.get("max_discount_minor"),
            customer_group_ids=_id_set(data, "customer_group_ids"),
            windows=_windows(data),
            valid_from=_optional_date(data, "valid_from"),
            valid_until=_optional_date(data, "valid_until"),
            priority=data.get("priority", 0),
            exclusive=data.get("exclusive", False),
            stackable=data.get("stackable", False),
        )
    except PromotionFormatError:
        raise
    except PricingInputError as error:
        raise PromotionFormatError(error.message, field=error.field, code=error.code) from error
