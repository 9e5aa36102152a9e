"""The server's database goes away in the middle of a push: no sale lost, none doubled, and
none flagged for a manager (the outage is the server's trouble, not the orders').

A real `kiosk-server` whose PostgreSQL connection runs through a TCP relay that is cut
while a terminal drains its backlog, then restored. Bounded: 300 orders, timeouts on waits.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chaos.support import (
    Cloud,
    assert_same_orders_once,
    pair,
    sigkill,
    simulate,
    start_cli,
    status,
    wait_until,
)
from tests.support import pg
from tests.support.server_process import ServerProcess, free_port
from tests.support.tcp_proxy import TcpCutProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def cloud_behind_a_relay() -> Iterator[tuple[Cloud, TcpCutProxy]]:
    """A kiosk-server that reaches PostgreSQL only through a relay the test can cut."""
    host, port = pg.HOST_PORT.rsplit(":", 1)
    database = pg.create_database(pg.unique_database_name("kiosk_outage"))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-outage-"))
    with TcpCutProxy((host, int(port))) as relay:
        relayed_url = database.app_url.replace(pg.HOST_PORT, f"127.0.0.1:{relay.port}")
        server = ServerProcess(
            database=database,
            data_dir=data_dir,
            port=free_port(),
            extra_env={"DATABASE_URL": relayed_url},
        )
        try:
            server.manage("migrate", "--verbosity", "0")
            server.manage("seed_demo")
            server.start()
            yield Cloud(server), relay
        finally:
            server.kill()
            pg.drop_database(database.name)
            shutil.rmtree(data_dir, ignore_errors=True)


def _most_attempts(till: Path) -> int:
    with sqlite3.connect(till / "terminal.sqlite3") as connection:
        (most,) = connection.execute("SELECT coalesce(max(attempts), 0) FROM sync_queue").fetchone()
    return int(most)


def test_a_database_outage_mid_push_loses_doubles_and_flags_nothing(
    cloud_behind_a_relay: tuple[Cloud, TcpCutProxy], tmp_path: Path
) -> None:
    cloud, relay = cloud_behind_a_relay
    till = tmp_path / "till"
    terminal_id = pair(cloud, till)
    simulate(till, 300, seed=11)
    syncing = start_cli(till, "sync", "--until-empty", "--timeout", "240", "--batch-size", "20")
    try:
        wait_until(lambda: len(cloud.order_ids(terminal_id)) >= 20, 60, "the push started")
        relay.cut()
        arrived_before = len(cloud.order_ids(terminal_id))  # read around the relay
        assert arrived_before < 300, "the outage must land mid-push"
        wait_until(lambda: relay.refused >= 2, 60, "the server tried the database while cut")
        # Whether the till's next push lands inside the cut depends on its backoff; a request
        # of our own does, so the 503 contract is checked every run.
        answer = httpx.post(
            f"{cloud.server.base_url}/api/auth/token/",
            json={"username": "demo.owner", "password": "wrong"},
            timeout=30,
        )
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "database_unavailable"
        assert answer.headers["Retry-After"]
        time.sleep(1.0)
        during = status(till)
        assert during["needs_attention"] == 0, during
        assert _most_attempts(till) == 0  # the link backed off; no sale counted a failure
        relay.restore()
        assert syncing.wait(timeout=240) == 0
    finally:
        sigkill(syncing)
        relay.restore()
    assert_same_orders_once(cloud, till, terminal_id, 300)
    log = cloud.server.log_path.read_text(errors="replace")
    assert "database unavailable" in log  # answered 503 while cut, not 500 or a refusal
