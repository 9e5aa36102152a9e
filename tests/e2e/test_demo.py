"""`make demo`'s set-up from an empty folder: server on SQLite, demo tenant, a paired till."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_pairs_a_till_with_the_catalog_from_an_empty_folder(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["HOME"] = str(tmp_path / "home")  # the demo's file keyring lands here, not in ~
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / ".local" / "share")
    env.pop("PYTHON_KEYRING_BACKEND", None)
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"):
        env.pop(name, None)
    data_dir = tmp_path / "demo"
    command = [sys.executable, "-m", "pos_desktop.demo", "--data-dir", str(data_dir)]
    command += ["--port", str(_free_port()), "--pair-only"]

    for _ in range(2):  # the second run must reuse the first one's data and pairing
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
        assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]

    till = ["--data-dir", str(data_dir / "till")]
    status = subprocess.run(
        [sys.executable, "-m", "pos_desktop.cli", *till, "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    figures = json.loads(status.stdout)
    assert figures["paired"] is True
    assert figures["catalog_version"] > 0
    assert (data_dir / "server" / "kiosk.sqlite3").exists()
