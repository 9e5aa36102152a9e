"""The headless CLI on an unpaired folder, and the background worker's online detection."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from pos_desktop.cli import main
from pos_desktop.config import SyncSettings
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN
from pos_desktop.services.simulate import simulate_sales
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.sync.engine import SyncState
from pos_desktop.terminal import Terminal
from shared.protocol import CatalogPageV1
from tests.desktop.conftest import MemoryKeyring
from tests.desktop.test_sync_engine import FakeCloud, _pair

STATUS_KEYS = {
    "online",
    "pending",
    "needs_attention",
    "last_sync",
    "catalog_version",
    "open_shift",
    "last_receipt_number",
}


def test_simulate_offline_then_status_json(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(tmp_path / "till")
    assert main(["--data-dir", data_dir, "simulate", "--orders", "12", "--seed", "4"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", data_dir, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert set(status) >= STATUS_KEYS
    assert status["online"] is False
    assert status["pending"] == 13  # 12 orders and the shift-opened event
    assert status["last_receipt_number"] == "DEMO-T1-000012"
    assert status["open_shift"]["state"] == "opened"
    assert status["catalog_version"] == 1
    # A second run continues the same shift and the receipt counter.
    assert main(["--data-dir", data_dir, "simulate", "--orders", "3", "--seed", "5"]) == 0
    capsys.readouterr()
    main(["--data-dir", data_dir, "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert status["last_receipt_number"] == "DEMO-T1-000015"
    assert status["pending"] == 16


def test_sync_on_an_unpaired_folder_says_so(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "sync", "--once"]) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1  # one clear sentence, no traceback, no JSON
    assert said[0].startswith(f"kiosk-pos: {tmp_path} is not paired with a server")
    assert "pair --server URL --code CODE" in said[0] and said[0].count("kiosk-pos:") == 1


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s")


def test_worker_drains_in_the_background_and_sees_the_link_within_five_seconds(
    terminal: Terminal,
) -> None:
    _pair(terminal)
    simulate_sales(terminal.uow, orders=5, seed=2, cashier_pin=DEMO_CASHIER_PIN)
    cloud = FakeCloud()
    cloud.catalog_pages = {
        "": CatalogPageV1(changes=(), next_cursor="", has_more=False, catalog_version=1)
    }
    settings = SyncSettings(probe_interval_s=0.5, probe_timeout_s=0.5)
    engine = terminal.sync_engine(settings=settings, transport=httpx.MockTransport(cloud))
    states: list[SyncState] = []
    engine.add_listener(states.append)
    engine.start()
    try:
        _wait_for(lambda: engine.state.pending == 0 and len(cloud.orders) == 5, 5.0)
        assert engine.state.online is True
        cloud.silent = True  # the server hangs: connections may open, nothing answers
        assert _wait_for(lambda: engine.state.online is False, 5.0) < 5.0
        cloud.silent = False
        assert _wait_for(lambda: engine.state.online is True, 5.0) < 5.0
    finally:
        engine.stop()
    assert any(s.online is False for s in states) and states[-1].online is True
    assert cloud.pings >= 1  # the light follows authenticated pings, not TCP connects


def test_manager_exports_and_retries_items_needing_attention(
    terminal: Terminal, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    simulate_sales(terminal.uow, orders=2, seed=9, cashier_pin=DEMO_CASHIER_PIN)
    with terminal.uow() as uow:
        uow.session.execute(
            update(SyncQueueItem).values(status="needs_attention", attempts=5, last_error="x")
        )
        uow.commit()
    data_dir = str(terminal.data_dir)
    target = tmp_path / "stuck.json"
    assert main(["--data-dir", data_dir, "attention", "--manager-pin", "1111", "--retry"]) == 1
    exit_code = main(
        ["--data-dir", data_dir, "attention", "--manager-pin", "9999", "--export", str(target)]
    )
    assert exit_code == 0
    assert len(json.loads(target.read_text())) == 3
    with terminal.uow() as uow:
        assert uow.outbox.counts().needs_attention == 3  # exporting keeps them
    assert main(["--data-dir", data_dir, "attention", "--manager-pin", "9999", "--retry"]) == 0
    with terminal.uow() as uow:
        assert (uow.outbox.counts().pending, uow.outbox.counts().needs_attention) == (3, 0)
