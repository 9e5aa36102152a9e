"""A kitchen screen the owner revoked, against a real kiosk-server: it says in words that it
must be paired again (red banner), instead of a technical `offline: ...` reason."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pos_desktop.kitchen.app import open_kitchen_screen
from pos_desktop.kitchen.board import KitchenBoard
from pos_desktop.kitchen.client import kitchen_socket_url
from pos_desktop.kitchen.demo import DEMO_OWNER, DEMO_PASSWORD, demo_pairing_code
from pos_desktop.kitchen.pairing import TokenKeeper, pair_kitchen
from pos_desktop.retry import RetryPolicy
from tests.support.keyring import MemoryKeyring
from tests.support.server_process import running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(240)]


def test_a_revoked_screen_asks_to_be_paired_again(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with running_server() as server:
        device = pair_kitchen(
            data_dir=tmp_path, server_url=server.base_url, code=demo_pairing_code(server.base_url)
        )
        board = KitchenBoard()
        screen = open_kitchen_screen(
            board=board,
            url=kitchen_socket_url(device.server_url, device.tenant_slug, device.outlet_id, None),
            tokens=TokenKeeper(data_dir=tmp_path, device=device),
            backoff=RetryPolicy(base_s=0.1, cap_s=0.5),
        )
        qtbot.addWidget(screen.window)
        screen.window.show()
        try:
            qtbot.waitUntil(lambda: board.caught_up, timeout=15_000)
            assert not screen.window.banner.isVisible()
            login = httpx.post(
                f"{server.base_url}/api/auth/token/",
                json={"username": DEMO_OWNER, "password": DEMO_PASSWORD},
                timeout=30,
            ).json()
            revoked = httpx.patch(
                f"{server.base_url}/api/demo/terminals/{device.device_id}/",
                json={"status": "revoked"},
                headers={"Authorization": f"Bearer {login['access']}"},
                timeout=30,
            )
            assert revoked.status_code == 200, revoked.text
            server.restart()  # the open socket ends; the screen reconnects with its token
            qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=20_000)
            qtbot.waitUntil(
                lambda: (
                    screen.window.banner.text()
                    == "This kitchen screen is no longer authorised: pair it again."
                ),
                timeout=20_000,
            )
            assert "Error" not in screen.window.banner.text()
        finally:
            screen.client.stop()
