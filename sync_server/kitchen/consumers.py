"""The kitchen socket: `/ws/<tenant_slug>/kitchen/<outlet_id>/?station=<code>`.

After `hello` the consumer sends every ticket change after the screen's last sequence, then
`caught_up`; from then on each nudge of its outlet (sent after a commit, carrying the changed
tickets and the outlet sequences they cover) is forwarded as it is when it follows on from
what the screen has. Nudges from other server processes can arrive out of order: one that
skips ahead waits `GAP_WAIT_S` for those before it, and only a gap still open then is read
from the database. Nudges may be lost (channel layers deliver at most once), so a periodic
check reads too; the database is the only copy that counts. A station screen hears the whole
outlet's nudges and forwards its station's tickets, so another station's ticket is no gap.

Its database calls run on a few threads of their own (`_database`), several at once: as
plain `database_sync_to_async` calls they all queued on asgiref's one shared thread, behind
every other socket's reads and the till links' status writes, and tickets fell minutes behind
under load. Each call is whole on its own (its own transaction), so any thread will do.

Like the till's link, the socket also joins its device's and its tenant's link groups: a screen
revoked or paired again, or a business suspended, is told so (`device_revoked`) and closed with
`CLOSE_REVOKED` as soon as the change commits; every fourth periodic check looks again, in case
that push was lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import connections
from pydantic import TypeAdapter, ValidationError

from shared.protocol import (
    PROTOCOL_VERSION,
    ErrorV1,
    KitchenAckV1,
    KitchenActionV1,
    KitchenCaughtUpV1,
    KitchenClientMessageV1,
    KitchenHelloV1,
    KitchenRevokedV1,
    KitchenTicketMessageV1,
    KitchenTicketV1,
)
from sync_server.common.errors import Refused
from sync_server.common.request_log import note_request
from sync_server.kitchen.auth import (
    KitchenPrincipal,
    kitchen_principal,
    kitchen_principal_refusal,
    socket_ticket_redeem,
)
from sync_server.kitchen.error_codes import KitchenErrorCode
from sync_server.kitchen.selectors import Replay, kitchen_replay, kitchen_ticket_wire
from sync_server.kitchen.services import (
    kitchen_ticket_act,
    kitchen_ticket_recall_last,
    outlet_group,
)
from sync_server.link import presence, push

log = logging.getLogger("kiosk.kitchen")
T = TypeVar("T")

CLIENT_MESSAGE: Final[TypeAdapter[KitchenClientMessageV1]] = TypeAdapter(KitchenClientMessageV1)
STATION_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
GAP_WAIT_S: Final = 0.25
"""How long a nudge that skips ahead waits for the nudges before it before the gap is read."""
MAX_HELD_NUDGES: Final = 200
"""Nudges held while waiting for a gap; past this the gap is read at once."""
SAFETY_CHECK_S: Final = 15.0
"""How often a socket looks for changes without a nudge, in case one was lost."""
REVOCATION_CHECK_EVERY: Final = 4
"""Every this many safety checks (a minute) the socket checks its pairing and business too."""
CLOSE_FORBIDDEN: Final = 4403
CLOSE_BAD_MESSAGE: Final = 4400
CLOSE_REVOKED: Final = 4401
"""The screen's credentials ended (after `device_revoked`): reconnecting will not help."""


DATABASE_THREADS: Final = 4
"""Threads a server process gives its kitchen sockets' database calls."""
_database_threads = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="kitchen-db")


