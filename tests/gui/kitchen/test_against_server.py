"""The kitchen app end to end: a real `kiosk-server` on PostgreSQL, `pair` with a code the
owner made, the Qt screen on its socket; a ticket appears, a touch bumps it, recall brings it
back, and after the server was down the reconnect shows exactly the tickets made meanwhile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_desktop.kitchen.app import KitchenScreen, open_kitchen_screen
from pos_desktop.kitchen.board import KitchenBoard, Thresholds
from pos_desktop.kitchen.client import kitchen_socket_url
from pos_desktop.kitchen.demo import demo_pairing_code
from pos_desktop.kitchen.pairing import TokenKeeper, fetch_outlet_settings, pair_kitchen
from pos_desktop.retry import RetryPolicy
from tests.support.keyring import MemoryKeyring
from tests.support.server_process import ServerProcess, running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]
REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    # Redis as in production: `kiosk-server kitchen_ticket` runs in its own process and nudges
    # the server's consumers through it.
    with running_server(extra_env={"REDIS_URL": REDIS_URL}) as running:
        yield running


def card_count(screen: KitchenScreen) -> int:
    return len(screen.window.grid.cards)


def test_pair_receive_bump_recall_and_refill_after_an_outage(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess, memory_keyring: MemoryKeyring
) -> None:
    device = pair_kitchen(
        data_dir=tmp_path, server_url=server.base_url, code=demo_pairing_code(server.base_url)
    )
    assert device.tenant_slug == "demo" and device.outlet_code == "main"
    tokens = TokenKeeper(data_dir=tmp_path, device=device)
    outlet = fetch_outlet_settings(device=device, tokens=tokens)
    assert outlet is not None and str(outlet.id) == device.outlet_id
    board = KitchenBoard(thresholds=Thresholds.from_outlet(outlet))
    screen = open_kitchen_screen(
        board=board,
        url=kitchen_socket_url(device.server_url, device.tenant_slug, device.outlet_id, None),
        tokens=tokens,
        backoff=RetryPolicy(base_s=0.1, cap_s=0.5),
    )
    qtbot.addWidget(screen.window)
    screen.window.show()
    try:
        qtbot.waitUntil(lambda: board.caught_up, timeout=10_000)
        server.manage("kitchen_ticket", "--station", "grill", "--table", "12")
        qtbot.waitUntil(lambda: card_count(screen) == 1, timeout=10_000)
        card = screen.window.grid.cards[0]
        assert "Table 12" in card.place_label.text() and screen.window.beeps == 1

        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
        assert card_count(screen) == 0
        qtbot.waitUntil(lambda: board.pending_actions() == [], timeout=10_000)
        qtbot.mouseClick(screen.window.recall_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
        qtbot.waitUntil(
            lambda: card_count(screen) == 1 and not board.pending_actions(), timeout=10_000
        )

        server.kill()
        qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=10_000)
        before = board.last_sequence
        server.manage("kitchen_ticket", "--station", "bar", "--count", "3")
        server.start()
        qtbot.waitUntil(lambda: card_count(screen) == 4, timeout=20_000)
        qtbot.waitUntil(lambda: not screen.window.banner.isVisible(), timeout=10_000)
        assert board.last_sequence == before + 3
        assert sorted(board.ticket(c.ticket_id).station for c in screen.window.grid.cards) == [
            "bar",
            "bar",
            "bar",
            "grill",
        ]
    finally:
        screen.client.stop()
