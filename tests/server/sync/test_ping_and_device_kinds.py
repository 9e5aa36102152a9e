"""The device ping behind a till's online light, and pairing codes refused to the wrong app."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from sync_server.accounts.models import Role, User
from sync_server.accounts.services import tokens_for_user
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant, Terminal
from tests.server.sync.conftest import PairedDevice

pytestmark = pytest.mark.django_db


def test_the_ping_answers_a_live_device_and_refuses_a_revoked_one(
    pair_device: Callable[..., PairedDevice], role_client: Callable[..., APIClient]
) -> None:
    till = pair_device("main", "t1")
    answer = till.client.get(till.url("sync/ping/"))
    assert answer.status_code == 200
    assert answer.json()["device_kind"] == "terminal" and "server_time" in answer.json()
    assert APIClient().get(till.url("sync/ping/")).status_code == 401  # no token: no answer
    revoked = role_client("owner").patch(
        f"/api/demo/terminals/{till.pairing.terminal_id}/", {"status": "revoked"}, format="json"
    )
    assert revoked.status_code == 200, revoked.content
    refused = till.client.get(till.url("sync/ping/"))
    assert refused.status_code == 401
    assert set(refused.json()) == {"error", "message", "field", "code"}


def test_a_kitchen_screen_may_ping_but_not_on_another_tenant(
    pair_device: Callable[..., PairedDevice],
) -> None:
    screen = pair_device("main", "k1")
    assert screen.client.get(screen.url("sync/ping/")).json()["device_kind"] == "kitchen"
    assert screen.client.get("/api/rival/sync/ping/").status_code == 403


def _code(tenant: Tenant, terminal_code: str) -> str:
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code="main", code=terminal_code)
        owner = User.objects.get(role=Role.OWNER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(owner)['access']}")
    issued = client.post(f"/api/{tenant.slug}/terminals/{terminal.id}/pairing-code/")
    assert issued.status_code == 201, issued.content
    return str(issued.json()["code"])


@pytest.mark.parametrize(
    ("screen", "asking", "right_app"),
    [("k1", "terminal", "kiosk-kitchen pair"), ("t1", "kitchen", "kiosk-pos pair")],
)
def test_a_code_for_the_other_app_is_refused_by_name_and_stays_unspent(
    demo_tenant: Tenant, screen: str, asking: str, right_app: str
) -> None:
    code = _code(demo_tenant, screen)
    wrong = APIClient().post(
        "/api/pair/", {"protocol_version": 1, "code": code, "device_kind": asking}, format="json"
    )
    assert wrong.status_code == 400
    body = wrong.json()
    assert body["code"] == "wrong_device_kind" and body["field"] == "code"
    assert right_app in body["message"]
    right_kind = "kitchen" if asking == "terminal" else "terminal"
    right = APIClient().post(
        "/api/pair/",
        {"protocol_version": 1, "code": code, "device_kind": right_kind},
        format="json",
    )
    assert right.status_code == 200, right.content  # the refusal did not spend the code
    assert right.json()["device_kind"] == right_kind
