"""Fixtures of the kitchen screen tests: a hand-set clock, an in-memory keyring, a loopback
kitchen server speaking the real wire protocol."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from pos_desktop.kitchen.screenshot import NOW
from shared.protocol import (
    KitchenAckV1,
    KitchenActionV1,
    KitchenCaughtUpV1,
    KitchenHelloV1,
    KitchenTicketMessageV1,
    KitchenTicketV1,
)
from tests.support.keyring import MemoryKeyring, memory_keyring_installed


class ManualClock:
    """A clock the test moves by hand, so timer colours change without waiting."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with memory_keyring_installed() as backend:
        yield backend


@dataclass
class FakeKitchenServer:
    """The server side of the kitchen socket, reduced to the contract: replay after the hello's
    sequence, caught_up, live tickets, idempotent actions answered by ack."""

    token: str = "kitchen-access"
    tickets: dict[Any, KitchenTicketV1] = field(default_factory=dict)
    hellos: list[int] = field(default_factory=list)
    actions: list[KitchenActionV1] = field(default_factory=list)
    connections: list[ServerConnection] = field(default_factory=list)
    sequence: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Server | None = None
    accepting: bool = True

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/ws/demo/kitchen/outlet/"

    def add(self, ticket: KitchenTicketV1) -> KitchenTicketV1:
        """Store a ticket under the next sequence and push it to every connected screen."""
        with self.lock:
            self.sequence += 1
            stored = ticket.model_copy(update={"sequence": self.sequence})
            self.tickets[stored.id] = stored
            live = list(self.connections)
        for connection in live:
            with contextlib.suppress(ConnectionClosed):
                connection.send(KitchenTicketMessageV1(ticket=stored).model_dump_json())
        return stored

    def drop_all(self) -> None:
        """Cut every open socket, as a network failure would."""
        with self.lock:
            live, self.connections = list(self.connections), []
        for connection in live:
            connection.close()

    def check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse at the handshake, as the real server does: 403 without the right token,
        503 while the test holds the link down."""
        if not self.accepting:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "down\n")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return connection.respond(HTTPStatus.FORBIDDEN, "bad token\n")
        return None

    def handle(self, connection: ServerConnection) -> None:
        hello = KitchenHelloV1.model_validate_json(connection.recv())
        with self.lock:
            self.hellos.append(hello.last_sequence)
            replay = sorted(
                (t for t in self.tickets.values() if t.sequence > hello.last_sequence),
                key=lambda t: t.sequence,
            )
            for ticket in replay:
                connection.send(KitchenTicketMessageV1(ticket=ticket).model_dump_json())
            connection.send(KitchenCaughtUpV1(sequence=self.sequence).model_dump_json())
            self.connections.append(connection)
        try:
            for raw in connection:
                action = KitchenActionV1.model_validate(json.loads(raw))
                self.actions.append(action)
                connection.send(self._apply(action).model_dump_json())
        except ConnectionClosed:
            pass

    def _apply(self, action: KitchenActionV1) -> KitchenAckV1:
        with self.lock:
            ticket = self.tickets[action.ticket_id]
            status = {"bump": "done", "recall": "new", "start": "started"}[action.action]
            if ticket.status != status:  # idempotent by state: a repeat changes nothing
                self.sequence += 1
                ticket = ticket.model_copy(update={"status": status, "sequence": self.sequence})
                self.tickets[ticket.id] = ticket
        return KitchenAckV1(request_id=action.request_id, ticket=ticket)


@pytest.fixture
def kitchen_server() -> Iterator[FakeKitchenServer]:
    fake = FakeKitchenServer()
    fake.server = serve(fake.handle, "127.0.0.1", 0, process_request=fake.check_request)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.drop_all()
    fake.server.shutdown()
    thread.join(5)
