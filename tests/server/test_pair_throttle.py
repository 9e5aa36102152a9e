"""`POST /api/pair/` is throttled per client address: pairing codes are short, guessing is slow."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.test import override_settings
from rest_framework.test import APIClient

from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant, Terminal

LIMIT = 10


def _pair(code: str, address: str = "192.0.2.10") -> Any:
    return APIClient().post(
        "/api/pair/",
        {"protocol_version": 1, "code": code, "device_name": "guesser"},
        format="json",
        REMOTE_ADDR=address,
    )


def _real_code(owner: APIClient, tenant: Tenant) -> str:
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code="main", code="t1")
    issued = owner.post(f"/api/{tenant.slug}/terminals/{terminal.id}/pairing-code/")
    assert issued.status_code == 201, issued.content
    code: str = issued.json()["code"]
    return code


def test_the_eleventh_attempt_in_a_minute_from_one_address_is_a_429(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    for _ in range(LIMIT):
        answer = _pair("ZZZZ-ZZZZ")
        assert answer.status_code == 400
        assert answer.json()["code"] == "invalid_pairing_code"
    code = _real_code(role_client("owner"), demo_tenant)
    refused = _pair(code)
    assert refused.status_code == 429, refused.content
    assert refused.json()["error"] == "throttled"
    assert set(refused.json()) == {"error", "message", "field", "code"}
    assert 0 < int(refused["Retry-After"]) <= 61  # the window, rounded up
    # Another address is not punished for the first one's guesses, and the code still works.
    assert _pair(code, address="198.51.100.7").status_code == 200


@override_settings(KIOSK_PAIR_LIMIT=2, KIOSK_PAIR_WINDOW_SECONDS=1)
def test_the_limit_lifts_when_the_window_has_passed(demo_tenant: Tenant) -> None:
    assert [_pair("ZZZZ-ZZZZ").status_code for _ in range(3)] == [400, 400, 429]
    time.sleep(1.2)
    assert _pair("ZZZZ-ZZZZ").status_code == 400
