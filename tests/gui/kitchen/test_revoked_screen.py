"""A kitchen screen revoked by the owner, or of a business the platform suspends, against a real
kiosk-server: the socket is told by push within seconds (no restart, no reconnect needed), the
screen says so in words (red banner), and it then only looks again every `REFUSED_RETRY_S`,
never a reconnect loop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pos_desktop.kitchen.app import KitchenScreen, open_kitchen_screen
from pos_desktop.kitchen.board import KitchenBoard
from pos_desktop.kitchen.client import REVOKED_WORDS, kitchen_socket_url
from pos_desktop.kitchen.demo import DEMO_OWNER, DEMO_PASSWORD, demo_pairing_code
from pos_desktop.kitchen.pairing import TokenKeeper, pair_kitchen
from pos_desktop.retry import RetryPolicy
from tests.e2e.test_live_link import suspend_the_demo_business
from tests.support.keyring import MemoryKeyring
from tests.support.server_process import ServerProcess, running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(240)]

PUSHED_WITHIN_MS = 3_000
"""A push after the commit: well inside the 60 s the socket's own check would take."""
QUIET_S = 3.0
"""How long a refused screen is watched for reconnect attempts: its backoff here (0.1 to 0.5 s)
would have tried several times, its slow check (30 s) not once."""


def _owner_headers(server: ServerProcess) -> dict[str, str]:
    login = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": DEMO_OWNER, "password": DEMO_PASSWORD},
        timeout=30,
    ).json()
    return {"Authorization": f"Bearer {login['access']}"}


@contextmanager
def paired_screen(
    qtbot: QtBot, server: ServerProcess, data_dir: Path
) -> Iterator[tuple[KitchenScreen, str]]:
    """The demo's kitchen screen paired to `server`, shown and caught up; and its terminal id."""
    device = pair_kitchen(
        data_dir=data_dir, server_url=server.base_url, code=demo_pairing_code(server.base_url)
    )
    screen = open_kitchen_screen(
        board=KitchenBoard(),
        url=kitchen_socket_url(device.server_url, device.tenant_slug, device.outlet_id, None),
        tokens=TokenKeeper(data_dir=data_dir, device=device),
        backoff=RetryPolicy(base_s=0.1, cap_s=0.5),
    )
    qtbot.addWidget(screen.window)
    screen.window.show()
    try:
        qtbot.waitUntil(lambda: screen.board.caught_up, timeout=15_000)
        assert not screen.window.banner.isVisible()
        yield screen, device.device_id
    finally:
        screen.client.stop()


def says_in_words(qtbot: QtBot, screen: KitchenScreen, reason: str) -> float:
    """Seconds until the banner says why the screen was refused; then no reconnect loop."""
    started = time.monotonic()
    words = f"{REVOKED_WORDS[reason]}."
    qtbot.waitUntil(
        lambda: screen.window.banner.isVisible() and screen.window.banner.text() == words,
        timeout=PUSHED_WITHIN_MS,
    )
    took = time.monotonic() - started
    assert "Offline" not in screen.window.banner.text()
    attempts = screen.client.attempts
    qtbot.wait(int(QUIET_S * 1000))
    assert screen.client.attempts == attempts, "a refused screen reconnects in a loop"
    assert screen.window.banner.text() == words  # still the push's words
    return took


def test_a_revoked_screen_learns_it_by_push_and_asks_to_be_paired_again(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with running_server() as server, paired_screen(qtbot, server, tmp_path) as (screen, device_id):
        connections = screen.client.connections
        revoked = httpx.patch(
            f"{server.base_url}/api/demo/terminals/{device_id}/",
            json={"status": "revoked"},
            headers=_owner_headers(server),
            timeout=30,
        )
        assert revoked.status_code == 200, revoked.text
        says_in_words(qtbot, screen, "revoked")
        assert screen.client.connections == connections  # told on the open socket


def test_a_suspended_business_turns_its_screen_off_in_words(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with running_server() as server, paired_screen(qtbot, server, tmp_path) as (screen, _):
        suspend_the_demo_business(server)
        says_in_words(qtbot, screen, "suspended")
