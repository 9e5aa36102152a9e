"""The kitchen board without Qt: order, colours, all-day, recall, replays and pending actions."""

from __future__ import annotations

from uuid import uuid4

from pos_desktop.kitchen.board import (
    BoardEvent,
    BoardEventKind,
    KitchenBoard,
    Thresholds,
    TicketColour,
    format_elapsed,
)
from pos_desktop.kitchen.screenshot import sample_ticket
from shared.protocol import ErrorV1, KitchenAckV1, KitchenCaughtUpV1, OutletV1

from .conftest import ManualClock


def test_open_tickets_are_oldest_first_and_sequence_is_the_highest_seen(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    late = sample_ticket(7, minutes_ago=1, items=[("Fries", 1, (), "")])
    early = sample_ticket(3, minutes_ago=9, items=[("Fries", 1, (), "")])
    board.apply_ticket(late)
    board.apply_ticket(early)
    assert [t.id for t in board.open_tickets()] == [early.id, late.id]
    assert board.last_sequence == 7
    board.apply_message(KitchenCaughtUpV1(sequence=12))
    assert board.last_sequence == 12 and board.caught_up


def test_colour_follows_outlet_thresholds_and_the_clock(clock: ManualClock) -> None:
    outlet = OutletV1(
        id=uuid4(), code="MAIN", name="Main", ticket_amber_after_s=60, ticket_red_after_s=120
    )
    board = KitchenBoard(clock=clock, thresholds=Thresholds.from_outlet(outlet))
    ticket = sample_ticket(1, minutes_ago=0, items=[("Fries", 1, (), "")])
    board.apply_ticket(ticket)
    assert board.colour(ticket) is TicketColour.GREEN
    clock.advance(59)
    assert board.colour(ticket) is TicketColour.GREEN
    clock.advance(1)
    assert board.colour(ticket) is TicketColour.AMBER
    clock.advance(60)
    assert board.colour(ticket) is TicketColour.RED
    assert board.elapsed_s(ticket) == 120
    assert format_elapsed(125) == "2:05" and format_elapsed(3725) == "1:02:05"


def test_all_day_counts_only_what_is_left_to_cook(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    first = sample_ticket(1, minutes_ago=2, items=[("Fries", 2, (), ""), ("Burger", 1, (), "")])
    second = sample_ticket(2, minutes_ago=1, items=[("Fries", 3, (), "")])
    board.apply_ticket(first)
    voided = second.items[0].model_copy(update={"cancelled_quantity": 1})
    board.apply_ticket(second.model_copy(update={"items": (voided,)}))
    assert [(row.name, row.quantity) for row in board.all_day()] == [("Fries", 4), ("Burger", 1)]
    board.bump(first.id)
    assert [(row.name, row.quantity) for row in board.all_day()] == [("Fries", 2)]


def test_bump_shows_at_once_and_a_stale_replay_does_not_undo_it(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    ticket = sample_ticket(4, minutes_ago=1, items=[("Fries", 1, (), "")])
    board.apply_ticket(ticket)
    action = board.bump(ticket.id)
    assert action.action == "bump" and action.ticket_id == ticket.id
    assert board.open_tickets() == []
    assert board.pending_actions() == [action]
    board.apply_ticket(ticket)  # the same copy replayed before the ack: still bumped
    assert board.open_tickets() == []
    done = ticket.model_copy(update={"status": "done", "sequence": 9})
    board.apply_ack(KitchenAckV1(request_id=action.request_id, ticket=done))
    assert board.pending_actions() == []
    # An ack is outside the ordered stream: changes 5..8 may still be on their way.
    assert board.last_sequence == 4
    assert board.status_of(ticket.id) == "done"
    board.apply_ticket(ticket)  # an older sequence never overwrites a newer copy
    assert board.status_of(ticket.id) == "done"


def test_recall_walks_back_through_bumps_newest_first(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    first = sample_ticket(1, minutes_ago=2, items=[("Fries", 1, (), "")])
    second = sample_ticket(2, minutes_ago=1, items=[("Fries", 1, (), "")])
    board.apply_ticket(first)
    board.apply_ticket(second)
    assert board.recall_last() is None and not board.can_recall()
    board.bump(first.id)
    board.bump(second.id)
    recall = board.recall_last()
    assert recall is not None and recall.action == "recall" and recall.ticket_id == second.id
    assert [t.id for t in board.open_tickets()] == [second.id]
    again = board.recall_last()
    assert again is not None and again.ticket_id == first.id
    assert board.recall_last() is None


def test_a_refused_action_is_undone_and_reported(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    events: list[BoardEvent] = []
    board.subscribe(events.append)
    ticket = sample_ticket(1, minutes_ago=1, items=[("Fries", 1, (), "")])
    board.apply_ticket(ticket)
    action = board.bump(ticket.id)
    error = ErrorV1(error="forbidden", message="not your station", code="station_mismatch")
    board.apply_ack(KitchenAckV1(request_id=action.request_id, error=error))
    assert [t.id for t in board.open_tickets()] == [ticket.id]
    assert not board.can_recall()
    assert events[0].kind is BoardEventKind.NEW_TICKET
    assert events[-1].kind is BoardEventKind.ERROR and events[-1].message == "not your station"


def test_station_filter_limits_tickets_and_all_day(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    board.apply_ticket(sample_ticket(1, minutes_ago=2, items=[("Fries", 1, (), "")]))
    board.apply_ticket(sample_ticket(2, minutes_ago=1, station="bar", items=[("Latte", 2, (), "")]))
    assert board.stations() == ["bar", "grill"]
    board.set_station_filter("bar")
    assert [t.station for t in board.open_tickets()] == ["bar"]
    assert [(row.name, row.quantity) for row in board.all_day()] == [("Latte", 2)]


def test_a_void_of_an_open_ticket_is_announced_not_silent(clock: ManualClock) -> None:
    board = KitchenBoard(clock=clock)
    events: list[BoardEvent] = []
    board.subscribe(events.append)
    ticket = sample_ticket(3, minutes_ago=1, items=[("Fries", 2, (), "")])
    board.apply_ticket(ticket)
    voided_items = (ticket.items[0].model_copy(update={"cancelled_quantity": 2}),)
    board.apply_ticket(
        ticket.model_copy(update={"status": "cancelled", "sequence": 4, "items": voided_items})
    )
    assert board.open_tickets() == []
    assert events[-1].kind is BoardEventKind.CANCELLED
    assert events[-1].message == "Order #103 (grill) was voided: stop cooking it"


def test_striking_one_item_leaves_the_ticket_open_and_takes_it_off_all_day(
    clock: ManualClock,
) -> None:
    board = KitchenBoard(clock=clock)
    ticket = sample_ticket(1, minutes_ago=1, items=[("Fries", 2, (), ""), ("Burger", 1, (), "")])
    board.apply_ticket(ticket)
    fries = ticket.items[0]
    action = board.bump_item(ticket.id, fries.line_id)
    assert (action.action, action.ticket_id, action.line_id) == (
        "bump_item",
        ticket.id,
        fries.line_id,
    )
    assert board.item_done(ticket, fries) and [t.id for t in board.open_tickets()] == [ticket.id]
    assert [(row.name, row.quantity) for row in board.all_day()] == [("Burger", 1)]
    assert board.pending_actions() == [action]
    struck = ticket.model_copy(
        update={"sequence": 2, "items": (fries.model_copy(update={"done": True}), ticket.items[1])}
    )
    board.apply_ack(KitchenAckV1(request_id=action.request_id, ticket=struck))
    assert board.pending_actions() == [] and board.item_done(struck, struck.items[0])
