"""The kitchen board: open tickets, timers, recall and all-day counts, in plain Python (no Qt).

The board is the screen's memory. It holds the server's latest copy of every ticket it was sent,
the highest sequence it has seen (sent in `hello` so a reconnect replays exactly the gap), and
the cook's actions that the server has not acknowledged yet. Those pending actions are laid over
the server's copy, so a bump shows at once, even offline, and a stale replay cannot bring a
bumped ticket back before the server answered.
"""

from __future__ import annotations

import enum
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from uuid import UUID, uuid4

from shared.protocol import (
    KitchenAckV1,
    KitchenAction,
    KitchenActionV1,
    KitchenCaughtUpV1,
    KitchenItemV1,
    KitchenTicketMessageV1,
    KitchenTicketV1,
    OutletV1,
    TicketStatus,
)

Clock = Callable[[], datetime]
Listener = Callable[["BoardEvent"], None]

OPEN_STATUSES: Final = frozenset({"new", "started"})
RECALL_DEPTH: Final = 50
"""How many bumped tickets the recall button can walk back through."""
VOID_SHOWN_S: Final = 60
"""How long a ticket voided while open stays on screen, marked voided, unless tapped away."""
LATE_AFTER_S: Final = 120
"""A ticket made this long after its sale came late (the till was offline): it says so."""


def system_clock() -> datetime:
    """The wall clock, aware and in UTC, as the server stamps tickets."""
    return datetime.now(UTC)


