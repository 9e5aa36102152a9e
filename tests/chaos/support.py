"""End-to-end helpers: a real kiosk-server, paired `kiosk-pos` processes, what each holds."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.support import pg
from tests.support.server_process import REPO_ROOT, ServerProcess

OWNER = ("demo.owner", "kiosk-demo")
TENANT = "demo"
CASHIER_PIN = "3333"  # demo.cashier of outlet "main" in the server's seed


def cli_env(home: Path) -> dict[str, str]:
    """A kiosk-pos environment with a file keyring (explicit opt-in) inside the test folder."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["XDG_DATA_HOME"] = str(home / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cli_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pos_desktop.cli", "--data-dir", str(data_dir), *args]


def run_cli(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `kiosk-pos` to completion; the output is kept for assertion messages."""
    return subprocess.run(
        cli_command(data_dir, *args),
        cwd=REPO_ROOT,
        env=cli_env(data_dir.parent),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start `kiosk-pos` in the background (to kill it at a random moment)."""
    return subprocess.Popen(
        cli_command(data_dir, *args),
        cwd=REPO_ROOT,
        env=cli_env(data_dir.parent),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def sigkill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def status(data_dir: Path) -> dict[str, Any]:
    done = run_cli(data_dir, "status", "--json", timeout=60)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@dataclass
class Cloud:
    """The owner's view of a running kiosk-server: terminals, pairing codes, stored orders."""

    server: ServerProcess

    def _owner_headers(self) -> dict[str, str]:
        answer = httpx.post(
            f"{self.server.base_url}/api/auth/token/",
            json={"username": OWNER[0], "password": OWNER[1]},
            timeout=30,
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access']}"}

    def new_terminal_code(self, outlet_code: str = "main") -> str:
        """Register a fresh till in an outlet (`main`) and issue its one-time pairing code."""
        headers = self._owner_headers()
        base = f"{self.server.base_url}/api/{TENANT}"
        outlets = httpx.get(f"{base}/outlets/", headers=headers, timeout=30).json()
        rows = outlets["results"] if isinstance(outlets, dict) else outlets
        main = next(row for row in rows if row["code"] == outlet_code)
        code = "e2e" + secrets.token_hex(3)
        created = httpx.post(
            f"{base}/terminals/",
            headers=headers,
            json={"outlet": main["id"], "code": code, "name": f"E2E till {code}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        issued = httpx.post(
            f"{base}/terminals/{created.json()['id']}/pairing-code/", headers=headers, timeout=30
        )
        assert issued.status_code == 201, issued.text
        return str(issued.json()["code"])

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of the server's database as its owner reads them (no tenant, no RLS)."""
        admin_url = f"postgresql://postgres@{pg.HOST_PORT}/{self.server.database.name}"
        with psycopg.connect(admin_url) as connection:
            return list(connection.execute(sql, params).fetchall())

    def order_ids(self, terminal_id: str) -> list[str]:
        """Every order id the server stored for one terminal (duplicates would show twice)."""
        rows = self.query("SELECT id::text FROM orders_order WHERE terminal_id = %s", terminal_id)
        return [str(row[0]) for row in rows]


def pair(cloud: Cloud, data_dir: Path, server_url: str | None = None) -> str:
    """Pair a fresh data folder (optionally through a proxy URL); returns the terminal id."""
    code = cloud.new_terminal_code()
    done = run_cli(
        data_dir, "pair", "--server", server_url or cloud.server.base_url, "--code", code
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(data_dir / "terminal.sqlite3") as connection:
        (value,) = connection.execute(
            "SELECT value FROM settings WHERE key = 'terminal'"
        ).fetchone()
    return str(json.loads(value)["terminal_id"])


def local_order_ids(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "terminal.sqlite3") as connection:
        return [row[0] for row in connection.execute("SELECT id FROM orders")]


def integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "terminal.sqlite3") as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def wait_until(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def simulate(till: Path, orders: int, seed: int) -> None:
    """Ring up `orders` sales offline through the services (`kiosk-pos simulate`)."""
    done = run_cli(
        till, "simulate", "--orders", str(orders), "--seed", str(seed), "--cashier", CASHIER_PIN
    )
    assert done.returncode == 0, done.stdout + done.stderr


def drain(till: Path, timeout_s: int = 180, *extra: str) -> None:
    """`kiosk-pos sync --until-empty`, which must succeed."""
    done = run_cli(
        till, "sync", "--until-empty", "--timeout", str(timeout_s), *extra, timeout=timeout_s + 60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def assert_same_orders_once(cloud: Cloud, till: Path, terminal_id: str, expected: int) -> None:
    """Every local order is on the server exactly once, and nothing is left to send."""
    local = local_order_ids(till)
    remote = cloud.order_ids(terminal_id)
    assert len(local) == expected
    doubled = [order_id for order_id, n in Counter(remote).items() if n > 1]
    assert doubled == []
    assert set(remote) == set(local)
    left = status(till)
    assert (left["pending"], left["needs_attention"]) == (0, 0)
