"""The kitchen screen's Qt widgets: ticket grid, all-day panel, recall, station filter, banner.

With `app` and `screenshot`, the only kitchen modules that import Qt. Widgets read the
`KitchenBoard` they are given and never decide anything themselves: a touch on a card asks
the board to bump, and the action the board returns leaves through
`KitchenWindow.action_requested` for the socket thread to send.
Over 500 lines on purpose: one window and the widgets only it uses, none of them with rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.kitchen.board import (
    BoardEvent,
    BoardEventKind,
    KitchenBoard,
    TicketColour,
    format_elapsed,
    order_number,
)
from pos_desktop.kitchen.client import is_refusal
from shared.protocol import KitchenActionV1, KitchenServerMessageV1, KitchenTicketV1

ModelIndex = QModelIndex | QPersistentModelIndex

TICKET_ROLE: Final = Qt.ItemDataRole.UserRole + 1
COLOUR_ROLE: Final = Qt.ItemDataRole.UserRole + 2
ELAPSED_ROLE: Final = Qt.ItemDataRole.UserRole + 3
DONE_LINES_ROLE: Final = Qt.ItemDataRole.UserRole + 4
STATE_ROLE: Final = Qt.ItemDataRole.UserRole + 5


@dataclass(frozen=True)
class TicketState:
    """What a card says beside its items: voided (stop cooking) or came late (after an outage)."""

    voided: bool = False
    came_late: bool = False


HEADER_COLOURS: Final = {
    TicketColour.GREEN: ("#2e7d32", "#ffffff"),
    TicketColour.AMBER: ("#f9a825", "#1b1b1b"),
    TicketColour.RED: ("#c62828", "#ffffff"),
}
CARD_WIDTH: Final = 236
HOLD_S: Final = 0.6
"""How long a finger stays on an item to strike it alone (a tap bumps the whole ticket)."""
BEEP_GAP_S: Final = 0.5
"""Several tickets of one order arrive together; one beep is enough for them."""

STYLE: Final = """
QMainWindow, QWidget#central { background: #1e1f22; }
QLabel { color: #f0f0f0; }
QFrame#ticket { background: #fafafa; border-radius: 8px; }
QFrame#ticket QLabel { color: #1b1b1b; }
QLabel#banner { background: #b71c1c; color: white; font-weight: bold; padding: 8px; }
QPushButton { min-height: 48px; padding: 0 18px; font-size: 16px; }
QComboBox { min-height: 48px; font-size: 16px; min-width: 160px; }
QTableView { background: #2b2d31; color: #f0f0f0; font-size: 16px; gridline-color: #3a3c41; }
QHeaderView::section { background: #2b2d31; color: #c0c0c0; border: none; }
"""


class TicketsModel(QAbstractListModel):
    """Open tickets of the board, oldest first; timer roles change every tick."""

    def __init__(self, board: KitchenBoard, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._board = board
        self._tickets: list[KitchenTicketV1] = board.shown_tickets()

    def reload(self) -> None:
        self.beginResetModel()
        self._tickets = self._board.shown_tickets()
        self.endResetModel()

    def tick(self) -> None:
        """Elapsed time moved on: the timer and colour roles of every row changed, and a
        voided card shown long enough goes."""
        if [t.id for t in self._board.shown_tickets()] != [t.id for t in self._tickets]:
            self.reload()
        elif self._tickets:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._tickets) - 1, 0), [ELAPSED_ROLE, COLOUR_ROLE]
            )

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tickets)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tickets):
            return None
        ticket = self._tickets[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{order_number(ticket)} {ticket.table or ticket.customer_name}".strip()
        if role == TICKET_ROLE:
            return ticket
        if role == ELAPSED_ROLE:
            return self._board.elapsed_s(ticket)
        if role == COLOUR_ROLE:
            return self._board.colour(ticket).value
        if role == DONE_LINES_ROLE:
            return frozenset(i.line_id for i in ticket.items if self._board.item_done(ticket, i))
        if role == STATE_ROLE:
            return TicketState(
                voided=self._board.is_voided(ticket), came_late=self._board.came_late(ticket)
            )
        return None


class AllDayModel(QAbstractTableModel):
    """The all-day panel: each item still to cook and how many, across the open tickets."""

    HEADERS: Final = ("Item", "Qty")

    def __init__(self, board: KitchenBoard, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._board = board
        self._rows = board.all_day()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._board.all_day()
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name if index.column() == 0 else str(row.quantity)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class TicketCard(QFrame):
    """One ticket: coloured header with number, place and timer; items below.

    A tap anywhere bumps the ticket; holding an item for `HOLD_S` strikes that item only.
    """

    bump_requested = Signal(object)
    item_bump_requested = Signal(object, object)
    dismiss_requested = Signal(object)

    def __init__(
        self,
        ticket: KitchenTicketV1,
        parent: QWidget | None = None,
        *,
        done_lines: frozenset[UUID] = frozenset(),
        state: TicketState | None = None,
        time_zone: ZoneInfo | None = None,
    ) -> None:
        super().__init__(parent)
        state = state or TicketState()
        self.voided = state.voided
        self.ticket_id: UUID = ticket.id
        self._pressed: tuple[float, QWidget | None] | None = None
        self.colour = TicketColour.GREEN
        self.setObjectName("ticket")
        self.setFixedWidth(CARD_WIDTH)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 10)
        layout.setSpacing(4)

        self.header = QFrame(self)
        header_layout = QHBoxLayout(self.header)
        header_layout.setContentsMargins(10, 6, 10, 6)
        self.number_label = QLabel(order_number(ticket), self.header)
        bold = QFont()
        bold.setPointSize(16)
        bold.setBold(True)
        self.number_label.setFont(bold)
        self.timer_label = QLabel("", self.header)
        self.timer_label.setFont(bold)
        header_layout.addWidget(self.number_label)
        header_layout.addStretch(1)
        header_layout.addWidget(self.timer_label)
        layout.addWidget(self.header)

        place = (ticket.table and f"Table {ticket.table}") or ticket.customer_name or "Counter"
        subtitle = f"{place} · {ticket.station}"
        if ticket.already_printed:
            subtitle += " · printed offline"
        self.place_label = QLabel(subtitle, self)
        self.place_label.setContentsMargins(10, 0, 10, 0)
        self.place_label.setStyleSheet("color: #555; font-size: 13px;")
        layout.addWidget(self.place_label)
        self.late_label: QLabel | None = None
        if state.came_late and ticket.ordered_at is not None:
            # Sold during an outage: the timer already runs from the sale; say why it is late.
            self.late_label = QLabel(
                f"Came late · sold {_clock_time(ticket.ordered_at, time_zone)}", self
            )
            self.late_label.setObjectName("ticket_late")
            self.late_label.setContentsMargins(10, 2, 10, 2)
            self.late_label.setStyleSheet(
                "background: #fff3cd; color: #7a4d00; font-size: 14px; font-weight: bold;"
            )
            layout.addWidget(self.late_label)
        self.void_label: QLabel | None = None
        if state.voided:
            self.void_label = QLabel("VOIDED\nstop cooking", self)
            self.void_label.setObjectName("ticket_voided")
            self.void_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.void_label.setStyleSheet(
                "background: #c62828; color: white; font-size: 30px; font-weight: bold;"
                " padding: 10px;"
            )
            layout.addWidget(self.void_label)

        self.item_labels: list[QLabel] = []
        self.line_of_label: dict[QLabel, UUID] = {}
        for item in ticket.items:
            left = item.quantity - item.cancelled_quantity
            text = f"<b>{left}×</b> {_escape(item.name)}"
            if item.cancelled_quantity:
                text += f" <span style='color:#c62828'>({item.cancelled_quantity} void)</span>"
            done = item.done or item.line_id in done_lines
            if left <= 0 or done or state.voided:
                text = f"<s>{text}</s>"
            for modifier in item.modifiers:
                text += f"<br>&nbsp;&nbsp;&nbsp;+ {_escape(modifier)}"
            if item.note:
                text += f"<br>&nbsp;&nbsp;&nbsp;<i style='color:#c62828'>{_escape(item.note)}</i>"
            label = QLabel(text, self)
            label.setWordWrap(True)
            label.setContentsMargins(10, 2, 10, 2)
            label.setStyleSheet("font-size: 15px;")
            layout.addWidget(label)
            self.item_labels.append(label)
            if left > 0 and not done and not state.voided:
                self.line_of_label[label] = item.line_id

    def show_time(self, elapsed_s: int, colour: TicketColour) -> None:
        background, foreground = HEADER_COLOURS[colour]
        self.colour = colour
        self.header.setStyleSheet(
            f"background: {background}; border-top-left-radius: 8px; border-top-right-radius: 8px;"
        )
        for label in (self.number_label, self.timer_label):
            label.setStyleSheet(f"color: {foreground}; background: transparent;")
        self.timer_label.setText(format_elapsed(elapsed_s))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = (time.monotonic(), self.childAt(event.position().toPoint()))
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A touch (synthesised as mouse press and release) bumps the card, or, held on an
        item that is still to cook, strikes that item."""
        pressed, self._pressed = self._pressed, None
        inside = self.rect().contains(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and inside and self.voided:
            self.dismiss_requested.emit(self.ticket_id)  # seen: nothing to bump on a void
        elif event.button() == Qt.MouseButton.LeftButton and inside and pressed is not None:
            held_s, target = time.monotonic() - pressed[0], pressed[1]
            line_id = self.line_of_label.get(target) if isinstance(target, QLabel) else None
            if held_s >= HOLD_S and line_id is not None:
                self.item_bump_requested.emit(self.ticket_id, line_id)
            else:
                self.bump_requested.emit(self.ticket_id)
        super().mouseReleaseEvent(event)


def _clock_time(moment: datetime, time_zone: ZoneInfo | None) -> str:
    """`14:02` in the outlet's time zone (the screen's own when unknown)."""
    return (moment.astimezone(time_zone) if time_zone else moment.astimezone()).strftime("%H:%M")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TicketGrid(QScrollArea):
    """A view of `TicketsModel` as cards that flow left to right, then down."""

    bump_requested = Signal(object)
    item_bump_requested = Signal(object, object)
    dismiss_requested = Signal(object)

    def __init__(
        self,
        model: TicketsModel,
        parent: QWidget | None = None,
        *,
        time_zone: ZoneInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._time_zone = time_zone
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._canvas = QWidget()
        self._canvas.setObjectName("central")
        self._layout = QGridLayout(self._canvas)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(12)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setWidget(self._canvas)
        self.cards: list[TicketCard] = []
        self._columns = 0
        self.empty_label = QLabel("No open tickets", self._canvas)
        self.empty_label.setStyleSheet("color: #8a8d93; font-size: 22px;")
        model.modelReset.connect(self.rebuild)
        model.dataChanged.connect(self.refresh_times)
        self.rebuild()

    def rebuild(self) -> None:
        for card in self.cards:
            self._layout.removeWidget(card)
            card.hide()  # deleteLater waits for the event loop; a hidden card is never drawn
            card.deleteLater()
        self._layout.removeWidget(self.empty_label)
        self.cards = []
        for row in range(self._model.rowCount()):
            ticket = self._model.data(self._model.index(row, 0), TICKET_ROLE)
            done = self._model.data(self._model.index(row, 0), DONE_LINES_ROLE)
            state = self._model.data(self._model.index(row, 0), STATE_ROLE)
            card = TicketCard(
                ticket, self._canvas, done_lines=done, state=state, time_zone=self._time_zone
            )
            card.bump_requested.connect(self.bump_requested)
            card.item_bump_requested.connect(self.item_bump_requested)
            card.dismiss_requested.connect(self.dismiss_requested)
            self.cards.append(card)
        self._columns = self._fit_columns()
        self._place()
        self.refresh_times()

    def _fit_columns(self) -> int:
        return max(1, (self.viewport().width() - 24 + 12) // (CARD_WIDTH + 12))

    def _place(self) -> None:
        self.empty_label.setVisible(not self.cards)
        if not self.cards:
            self._layout.addWidget(self.empty_label, 0, 0)
        for position, card in enumerate(self.cards):
            row, column = divmod(position, self._columns)
            self._layout.addWidget(card, row, column, Qt.AlignmentFlag.AlignTop)

    def refresh_times(self, *_: object) -> None:
        for row, card in enumerate(self.cards):
            index = self._model.index(row, 0)
            card.show_time(
                self._model.data(index, ELAPSED_ROLE),
                TicketColour(self._model.data(index, COLOUR_ROLE)),
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_columns() != self._columns:
            for card in self.cards:
                self._layout.removeWidget(card)
            self._columns = self._fit_columns()
            self._place()


class KitchenWindow(QMainWindow):
    """The whole kitchen screen for one board; actions leave through `action_requested`."""

    action_requested = Signal(object)

    def __init__(
        self, board: KitchenBoard, *, title: str = "Kitchen", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.board = board
        self.beeps = 0
        self._last_beep = 0.0
        self.setWindowTitle(f"Kiosk POS · {title}")
        self.setStyleSheet(STYLE)
        self.resize(1024, 768)

        central = QWidget(self)
        central.setObjectName("central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.banner = QLabel("Offline: reconnecting…", central)
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)

        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(12, 10, 12, 0)
        self.title_label = QLabel(title, central)
        self.title_label.setStyleSheet("font-size: 22px; font-weight: bold;")
        self.count_label = QLabel("", central)
        self.count_label.setStyleSheet("font-size: 16px; color: #b0b3b8;")
        self.station_box = QComboBox(central)
        self.station_box.addItem("All stations", None)
        self.station_box.currentIndexChanged.connect(self._station_chosen)
        self.recall_button = QPushButton("↶ Recall last", central)
        self.recall_button.clicked.connect(self.recall_last)
        toolbar.addWidget(self.title_label)
        toolbar.addSpacing(16)
        toolbar.addWidget(self.count_label)
        toolbar.addStretch(1)
        toolbar.addWidget(self.station_box)
        toolbar.addWidget(self.recall_button)
        outer.addLayout(toolbar)

        body = QHBoxLayout()
        self.tickets_model = TicketsModel(board, self)
        self.grid = TicketGrid(self.tickets_model, central)
        self.grid.bump_requested.connect(self.bump)
        self.grid.item_bump_requested.connect(self.bump_item)
        self.grid.dismiss_requested.connect(board.dismiss_voided)
        body.addWidget(self.grid, 1)

        side = QVBoxLayout()
        side.setContentsMargins(0, 12, 12, 12)
        all_day_title = QLabel("All day", central)
        all_day_title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.all_day_model = AllDayModel(board, self)
        self.all_day_view = QTableView(central)
        self.all_day_view.setModel(self.all_day_model)
        self.all_day_view.verticalHeader().setVisible(False)
        self.all_day_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.all_day_view.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.all_day_view.setFixedWidth(230)
        self.all_day_view.setSelectionMode(QTableView.SelectionMode.NoSelection)
        side.addWidget(all_day_title)
        side.addWidget(self.all_day_view, 1)
        body.addLayout(side)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()

        board.subscribe(self._board_changed)
        self._refresh()

    # --- from the board and the socket ----------------------------------------------------

    def _board_changed(self, event: BoardEvent) -> None:
        if event.kind == BoardEventKind.NEW_TICKET:
            self._beep()
        if event.kind == BoardEventKind.CANCELLED:
            self._beep(always=True)
            self.statusBar().showMessage(event.message, 15000)
        if event.kind == BoardEventKind.ERROR:
            self.statusBar().showMessage(event.message, 8000)
        self._refresh()

    def apply_message(self, message: KitchenServerMessageV1) -> None:
        """Slot for messages from the socket thread (delivered queued, on the UI thread)."""
        self.board.apply_message(message)

    def set_online(self, online: bool, reason: str = "") -> None:
        """Show the link state: hidden when online; refused credentials say so on their own."""
        self.banner.setVisible(not online)
        if online:
            return
        if is_refusal(reason):  # revoked, paired again, suspended: no "reconnecting" promise
            self.banner.setText(f"{reason}.")
        else:
            self.banner.setText(f"Offline: {reason}. Bumps are kept and sent on reconnect.")

    def _beep(self, *, always: bool = False) -> None:
        now = time.monotonic()
        if always or now - self._last_beep >= BEEP_GAP_S:
            self._last_beep = now
            self.beeps += 1
            QApplication.beep()

    def _refresh(self) -> None:
        self.tickets_model.reload()
        self.all_day_model.reload()
        self.recall_button.setEnabled(self.board.can_recall())
        count = len(self.board.open_tickets())  # a voided card still shown is not to cook
        self.count_label.setText(f"{count} open ticket{'s' if count != 1 else ''}")
        stations = self.board.stations()
        known = [self.station_box.itemData(i) for i in range(1, self.station_box.count())]
        if known != stations:
            self.station_box.blockSignals(True)
            while self.station_box.count() > 1:
                self.station_box.removeItem(1)
            for station in stations:
                self.station_box.addItem(station, station)
            current = self.station_box.findData(self.board.station_filter)
            self.station_box.setCurrentIndex(max(0, current))
            self.station_box.blockSignals(False)

    def tick(self) -> None:
        """Once a second: timers and colours move on."""
        self.tickets_model.tick()

    # --- from the cook --------------------------------------------------------------------

    def bump(self, ticket_id: UUID) -> None:
        self.action_requested.emit(self.board.bump(ticket_id))

    def bump_item(self, ticket_id: UUID, line_id: UUID) -> None:
        self.action_requested.emit(self.board.bump_item(ticket_id, line_id))

    def recall_last(self) -> None:
        action: KitchenActionV1 | None = self.board.recall_last()
        if action is not None:
            self.action_requested.emit(action)

    def _station_chosen(self, index: int) -> None:
        self.board.set_station_filter(self.station_box.itemData(index))


class SocketBridge(QObject):
    """Carries the socket thread's callbacks onto the UI thread as queued signals."""

    message_received = Signal(object)
    online_changed = Signal(bool, str)

    def on_message(self, message: KitchenServerMessageV1) -> None:
        self.message_received.emit(message)

    def on_online(self, online: bool, reason: str) -> None:
        self.online_changed.emit(online, reason)
