"""The kitchen window with pytest-qt: a ticket appears, its timer turns colour, a touch bumps it,
recall brings it back; both list models pass Qt's model tester."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_desktop.kitchen.board import VOID_SHOWN_S, KitchenBoard, TicketColour
from pos_desktop.kitchen.client import REVOKED_WORDS
from pos_desktop.kitchen.screenshot import render, sample_board, sample_ticket
from pos_desktop.kitchen.ui import HOLD_S, KitchenWindow, TicketCard
from shared.protocol import KitchenActionV1, KitchenTicketMessageV1

from .conftest import ManualClock


def make_window(qtbot: QtBot, board: KitchenBoard) -> KitchenWindow:
    window = KitchenWindow(board)
    window.ticker.stop()  # the test moves time itself
    qtbot.addWidget(window)
    window.show()
    return window


def colour_of(card: TicketCard) -> TicketColour:
    """The colour a card shows now (a call, so the type checker does not pin it)."""
    return card.colour


def test_a_new_ticket_appears_with_its_items_and_beeps(qtbot: QtBot, clock: ManualClock) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    assert window.grid.cards == [] and window.grid.empty_label.isVisible()
    ticket = sample_ticket(
        1, minutes_ago=0, table="4", items=[("Cheeseburger", 2, ("No onion",), "Allergy: nuts")]
    )
    window.apply_message(KitchenTicketMessageV1(ticket=ticket))
    [card] = window.grid.cards
    assert card.ticket_id == ticket.id
    assert card.number_label.text() == "#101"
    assert "Table 4" in card.place_label.text()
    text = card.item_labels[0].text()
    assert "Cheeseburger" in text and "No onion" in text and "Allergy: nuts" in text
    assert window.beeps == 1
    assert window.count_label.text() == "1 open ticket"
    assert window.all_day_model.rowCount() == 1


def test_timer_colour_changes_with_the_clock(qtbot: QtBot, clock: ManualClock) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    window.apply_message(
        KitchenTicketMessageV1(ticket=sample_ticket(1, minutes_ago=0, items=[("Fries", 1, (), "")]))
    )
    [card] = window.grid.cards
    assert colour_of(card) is TicketColour.GREEN and card.timer_label.text() == "0:00"
    clock.advance(5 * 60)
    window.tick()
    assert colour_of(card) is TicketColour.AMBER and card.timer_label.text() == "5:00"
    assert "#f9a825" in card.header.styleSheet()
    clock.advance(5 * 60)
    window.tick()
    assert colour_of(card) is TicketColour.RED and card.timer_label.text() == "10:00"


def test_touch_bumps_and_recall_brings_back(qtbot: QtBot, clock: ManualClock) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    first = sample_ticket(1, minutes_ago=3, items=[("Fries", 1, (), "")])
    second = sample_ticket(2, minutes_ago=1, items=[("Burger", 1, (), "")])
    window.apply_message(KitchenTicketMessageV1(ticket=first))
    window.apply_message(KitchenTicketMessageV1(ticket=second))
    assert not window.recall_button.isEnabled()
    sent: list[KitchenActionV1] = []
    window.action_requested.connect(sent.append)

    qtbot.mouseClick(window.grid.cards[0], Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert [card.ticket_id for card in window.grid.cards] == [second.id]
    assert [(a.action, a.ticket_id) for a in sent] == [("bump", first.id)]
    assert window.recall_button.isEnabled()
    assert [row.name for row in window.board.all_day()] == ["Burger"]

    qtbot.mouseClick(window.recall_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert [card.ticket_id for card in window.grid.cards] == [first.id, second.id]
    assert [(a.action, a.ticket_id) for a in sent] == [("bump", first.id), ("recall", first.id)]
    assert not window.recall_button.isEnabled()


def test_station_filter_and_offline_banner(qtbot: QtBot, clock: ManualClock) -> None:
    window = make_window(qtbot, sample_board())
    assert window.station_box.count() == 3  # all, bar, grill
    window.station_box.setCurrentIndex(window.station_box.findData("bar"))
    assert [window.board.ticket(card.ticket_id).station for card in window.grid.cards] == ["bar"]
    assert not window.banner.isVisible()
    window.set_online(False, "connection refused")
    assert window.banner.isVisible() and "connection refused" in window.banner.text()
    window.set_online(True)
    assert not window.banner.isVisible()


def test_list_models_pass_the_qt_model_tester(qtbot: QtBot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sample_board())
    qtmodeltester.check(window.tickets_model)
    qtmodeltester.check(window.all_day_model)
    assert window.tickets_model.rowCount() == 7  # five open, one came late, one voided
    assert window.all_day_model.index(0, 0).data() == "Fries"
    assert window.all_day_model.index(0, 1).data() == "4"


def test_screenshot_is_written(qtbot: QtBot, tmp_path: Path) -> None:
    path = render(tmp_path / "kitchen.png")
    assert path.stat().st_size > 10_000


def test_a_voided_ticket_is_shown_voided_then_leaves(qtbot: QtBot, clock: ManualClock) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    ticket = sample_ticket(1, minutes_ago=2, items=[("Fries", 1, (), "")])
    window.apply_message(KitchenTicketMessageV1(ticket=ticket))
    voided = ticket.model_copy(update={"status": "cancelled", "sequence": 2})
    window.apply_message(KitchenTicketMessageV1(ticket=voided))
    assert window.beeps == 2
    assert "#101" in window.statusBar().currentMessage()
    # The card stays, large and marked voided, so the cook at it sees the void.
    [card] = window.grid.cards
    assert card.void_label is not None and not card.void_label.isHidden()
    assert "VOIDED" in card.void_label.text()
    assert "font-size: 30px" in card.void_label.styleSheet()  # large: read from the stove
    assert card.item_labels[0].text().startswith("<s>")
    assert window.board.all_day() == []  # nothing of it is left to cook
    sent: list[KitchenActionV1] = []
    window.action_requested.connect(sent.append)
    qtbot.wait(50)  # laid out, as it is before a finger lands
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert window.grid.cards == [] and sent == []  # a tap puts it away; nothing is bumped

    other = sample_ticket(2, minutes_ago=1, items=[("Burger", 1, (), "")])
    window.apply_message(KitchenTicketMessageV1(ticket=other))
    window.apply_message(
        KitchenTicketMessageV1(
            ticket=other.model_copy(update={"status": "cancelled", "sequence": 4})
        )
    )
    assert len(window.grid.cards) == 1
    clock.advance(VOID_SHOWN_S)
    window.tick()
    assert window.grid.cards == []  # untouched, it goes by itself after a while


def test_a_ticket_that_came_late_is_timed_from_the_sale_and_says_so(
    qtbot: QtBot, clock: ManualClock
) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    ticket = sample_ticket(1, minutes_ago=0, items=[("Fries", 1, (), "")])
    sold = ticket.created_at - timedelta(minutes=12)  # rung up during a 12-minute outage
    window.apply_message(
        KitchenTicketMessageV1(ticket=ticket.model_copy(update={"ordered_at": sold}))
    )
    [card] = window.grid.cards
    assert card.timer_label.text() == "12:00"
    assert colour_of(card) is TicketColour.RED
    assert card.late_label is not None
    assert card.late_label.text() == f"Came late · sold {sold.astimezone():%H:%M}"
    on_time = sample_ticket(2, minutes_ago=0, items=[("Burger", 1, (), "")])
    window.apply_message(
        KitchenTicketMessageV1(
            ticket=on_time.model_copy(
                update={"ordered_at": on_time.created_at - timedelta(seconds=20)}
            )
        )
    )
    late_card, on_time_card = window.grid.cards  # the older sale first
    assert late_card.ticket_id == ticket.id and on_time_card.late_label is None


def test_holding_an_item_strikes_it_and_a_tap_on_it_bumps_the_ticket(
    qtbot: QtBot, clock: ManualClock
) -> None:
    window = make_window(qtbot, KitchenBoard(clock=clock))
    ticket = sample_ticket(1, minutes_ago=1, items=[("Fries", 1, (), ""), ("Burger", 1, (), "")])
    window.apply_message(KitchenTicketMessageV1(ticket=ticket))
    sent: list[KitchenActionV1] = []
    window.action_requested.connect(sent.append)
    qtbot.wait(50)  # let the new card lay out its items, as it has before a finger lands
    fries_label = window.grid.cards[0].item_labels[0]

    qtbot.mousePress(fries_label, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.wait(int(HOLD_S * 1000) + 100)
    qtbot.mouseRelease(fries_label, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert [(a.action, a.line_id) for a in sent] == [("bump_item", ticket.items[0].line_id)]
    [card] = window.grid.cards
    assert card.item_labels[0].text().startswith("<s>")
    assert not card.item_labels[1].text().startswith("<s>")

    qtbot.wait(50)
    burger_label = card.item_labels[1]
    qtbot.mouseClick(burger_label, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert sent[-1].action == "bump" and window.grid.cards == []


@pytest.mark.parametrize("reason", sorted(REVOKED_WORDS))
def test_a_refused_screen_says_why_without_promising_a_reconnect(qtbot: QtBot, reason: str) -> None:
    window = make_window(qtbot, sample_board())
    window.set_online(False, REVOKED_WORDS[reason])
    assert window.banner.isVisibleTo(window)
    assert window.banner.text() == f"{REVOKED_WORDS[reason]}."
    assert "reconnect" not in window.banner.text() and "Offline" not in window.banner.text()
    window.set_online(False, "the server cannot be reached")
    assert window.banner.text().startswith("Offline: the server cannot be reached.")


def test_the_revoked_screenshot_is_written(qtbot: QtBot, tmp_path: Path) -> None:
    path = render(tmp_path / "kitchen-revoked.png", revoked="suspended")
    assert path.stat().st_size > 10_000
