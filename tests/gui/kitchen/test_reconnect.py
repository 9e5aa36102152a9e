"""The real socket client against a loopback kitchen server: live tickets, a dropped link, and
a reconnect whose hello makes the server replay exactly the gap."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from pos_desktop.kitchen.app import KitchenScreen, open_kitchen_screen
from pos_desktop.kitchen.board import KitchenBoard
from pos_desktop.kitchen.client import NOT_AUTHORISED, REVOKED_WORDS, kitchen_socket_url
from pos_desktop.kitchen.pairing import PairingError
from pos_desktop.kitchen.screenshot import sample_ticket
from pos_desktop.retry import RetryPolicy
from pos_desktop.sync.client import DeviceNotAuthorized
from shared.protocol import KitchenRevokedV1

from .conftest import FakeKitchenServer, ManualClock

FAST = RetryPolicy(base_s=0.02, cap_s=0.1)


@pytest.fixture
def screen(
    qtbot: QtBot, clock: ManualClock, kitchen_server: FakeKitchenServer
) -> Iterator[KitchenScreen]:
    opened = open_kitchen_screen(
        board=KitchenBoard(clock=clock),
        url=kitchen_server.url,
        token=kitchen_server.token,
        backoff=FAST,
    )
    qtbot.addWidget(opened.window)
    opened.window.ticker.stop()
    opened.window.show()
    yield opened
    opened.client.stop()


def shown(screen: KitchenScreen) -> list[str]:
    return [card.number_label.text() for card in screen.window.grid.cards]


def test_live_ticket_then_reconnect_replays_the_gap_once(
    qtbot: QtBot, screen: KitchenScreen, kitchen_server: FakeKitchenServer
) -> None:
    qtbot.waitUntil(lambda: screen.board.caught_up, timeout=5000)
    assert kitchen_server.hellos == [0]
    kitchen_server.add(sample_ticket(1, minutes_ago=1, items=[("Fries", 1, (), "")]))
    qtbot.waitUntil(lambda: shown(screen) == ["#101"], timeout=5000)
    assert screen.board.last_sequence == 1

    kitchen_server.accepting = False  # the link drops and stays down a while
    kitchen_server.drop_all()
    qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=5000)
    for sequence in (2, 3, 4):
        kitchen_server.add(sample_ticket(sequence, minutes_ago=0, items=[("Burger", 1, (), "")]))
    kitchen_server.accepting = True

    qtbot.waitUntil(lambda: len(shown(screen)) == 4, timeout=5000)
    qtbot.waitUntil(lambda: not screen.window.banner.isVisible(), timeout=5000)
    assert shown(screen) == ["#101", "#102", "#103", "#104"]
    assert kitchen_server.hellos[0] == 0 and kitchen_server.hellos[-1] == 1
    assert screen.board.last_sequence == 4
    assert screen.window.beeps >= 1


def test_a_bump_made_offline_is_sent_once_the_link_is_back(
    qtbot: QtBot, screen: KitchenScreen, kitchen_server: FakeKitchenServer
) -> None:
    ticket = kitchen_server.add(sample_ticket(1, minutes_ago=1, items=[("Fries", 1, (), "")]))
    qtbot.waitUntil(lambda: shown(screen) == ["#101"], timeout=5000)
    kitchen_server.accepting = False
    kitchen_server.drop_all()
    qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=5000)
    screen.window.bump(ticket.id)
    assert shown(screen) == []
    kitchen_server.accepting = True
    qtbot.waitUntil(lambda: kitchen_server.tickets[ticket.id].status == "done", timeout=5000)
    qtbot.waitUntil(lambda: screen.board.pending_actions() == [], timeout=5000)
    assert [a.action for a in kitchen_server.actions] == ["bump"]
    assert shown(screen) == []


def test_a_wrong_token_keeps_the_screen_offline(
    qtbot: QtBot, clock: ManualClock, kitchen_server: FakeKitchenServer
) -> None:
    refreshed: list[int] = []
    screen = open_kitchen_screen(
        board=KitchenBoard(clock=clock), url=kitchen_server.url, token="stolen", backoff=FAST
    )
    qtbot.addWidget(screen.window)
    screen.window.show()
    screen.client._refresh_token = lambda: refreshed.append(1)
    try:
        qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=5000)
        qtbot.waitUntil(lambda: len(refreshed) >= 2, timeout=5000)
        assert kitchen_server.hellos == []
        # Refused again and again after refreshes: the screen says it must be paired again.
        qtbot.waitUntil(lambda: screen.window.banner.text() == f"{NOT_AUTHORISED}.", timeout=5000)
    finally:
        screen.client.stop()


def test_a_revoked_screen_says_so_in_words_at_once(
    qtbot: QtBot, clock: ManualClock, kitchen_server: FakeKitchenServer
) -> None:
    refreshes: list[int] = []
    said: list[tuple[str, int]] = []

    def refused_refresh() -> None:
        refreshes.append(1)
        try:
            raise DeviceNotAuthorized("token refresh refused: HTTP 401")
        except DeviceNotAuthorized as exc:  # as TokenKeeper wraps it
            raise PairingError(NOT_AUTHORISED) from exc

    screen = open_kitchen_screen(
        board=KitchenBoard(clock=clock), url=kitchen_server.url, token="revoked", backoff=FAST
    )
    screen.client._refresh_token = refused_refresh
    shown = screen.client._on_online

    def noted(online: bool, reason: str) -> None:
        said.append((reason, len(refreshes)))
        shown(online, reason)

    screen.client._on_online = noted
    qtbot.addWidget(screen.window)
    screen.window.show()
    try:
        # At the first refused socket (a slow loopback may show a timeout before it).
        qtbot.waitUntil(
            lambda: (
                screen.window.banner.isVisible()
                and screen.window.banner.text()
                == "This kitchen screen is no longer authorised: pair it again."
            ),
            timeout=5000,
        )
        assert (NOT_AUTHORISED, 1) in said  # said after the first refusal, not the fourth
    finally:
        screen.client.stop()


def test_a_server_that_never_answers_is_named_in_words(qtbot: QtBot, clock: ManualClock) -> None:
    hung = socket.create_server(("127.0.0.1", 0))  # accepts the TCP connection, says nothing
    port = hung.getsockname()[1]
    screen = open_kitchen_screen(
        board=KitchenBoard(clock=clock),
        url=f"ws://127.0.0.1:{port}/ws/demo/kitchen/o1/",
        token="t",
        backoff=FAST,
    )
    qtbot.addWidget(screen.window)
    screen.window.show()
    try:
        qtbot.waitUntil(lambda: screen.window.banner.isVisible(), timeout=10_000)
        text = screen.window.banner.text()
        assert text.startswith("Offline: the server does not answer."), text
        assert "TimeoutError" not in text
    finally:
        screen.client.stop()
        hung.close()


def test_socket_url_follows_the_server_scheme() -> None:
    assert kitchen_socket_url("https://pos.example/", "cafe", "o1", "grill") == (
        "wss://pos.example/ws/cafe/kitchen/o1/?station=grill"
    )
    assert kitchen_socket_url("http://127.0.0.1:8000", "cafe", "o1", None) == (
        "ws://127.0.0.1:8000/ws/cafe/kitchen/o1/"
    )


def test_no_token_yet_keeps_retrying_instead_of_killing_the_thread(
    qtbot: QtBot, clock: ManualClock, kitchen_server: FakeKitchenServer
) -> None:
    tokens = iter(["keyring locked", "keyring locked"])
    calls: list[int] = []

    def access_token() -> str:
        calls.append(1)
        problem = next(tokens, None)
        if problem is not None:
            raise RuntimeError(problem)
        return kitchen_server.token

    screen = open_kitchen_screen(
        board=KitchenBoard(clock=clock), url=kitchen_server.url, token=None, backoff=FAST
    )
    screen.client._access_token = access_token
    qtbot.addWidget(screen.window)
    screen.window.show()
    try:
        qtbot.waitUntil(lambda: screen.board.caught_up, timeout=5000)
        assert screen.client.connections == 1 and kitchen_server.hellos == [0]
        assert len(calls) == 3  # two failures survived, the third token worked
    finally:
        screen.client.stop()


@pytest.mark.parametrize("said", [True, False], ids=["with-message", "close-code-only"])
def test_a_revocation_pushed_on_the_socket_ends_the_reconnects(
    qtbot: QtBot, screen: KitchenScreen, kitchen_server: FakeKitchenServer, said: bool
) -> None:
    """The server says `device_revoked` and closes with 4401; a lost message still leaves the
    close code. Either way the banner says why and the screen does not reconnect at once
    (its backoff here would retry within 0.1 s)."""
    qtbot.waitUntil(lambda: screen.board.caught_up, timeout=5000)
    [connection] = kitchen_server.connections
    kitchen_server.token = "another pairing's"  # as the real server: this token is refused now
    if said:
        connection.send(KitchenRevokedV1(reason="repaired").model_dump_json())
    connection.close(code=4401, reason="revoked")
    words = f"{REVOKED_WORDS['repaired' if said else 'revoked']}."
    qtbot.waitUntil(lambda: screen.window.banner.text() == words, timeout=5000)
    attempts = screen.client.attempts
    qtbot.wait(1000)
    assert screen.client.attempts == attempts and screen.client.connections == 1
    assert screen.window.banner.text() == words
