"""`make demo`'s set-up from an empty folder: server on SQLite, demo tenant, a paired till."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pos_desktop.demo import DEMO_FILE_KEYRING


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _demo_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(tmp_path / "home")  # the demo's file keyring lands here, not in ~
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / ".local" / "share")
    env.pop("PYTHON_KEYRING_BACKEND", None)
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


def _pair_demo(data_dir: Path, env: dict[str, str], port: int) -> None:
    command = [sys.executable, "-m", "pos_desktop.demo", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--pair-only"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]


def _till(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    finished = subprocess.run(
        [sys.executable, "-m", "pos_desktop.cli", "--data-dir", str(data_dir / "till"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, (args, finished.stdout[-3000:], finished.stderr[-3000:])
    return finished


def test_demo_pairs_a_till_with_the_catalog_from_an_empty_folder(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    data_dir = tmp_path / "demo"
    port = _free_port()
    for _ in range(2):  # the second run must reuse the first one's data and pairing
        _pair_demo(data_dir, env, port)

    figures = json.loads(_till(data_dir, env, "status", "--json").stdout)
    assert figures["paired"] is True
    assert figures["catalog_version"] > 0
    assert (data_dir / "server" / "kiosk.sqlite3").exists()
    # the demo business's drawn logo came with the catalog, so the till's slips print it
    with sqlite3.connect(data_dir / "till" / "terminal.sqlite3") as till_store:
        stored = dict(till_store.execute("SELECT key, value FROM settings").fetchall())
    named = json.loads(stored["tenant"])["receipt_logo_sha256"]
    kept = json.loads(stored["receipt_logo"])
    assert len(named) == 64 and kept["sha256"] == named
    assert hashlib.sha256(base64.b64decode(kept["png_base64"])).hexdigest() == named


def test_sales_of_the_demo_till_reach_the_demo_server_on_sqlite(tmp_path: Path) -> None:
    """The demo's server runs on SQLite: a backlog goes in as one batch there too."""
    env = _demo_env(tmp_path)
    data_dir = tmp_path / "demo"
    port = _free_port()
    _pair_demo(data_dir, env, port)
    env["PYTHON_KEYRING_BACKEND"] = DEMO_FILE_KEYRING  # where the demo put the till's tokens
    _till(data_dir, env, "simulate", "--orders", "30", "--seed", "7", "--cashier", "3333")
    serve = ["sync_server.demo", "--port", str(port), "--data-dir", str(data_dir / "server")]
    server = subprocess.Popen(
        [sys.executable, "-m", *serve],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    try:
        _wait_for(port, server)
        _till(data_dir, env, "sync", "--once")
        figures = json.loads(_till(data_dir, env, "status", "--json").stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert (figures["pending"], figures["needs_attention"]) == (0, 0), figures
    stored = sqlite3.connect(data_dir / "server" / "kiosk.sqlite3")
    # The till's own sales, not the weeks of history the demo server sold on its first run
    # (receipts OUTLET-HT1-...).
    till_orders = "SELECT id FROM orders_order WHERE receipt_number NOT LIKE '%-HT%'"
    try:
        (orders,) = stored.execute(f"SELECT count(*) FROM ({till_orders})").fetchone()
        (tickets,) = stored.execute(
            f"SELECT count(*) FROM kitchen_kitchenticket WHERE order_id IN ({till_orders})"
        ).fetchone()
        sequences = [
            row[0]
            for row in stored.execute(
                "SELECT sequence FROM kitchen_kitchenticket "
                f"WHERE order_id IN ({till_orders}) ORDER BY 1"
            )
        ]
    finally:
        stored.close()
    assert orders == 30
    assert tickets > 0 and sequences == list(range(sequences[0], sequences[0] + tickets))


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the demo server stopped with {server.returncode}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the demo server did not start within 60 s")