class TicketColour(enum.Enum):
    """How late a ticket is: the cook reads the colour, not the digits."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Thresholds:
    """When a ticket turns amber and red, in seconds since it was created (set per outlet)."""

    amber_after_s: int = 300
    red_after_s: int = 600

    @classmethod
    def from_outlet(cls, outlet: OutletV1) -> Thresholds:
        return cls(amber_after_s=outlet.ticket_amber_after_s, red_after_s=outlet.ticket_red_after_s)

    def colour(self, elapsed_s: int) -> TicketColour:
        if elapsed_s >= self.red_after_s:
            return TicketColour.RED
        if elapsed_s >= self.amber_after_s:
            return TicketColour.AMBER
        return TicketColour.GREEN


class BoardEventKind(enum.Enum):
    NEW_TICKET = "new_ticket"
    CHANGED = "changed"
    CAUGHT_UP = "caught_up"
    CANCELLED = "cancelled"
    ERROR = "error"


@dataclass(frozen=True)
class BoardEvent:
    """What changed on the board, so a view knows whether to redraw and whether to beep."""

    kind: BoardEventKind
    ticket_id: UUID | None = None
    message: str = ""


@dataclass(frozen=True)
class AllDayCount:
    """How many of one item are still to cook across the open tickets shown."""

    name: str
    quantity: int


@dataclass
class _Pending:
    action: KitchenActionV1
    status: TicketStatus


class KitchenBoard:
    """Tickets of one outlet as this screen knows them, and the cook's not-yet-confirmed actions."""

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        thresholds: Thresholds | None = None,
        station_filter: str | None = None,
    ) -> None:
        self._clock = clock
        self.thresholds = thresholds or Thresholds()
        self._station_filter = station_filter
        self._tickets: dict[UUID, KitchenTicketV1] = {}
        self._pending: dict[UUID, _Pending] = {}
        self._pending_items: dict[tuple[UUID, UUID], KitchenActionV1] = {}
        self._pending_lock = threading.Lock()  # the socket thread reads pending actions
        self._recall_stack: list[UUID] = []
        self._voided_at: dict[UUID, datetime] = {}
        """Tickets voided while a cook may be at them, and when the screen learnt it."""
        self._listeners: list[Listener] = []
        self.last_sequence = 0
        self.caught_up = False

    # --- observers ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` after every change; views redraw from the board, never from the event."""
        self._listeners.append(listener)

    def _emit(self, event: BoardEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- what the server says -------------------------------------------------------------

    def apply_message(
        self, message: KitchenTicketMessageV1 | KitchenCaughtUpV1 | KitchenAckV1
    ) -> None:
        """Take one server message (ticket, caught_up or ack) into the board."""
        if isinstance(message, KitchenTicketMessageV1):
            self.apply_ticket(message.ticket)
        elif isinstance(message, KitchenCaughtUpV1):
            self.last_sequence = max(self.last_sequence, message.sequence)
            self.caught_up = True
            self._emit(BoardEvent(BoardEventKind.CAUGHT_UP))
        else:
            self.apply_ack(message)

    def apply_ticket(self, ticket: KitchenTicketV1, *, in_stream: bool = True) -> None:
        """Store the server's copy of a ticket; a replay of an older copy changes nothing.

        Only tickets of the ordered stream (`in_stream`) move `last_sequence`: an ack may carry
        a sequence ahead of changes still on their way, and a hello from there would skip them.
        """
        known = self._tickets.get(ticket.id)
        if in_stream:
            self.last_sequence = max(self.last_sequence, ticket.sequence)
        if known is not None and known.sequence > ticket.sequence:
            return
        self._tickets[ticket.id] = ticket
        if ticket.status == "done" and ticket.id not in self._pending:
            self._remember_bumped(ticket.id)
        elif ticket.status != "done" and ticket.id not in self._pending:
            self._forget_bumped(ticket.id)
        is_new = known is None and ticket.status in OPEN_STATUSES
        if known is not None and known.status in OPEN_STATUSES and ticket.status == "cancelled":
            # A void while the cook may be at it: say so, a card must not just vanish. The
            # card stays up, marked voided, for VOID_SHOWN_S or until a cook taps it away.
            self._voided_at[ticket.id] = self._clock()
            self._emit(
                BoardEvent(
                    BoardEventKind.CANCELLED,
                    ticket.id,
                    f"Order {order_number(ticket)} ({ticket.station}) was voided: stop cooking it",
                )
            )
            return
        self._emit(
            BoardEvent(BoardEventKind.NEW_TICKET if is_new else BoardEventKind.CHANGED, ticket.id)
        )

    def apply_ack(self, ack: KitchenAckV1) -> None:
        """The server answered an action: its ticket replaces the guess; an error undoes it."""
        ticket_id = next(
            (
                tid
                for tid, pending in self._pending.items()
                if pending.action.request_id == ack.request_id
            ),
            None,
        )
        if ticket_id is not None:
            with self._pending_lock:
                del self._pending[ticket_id]
        item_key = next(
            (
                key
                for key, action in self._pending_items.items()
                if action.request_id == ack.request_id
            ),
            None,
        )
        if item_key is not None:
            with self._pending_lock:
                del self._pending_items[item_key]
            ticket_id = item_key[0]
        if ack.ticket is not None:
            self.apply_ticket(ack.ticket, in_stream=False)
        if ack.error is not None:
            if ticket_id is not None and self.status_of(ticket_id) != "done":
                self._forget_bumped(ticket_id)
            self._emit(BoardEvent(BoardEventKind.ERROR, ticket_id, ack.error.message))
        elif ack.ticket is None:
            self._emit(BoardEvent(BoardEventKind.CHANGED, ticket_id))

    # --- what the cook does ---------------------------------------------------------------

    def bump(self, ticket_id: UUID) -> KitchenActionV1:
        """Mark a ticket done now and return the action to send (idempotent by request id)."""
        return self._act(ticket_id, "bump", "done")

    def start(self, ticket_id: UUID) -> KitchenActionV1:
        return self._act(ticket_id, "start", "started")

    def bump_item(self, ticket_id: UUID, line_id: UUID) -> KitchenActionV1:
        """Strike one item now (the server bumps the ticket once every item is struck)."""
        if ticket_id not in self._tickets:
            raise KeyError(f"unknown ticket {ticket_id}")
        request = KitchenActionV1(
            request_id=uuid4(), action="bump_item", ticket_id=ticket_id, line_id=line_id
        )
        with self._pending_lock:
            self._pending_items[(ticket_id, line_id)] = request
        self._emit(BoardEvent(BoardEventKind.CHANGED, ticket_id))
        return request

    def item_done(self, ticket: KitchenTicketV1, item: KitchenItemV1) -> bool:
        """Struck on the server, or by this screen and not yet confirmed."""
        return item.done or (ticket.id, item.line_id) in self._pending_items

    def recall_last(self) -> KitchenActionV1 | None:
        """Bring back the most recently bumped ticket; None when there is nothing to recall."""
        while self._recall_stack:
            ticket_id = self._recall_stack[-1]
            if self.status_of(ticket_id) == "done":
                ticket = self._tickets[ticket_id]
                return self._act(ticket_id, "recall", "started" if ticket.started_at else "new")
            self._recall_stack.pop()
        return None

    def _act(self, ticket_id: UUID, action: KitchenAction, status: TicketStatus) -> KitchenActionV1:
        if ticket_id not in self._tickets:
            raise KeyError(f"unknown ticket {ticket_id}")
        request = KitchenActionV1(request_id=uuid4(), action=action, ticket_id=ticket_id)
        with self._pending_lock:
            self._pending[ticket_id] = _Pending(request, status)
        if status == "done":
            self._remember_bumped(ticket_id)
        else:
            self._forget_bumped(ticket_id)
        self._emit(BoardEvent(BoardEventKind.CHANGED, ticket_id))
        return request

    def pending_actions(self) -> list[KitchenActionV1]:
        """Actions the server has not acknowledged: resent after a reconnect (same request ids)."""
        with self._pending_lock:
            return [pending.action for pending in self._pending.values()] + list(
                self._pending_items.values()
            )

    def _remember_bumped(self, ticket_id: UUID) -> None:
        self._forget_bumped(ticket_id)
        self._recall_stack.append(ticket_id)
        del self._recall_stack[:-RECALL_DEPTH]

    def _forget_bumped(self, ticket_id: UUID) -> None:
        if ticket_id in self._recall_stack:
            self._recall_stack.remove(ticket_id)

    # --- what the screen shows ------------------------------------------------------------

    @property
    def station_filter(self) -> str | None:
        return self._station_filter

    def set_station_filter(self, station: str | None) -> None:
        self._station_filter = station or None
        self._emit(BoardEvent(BoardEventKind.CHANGED))

    def stations(self) -> list[str]:
        """Every station this screen has seen a ticket for, for the filter."""
        return sorted({ticket.station for ticket in self._tickets.values()})

    def status_of(self, ticket_id: UUID) -> TicketStatus:
        pending = self._pending.get(ticket_id)
        return pending.status if pending else self._tickets[ticket_id].status

    def ticket(self, ticket_id: UUID) -> KitchenTicketV1:
        return self._tickets[ticket_id]

    def open_tickets(self) -> list[KitchenTicketV1]:
        """Tickets still to cook at the filtered station, oldest sale first."""
        shown = [
            ticket
            for ticket in self._tickets.values()
            if self.status_of(ticket.id) in OPEN_STATUSES
            and (self._station_filter is None or ticket.station == self._station_filter)
        ]
        return sorted(shown, key=lambda ticket: (self.ordered_at(ticket), ticket.sequence))

    def shown_tickets(self) -> list[KitchenTicketV1]:
        """What the screen shows: the open tickets, and those voided in the last VOID_SHOWN_S
        (at the filtered station), all in sale order."""
        now = self._clock()
        for ticket_id, at in list(self._voided_at.items()):
            shown_long_enough = (now - at).total_seconds() >= VOID_SHOWN_S
            if shown_long_enough or self.status_of(ticket_id) != "cancelled":
                del self._voided_at[ticket_id]  # gone, or recalled to cook after all
        voided = [
            self._tickets[ticket_id]
            for ticket_id in self._voided_at
            if self._station_filter is None
            or self._tickets[ticket_id].station == self._station_filter
        ]
        return sorted(
            self.open_tickets() + voided,
            key=lambda ticket: (self.ordered_at(ticket), ticket.sequence),
        )

    def is_voided(self, ticket: KitchenTicketV1) -> bool:
        """A ticket shown only to say it was voided: stop cooking it."""
        return ticket.id in self._voided_at

    def dismiss_voided(self, ticket_id: UUID) -> None:
        """A cook saw the void: the card goes now."""
        if self._voided_at.pop(ticket_id, None) is not None:
            self._emit(BoardEvent(BoardEventKind.CHANGED, ticket_id))

    def ordered_at(self, ticket: KitchenTicketV1) -> datetime:
        """When the customer ordered: the sale's time at the till (the ticket's own time from
        a server that does not send it)."""
        return ticket.ordered_at or ticket.created_at

    def came_late(self, ticket: KitchenTicketV1) -> bool:
        """The ticket reached the kitchen well after the sale (the till was offline)."""
        if ticket.ordered_at is None:
            return False
        return (ticket.created_at - ticket.ordered_at).total_seconds() >= LATE_AFTER_S

    def can_recall(self) -> bool:
        return any(self.status_of(ticket_id) == "done" for ticket_id in self._recall_stack)

    def elapsed_s(self, ticket: KitchenTicketV1) -> int:
        """Whole seconds since the sale (a late ticket is already late); never negative if
        clocks disagree a little."""
        return max(0, int((self._clock() - self.ordered_at(ticket)).total_seconds()))

    def colour(self, ticket: KitchenTicketV1) -> TicketColour:
        return self.thresholds.colour(self.elapsed_s(ticket))

    def all_day(self) -> list[AllDayCount]:
        """Items left to cook across the open tickets shown, most first, then by name."""
        counts: Counter[str] = Counter()
        for ticket in self.open_tickets():
            for item in ticket.items:
                left = item.quantity - item.cancelled_quantity
                if not self.item_done(ticket, item) and left > 0:
                    counts[item.name] += left
        return [
            AllDayCount(name, quantity)
            for name, quantity in sorted(counts.items(), key=lambda entry: (-entry[1], entry[0]))
        ]


def order_number(ticket: KitchenTicketV1) -> str:
    """The receipt's running number without the outlet/terminal prefix: what a cook calls out."""
    return "#" + ticket.receipt_number.rsplit("-", 1)[-1].lstrip("0").rjust(3, "0")


def format_elapsed(seconds: int) -> str:
    """`m:ss` under an hour, `h:mm:ss` after: what a kitchen timer shows."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
