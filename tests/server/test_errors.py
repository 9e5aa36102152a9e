"""Every error path answers {"error", "message", "field", "code"} with the right status."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from sync_server.catalog import apis as catalog_apis
from sync_server.catalog.models import Product
from sync_server.common.errors import ERROR_CATEGORIES
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field", "code"}


def _error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert set(body) == ERROR_KEYS and body["message"]
    return body


@pytest.fixture
def manager(role_client: Callable[..., APIClient]) -> APIClient:
    return role_client("manager")


def _product(**changes: Any) -> dict[str, Any]:
    return {"sku": "ERR-1", "name": "Kopi", "price_minor": 25_000, **changes}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (_product(price_minor=-1), "price_minor", "min_value"),
        (_product(price_minor=10**12 + 1), "price_minor", "max_value"),
        (_product(price_minor=10**30), "price_minor", "max_value"),
        (_product(price_minor=12.5), "price_minor", "invalid"),
        (_product(price_minor=12.0), "price_minor", "invalid"),
        (_product(price_minor="25000"), "price_minor", "invalid"),
        (_product(price_minor=True), "price_minor", "invalid"),
        (_product(price_minor=None), "price_minor", "null"),
        (_product(cost_minor=-5), "cost_minor", "min_value"),
        (_product(name=12), "name", "invalid"),
        (_product(is_active="yes"), "is_active", "invalid"),
        (_product(colour="red"), "colour", "invalid_colour"),
        (_product(category="not-a-uuid"), "category", "invalid"),
        (_product(surprise=1), "surprise", "unknown_field"),
        ({"name": "no sku", "price_minor": 1}, "sku", "required"),
        (_product(sku="x" * 65), "sku", "max_length"),
    ],
)
def test_bad_product_input_is_a_400_naming_the_field(
    body: dict[str, Any], field: str, code: str, manager: APIClient
) -> None:
    error = _error(manager.post("/api/demo/products/", body, format="json"), 400)
    assert (error["error"], error["field"], error["code"]) == ("validation_error", field, code)


def test_nested_errors_name_the_path(manager: APIClient) -> None:
    body = {"name": "Milk", "options": [{"name": "Oat", "price_delta_minor": 10**13}]}
    error = _error(manager.post("/api/demo/modifier-groups/", body, format="json"), 400)
    assert error["field"] == "options.0.price_delta_minor" and error["code"] == "max_value"


def test_body_that_is_not_an_object(manager: APIClient) -> None:
    error = _error(manager.post("/api/demo/products/", [1, 2], format="json"), 400)
    assert error["error"] == "validation_error" and error["field"] is None


def test_malformed_json_is_a_400(manager: APIClient) -> None:
    answer = manager.post("/api/demo/products/", data='{"sku": ', content_type="application/json")
    error = _error(answer, 400)
    assert (error["error"], error["code"]) == ("parse_error", "malformed_json")


def test_huge_json_number_is_a_400_not_a_crash(manager: APIClient) -> None:
    raw = '{"sku": "BIG", "name": "x", "price_minor": ' + "9" * 5000 + "}"
    answer = manager.post("/api/demo/products/", data=raw, content_type="application/json")
    assert _error(answer, 400)["error"] in {"parse_error", "validation_error"}


def test_oversized_body_is_a_413(manager: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    raw = '{"sku": "BIG", "name": "' + "x" * 2_000 + '", "price_minor": 1}'
    answer = manager.post("/api/demo/products/", data=raw, content_type="application/json")
    assert _error(answer, 413)["code"] == "too_large"


def test_wrong_content_type_is_a_415(manager: APIClient) -> None:
    answer = manager.post("/api/demo/products/", data="sku=x", content_type="text/plain")
    assert _error(answer, 415)["error"] == "unsupported_media_type"


def test_missing_and_bad_tokens_are_401(anon_client: APIClient) -> None:
    assert _error(anon_client.get("/api/demo/products/"), 401)["code"] == "not_authenticated"
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert _error(anon_client.get("/api/demo/products/"), 401)["code"] == "token_not_valid"


def test_role_refusal_is_a_403(role_client: Callable[..., APIClient]) -> None:
    answer = role_client("cashier").post("/api/demo/products/", _product(), format="json")
    error = _error(answer, 403)
    assert (error["error"], error["code"]) == ("permission_denied", "role_forbidden")


def test_unknown_object_and_unknown_url_are_404(manager: APIClient) -> None:
    unknown = "/api/demo/products/00000000-0000-0000-0000-000000000000/"
    assert _error(manager.get(unknown), 404)["error"] == "not_found"
    assert _error(manager.get("/api/demo/products/not-a-uuid/"), 404)["code"] == "not_found"
    assert _error(manager.get("/api/demo/nothing-here/"), 404)["code"] == "not_found"
    assert _error(manager.get("/api/demo/products/?page=999"), 404)["error"] == "not_found"


def test_unsupported_method_is_a_405(manager: APIClient, demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        product = Product.objects.first()
    assert product is not None
    answer = manager.put(f"/api/demo/products/{product.id}/", _product(), format="json")
    assert _error(answer, 405)["error"] == "method_not_allowed"
    assert _error(manager.delete("/api/demo/products/"), 405)["code"] == "method_not_allowed"


def test_duplicate_sku_is_a_409_and_nothing_is_written(
    manager: APIClient, demo_tenant: Tenant
) -> None:
    assert manager.post("/api/demo/products/", _product(), format="json").status_code == 201
    error = _error(manager.post("/api/demo/products/", _product(name="Dup"), format="json"), 409)
    assert error["error"] == "conflict"
    with tenant_atomic(demo_tenant):
        assert Product.objects.filter(sku="ERR-1").count() == 1


def test_deleting_a_category_in_use_is_a_409(manager: APIClient, demo_tenant: Tenant) -> None:
    category = manager.get("/api/demo/categories/?search=Coffee").json()["results"][0]
    error = _error(manager.delete(f"/api/demo/categories/{category['id']}/"), 409)
    assert error["code"] == "in_use"


def test_failed_login_flood_is_a_429_with_retry_after(anon_client: APIClient) -> None:
    body = {"username": "demo.cashier", "password": "wrong"}
    for _ in range(5):
        assert _error(anon_client.post("/api/auth/token/", body, format="json"), 401)
    answer = anon_client.post("/api/auth/token/", body, format="json")
    assert _error(answer, 429)["error"] == "throttled"
    assert int(answer["Retry-After"]) > 0
    # Even the right password waits out the window.
    right = {"username": "demo.cashier", "password": "kiosk-demo"}
    assert anon_client.post("/api/auth/token/", right, format="json").status_code == 429


def test_failures_across_usernames_from_one_address_are_throttled_later(
    anon_client: APIClient, settings: Any
) -> None:
    settings.KIOSK_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for attempt in range(8):
        body = {"username": f"guess.{attempt}", "password": "wrong"}
        assert anon_client.post("/api/auth/token/", body, format="json").status_code == 401
    body = {"username": "demo.owner", "password": "kiosk-demo"}
    assert _error(anon_client.post("/api/auth/token/", body, format="json"), 429)


def test_unexpected_exception_is_a_500_in_the_shape(
    manager: APIClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog_apis.ProductListApi, "list_selector", explode)
    error = _error(manager.get("/api/demo/products/"), 500)
    assert (error["error"], error["code"]) == ("server_error", "server_error")
    assert "boom" not in error["message"]


def test_a_database_outage_is_a_503_with_retry_after_not_a_500(
    manager: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(**kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(catalog_apis.ProductListApi, "list_selector", unreachable)
    answer = manager.get("/api/demo/products/")
    error = _error(answer, 503)
    assert (error["error"], error["code"]) == ("unavailable", "database_unavailable")
    assert answer["Retry-After"] == "5"
    assert "connection" not in error["message"]


def test_promotion_rule_rejected_by_the_engine_names_the_field(manager: APIClient) -> None:
    body = {"name": "Bad", "kind": "percent_off", "rule": {"target": "order", "percent_bp": 0}}
    error = _error(manager.post("/api/demo/promotions/", body, format="json"), 400)
    assert error["field"] == "rule.percent_bp"
    body["rule"] = {"target": "order", "percent_bp": 500, "bogus": 1}
    error = _error(manager.post("/api/demo/promotions/", body, format="json"), 400)
    assert (error["field"], error["code"]) == ("rule.bogus", "unknown_field")


def test_an_unknown_tenant_slug_does_not_roll_back_the_callers_transaction(
    manager: APIClient,
) -> None:
    # The test's own transaction stands in for any caller's: the error answer (403, as for
    # any tenant not the user's own) must roll back only the view's transaction, so the next
    # request in the same transaction still works.
    error = _error(manager.get("/api/no-such-tenant/products/"), 403)
    assert error["code"] == "tenant_mismatch"
    assert manager.get("/api/demo/products/").status_code == 200
    assert Tenant.objects.filter(slug="demo").exists()


def test_the_documented_error_categories_are_the_ones_in_the_code() -> None:
    """docs/server.md lists every value of "error" the server sends, and nothing else."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text()
    block = text.split("<!-- error categories -->")[1].split("<!-- end error categories -->")[0]
    assert re.findall(r"`([a-z_]+)`", block) == list(ERROR_CATEGORIES)


def _error_code_enums() -> dict[str, list[str]]:
    """app -> the values of its error-code enum, read from every `<app>/error_codes.py`."""
    root = Path(__file__).resolve().parents[2] / "sync_server"
    found: dict[str, list[str]] = {}
    for path in sorted(root.glob("*/error_codes.py")):
        module = importlib.import_module(f"sync_server.{path.parent.name}.error_codes")
        enums = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
        ]
        assert len(enums) == 1, f"{path} holds one error-code enum"
        found[path.parent.name] = [member.value for member in enums[0]]
    return found


def test_the_documented_error_codes_are_the_ones_in_the_code() -> None:
    """docs/server.md lists every app's error codes exactly as its `error_codes.py` has them."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text()
    block = text.split("<!-- error codes -->")[1].split("<!-- end error codes -->")[0]
    expected = "\n".join(
        f"- `{app}`: " + ", ".join(f"`{code}`" for code in codes)
        for app, codes in _error_code_enums().items()
    )
    assert block.strip() == expected, f"docs/server.md should list:\n{expected}"
