"""X-Forwarded-For counts only from the proxies named in KIOSK_TRUSTED_PROXIES (none by
default): a local client cannot pick the address the pairing and login limits count."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server_process import ServerProcess, running_server

pytestmark = pytest.mark.skipif(
    os.environ.get("KIOSK_TEST_DB", "postgres") != "postgres", reason="needs PostgreSQL"
)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server(seed=False) as running:
        yield running


def _pair_statuses(server: ServerProcess, attempts: int) -> list[int]:
    """POST /api/pair/ with a bad code, each time claiming another client address."""
    return [
        httpx.post(
            f"{server.base_url}/api/pair/",
            json={"protocol_version": 1, "code": "WRONG-CODE"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
            timeout=30,
        ).status_code
        for attempt in range(attempts)
    ]


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_named(server: ServerProcess) -> None:
    assert _pair_statuses(server, 12)[-2:] == [429, 429]  # all counted as 127.0.0.1

    server.env["KIOSK_TRUSTED_PROXIES"] = "127.0.0.1"
    try:
        server.restart()
        assert 429 not in _pair_statuses(server, 12)  # a trusted proxy names each client
    finally:
        server.env.pop("KIOSK_TRUSTED_PROXIES")
        server.restart()
