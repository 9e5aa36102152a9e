"""The status strip tells the truth about a till paired to a real kiosk-server (demo tenant).

A server that hangs (SIGSTOP: its port still accepts connections, nothing answers) turns the
light off within 10 s while the sale waits in the queue; SIGCONT brings it back and the sale
goes up. A till the owner revoked shows the red "pair it again" state, never a green light.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from tests.chaos.support import CASHIER_PIN, OWNER, TENANT, Cloud
from tests.gui.conftest import Driver
from tests.gui.kitchen.conftest import memory_keyring  # noqa: F401  (a fixture)
from tests.support.server_process import ServerProcess, running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]
SYNC_WAIT_MS = 30_000
HUNG_SERVER_LIMIT_S = 10.0


def _link(window: MainWindow) -> str:
    return str(window.online_label.property("linkState"))


def _signal_server(server: ServerProcess, signum: int) -> None:
    assert server.process is not None
    os.killpg(server.process.pid, signum)  # the whole group: workers hang with their parent


def _as_owner(server: ServerProcess) -> dict[str, str]:
    login = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": OWNER[0], "password": OWNER[1]},
        timeout=30,
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access']}"}


def _set_status(server: ServerProcess, terminal_id: str, status: str) -> None:
    """What the owner does in the back office: revoke the till, or take it back into use."""
    answer = httpx.patch(
        f"{server.base_url}/api/{TENANT}/terminals/{terminal_id}/",
        json={"status": status},
        headers=_as_owner(server),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def _new_code(server: ServerProcess, terminal_id: str) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/{TENANT}/terminals/{terminal_id}/pairing-code/",
        headers=_as_owner(server),
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


@pytest.mark.usefixtures("memory_keyring")  # the device's tokens: an in-memory keyring
def test_a_hung_server_turns_the_light_off_and_a_revoked_till_must_pair_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_server() as server:
        till = TerminalTill.open(tmp_path / "till", start_printing=False)
        window = MainWindow(till, language=Language(), status_poll_ms=200)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        driver = Driver(qtbot, window)
        stopped = False
        try:
            driver.type("pairing_server", server.base_url)
            driver.type("pairing_code", Cloud(server).new_terminal_code())
            driver.tap("pairing_go")
            qtbot.waitUntil(lambda: driver.current() is window.login, timeout=SYNC_WAIT_MS)
            driver.sign_in(CASHIER_PIN)
            driver.keypad("shiftOpen_keypad", "100000")
            plain = next(p for p in window.sell.products.shown() if not p.has_modifiers)
            driver.tile(plain.name)
            driver.pay_exact_cash()
            qtbot.waitUntil(
                lambda: _link(window) == "online" and window.sync_status.pending == 0,
                timeout=SYNC_WAIT_MS,
            )
            assert window.online_label.text() == "● Online"

            _signal_server(server, signal.SIGSTOP)
            stopped = True
            hung_at = time.monotonic()
            qtbot.waitUntil(
                lambda: _link(window) == "offline", timeout=int(HUNG_SERVER_LIMIT_S * 1000)
            )
            went_offline_s = time.monotonic() - hung_at
            print(f"hung server: light off after {went_offline_s:.1f} s")
            assert went_offline_s < HUNG_SERVER_LIMIT_S
            assert window.online_label.text() == "● Offline"
            assert window.offline_banner.isVisible()
            driver.tile(plain.name)
            driver.pay_exact_cash()  # the sale is kept and waits in the queue
            qtbot.waitUntil(lambda: window.sync_status.pending >= 1, timeout=5_000)
            assert _link(window) == "offline"

            _signal_server(server, signal.SIGCONT)
            stopped = False
            qtbot.waitUntil(lambda: _link(window) == "online", timeout=SYNC_WAIT_MS)
            qtbot.waitUntil(lambda: window.sync_status.pending == 0, timeout=SYNC_WAIT_MS * 2)
            assert not window.offline_banner.isVisible()

            identity = till.terminal.identity()
            assert identity is not None
            _set_status(server, str(identity.terminal_id), "revoked")
            qtbot.waitUntil(lambda: _link(window) == "unauthorised", timeout=SYNC_WAIT_MS)
            refused = "This till is no longer authorised: pair it again"
            assert window.online_label.text() == f"● {refused}"
            assert "#cf222e" in window.online_label.styleSheet()  # red, never the green light
            assert window.offline_banner.isVisible()
            assert window.offline_text.text() == refused
            assert window.pair_again_button.isVisible()

            # The owner takes the till back into use; a manager pairs it again from the strip.
            _set_status(server, str(identity.terminal_id), "active")
            code = _new_code(server, str(identity.terminal_id))
            driver.tap("status_pairAgain")
            assert driver.current() is window.pairing
            assert window.pairing.server_edit.text() == server.base_url
            driver.type("pairing_code", code)
            driver.tap("pairing_go")
            qtbot.waitUntil(lambda: _link(window) == "online", timeout=SYNC_WAIT_MS)
            assert not window.pair_again_button.isVisible()
        finally:
            if stopped:
                _signal_server(server, signal.SIGCONT)
            window.shutdown()
            till.close()
