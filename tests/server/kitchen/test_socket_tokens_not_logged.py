"""On a real server process: the kitchen screen's socket carries its token in a header, a
browser-style client a single-use ticket, and no token reaches the server's log."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from pos_desktop.kitchen.client import kitchen_socket_url
from shared.protocol import KitchenHelloV1
from tests.support.server_process import ServerProcess, running_server

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("KIOSK_TEST_DB", "postgres") != "postgres", reason="needs PostgreSQL"
    ),
    pytest.mark.timeout(180),
]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as running:
        yield running


def test_sockets_open_without_a_token_in_the_url_and_no_token_is_logged(
    server: ServerProcess,
) -> None:
    login = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": "demo.kitchen", "password": "kiosk-demo"},
        timeout=30,
    ).json()
    access, refresh = login["access"], login["refresh"]
    headers = {"Authorization": f"Bearer {access}"}
    outlets = httpx.get(f"{server.base_url}/api/demo/outlets/", headers=headers).json()
    outlet_id = next(row["id"] for row in outlets["results"] if row["code"] == "main")
    url = kitchen_socket_url(server.base_url, "demo", outlet_id, "grill")
    assert access not in url

    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        socket.send(KitchenHelloV1().model_dump_json())
        assert '"caught_up"' in str(socket.recv(timeout=10))

    ticket = httpx.post(f"{server.base_url}/api/demo/kitchen/socket-ticket/", headers=headers)
    assert ticket.status_code == 201, ticket.text
    with connect(f"{url}&ticket={ticket.json()['ticket']}", open_timeout=10) as socket:
        socket.send(KitchenHelloV1().model_dump_json())
        assert '"caught_up"' in str(socket.recv(timeout=10))
    with pytest.raises(InvalidStatus):
        connect(f"{url}&token={access}", open_timeout=10)

    renewed = httpx.post(
        f"{server.base_url}/api/auth/token/refresh/", json={"refresh": refresh}, timeout=30
    )
    assert renewed.status_code == 200
    log = server.log_path.read_text(errors="replace")
    assert "WebSocket" in log or "WS " in log  # the sockets were logged ...
    for secret in (access, refresh, renewed.json()["access"], renewed.json()["refresh"]):
        assert secret not in log  # ... and no token with them
