"""Hostile input: deep nesting, lone surrogates, NUL, huge integers and arrays are 4xx or a
per-item `rejected` naming a validation code, never a 500 or `server_error`, and stored rows
stay as they were."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from sync_server.catalog.models import Product
from sync_server.common.errors import ERROR_CATEGORIES
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.orders.models import Order, OrderLine, Payment
from sync_server.shifts.models import Shift
from sync_server.sync.models import SyncEvent
from sync_server.tenants.models import Tenant
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db
AT = (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
DEEP = "[" * 100_000 + "]" * 100_000


def _post_raw(client: APIClient, url: str, text: str) -> Any:
    """POST text as JSON exactly as given (a test client would refuse to encode surrogates)."""
    return client.generic("POST", url, text.encode("utf-8"), content_type="application/json")


def _json(body: Any) -> str:
    """JSON with ASCII escapes: a lone surrogate travels as `\\ud800`, as a hostile client sends."""
    return json.dumps(body, ensure_ascii=True)


def _stored(tenant: Tenant) -> tuple[int, ...]:
    with tenant_atomic(tenant):
        return (
            Order.objects.count(),
            OrderLine.objects.count(),
            Payment.objects.count(),
            Shift.objects.count(),
            SyncEvent.objects.count(),
            Customer.objects.count(),
        )


def _error_shape(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.content
    body: dict[str, Any] = json.loads(answer.content)
    assert set(body) == {"error", "message", "field", "code"}
    assert body["error"] in ERROR_CATEGORIES
    return body


@pytest.fixture
def device(pair_device: Callable[..., PairedDevice]) -> PairedDevice:
    return pair_device()


def test_deep_nesting_is_a_parse_error_without_a_traceback(
    anon_client: APIClient, device: PairedDevice, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        login = _post_raw(anon_client, "/api/auth/token/", DEEP)
        sync = _post_raw(device.client, device.url("sync/orders/"), DEEP)
    for answer in (login, sync):
        body = _error_shape(answer, 400)
        assert (body["error"], body["code"]) == ("parse_error", "malformed_json")
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_lone_surrogate_in_a_refused_value_or_key_is_answered(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    owner = role_client("owner")
    bad_role = {"username": "x", "role": "\ud800", "password": "long-enough-1"}
    body = _error_shape(_post_raw(owner, "/api/demo/users/", _json(bad_role)), 400)
    assert body["field"] == "role"
    bad_key = {"name": "Budi", "\ud800": 1}
    before = _stored(demo_tenant)
    body = _error_shape(_post_raw(owner, "/api/demo/customers/", _json(bad_key)), 400)
    assert body["code"] == "unknown_field"
    assert _stored(demo_tenant) == before


def test_a_surrogate_order_id_is_rejected_alone_and_the_terminal_gets_its_answer(
    device: PairedDevice, demo_products: dict[str, Product], demo_tenant: Tenant
) -> None:
    good = make_order(device, [(demo_products["Espresso"], 1)], shift_id=uuid.uuid4(), at=AT)
    bad = {**good.model_dump(mode="json"), "id": "\ud800"}
    body = {"protocol_version": 1, "orders": [bad, good.model_dump(mode="json")]}
    answer = _post_raw(device.client, device.url("sync/orders/"), _json(body))
    assert answer.status_code == 200, answer.content
    results = answer.json()["results"]
    assert results[0]["id"] == "#0" and results[0]["status"] == "rejected"
    assert results[0]["error"]["error"] == "rejected"
    assert results[1] == {**results[1], "id": str(good.id), "status": "created"}


def _one_line_order(device: PairedDevice, product: Product) -> dict[str, Any]:
    order = make_order(device, [(product, 1)], shift_id=uuid.uuid4(), at=AT)
    return order.model_dump(mode="json")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (lambda o: o.update(note="ketchup\x00please"), "note", "unstorable_text"),
        (lambda o: o.update(customer_name="Budi\x00"), "customer_name", "unstorable_text"),
        (lambda o: o["lines"][0].update(note="\ud800"), "lines.0.note", "string_unicode"),
        (lambda o: o.update(catalog_version=2**63), "catalog_version", "less_than_equal"),
        (
            lambda o: o["lines"][0].update(quantity=100_000, unit_price_minor=10**12),
            "lines.0",
            "too_large",
        ),
    ],
)
def test_unstorable_order_values_are_rejected_with_their_field(
    change: Callable[[dict[str, Any]], None],
    field: str,
    code: str,
    device: PairedDevice,
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    order = _one_line_order(device, demo_products["Espresso"])
    change(order)
    before = _stored(demo_tenant)
    answer = _post_raw(
        device.client,
        device.url("sync/orders/"),
        _json({"protocol_version": 1, "orders": [order]}),
    )
    assert answer.status_code == 200, answer.content
    [result] = answer.json()["results"]
    assert result["status"] == "rejected"
    assert (result["error"]["field"], result["error"]["code"]) == (field, code)
    assert _stored(demo_tenant) == before


def test_a_hundred_lines_that_overflow_together_are_rejected(
    device: PairedDevice, demo_products: dict[str, Product], demo_tenant: Tenant
) -> None:
    order = _one_line_order(device, demo_products["Espresso"])
    line = order["lines"][0]
    order["lines"] = [
        {**line, "id": str(uuid.uuid4()), "quantity": 100, "unit_price_minor": 10**11}
        for _ in range(100)
    ]
    before = _stored(demo_tenant)
    answer = _post_raw(
        device.client, device.url("sync/orders/"), _json({"protocol_version": 1, "orders": [order]})
    )
    [result] = answer.json()["results"]
    assert (result["status"], result["error"]["code"]) == ("rejected", "too_large")
    assert _stored(demo_tenant) == before


# --- generated hostile values -----------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=30).map(lambda t: t + "\x00"),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "x" * 5000]),
    st.text(max_size=20),
)
HOSTILE_VALUE = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=2**62, max_value=2**80),
    st.integers(max_value=-(2**62)),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), min_size=0, max_size=2000),
    st.recursive(st.just([]), lambda inner: st.lists(inner, max_size=2), max_leaves=200),
)
ORDER_FIELDS = [
    "id",
    "note",
    "customer_name",
    "table",
    "catalog_version",
    "subtotal_minor",
    "total_minor",
    "receipt_number",
    "currency",
    "lines",
    "payments",
    "created_at",
]
LINE_FIELDS = ["id", "name", "note", "quantity", "unit_price_minor", "total_minor", "modifiers"]
EVENT_KINDS = ["shift_opened", "cash_movement", "customer_created", "order_voided"]


SCALE = int(os.environ.get("KIOSK_FUZZ_EXAMPLES") or 3) / 3
"""`make fuzz` asks for more examples (KIOSK_FUZZ_EXAMPLES=50: about 17 times as many)."""
GENERATED = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(GENERATED, max_examples=int(60 * SCALE))
@given(
    order_field=st.sampled_from(ORDER_FIELDS),
    line_field=st.sampled_from(LINE_FIELDS),
    order_value=HOSTILE_VALUE,
    line_value=HOSTILE_VALUE,
    on_line=st.booleans(),
)
def test_generated_hostile_orders_are_refused_per_item(
    order_field: str,
    line_field: str,
    order_value: Any,
    line_value: Any,
    on_line: bool,
    device: PairedDevice,
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    order = _one_line_order(device, demo_products["Croissant"])
    if on_line:
        order["lines"][0][line_field] = line_value
    else:
        order[order_field] = order_value
    before = _stored(demo_tenant)
    answer = _post_raw(
        device.client, device.url("sync/orders/"), _json({"protocol_version": 1, "orders": [order]})
    )
    if answer.status_code != 200:
        _error_shape(answer, answer.status_code)
        assert 400 <= answer.status_code < 500
        assert _stored(demo_tenant) == before
        return
    [result] = answer.json()["results"]
    if result["status"] == "rejected":
        assert result["error"]["code"] != "server_error", result
        assert _stored(demo_tenant) == before
    else:  # the value happened to be a valid one (a short text note, say)
        assert result["status"] == "created", result


@settings(GENERATED, max_examples=int(40 * SCALE))
@given(
    kind=st.sampled_from(EVENT_KINDS),
    extra=st.dictionaries(
        st.sampled_from(["id", "shift_id", "name", "phone", "reason", "amount_minor", "\ud800"]),
        HOSTILE_VALUE,
        max_size=4,
    ),
)
def test_generated_hostile_events_are_refused_per_item(
    kind: str, extra: dict[str, Any], device: PairedDevice, demo_tenant: Tenant
) -> None:
    event = {"kind": kind, "id": str(uuid.uuid4()), **extra}
    before = _stored(demo_tenant)
    answer = _post_raw(
        device.client, device.url("sync/events/"), _json({"protocol_version": 1, "events": [event]})
    )
    if answer.status_code != 200:
        _error_shape(answer, answer.status_code)
        assert 400 <= answer.status_code < 500
    else:
        [result] = answer.json()["results"]
        assert result["status"] == "rejected", result
        assert result["error"]["code"] != "server_error", result
    assert _stored(demo_tenant) == before


@pytest.mark.parametrize("size", [201, 20_000])
def test_a_huge_array_of_orders_is_a_400(device: PairedDevice, size: int) -> None:
    body = {"protocol_version": 1, "orders": [{}] * size}
    answer = _post_raw(device.client, device.url("sync/orders/"), _json(body))
    assert _error_shape(answer, 400)["error"] == "validation_error"
