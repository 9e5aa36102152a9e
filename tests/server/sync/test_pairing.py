"""Pairing and device credentials: one-time codes, rotation, revocation, tenant binding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from sync_server.accounts.models import Role, User
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import device_from_token
from sync_server.devices.models import PairingCode
from sync_server.tenants.models import Tenant, Terminal, TerminalStatus
from tests.server.sync.conftest import PairedDevice

CATALOG = "sync/catalog/?limit=5"


def _terminal(tenant: Tenant, outlet: str, code: str) -> Terminal:
    with tenant_atomic(tenant):
        terminal: Terminal = Terminal.objects.get(outlet__code=outlet, code=code)
        return terminal


def _code_for(client: APIClient, tenant: Tenant, terminal: Terminal) -> str:
    answer = client.post(f"/api/{tenant.slug}/terminals/{terminal.id}/pairing-code/")
    assert answer.status_code == 201, answer.content
    code: str = answer.json()["code"]
    return code


def _pair(code: str) -> object:
    return APIClient().post("/api/pair/", {"protocol_version": 1, "code": code}, format="json")


def test_pairing_binds_the_device_to_its_terminal_outlet_and_tenant(
    pair_device: Callable[..., PairedDevice], demo_tenant: Tenant
) -> None:
    device = pair_device("main", "t1")
    terminal = _terminal(demo_tenant, "main", "t1")
    assert device.pairing.terminal_id == terminal.id
    assert device.pairing.outlet_id == terminal.outlet_id
    assert device.pairing.tenant_slug == "demo"
    assert (device.pairing.outlet_code, device.pairing.terminal_code) == ("main", "t1")
    assert device.pairing.device_kind == "terminal"
    with tenant_atomic(demo_tenant):
        assert Terminal.objects.get(id=terminal.id).paired_at is not None
    assert device.client.get(device.url(CATALOG)).status_code == 200


def test_a_code_works_once_and_only_its_hash_is_stored(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    terminal = _terminal(demo_tenant, "main", "t1")
    code = _code_for(role_client("owner"), demo_tenant, terminal)
    with tenant_atomic(demo_tenant):
        stored = PairingCode.objects.get(terminal=terminal, used_at__isnull=True)
    assert code.replace("-", "") not in stored.code_hash
    assert _pair(code.lower()).status_code == 200  # typed in lower case: still the same code
    again = _pair(code)
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_pairing_code"


def test_an_expired_or_unknown_code_is_refused(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    terminal = _terminal(demo_tenant, "main", "t1")
    code = _code_for(role_client("admin"), demo_tenant, terminal)
    with tenant_atomic(demo_tenant):
        PairingCode.objects.filter(terminal=terminal).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert _pair(code).json()["code"] == "invalid_pairing_code"
    assert _pair("ZZZZ-ZZZZ").status_code == 400
    malformed = APIClient().post("/api/pair/", {"protocol_version": 1}, format="json")
    assert malformed.status_code == 400
    assert set(malformed.json()) == {"error", "message", "field", "code"}
    assert malformed.json()["field"] == "code"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER, Role.KITCHEN])
def test_only_owners_and_admins_issue_codes(
    role: str, role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    terminal = _terminal(demo_tenant, "main", "t1")
    answer = role_client(role).post(f"/api/demo/terminals/{terminal.id}/pairing-code/")
    assert answer.status_code == 403


def _refresh(token: str) -> Any:
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_refresh_rotates_device_tokens_and_a_spent_refresh_is_refused(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    first = _refresh(device.pairing.refresh)
    assert first.status_code == 200, first.content
    rotated = first.json()
    assert rotated["refresh"] != device.pairing.refresh
    newest = _refresh(rotated["refresh"])  # the successor was used
    assert newest.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {newest.json()['access']}")
    assert client.get(device.url(CATALOG)).status_code == 200
    replay = _refresh(device.pairing.refresh)
    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_reused"


def test_a_lost_rotation_answer_is_repeated_until_the_successor_is_used(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    first = _refresh(device.pairing.refresh)
    assert first.status_code == 200, first.content
    replay = _refresh(device.pairing.refresh)  # the first answer never reached the terminal
    assert replay.status_code == 200, replay.content
    assert replay.json() == first.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {replay.json()['access']}")
    assert client.get(device.url(CATALOG)).status_code == 200
    assert _refresh(replay.json()["refresh"]).status_code == 200
    assert _refresh(device.pairing.refresh).status_code == 401  # successor used: spent for good


def test_a_spent_refresh_whose_successor_is_unused_is_honoured_days_later(
    pair_device: Callable[..., PairedDevice], monkeypatch: pytest.MonkeyPatch
) -> None:
    device = pair_device()
    first = _refresh(device.pairing.refresh)  # the answer is lost: power cut before the write
    assert first.status_code == 200
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=3))
    late = _refresh(device.pairing.refresh)
    assert late.status_code == 200, late.content
    assert late.json() == first.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {late.json()['access']}")
    assert client.get(device.url(CATALOG)).status_code == 200


def test_reuse_after_the_successor_was_used_revokes_the_pairing_and_is_logged(
    pair_device: Callable[..., PairedDevice], caplog: pytest.LogCaptureFixture
) -> None:
    device = pair_device()
    stolen = device.pairing.refresh
    rotated = _refresh(stolen).json()
    newest = _refresh(rotated["refresh"])  # the till moved on
    assert newest.status_code == 200
    with caplog.at_level("WARNING", logger="kiosk.devices"):
        reuse = _refresh(stolen)
    assert (reuse.status_code, reuse.json()["code"]) == (401, "refresh_reused")
    assert any("reuse" in record.getMessage() for record in caplog.records)
    assert stolen not in caplog.text and newest.json()["refresh"] not in caplog.text
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {newest.json()['access']}")
    assert client.get(device.url(CATALOG)).status_code == 401  # the whole pairing ended
    assert _refresh(newest.json()["refresh"]).status_code == 401


def test_the_revocation_table_holds_no_token_and_no_user(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    assert _refresh(device.pairing.refresh).status_code == 200
    login = APIClient().post(
        "/api/auth/token/", {"username": "demo.manager", "password": "kiosk-demo"}, format="json"
    )
    refreshed = _refresh(login.json()["refresh"])
    assert refreshed.status_code == 200
    logout = APIClient().post(
        "/api/auth/logout/", {"refresh": refreshed.json()["refresh"]}, format="json"
    )
    assert logout.status_code == 204
    rows = list(OutstandingToken.objects.values_list("token", "user_id"))
    assert len(rows) >= 3
    assert all(token == "" and user is None for token, user in rows)


def test_a_revoked_terminal_gets_no_grace_replay(
    pair_device: Callable[..., PairedDevice],
    role_client: Callable[..., APIClient],
) -> None:
    device = pair_device()
    assert _refresh(device.pairing.refresh).status_code == 200
    revoke = role_client("owner").patch(
        f"/api/demo/terminals/{device.pairing.terminal_id}/", {"status": TerminalStatus.REVOKED}
    )
    assert revoke.status_code == 200, revoke.content
    replay = _refresh(device.pairing.refresh)
    assert replay.status_code == 401
    assert replay.json()["code"] == "device_revoked"


def test_user_refresh_still_works_on_the_same_endpoint(user_of: Callable[..., User]) -> None:
    token = APIClient().post(
        "/api/auth/token/", {"username": "demo.manager", "password": "kiosk-demo"}, format="json"
    )
    assert token.status_code == 200
    again = APIClient().post(
        "/api/auth/token/refresh/", {"refresh": token.json()["refresh"]}, format="json"
    )
    assert again.status_code == 200
    assert set(again.json()) == {"access", "refresh"}


def test_revoking_the_terminal_makes_the_next_call_401_even_with_a_live_access_token(
    pair_device: Callable[..., PairedDevice],
    role_client: Callable[..., APIClient],
    demo_tenant: Tenant,
) -> None:
    device = pair_device()
    assert device_from_token(device.pairing.access) is not None
    revoke = role_client("owner").patch(
        f"/api/demo/terminals/{device.pairing.terminal_id}/", {"status": TerminalStatus.REVOKED}
    )
    assert revoke.status_code == 200, revoke.content
    answer = device.client.get(device.url(CATALOG))
    assert answer.status_code == 401
    assert answer.json()["code"] == "device_revoked"
    assert device.push_orders().status_code == 401
    refresh = APIClient().post(
        "/api/auth/token/refresh/", {"refresh": device.pairing.refresh}, format="json"
    )
    assert refresh.status_code == 401
    assert device_from_token(device.pairing.access) is None


def test_pairing_again_ends_the_previous_credentials(
    pair_device: Callable[..., PairedDevice],
) -> None:
    old = pair_device()
    new = pair_device()
    assert old.client.get(old.url(CATALOG)).status_code == 401
    assert new.client.get(new.url(CATALOG)).status_code == 200


def test_a_device_of_tenant_a_gets_403_on_tenant_b(
    pair_device: Callable[..., PairedDevice],
) -> None:
    device = pair_device()
    answer = device.client.get(f"/api/rival/{CATALOG}")
    assert answer.status_code == 403
    assert answer.json()["code"] == "tenant_mismatch"
    pushed = device.client.post(
        "/api/rival/sync/orders/", {"protocol_version": 1, "orders": []}, format="json"
    )
    assert pushed.status_code == 403


def test_user_tokens_are_not_device_tokens(role_client: Callable[..., APIClient]) -> None:
    answer = role_client("owner").get(f"/api/demo/{CATALOG}")
    assert answer.status_code == 401
    assert device_from_token("not-a-token") is None


def test_kitchen_screens_pair_the_same_way_but_cannot_push_orders(
    pair_device: Callable[..., PairedDevice],
) -> None:
    screen = pair_device("main", "k1")
    assert screen.pairing.device_kind == "kitchen"
    assert screen.client.get(screen.url(CATALOG)).status_code == 200
    pushed = screen.push_orders()
    assert pushed.status_code == 403
    assert pushed.json()["code"] == "device_kind"
    found = device_from_token(screen.pairing.access)
    assert found is not None and found.kind == "kitchen"


def test_a_kitchen_screens_feed_carries_no_staff_pins_customers_or_prices(
    pair_device: Callable[..., PairedDevice],
) -> None:
    """It signs nobody in: only the tenant and outlets (its timer colours) reach it."""
    screen, till = pair_device("main", "k1"), pair_device("main", "t1")

    def entities(device: PairedDevice) -> set[str]:
        found: set[str] = set()
        cursor, more = "", True
        while more:
            page = device.client.get(device.url(f"sync/catalog/?limit=1000&since={cursor}"))
            assert page.status_code == 200, page.content
            body = page.json()
            found |= {change["entity"] for change in body["changes"]}
            cursor, more = body["next_cursor"], body["has_more"]
        return found

    assert {"cashier", "product", "customer"} <= entities(till)
    kitchen = entities(screen)
    assert "outlet" in kitchen and kitchen <= {"tenant", "outlet"}
