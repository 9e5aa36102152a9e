"""The kitchen socket with Channels' WebsocketCommunicator on PostgreSQL: connect, live ticket,
bump, recall, a reconnect that gets exactly the missed tickets, routing by station, refusals."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from pydantic import TypeAdapter

from shared.protocol import (
    KitchenAckV1,
    KitchenActionV1,
    KitchenCaughtUpV1,
    KitchenHelloV1,
    KitchenRevokedV1,
    KitchenServerMessageV1,
    KitchenSocketMessageV1,
    KitchenTicketMessageV1,
)
from sync_server.accounts.models import Role
from sync_server.common.tenancy import tenant_atomic
from sync_server.config.asgi import application
from sync_server.devices.services import device_revoke
from sync_server.kitchen import consumers, sequences
from sync_server.link import presence
from sync_server.tenants.models import Tenant, Terminal, TerminalStatus
from sync_server.tenants.services import tenant_update, terminal_update

from .conftest import kitchen_lines, pair_device, place_order

SERVER_MESSAGE: TypeAdapter[KitchenServerMessageV1] = TypeAdapter(KitchenServerMessageV1)
SOCKET_MESSAGE: TypeAdapter[KitchenSocketMessageV1] = TypeAdapter(KitchenSocketMessageV1)
pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def socket(
    world: dict[str, Any], token: str, station: str | None = None, outlet: str = "main"
) -> WebsocketCommunicator:
    path = f"/ws/demo/kitchen/{world['outlets'][outlet].id}/"
    if station:
        path += f"?station={station}"
    return WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {token}".encode())]
    )


async def receive(communicator: WebsocketCommunicator) -> KitchenServerMessageV1:
    return SERVER_MESSAGE.validate_json(await communicator.receive_from(timeout=5))


async def hello(
    communicator: WebsocketCommunicator, last_sequence: int = 0
) -> list[KitchenServerMessageV1]:
    """Connect, say hello, and collect the replay up to caught_up (inclusive)."""
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.send_to(KitchenHelloV1(last_sequence=last_sequence).model_dump_json())
    messages = [await receive(communicator)]
    while not isinstance(messages[-1], KitchenCaughtUpV1):
        messages.append(await receive(communicator))
    return messages


def order(world: dict[str, Any], *stations: str) -> Any:
    return database_sync_to_async(place_order)(
        world["demo"], world["outlets"]["main"], kitchen_lines(*stations)
    )


async def test_live_ticket_bump_and_recall(live_world: dict[str, Any]) -> None:
    screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    [caught_up] = await hello(screen)
    assert isinstance(caught_up, KitchenCaughtUpV1) and caught_up.sequence == 0

    [ticket] = await order(live_world, "grill")
    arrived = await receive(screen)
    assert isinstance(arrived, KitchenTicketMessageV1)
    assert arrived.ticket.id == ticket.id and arrived.ticket.status == "new"
    assert arrived.ticket.items[0].name == "Nasi goreng 0"

    bump = KitchenActionV1(request_id=uuid.uuid4(), action="bump", ticket_id=ticket.id)
    await screen.send_to(bump.model_dump_json())
    replies = [await receive(screen), await receive(screen)]
    ack = next(m for m in replies if isinstance(m, KitchenAckV1))
    assert ack.request_id == bump.request_id and ack.ticket is not None
    assert ack.ticket.status == "done" and ack.ticket.done_at is not None
    pushed = next(m for m in replies if isinstance(m, KitchenTicketMessageV1))
    assert pushed.ticket.status == "done" and pushed.ticket.sequence == 2

    await screen.send_to(bump.model_dump_json())  # resent after a reconnect: no second bump
    repeat = await receive(screen)
    assert isinstance(repeat, KitchenAckV1) and repeat.ticket is not None
    assert repeat.ticket.sequence == 2

    recall = KitchenActionV1(request_id=uuid.uuid4(), action="recall")  # the last bump
    await screen.send_to(recall.model_dump_json())
    replies = [await receive(screen), await receive(screen)]
    ack = next(m for m in replies if isinstance(m, KitchenAckV1))
    assert ack.ticket is not None and ack.ticket.id == ticket.id and ack.ticket.status == "new"
    assert await screen.receive_nothing(timeout=0.2)
    await screen.disconnect()


async def test_reconnect_with_last_sequence_gets_the_three_missed_tickets_once(
    live_world: dict[str, Any],
) -> None:
    token = live_world["tokens"][Role.KITCHEN]
    screen = socket(live_world, token)
    await hello(screen)
    [seen] = await order(live_world, "grill")
    first = await receive(screen)
    assert isinstance(first, KitchenTicketMessageV1)
    last_sequence = first.ticket.sequence
    await screen.disconnect()

    missed = [(await order(live_world, "grill"))[0] for _ in range(3)]

    again = socket(live_world, token)
    replay = await hello(again, last_sequence)
    tickets = [m.ticket for m in replay if isinstance(m, KitchenTicketMessageV1)]
    assert [t.id for t in tickets] == [t.id for t in missed]
    assert seen.id not in {t.id for t in tickets}
    assert isinstance(replay[-1], KitchenCaughtUpV1) and replay[-1].sequence == last_sequence + 3
    assert await again.receive_nothing(timeout=0.3)  # and nothing twice
    await again.disconnect()


async def test_a_station_screen_gets_only_its_station(live_world: dict[str, Any]) -> None:
    token = live_world["tokens"][Role.KITCHEN]
    bar, grill, everything = (
        socket(live_world, token, "bar"),
        socket(live_world, token, "grill"),
        socket(live_world, token),
    )
    for screen in (bar, grill, everything):
        await hello(screen)
    await order(live_world, "grill", "bar")
    bar_ticket = await receive(bar)
    grill_ticket = await receive(grill)
    both = [await receive(everything), await receive(everything)]
    assert isinstance(bar_ticket, KitchenTicketMessageV1) and bar_ticket.ticket.station == "bar"
    assert (
        isinstance(grill_ticket, KitchenTicketMessageV1) and grill_ticket.ticket.station == "grill"
    )
    assert sorted(m.ticket.station for m in both if isinstance(m, KitchenTicketMessageV1)) == [
        "bar",
        "grill",
    ]
    assert await bar.receive_nothing(timeout=0.2) and await grill.receive_nothing(timeout=0.1)
    # A station screen may not bump another station's ticket.
    action = KitchenActionV1(
        request_id=uuid.uuid4(), action="bump", ticket_id=grill_ticket.ticket.id
    )
    await bar.send_to(action.model_dump_json())
    refused = await receive(bar)
    assert isinstance(refused, KitchenAckV1) and refused.error is not None
    assert refused.error.code == "station_mismatch" and refused.ticket is None
    for screen in (bar, grill, everything):
        await screen.disconnect()


async def test_a_paired_kitchen_screen_connects_until_it_is_revoked(
    live_world: dict[str, Any],
) -> None:
    screen = socket(live_world, live_world["tokens"]["kitchen_device"], "grill")
    await hello(screen)
    [ticket] = await order(live_world, "grill")
    arrived = await receive(screen)
    assert isinstance(arrived, KitchenTicketMessageV1) and arrived.ticket.id == ticket.id
    await screen.disconnect()
    await database_sync_to_async(_revoke_kitchen_screen)(live_world["demo"])
    refused = socket(live_world, live_world["tokens"]["kitchen_device"])
    connected, code = await refused.connect(timeout=5)
    assert not connected and code == 4403


def _revoke_kitchen_screen(tenant: Any) -> None:
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code="main", code="k1")
    device_revoke(tenant=tenant, terminal=terminal)


@pytest.mark.parametrize(
    "who", ["cashier", "rival_owner", "till_device", "no_token", "garbage", "unknown_outlet"]
)
async def test_sockets_are_refused_without_a_kitchen_identity_of_this_tenant(
    who: str, live_world: dict[str, Any]
) -> None:
    tokens = live_world["tokens"]
    token = {
        "cashier": tokens[Role.CASHIER],
        "rival_owner": tokens["rival_owner"],
        "till_device": tokens["till_device"],
        "no_token": "",
        "garbage": "not-a-jwt",
        "unknown_outlet": tokens[Role.KITCHEN],
    }[who]
    outlet_id = uuid.uuid4() if who == "unknown_outlet" else live_world["outlets"]["main"].id
    path = f"/ws/demo/kitchen/{outlet_id}/"
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == 4403


async def test_a_malformed_message_closes_the_socket(live_world: dict[str, Any]) -> None:
    screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    connected, _ = await screen.connect(timeout=5)
    assert connected
    await screen.send_to(json.dumps({"type": "hello", "last_sequence": "ten"}))
    output = await screen.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4400}


async def test_a_lost_nudge_is_made_good_by_the_next_one_or_the_periodic_check(
    live_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "SAFETY_CHECK_S", 0.3)
    screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    await hello(screen)
    with monkeypatch.context() as lossy:  # the channel layer drops these nudges
        lossy.setattr(sequences, "get_channel_layer", lambda: None)
        [lost] = await order(live_world, "grill")
        assert await screen.receive_nothing(timeout=0.1)
        [lost_too] = await order(live_world, "grill")
    [nudged] = await order(live_world, "bar")  # covers sequence 3 only: the gap is read
    got = [await receive(screen) for _ in range(3)]
    assert [m.ticket.id for m in got if isinstance(m, KitchenTicketMessageV1)] == [
        lost.id,
        lost_too.id,
        nudged.id,
    ]
    with monkeypatch.context() as lossy:
        lossy.setattr(sequences, "get_channel_layer", lambda: None)
        [silent] = await order(live_world, "grill")
    found = await receive(screen)  # no nudge at all: the periodic check finds it
    assert isinstance(found, KitchenTicketMessageV1) and found.ticket.id == silent.id
    await screen.disconnect()


async def revoked(communicator: WebsocketCommunicator) -> KitchenRevokedV1:
    """The revocation the server pushes, then the close that follows it (4401)."""
    message = SOCKET_MESSAGE.validate_json(await communicator.receive_from(timeout=5))
    assert isinstance(message, KitchenRevokedV1), message
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_REVOKED}, closed
    return message


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the `after` of every read of the database the sockets make."""
    reads: list[int] = []
    replay = consumers.kitchen_replay

    def counted(**kwargs: Any) -> Any:
        reads.append(kwargs["after"])
        return replay(**kwargs)

    monkeypatch.setattr(consumers, "kitchen_replay", counted)
    return reads


