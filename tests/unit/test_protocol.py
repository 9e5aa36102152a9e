"""Sync protocol v1: strict money, versioning, idempotency digest and consistency rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from shared import protocol as p

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _order_dict(**overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "protocol_version": 1,
        "id": str(uuid4()),
        "outlet_id": str(uuid4()),
        "terminal_id": str(uuid4()),
        "shift_id": str(uuid4()),
        "receipt_number": "MAIN-T1-000123",
        "created_at": NOW.isoformat(),
        "currency": "IDR",
        "lines": [
            {
                "id": str(uuid4()),
                "name": "Kopi Susu",
                "quantity": 2,
                "unit_price_minor": 25000,
                "modifiers": [{"group_name": "Size", "name": "Large", "price_delta_minor": 5000}],
                "gross_minor": 60000,
                "net_minor": 60000,
                "total_minor": 60000,
            }
        ],
        "subtotal_minor": 60000,
        "total_minor": 60000,
        "payments": [
            {
                "id": str(uuid4()),
                "method": "cash",
                "amount_minor": 60000,
                "tendered_minor": 100000,
                "change_minor": 40000,
                "paid_at": NOW.isoformat(),
            }
        ],
    }
    order.update(overrides)
    return order


def test_order_round_trips_through_json() -> None:
    order = p.OrderV1.model_validate(_order_dict())
    again = p.OrderV1.model_validate_json(order.model_dump_json())
    assert again == order
    assert again.lines[0].modifiers[0].price_delta_minor == 5000


@pytest.mark.parametrize("bad_amount", [60000.0, "60000", 1e3, True])
def test_money_must_be_a_strict_integer(bad_amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        p.OrderV1.model_validate(_order_dict(total_minor=bad_amount))
    assert info.value.errors()[0]["loc"][0] == "total_minor"


def test_money_beyond_the_cap_is_refused() -> None:
    with pytest.raises(ValidationError):
        p.OrderV1.model_validate(_order_dict(subtotal_minor=p.MAX_MINOR + 1))


def test_unknown_field_is_refused_not_ignored() -> None:
    with pytest.raises(ValidationError) as info:
        p.OrderV1.model_validate(_order_dict(totl_minor=5))
    assert info.value.errors()[0]["type"] == "extra_forbidden"


def test_other_protocol_version_is_refused() -> None:
    with pytest.raises(ValidationError):
        p.OrderV1.model_validate(_order_dict(protocol_version=2))


def test_payments_must_add_up_to_total() -> None:
    with pytest.raises(ValidationError, match="add up to the order total"):
        p.OrderV1.model_validate(_order_dict(total_minor=59000, subtotal_minor=59000))


def test_cash_change_must_come_from_tender() -> None:
    payment = _order_dict()["payments"][0] | {"change_minor": 30000}
    with pytest.raises(ValidationError, match="tendered minus change"):
        p.PaymentV1.model_validate(payment)


def test_duplicate_line_ids_are_refused() -> None:
    order = _order_dict()
    order["lines"] = order["lines"] * 2
    order["subtotal_minor"] = 120000
    with pytest.raises(ValidationError, match="line ids must be unique"):
        p.OrderV1.model_validate(order)


def test_receipt_number_format() -> None:
    assert p.format_receipt_number("main", "t-1", 123) == "MAIN-T1-000123"
    assert p.format_receipt_number("MALL", "T2", 1234567) == "MALL-T2-1234567"
    with pytest.raises(ValueError):
        p.format_receipt_number("main", "t1", 0)
    with pytest.raises(ValidationError):
        p.OrderV1.model_validate(_order_dict(receipt_number="main-t1-12"))


def test_digest_is_canonical_and_sensitive_to_content() -> None:
    data = _order_dict()
    order = p.OrderV1.model_validate(data)
    reordered = p.OrderV1.model_validate(dict(reversed(list(data.items()))))
    assert p.canonical_digest(order) == p.canonical_digest(reordered)
    changed = order.model_copy(update={"note": "extra hot"})
    assert p.canonical_digest(changed) != p.canonical_digest(order)


def test_envelope_reads_items_leniently_so_one_bad_order_stands_alone() -> None:
    good = _order_dict()
    bad = _order_dict(total_minor="lots")
    envelope = p.BatchEnvelopeV1.model_validate({"protocol_version": 1, "orders": [good, bad]})
    outcomes: list[str | None] = []
    for index, raw in enumerate(envelope.orders):
        try:
            p.OrderV1.model_validate(raw)
            outcomes.append("ok")
        except ValidationError as exc:
            error = p.error_from_validation(exc, prefix=f"orders.{index}")
            outcomes.append(error.field)
    assert outcomes == ["ok", "orders.1.total_minor"]


def test_batch_size_is_capped() -> None:
    with pytest.raises(ValidationError):
        p.BatchEnvelopeV1.model_validate({"orders": [{}] * (p.MAX_BATCH_SIZE + 1)})


def test_events_are_discriminated_by_kind() -> None:
    shift_id = uuid4()
    batch = p.EventBatchV1.model_validate(
        {
            "events": [
                {
                    "kind": "cash_movement",
                    "id": str(uuid4()),
                    "shift_id": str(shift_id),
                    "direction": "out",
                    "amount_minor": 50000,
                    "reason": "milk",
                    "at": NOW.isoformat(),
                },
                {
                    "kind": "shift_closed",
                    "id": str(uuid4()),
                    "shift_id": str(shift_id),
                    "at": NOW.isoformat(),
                    "counted": [
                        {"value_minor": 100000, "count": 3},
                        {"value_minor": 50000, "count": 1},
                    ],
                    "counted_cash_minor": 350000,
                    "expected_cash_minor": 360000,
                    "difference_minor": -10000,
                },
            ]
        }
    )
    assert isinstance(batch.events[0], p.CashMovementV1)
    assert isinstance(batch.events[1], p.ShiftClosedV1)
    assert batch.events[1].difference_minor == -10000


def test_shift_close_difference_must_add_up() -> None:
    with pytest.raises(ValidationError, match="counted minus expected"):
        p.ShiftClosedV1(
            id=uuid4(),
            shift_id=uuid4(),
            at=NOW,
            counted_cash_minor=100,
            expected_cash_minor=90,
            difference_minor=0,
        )


def test_refund_lines_and_payments_must_add_up() -> None:
    with pytest.raises(ValidationError, match="refund payments"):
        p.OrderRefundedV1(
            id=uuid4(),
            order_id=uuid4(),
            at=NOW,
            reason="cold",
            approved_by=uuid4(),
            lines=(p.RefundLineV1(line_id=uuid4(), quantity=1, amount_minor=25000),),
            amount_minor=25000,
            payments=(p.RefundPaymentV1(method="cash", amount_minor=20000),),
        )


def test_catalog_change_tombstone_and_typed_data() -> None:
    product_id = uuid4()
    change = p.CatalogChangeV1(
        entity="product",
        id=product_id,
        version=42,
        data={"id": str(product_id), "name": "Es Teh", "price_minor": 8000},
    )
    product = change.typed_data()
    assert isinstance(product, p.ProductV1)
    assert product.price_minor == 8000
    with pytest.raises(ValidationError, match="tombstone carries no data"):
        p.CatalogChangeV1(entity="product", id=product_id, version=43, deleted=True, data={})
    tombstone = p.CatalogChangeV1(entity="product", id=product_id, version=43, deleted=True)
    with pytest.raises(ValueError, match="tombstone"):
        tombstone.typed_data()


def test_item_result_acknowledges_only_created_and_duplicate() -> None:
    statuses = {
        status: p.ItemResultV1(id=str(UUID(int=1)), status=status).acknowledged
        for status in ("created", "duplicate", "conflict", "rejected")
    }
    assert statuses == {"created": True, "duplicate": True, "conflict": False, "rejected": False}
