"""`kiosk-pos` and `kiosk-kitchen` against a real kiosk-server with the demo tenant: a code for
the other app is refused by name (and stays usable), a paired till simulates as a cashier of
its outlet in rupiah, and `status` reads the link from an authenticated ping."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_desktop.cli import main as kiosk_pos
from pos_desktop.kitchen.cli import main as kiosk_kitchen
from pos_desktop.kitchen.demo import demo_pairing_code
from pos_desktop.store.db import DB_FILENAME
from tests.desktop.conftest import MemoryKeyring
from tests.support.server_process import ServerProcess, running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as running:
        yield running


def _said(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_each_app_refuses_the_other_apps_code_by_name(
    server: ServerProcess,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kitchen_code = demo_pairing_code(server.base_url, screen_code="k1")
    till_dir, kitchen_dir = str(tmp_path / "till"), str(tmp_path / "kitchen")
    pair_till = ["--data-dir", till_dir, "pair", "--server", server.base_url, "--code"]
    assert kiosk_pos([*pair_till, kitchen_code]) == 1
    _, err = _said(capsys)
    assert err.strip() == (
        "kiosk-pos: pairing refused: this code is for a kitchen screen: "
        "pair it with the kitchen app (kiosk-kitchen pair)"
    )
    till_code = demo_pairing_code(server.base_url, screen_code="t1")
    pair_screen = ["--data-dir", kitchen_dir, "pair", "--server", server.base_url, "--code"]
    assert kiosk_kitchen([*pair_screen, till_code]) == 1
    _, err = _said(capsys)
    assert err.strip() == (
        "kiosk-kitchen: pairing refused: this code is for a till: "
        "pair it with the cashier app (kiosk-pos pair)"
    )
    # Neither refusal spent its code: each pairs the app it was made for.
    assert kiosk_kitchen([*pair_screen, kitchen_code]) == 0
    assert kiosk_pos([*pair_till, till_code]) == 0


def test_a_paired_till_simulates_as_an_outlet_cashier_and_reports_its_link(
    server: ServerProcess,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    till_dir = str(tmp_path / "till")
    code = demo_pairing_code(server.base_url, screen_code="t1")
    assert (
        kiosk_pos(["--data-dir", till_dir, "pair", "--server", server.base_url, "--code", code])
        == 0
    )
    _said(capsys)
    assert kiosk_pos(["--data-dir", till_dir, "simulate", "--orders", "3", "--seed", "2"]) == 0
    out, _ = _said(capsys)
    summary = out.strip().splitlines()[-1]
    assert re.match(r"^3 orders, Rp\s?\d{1,3}(\.\d{3})+, receipts MAIN-T1-000001 ", summary), (
        summary
    )
    with sqlite3.connect(Path(till_dir) / DB_FILENAME) as store:
        rung_up_by = store.execute(
            "SELECT DISTINCT c.username, c.role FROM orders o"
            " JOIN cashiers c ON c.id = o.cashier_id"
        ).fetchall()
    assert rung_up_by == [("demo.cashier", "cashier")]  # the cashier of outlet `main`

    assert kiosk_pos(["--data-dir", till_dir, "status", "--json"]) == 0
    document = json.loads(_said(capsys)[0])
    assert document["online"] is True and document["authorized"] is True
    assert document["pending"] == 4  # three sales and the shift-opened event
    assert kiosk_pos(["--data-dir", till_dir, "status"]) == 0
    table = _said(capsys)[0]
    assert re.search(r"^Link\s+online$", table, re.MULTILINE), table
    assert re.search(r"^Till\s+t1 of outlet main \(tenant demo\)$", table, re.MULTILINE), table
