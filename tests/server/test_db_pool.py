"""A server process never holds more PostgreSQL connections than KIOSK_DB_POOL_MAX, however many
requests run at once and for however long (the review saw 26 to 39 from one sequential client).

Bounded in `make test` (20 s of load); `make fuzz` sets KIOSK_FUZZ_SECONDS for a long soak.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.support import pg
from tests.support.server_process import ServerProcess, running_server

POOL_MAX = 4
CLIENTS = 16
LOAD_SECONDS = float(os.environ.get("KIOSK_FUZZ_SECONDS") or 20)

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("KIOSK_TEST_DB", "postgres") != "postgres", reason="needs PostgreSQL"
    ),
    pytest.mark.timeout(int(LOAD_SECONDS) + 240),
]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server(extra_env={"KIOSK_DB_POOL_MAX": str(POOL_MAX)}) as running:
        yield running


def _app_connections(database: str) -> int:
    admin = f"postgresql://postgres@{pg.HOST_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
            (database, pg.APP_ROLE),
        ).fetchone()
    return int(row[0]) if row else 0


def _token(server: ServerProcess) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": "demo.owner", "password": "kiosk-demo"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access"])


def test_concurrent_requests_stay_within_the_pool_bound(server: ServerProcess) -> None:
    token = _token(server)
    stop = threading.Event()
    answered: list[int] = []
    failures: list[str] = []

    def client() -> None:
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            paths = ("/api/demo/products/", "/api/demo/customers/", "/api/demo/settings/")
            turn = 0
            while not stop.is_set():
                answer = http.get(paths[turn % len(paths)])
                turn += 1
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                answered.append(answer.status_code)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    highest = 0
    deadline = time.monotonic() + LOAD_SECONDS
    while time.monotonic() < deadline:
        highest = max(highest, _app_connections(server.database.name))
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    assert not failures, failures[:3]
    assert len(answered) > CLIENTS * 5, "the load did not run"
    assert 1 <= highest <= POOL_MAX, f"{highest} connections for a pool of {POOL_MAX}"
    # Idle again: still within the bound, never growing back past it.
    assert _app_connections(server.database.name) <= POOL_MAX
