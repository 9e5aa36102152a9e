"""JWT login, claims, rotation with blacklist, logout, and PIN hashes terminals can verify."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from sync_server.accounts.models import User
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def _login(client: APIClient, username: str, password: str = "kiosk-demo") -> Any:
    return client.post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_login_returns_a_pair_with_the_kiosk_claims(
    anon_client: APIClient, demo_tenant: Tenant
) -> None:
    answer = _login(anon_client, "demo.cashier")
    assert answer.status_code == 200, answer.content
    access = AccessToken(answer.json()["access"])
    refresh = RefreshToken(answer.json()["refresh"])
    assert access["username"] == "demo.cashier" and access["role"] == "cashier"
    assert access["tenant_id"] == str(demo_tenant.id) and access["tenant_slug"] == "demo"
    assert access["outlet_id"] and access["user_id"]
    # simplejwt stamps the access token's iat a moment after its exp base: allow 1 s.
    assert 15 * 60 - 1 <= access["exp"] - access["iat"] <= 15 * 60
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600


def test_super_admin_logs_in_without_a_tenant(anon_client: APIClient) -> None:
    answer = _login(anon_client, "root")
    assert answer.status_code == 200
    access = AccessToken(answer.json()["access"])
    assert access["role"] == "super_admin" and access["tenant_id"] is None
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
    assert anon_client.get("/api/tenants/").json()["count"] >= 2


@pytest.mark.parametrize(
    ("username", "password"),
    [("demo.cashier", "wrong"), ("nobody.here", "kiosk-demo"), ("DEMO.CASHIER", "kiosk-demo")],
)
def test_bad_credentials_are_401(anon_client: APIClient, username: str, password: str) -> None:
    answer = _login(anon_client, username, password)
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in_and_their_tokens_stop(
    anon_client: APIClient, demo_tenant: Tenant
) -> None:
    token = _login(anon_client, "demo.kitchen").json()["access"]
    with tenant_atomic(demo_tenant):
        User.objects.filter(username="demo.kitchen").update(is_active=False)
    assert _login(anon_client, "demo.kitchen").status_code == 401
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon_client.get("/api/demo/products/").status_code == 401


def test_refresh_rotates_and_the_old_refresh_is_dead(anon_client: APIClient) -> None:
    first = _login(anon_client, "demo.manager").json()
    answer = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    second = answer.json()
    assert second["refresh"] != first["refresh"] and second["access"]
    replay = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json"
    )
    assert replay.status_code == 401 and replay.json()["code"] == "token_not_valid"
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert anon_client.get("/api/demo/products/").status_code == 200


def test_logout_blacklists_the_refresh_token(anon_client: APIClient) -> None:
    pair = _login(anon_client, "demo.owner").json()
    assert (
        anon_client.post(
            "/api/auth/logout/", {"refresh": pair["refresh"]}, format="json"
        ).status_code
        == 204
    )
    answer = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )
    assert answer.status_code == 401


def test_access_token_is_not_a_refresh_token(anon_client: APIClient) -> None:
    pair = _login(anon_client, "demo.owner").json()
    answer = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": pair["access"]}, format="json"
    )
    assert answer.status_code == 401


def test_role_comes_from_the_database_not_the_token(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    client = role_client("manager")
    assert (
        client.post("/api/demo/categories/", {"name": "Demoted"}, format="json").status_code == 201
    )
    with tenant_atomic(demo_tenant):
        User.objects.filter(username="demo.manager").update(role="cashier")
    assert client.post("/api/demo/categories/", {"name": "Again"}, format="json").status_code == 403


def test_pin_hash_is_pbkdf2_sha256_verifiable_with_hashlib(user_of: Callable[..., User]) -> None:
    cashier = user_of("cashier")
    algorithm, iterations, salt, digest = cashier.pin_hash.split("$")
    assert algorithm == "pbkdf2_sha256" and int(iterations) >= 100_000
    for pin, expected in (("3333", True), ("3334", False)):
        computed = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), int(iterations))
        assert (base64.b64encode(computed).decode() == digest) is expected
    assert cashier.check_pin("3333") and not cashier.check_pin("1111")