def _database(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """`function` on the kitchen sockets' own threads (see the module's docstring for why not
    on asgiref's one shared thread), its connection handed back to the pool when it returns."""

    def closing(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(closing, thread_sensitive=False, executor=_database_threads)


def _ticket_message(ticket: dict[str, Any]) -> dict[str, Any]:
    """A `KitchenTicketMessageV1` as JSON data, for a ticket already in wire form."""
    return {"protocol_version": PROTOCOL_VERSION, "type": "ticket", "ticket": ticket}


def _socket_token(scope: dict[str, Any]) -> str:
    """The access token of a socket: its Authorization header, or what its single-use
    `?ticket=` stands for. Never a token in the URL: URLs end up in access logs."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            text = value.decode("latin-1")
            if text.lower().startswith("bearer "):
                return str(text[7:].strip())
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return socket_ticket_redeem((query.get("ticket") or [""])[0]) or ""


def _act(
    principal: KitchenPrincipal, station: str | None, action: KitchenActionV1
) -> KitchenTicketV1:
    """Run one cook action for this screen (database thread) and return the ticket after it."""
    if action.ticket_id is None:
        if action.action != "recall":
            raise Refused(
                "ticket_id is required", code=KitchenErrorCode.REQUIRED, field="ticket_id"
            )
        ticket = kitchen_ticket_recall_last(
            tenant=principal.tenant,
            outlet_id=principal.outlet.id,
            station=station,
            request_id=action.request_id,
        )
    else:
        ticket = kitchen_ticket_act(
            tenant=principal.tenant,
            ticket_id=action.ticket_id,
            action=action.action,
            request_id=action.request_id,
            line_id=action.line_id,
            outlet_id=principal.outlet.id,
            station=station,
        )
    return kitchen_ticket_wire(ticket)


class KitchenConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """One kitchen screen's socket."""

    principal: KitchenPrincipal
    station: str | None
    sent_upto: int | None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        station = (query.get("station") or [""])[0] or None
        self.sent_upto = None
        self.joined: list[str] = []
        self._send_lock = asyncio.Lock()
        self._checker: asyncio.Task[None] | None = None
        self._held: dict[int, dict[str, Any]] = {}
        """Nudges that skipped ahead, by the sequence they follow on from (`after`)."""
        self._gap_reader: asyncio.Task[None] | None = None
        if station is not None and not STATION_PATTERN.match(station):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        raw_token = await _database(_socket_token)(self.scope)
        principal = await _database(kitchen_principal)(
            raw_token=raw_token,
            tenant_slug=kwargs["tenant_slug"],
            outlet_id=kwargs["outlet_id"],
        )
        if principal is None:
            await self.close(code=CLOSE_FORBIDDEN)  # before accept: the handshake gets a 403
            return
        self.principal, self.station = principal, station
        # The session's log line names the screen's tenant and its device or user id.
        note_request(
            self.scope, tenant=principal.tenant.slug, **{principal.kind: str(principal.subject_id)}
        )
        outlet_id: uuid.UUID = principal.outlet.id
        self.joined = [
            outlet_group(outlet_id),  # a station screen too: every span, so no false gaps
            push.tenant_group(principal.tenant.id),  # a suspension is pushed tenant-wide
        ]
        if principal.kind == "device":  # a revocation or a new pairing: to its device group
            self.joined.append(push.device_group(principal.subject_id))
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._present()
        self._checker = asyncio.create_task(self._check_periodically())

    async def disconnect(self, code: int) -> None:
        for task in (self._checker, self._gap_reader):
            if task is not None:
                task.cancel()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.joined and self.principal.device is not None:
            await presence.socket_closed(self.principal.subject_id, self.channel_name)

    async def _present(self) -> None:
        """A paired screen's socket is marked open for the sync health page (renewed by the
        periodic check, well inside the mark's lifetime)."""
        if self.principal.device is not None:
            await presence.socket_opened(self.principal.subject_id, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = CLIENT_MESSAGE.validate_json(text_data or bytes_data or b"")
        except ValidationError:
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        if isinstance(message, KitchenHelloV1):
            await self._hello(message.last_sequence)
        else:
            await self._action(message)

    async def _hello(self, last_sequence: int) -> None:
        async with self._send_lock:
            after = last_sequence
            while True:
                replay = await self._replay(after)
                if replay.sequence < after:  # the server's history restarted: send it all
                    after = 0
                    continue
                for ticket in replay.tickets:
                    await self._send_ticket(ticket)
                after = replay.sequence
                if replay.complete:
                    break
            self.sent_upto = after
            await self.send(text_data=KitchenCaughtUpV1(sequence=after).model_dump_json())

    async def _action(self, action: KitchenActionV1) -> None:
        try:
            ticket = await _database(_act)(self.principal, self.station, action)
        except Refused as exc:
            error = ErrorV1(error="rejected", message=exc.message, field=exc.field, code=exc.code)
            ack = KitchenAckV1(request_id=action.request_id, error=error)
        else:
            ack = KitchenAckV1(request_id=action.request_id, ticket=ticket)
        await self.send(text_data=ack.model_dump_json())

    async def kitchen_changed(self, event: dict[str, Any]) -> None:
        """A commit nudged the outlet: forward its tickets if they follow on from what this
        screen has (then any held nudges that now follow on); hold one that skips ahead for
        the nudges before it; read from the database what they cannot fill."""
        sequence = int(event.get("sequence", 0))
        if self.sent_upto is None or sequence <= self.sent_upto:
            return
        async with self._send_lock:
            if self.sent_upto is None or sequence <= self.sent_upto:
                return
            after = int(event.get("after", -1))
            if after == self.sent_upto:
                await self._forward(event)
                await self._forward_held()
                return
            if after > self.sent_upto and len(self._held) < MAX_HELD_NUDGES:
                self._held[after] = event
                if self._gap_reader is None:
                    self._gap_reader = asyncio.create_task(self._read_gap_later())
                return
        await self._send_changes()  # overlaps what was sent, or too much held: read it

    async def _forward(self, event: dict[str, Any]) -> None:
        """Send a nudge's tickets (this screen's station only) as they came (lock held)."""
        for ticket in event.get("tickets", []):
            if self.station is None or ticket["station"] == self.station:
                # Made by kitchen_ticket_wire on the server: already the wire shape.
                await self.send(text_data=json.dumps(_ticket_message(ticket)))
        self.sent_upto = int(event["sequence"])

    async def _forward_held(self) -> None:
        """Held nudges that follow on now, in order; forget those already covered (lock
        held)."""
        while self.sent_upto is not None and self.sent_upto in self._held:
            await self._forward(self._held.pop(self.sent_upto))
        upto = self.sent_upto or 0
        self._held = {a: e for a, e in self._held.items() if int(e["sequence"]) > upto}

    async def _read_gap_later(self) -> None:
        """A gap still open `GAP_WAIT_S` after a nudge skipped ahead: its nudge was lost or
        is late; read the changes from the database."""
        try:
            await asyncio.sleep(GAP_WAIT_S)
        finally:
            self._gap_reader = None
        if self._held:
            await self._send_changes()

    async def _send_changes(self) -> None:
        async with self._send_lock:
            while self.sent_upto is not None:
                replay = await self._replay(self.sent_upto)
                for ticket in replay.tickets:
                    await self._send_ticket(ticket)
                self.sent_upto = max(self.sent_upto, replay.sequence)
                if replay.complete:
                    break
            await self._forward_held()
            if self._held and self._gap_reader is None:  # committed after the read
                self._gap_reader = asyncio.create_task(self._read_gap_later())

    async def _check_periodically(self) -> None:
        checks = 0
        while True:
            await asyncio.sleep(SAFETY_CHECK_S)
            checks += 1
            try:
                if checks % REVOCATION_CHECK_EVERY == 0 and await self._refused("revoked"):
                    return
                await self._present()
                await self._send_changes()
            except Exception:  # a failed check is retried at the next one
                log.exception("kitchen safety check failed")

    async def _refused(self, reason: str) -> bool:
        """Close the socket, saying why, if its credentials no longer count."""
        refusal = await _database(kitchen_principal_refusal)(
            principal=self.principal, reason=reason
        )
        if refusal is None:
            return False
        log.info("kitchen socket closed: %s", refusal)
        async with self._send_lock:
            await self.send(text_data=KitchenRevokedV1(reason=refusal).model_dump_json())
        await self.close(code=CLOSE_REVOKED)
        return True

    # --- link pushes (the till link's groups; see `sync_server.link.push`) ---

    async def link_revoked(self, event: dict[str, Any]) -> None:
        await self._refused(str(event.get("reason", "revoked")))

    async def link_catalog(self, event: dict[str, Any]) -> None:
        """The screen reads no catalog over its socket: nothing to do."""

    async def link_status_request(self, event: dict[str, Any]) -> None:
        """A kitchen screen has no till status to report: nothing to do."""

    async def link_ready(self, event: dict[str, Any]) -> None:
        """Only a till that sold an order is told it is ready."""

    async def _replay(self, after: int) -> Replay:
        replay: Replay = await _database(kitchen_replay)(
            tenant=self.principal.tenant.id,
            outlet_id=self.principal.outlet.id,
            station=self.station,
            after=after,
        )
        return replay

    async def _send_ticket(self, ticket: KitchenTicketV1) -> None:
        await self.send(text_data=KitchenTicketMessageV1(ticket=ticket).model_dump_json())
