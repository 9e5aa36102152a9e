"""Two real `kiosk-server` processes sharing PostgreSQL and Redis: a ticket committed through
one reaches a kitchen screen connected to the other, and the screen's own client (the one
`kiosk-kitchen` runs) bumps, recalls and reconnects without losing or doubling a ticket."""

from __future__ import annotations

import os
import queue
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from pos_desktop.kitchen.client import KitchenSocketClient, kitchen_socket_url
from pos_desktop.retry import RetryPolicy
from shared.protocol import (
    KitchenActionV1,
    KitchenCaughtUpV1,
    KitchenServerMessageV1,
    KitchenTicketMessageV1,
)
from sync_server.demo_data import DEMO_PASSWORD
from tests.support.server_process import ServerProcess, another_node, running_server

REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        os.environ.get("KIOSK_TEST_DB", "postgres") != "postgres", reason="needs PostgreSQL"
    ),
]


class Screen:
    """A kitchen screen without Qt: the real socket client, messages into a queue."""

    def __init__(self, url: str, token: str, last_sequence: int = 0) -> None:
        self.messages: queue.Queue[KitchenServerMessageV1] = queue.Queue()
        self.last_sequence = last_sequence
        self.pending: list[KitchenActionV1] = []
        self.client = KitchenSocketClient(
            url=url,
            access_token=lambda: token,
            refresh_token=lambda: None,
            last_sequence=lambda: self.last_sequence,
            pending_actions=lambda: list(self.pending),
            on_message=self._received,
            on_online=lambda online, reason: None,
            backoff=RetryPolicy(base_s=0.05, cap_s=0.5),
        )
        self.client.start()

    def _received(self, message: KitchenServerMessageV1) -> None:
        if isinstance(message, KitchenTicketMessageV1):
            self.last_sequence = max(self.last_sequence, message.ticket.sequence)
        self.messages.put(message)

    def next(self, timeout: float = 10) -> KitchenServerMessageV1:
        return self.messages.get(timeout=timeout)

    def tickets_until_caught_up(self) -> list[KitchenTicketMessageV1]:
        found = []
        while not isinstance(message := self.next(), KitchenCaughtUpV1):
            assert isinstance(message, KitchenTicketMessageV1)
            found.append(message)
        return found

    def next_ticket(self) -> KitchenTicketMessageV1:
        while True:
            message = self.next()
            if isinstance(message, KitchenTicketMessageV1):
                return message


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env = {"REDIS_URL": REDIS_URL}
    with running_server(extra_env=env) as first, another_node(first) as second:
        yield first, second


def kitchen_login(server: ServerProcess) -> tuple[str, str]:
    """(access token of demo.kitchen, id of outlet `main`)."""
    token = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": "demo.kitchen", "password": DEMO_PASSWORD},
    ).json()["access"]
    outlets = httpx.get(
        f"{server.base_url}/api/demo/outlets/", headers={"Authorization": f"Bearer {token}"}
    ).json()["results"]
    return token, next(o["id"] for o in outlets if o["code"] == "main")


def test_a_ticket_made_through_one_node_reaches_a_screen_on_the_other(
    two_nodes: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_nodes
    token, outlet_id = kitchen_login(first)
    url = kitchen_socket_url(second.base_url, "demo", outlet_id, "grill")
    screen = Screen(url, token)
    try:
        assert screen.tickets_until_caught_up() == []
        # Idle longer than redis-py 8's default 5 s read timeout: the socket must stay up
        # (channels_redis#422: without a longer socket_timeout every idle consumer crashes).
        time.sleep(6.5)
        first.manage("kitchen_ticket", "--station", "grill", "--station", "bar")
        arrived = screen.next_ticket().ticket
        assert screen.client.connections == 1
        assert arrived.station == "grill" and arrived.status == "new"

        headers = {"Authorization": f"Bearer {token}"}
        bump = httpx.post(
            f"{first.base_url}/api/demo/kitchen/tickets/{arrived.id}/bump/",
            json={"request_id": str(uuid.uuid4())},
            headers=headers,
        )
        assert bump.status_code == 200, bump.text
        assert screen.next_ticket().ticket.status == "done"

        recall = KitchenActionV1(request_id=uuid.uuid4(), action="recall")
        screen.client.send(recall)
        replies = [screen.next(), screen.next()]
        assert {type(m).__name__ for m in replies} == {"KitchenAckV1", "KitchenTicketMessageV1"}
        assert all(getattr(m, "ticket", None) and m.ticket.status == "new" for m in replies)  # type: ignore[union-attr]
        last_sequence = screen.last_sequence
    finally:
        screen.client.stop()

    first.manage("kitchen_ticket", "--station", "grill", "--count", "3")
    again = Screen(url, token, last_sequence=last_sequence)
    try:
        replayed = again.tickets_until_caught_up()
        assert len(replayed) == 3 and len({m.ticket.id for m in replayed}) == 3
        assert all(m.ticket.sequence > last_sequence for m in replayed)
        time.sleep(0.3)
        assert again.messages.empty()  # each once, nothing after
    finally:
        again.client.stop()
