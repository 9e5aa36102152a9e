"""A real `kiosk-server`: `/healthz` and `/readyz` while PostgreSQL or Redis is cut or silent,
and the request log (JSON) naming tenant, user or device and status without any secret."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.chaos.support import OWNER, Cloud
from tests.support import pg
from tests.support.server_process import ServerProcess, running_server
from tests.support.tcp_proxy import TcpCutProxy

REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _redis_address() -> tuple[str, int]:
    hostport = REDIS_URL.split("//", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    return host, int(port)


@pytest.fixture
def relayed_server() -> Iterator[tuple[ServerProcess, TcpCutProxy, TcpCutProxy]]:
    """A server that reaches PostgreSQL and Redis only through relays the test can cut."""
    host, port = pg.HOST_PORT.rsplit(":", 1)
    with (
        TcpCutProxy((host, int(port))) as database_relay,
        TcpCutProxy(_redis_address()) as redis_relay,
    ):
        env = {
            "REDIS_URL": f"redis://127.0.0.1:{redis_relay.port}/0",
            "KIOSK_LOG_FORMAT": "json",
        }
        with running_server(extra_env=env) as server:
            server.env["DATABASE_URL"] = server.database.app_url.replace(
                pg.HOST_PORT, f"127.0.0.1:{database_relay.port}"
            )
            server.restart()
            yield server, database_relay, redis_relay


def _probe(server: ServerProcess, path: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    answer = httpx.get(f"{server.base_url}{path}", timeout=10)
    return answer.status_code, answer.json(), time.monotonic() - started


def _ready_again(server: ServerProcess) -> int:
    """The status of /readyz once it is 200, or after 15 s of trying."""
    deadline = time.monotonic() + 15
    while True:
        status, _, _ = _probe(server, "/readyz")
        if status == 200 or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def test_readyz_is_503_within_2s_while_postgres_or_redis_is_cut(
    relayed_server: tuple[ServerProcess, TcpCutProxy, TcpCutProxy],
) -> None:
    server, database_relay, redis_relay = relayed_server
    assert _ready_again(server) == 200

    database_relay.cut()
    for _ in range(3):
        status, body, seconds = _probe(server, "/readyz")
        assert status == 503 and seconds < 2.0, (status, body, seconds)
        assert body["checks"]["database"] != "ok" and body["checks"]["channel_layer"] == "ok"
    healthz = _probe(server, "/healthz")
    assert healthz[0] == 200 and healthz[2] < 2.0  # alive: no restart for a database outage
    assert database_relay.refused >= 1  # the probe really went to the database
    database_relay.restore()
    assert _ready_again(server) == 200

    redis_relay.cut()
    for _ in range(3):
        status, body, seconds = _probe(server, "/readyz")
        assert status == 503 and seconds < 2.0, (status, body, seconds)
        assert body["checks"] == {"database": "ok", "channel_layer": "unavailable"}
    assert _probe(server, "/healthz")[0] == 200
    redis_relay.restore()
    assert _ready_again(server) == 200


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word (a hung host)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_readyz_does_not_hang_on_a_silent_postgres_or_redis(silent_listener: int) -> None:
    silent = f"127.0.0.1:{silent_listener}"
    with running_server(extra_env={"REDIS_URL": f"redis://{silent}/0"}) as server:
        for _ in range(3):
            status, body, seconds = _probe(server, "/readyz")
            assert status == 503 and seconds < 2.0, (status, body, seconds)
            assert body["checks"] == {"database": "ok", "channel_layer": "timeout"}

        server.env["DATABASE_URL"] = server.database.app_url.replace(pg.HOST_PORT, silent)
        server.env["REDIS_URL"] = REDIS_URL
        server.restart()
        for _ in range(3):
            status, body, seconds = _probe(server, "/readyz")
            assert status == 503 and seconds < 2.0, (status, body, seconds)
            assert body["checks"] == {"database": "timeout", "channel_layer": "ok"}
        assert _probe(server, "/healthz")[0] == 200


def _log_lines(log_path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in log_path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def test_one_json_line_per_request_names_who_and_never_a_secret(
    relayed_server: tuple[ServerProcess, TcpCutProxy, TcpCutProxy],
) -> None:
    server, _, _ = relayed_server
    login = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": OWNER[0], "password": OWNER[1]},
        timeout=30,
    )
    assert login.status_code == 200
    access, refresh = login.json()["access"], login.json()["refresh"]
    owner = {"Authorization": f"Bearer {access}"}
    products = httpx.get(
        f"{server.base_url}/api/demo/products/?token={access}", headers=owner, timeout=30
    )
    assert products.status_code == 200

    code = Cloud(server).new_terminal_code()
    paired = httpx.post(f"{server.base_url}/api/pair/", json={"code": code}, timeout=30)
    assert paired.status_code == 200, paired.text
    device = paired.json()
    feed = httpx.get(
        f"{server.base_url}/api/demo/sync/catalog/",
        headers={"Authorization": f"Bearer {device['access']}"},
        timeout=30,
    )
    assert feed.status_code == 200, feed.text
    socket_path = f"/ws/demo/kitchen/{uuid.uuid4()}/"
    socket_url = server.base_url.replace("http", "ws") + socket_path
    with pytest.raises(InvalidStatus):
        connect(f"{socket_url}?station=grill&token={device['refresh']}", open_timeout=10)
    kitchen = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": "demo.kitchen", "password": OWNER[1]},
        timeout=30,
    ).json()["access"]
    outlets = httpx.get(f"{server.base_url}/api/demo/outlets/", headers=owner, timeout=30)
    main = next(row["id"] for row in outlets.json()["results"] if row["code"] == "main")
    kitchen_path = f"/ws/demo/kitchen/{main}/"
    base = server.base_url.replace("http", "ws")
    with connect(
        f"{base}{kitchen_path}", additional_headers={"Authorization": f"Bearer {kitchen}"}
    ):
        pass
    time.sleep(0.5)  # a socket's line is written when its session ends

    text = server.log_path.read_text(errors="replace")
    for secret in (access, refresh, device["access"], device["refresh"], OWNER[1], code, kitchen):
        assert secret not in text
    lines = [line for line in _log_lines(server.log_path) if line["logger"] == "kiosk.request"]
    by_path = {(line["method"], line["path"]): line for line in lines}
    listed = by_path[("GET", "/api/demo/products/")]
    assert (listed["tenant"], listed["user"], listed["status"]) == ("demo", "demo.owner", 200)
    assert isinstance(listed["duration_ms"], float)
    fed = by_path[("GET", "/api/demo/sync/catalog/")]
    assert fed["device"] == f"{device['device_kind']}:{device['terminal_code']}"
    assert fed["tenant"] == "demo"
    refused = by_path[("WS", socket_path)]
    assert refused["status"] == 403 and refused["tenant"] == "demo"
    assert refused["user"] is None and refused["device"] is None
    accepted = by_path[("WS", kitchen_path)]
    kitchen_claims = json.loads(base64.urlsafe_b64decode(kitchen.split(".")[1] + "=="))
    assert accepted["status"] == 101 and accepted["tenant"] == "demo"
    assert accepted["user"] == kitchen_claims["user_id"]
    assert by_path[("POST", "/api/auth/token/")]["status"] == 200
    assert sum(1 for line in lines if line["path"] == "/api/demo/products/") == 1
