"""The cashier app against a real kiosk-server: pair, sell, lose the server, sell, get it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pos_desktop.store.models import SyncQueueItem
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from tests.chaos.support import CASHIER_PIN, Cloud
from tests.gui.conftest import Driver
from tests.gui.kitchen.conftest import memory_keyring  # noqa: F401  (a fixture)
from tests.support.server_process import running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SYNC_WAIT_MS = 30_000


def _outbox(till: TerminalTill) -> int:
    with till.terminal.uow() as uow:
        return len(uow.session.scalars(select(SyncQueueItem)).all())


def _wait_synced(qtbot: QtBot, window: MainWindow, till: TerminalTill) -> None:
    """The store's outbox drains first; the status strip follows on its next poll."""
    qtbot.waitUntil(lambda: _outbox(till) == 0, timeout=SYNC_WAIT_MS)
    qtbot.waitUntil(
        lambda: window.sync_status.online and window.sync_status.pending == 0, timeout=5_000
    )
    assert not window.offline_banner.isVisible()
    assert window.pending_label.text() == "0 waiting to sync"


@pytest.mark.usefixtures("memory_keyring")  # the device's tokens: an in-memory keyring
def test_pair_sell_offline_banner_and_pending_drain(qtbot: QtBot, tmp_path: Path) -> None:
    with running_server() as server:
        cloud = Cloud(server)
        till = TerminalTill.open(tmp_path / "till", start_printing=False)
        window = MainWindow(till, language=Language(), status_poll_ms=200)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        driver = Driver(qtbot, window)
        try:
            driver.pair(server.base_url, cloud.new_terminal_code())
            assert window.sell.products.rowCount() > 0  # the first catalog download landed

            driver.sign_in(CASHIER_PIN)
            driver.keypad("shiftOpen_keypad", "100000")
            plain = next(p for p in window.sell.products.shown() if not p.has_modifiers)
            driver.tile(plain.name)
            driver.pay_exact_cash()
            _wait_synced(qtbot, window, till)

            server.stop()
            qtbot.waitUntil(lambda: window.offline_banner.isVisible(), timeout=SYNC_WAIT_MS)
            driver.tile(plain.name)
            driver.pay_exact_cash()  # selling goes on offline
            qtbot.waitUntil(lambda: window.sync_status.pending >= 1, timeout=5_000)
            assert window.pending_label.text() == f"{window.sync_status.pending} waiting to sync"

            server.start()
            _wait_synced(qtbot, window, till)
        finally:
            window.shutdown()
            till.close()