async def test_nudges_out_of_order_are_put_in_order_without_reading_the_database(
    live_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two server processes commit one after the other and their nudges cross: the later one
    waits for the earlier, and both tickets go out in order with no read of the database. A
    nudge lost for good leaves a gap that is read once `GAP_WAIT_S` has passed."""
    screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    await hello(screen)
    reads = count_reads(monkeypatch)
    nudges: list[dict[str, Any]] = []
    with monkeypatch.context() as caught:  # keep each commit's nudge to send it by hand
        caught.setattr(sequences, "get_channel_layer", lambda: _Catcher(nudges))
        [first] = await order(live_world, "grill")
        [second] = await order(live_world, "bar")
        [third] = await order(live_world, "grill")
    layer = get_channel_layer()
    group, later = nudges[1]
    await layer.group_send(group, later)  # the second commit's nudge arrives first
    assert await screen.receive_nothing(timeout=0.1)  # held: the first may still come
    group, earlier = nudges[0]
    await layer.group_send(group, earlier)
    got = [await receive(screen), await receive(screen)]
    assert [m.ticket.id for m in got if isinstance(m, KitchenTicketMessageV1)] == [
        first.id,
        second.id,
    ]
    assert reads == []  # nothing read from the database
    group, last = nudges[2]
    await layer.group_send(group, {**last, "after": last["after"] + 1, "tickets": []})
    assert await screen.receive_nothing(timeout=consumers.GAP_WAIT_S / 2)
    [found] = [await receive(screen)]  # the gap (sequence 3) is read after GAP_WAIT_S
    assert isinstance(found, KitchenTicketMessageV1) and found.ticket.id == third.id
    assert reads == [second.sequence]
    await screen.disconnect()


async def test_a_station_screen_follows_on_across_other_stations_tickets(
    live_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grill screen hears the bar's nudges too (and shows none of their tickets), so the
    next grill ticket follows on and is forwarded without a read."""
    grill = socket(live_world, live_world["tokens"][Role.KITCHEN], "grill")
    await hello(grill)
    reads = count_reads(monkeypatch)
    await order(live_world, "bar")
    [mine] = await order(live_world, "grill")
    arrived = await receive(grill)
    assert isinstance(arrived, KitchenTicketMessageV1) and arrived.ticket.id == mine.id
    assert await grill.receive_nothing(timeout=0.3)
    assert reads == []
    await grill.disconnect()


class _Catcher:
    """A channel layer that keeps what it is asked to send (group, message)."""

    def __init__(self, sent: list[tuple[str, dict[str, Any]]]) -> None:
        self.sent = sent

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if message.get("tickets") is not None and group.count(".") == 1:  # the outlet's group
            self.sent.append((group, message))


async def test_an_open_screen_is_told_of_its_revocation_by_push_and_closed(
    live_world: dict[str, Any],
) -> None:
    screen = socket(live_world, live_world["tokens"]["kitchen_device"], "grill")
    user_screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    await hello(screen)
    await hello(user_screen)
    try:
        await database_sync_to_async(_revoke_in_the_back_office)(live_world["demo"])
        assert (await revoked(screen)).reason == "revoked"
        # A kitchen user's screen has no pairing to lose: it stays.
        assert await user_screen.receive_nothing(timeout=0.3)
        await user_screen.disconnect()
    finally:
        await database_sync_to_async(_reactivate)(live_world["demo"])


async def test_ending_the_pairing_alone_tells_an_open_screen_by_push(
    live_world: dict[str, Any],
) -> None:
    """`device_revoke` on its own (the terminal stays active, only its pairings end) reaches
    the open socket by push, not by the 30 s recheck."""
    screen = socket(live_world, live_world["tokens"]["kitchen_device"], "grill")
    await hello(screen)
    await database_sync_to_async(_revoke_kitchen_screen)(live_world["demo"])
    assert (await revoked(screen)).reason == "revoked"


async def test_a_screen_whose_terminal_is_paired_again_is_told_so(
    live_world: dict[str, Any],
) -> None:
    screen = socket(live_world, live_world["tokens"]["kitchen_device"])
    await hello(screen)
    newer = await database_sync_to_async(pair_device)(live_world["demo"], "k1")
    assert (await revoked(screen)).reason == "repaired"
    fresh = socket(live_world, newer)
    await hello(fresh)  # the new pairing's own socket is not touched by its push
    assert await fresh.receive_nothing(timeout=0.3)
    await fresh.disconnect()


async def test_a_suspended_business_closes_every_kitchen_socket_of_it(
    live_world: dict[str, Any],
) -> None:
    device_screen = socket(live_world, live_world["tokens"]["kitchen_device"])
    user_screen = socket(live_world, live_world["tokens"][Role.KITCHEN])
    await hello(device_screen)
    await hello(user_screen)
    await database_sync_to_async(_set_active)(live_world["demo"], False)
    try:
        assert (await revoked(device_screen)).reason == "suspended"
        assert (await revoked(user_screen)).reason == "suspended"
        refused = socket(live_world, live_world["tokens"]["kitchen_device"])
        connected, code = await refused.connect(timeout=5)
        assert not connected and code == 4403
    finally:
        await database_sync_to_async(_set_active)(live_world["demo"], True)
    resumed = socket(live_world, live_world["tokens"]["kitchen_device"])
    await hello(resumed)
    await resumed.disconnect()


def _revoke_in_the_back_office(tenant: Any) -> None:
    """What the terminals page's Revoke does: the terminal revoked, then its pairings ended."""
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code="main", code="k1")
        terminal_update(tenant=tenant, terminal=terminal, status=TerminalStatus.REVOKED)
    device_revoke(tenant=tenant, terminal=terminal)


def _reactivate(tenant: Any) -> None:
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code="main", code="k1")
        terminal_update(tenant=tenant, terminal=terminal, status=TerminalStatus.ACTIVE)


def _set_active(tenant: Any, active: bool) -> None:
    with tenant_atomic(tenant):
        tenant_update(tenant=Tenant.objects.get(id=tenant.id), is_active=active)


async def test_a_paired_screen_s_open_socket_shows_it_linked_until_it_closes(
    live_world: dict[str, Any],
) -> None:
    """What the sync health page reads as "linked" (a user's socket is no device's)."""
    screen = socket(live_world, live_world["tokens"]["kitchen_device"])
    await hello(screen)
    with_user = socket(live_world, live_world["tokens"][Role.KITCHEN])
    await hello(with_user)
    k1 = await database_sync_to_async(_k1_id)(live_world["demo"])
    assert presence.linked_devices([k1]) == {k1}
    await screen.disconnect()
    assert presence.linked_devices([k1]) == set()
    await with_user.disconnect()


def _k1_id(tenant: Any) -> uuid.UUID:
    with tenant_atomic(tenant):
        terminal_id: uuid.UUID = Terminal.objects.get(outlet__code="main", code="k1").id
    return terminal_id
