"""Shift close: count the drawer by denomination, expected versus counted, X and Z reports,
and cash put into or taken out of the drawer (pay-in, pay-out) with a manager's PIN."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.till.views import ReportView, TillError
from pos_desktop.ui.dialogs import ConfirmDialog, ManagerPinDialog, touch_table
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.models import CountedTableModel, denominations_model
from pos_desktop.ui.ports import ShiftPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import Keypad, amount_edit, button, label, receipt_view
from shared.money import MoneyParseError

MAX_PIECES = 100_000
"""More notes or coins of one value than any drawer holds: a typo."""

AnyIndex = QModelIndex | QPersistentModelIndex


class CountDelegate(QStyledItemDelegate):
    """Counts are typed as whole numbers (a spin box would stop at 99 coins)."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("shiftClose_countEdit")
        editor.setValidator(QIntValidator(0, MAX_PIECES, editor))
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QLineEdit):
            text = editor.text().strip()
            model.setData(index, int(text) if text.isdigit() else 0, Qt.ItemDataRole.EditRole)


class CashMovementDialog(ManagerPinDialog):
    """Cash in or out: how much (typed in the tenant's locale), why, and a manager's PIN."""

    def __init__(self, parent: QWidget | None, title: str, money: MoneyFormat) -> None:
        super().__init__(parent, title, ask_reason=True)
        self.setObjectName("cashMovement")
        self._money = money
        self.amount_edit = amount_edit(money, name="cashMovement_amount")
        self.amount_edit.setPlaceholderText(self.tr("Amount"))
        self.body.insertWidget(0, self.amount_edit)
        self.amount_minor = 0
        # The on-screen keypad types the amount first, and the PIN once the cashier moved on
        # to the reason or the PIN (amount, reason, PIN: the order the fields stand in).
        self.keypad = self.findChild(Keypad, "managerPin_keypad")
        for field in (self.amount_edit, self.reason_edit, self.pin_edit):
            field.installEventFilter(self)
        self.amount_edit.setFocus()
        self._point_keypad_at(self.amount_edit)

    def _point_keypad_at(self, field: QLineEdit) -> None:
        if self.keypad is not None:
            self.keypad.set_target(field)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._point_keypad_at(
                self.amount_edit if watched is self.amount_edit else self.pin_edit
            )
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        try:
            amount_minor = self._money.amount_minor(self.amount_edit.text())
        except MoneyParseError:
            amount_minor = 0
        if amount_minor <= 0:
            self.error.setText(self.tr("Enter an amount above zero."))
            return
        self.amount_minor = amount_minor
        super().accept()


class ShiftCloseScreen(Screen):
    """Counting on the left, the report on the right; Z closes the shift for good."""

    closed = Signal(object)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("shiftClose")
        self._context = context
        self._till: ShiftPort = context.till
        self._money = context.money
        self._report: ReportView | None = None
        self.pending_confirmation = False
        self._expected = 0
        self.counts: CountedTableModel = denominations_model(
            self._till.tenant().denominations_minor, self._money
        )
        self.counts.dataChanged.connect(lambda *_: self._show_counted())

        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(label(self.tr("Close shift"), "title"))
        self.table = touch_table(self.counts, "shiftClose_counts")
        # Note, count and amount side by side without sideways scrolling (Indonesian headers
        # are longer): the first two fit their text, the amount takes the rest.
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # A count can be typed as well as tapped: select a row and type, or tap the cell.
        self.table.setItemDelegateForColumn(1, CountDelegate(self.table))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        left.addWidget(self.table, 1)
        steps = QHBoxLayout()
        for text, delta, name in (("−", -1, "minus"), ("+", 1, "plus"), ("+10", 10, "plus10")):
            step = button(text, "key", name=f"shiftClose_{name}")
            step.clicked.connect(lambda _=False, d=delta: self._step(d))
            steps.addWidget(step)
        left.addLayout(steps)
        figures = QGridLayout()
        self.expected = label("", name="shiftClose_expected")
        self.counted = label("", "total", name="shiftClose_counted")
        self.difference = label("", name="shiftClose_difference")
        for row, (text, widget) in enumerate(
            (
                (self.tr("Expected in drawer"), self.expected),
                (self.tr("Counted"), self.counted),
                (self.tr("Difference"), self.difference),
            )
        ):
            figures.addWidget(label(text), row, 0)
            widget.setAlignment(Qt.AlignmentFlag.AlignRight)
            figures.addWidget(widget, row, 1)
        left.addLayout(figures)
        movements = QHBoxLayout()
        self.cash_in_button = button(self.tr("Cash in"), name="shiftClose_cashIn")
        self.cash_in_button.clicked.connect(lambda: self.ask_cash_movement("in"))
        self.cash_out_button = button(self.tr("Cash out"), name="shiftClose_cashOut")
        self.cash_out_button.clicked.connect(lambda: self.ask_cash_movement("out"))
        movements.addWidget(self.cash_in_button)
        movements.addWidget(self.cash_out_button)
        left.addLayout(movements)
        self.notice = label("", "hint", name="shiftClose_notice")
        left.addWidget(self.notice)
        left.addWidget(self.error)
        layout.addLayout(left, 1)

        right = QVBoxLayout()
        self.report_text = receipt_view("shiftClose_report")
        right.addWidget(self.report_text, 1)
        actions = QHBoxLayout()
        self.x_button = button(self.tr("X report"), name="shiftClose_x")
        self.x_button.clicked.connect(self.x_report)
        self.print_button = button(self.tr("Print report"), name="shiftClose_print")
        self.print_button.clicked.connect(self._print)
        self.z_button = button(self.tr("Close shift (Z)"), "primary", name="shiftClose_z")
        self.z_button.clicked.connect(self.ask_close)
        for action in (self.x_button, self.print_button, self.z_button):
            actions.addWidget(action)
        right.addLayout(actions)
        layout.addLayout(right, 1)

    def activate(self) -> None:
        self.clear_error()
        self.notice.setText("")
        self.z_button.setEnabled(True)
        self._refresh()

    def _refresh(self) -> None:
        """Expected cash and the running X report, after opening or after cash moved."""
        self._context.background.run(self._till.expected_cash, self._set_expected, self.show_error)
        self.x_report()

    def ask_cash_movement(self, direction: str) -> None:
        """Cash in (pay-in: change from the bank) or out (pay-out: to the safe, a supplier)."""
        self.clear_error()
        title = self.tr("Cash in") if direction == "in" else self.tr("Cash out")
        dialog = CashMovementDialog(self, title, self._money)
        dialog.accepted.connect(lambda: self._move_cash(direction, dialog))
        self.open_dialog(dialog)

    def _move_cash(self, direction: str, dialog: CashMovementDialog) -> None:
        amount_minor, reason, pin = dialog.amount_minor, dialog.reason(), dialog.pin()
        amount = self._money(amount_minor)

        def done(_result: object) -> None:
            text = self.tr("Cash in: %s") if direction == "in" else self.tr("Cash out: %s")
            self.notice.setText(text % amount)
            self._refresh()

        self._context.background.run(
            lambda: self._till.move_cash(direction, amount_minor, reason, pin),
            done,
            self.show_error,
        )

    def ask_close(self) -> None:
        """Closing is for good: the cashier sees counted against expected and confirms."""
        self.clear_error()
        counted = self.counts.total()
        text = self.tr("Counted %s, expected %s, difference %s. The shift cannot be reopened.") % (
            self._money(counted),
            self._money(self._expected),
            self._money(counted - self._expected),
        )
        dialog = ConfirmDialog(self, self.tr("Close the shift?"), text, self.tr("Close shift"))
        dialog.accepted.connect(lambda: self._close())
        self.open_dialog(dialog)

    def _set_expected(self, expected_minor: int) -> None:
        self._expected = expected_minor
        self._show_counted()

    def _show_counted(self) -> None:
        counted = self.counts.total()
        self.expected.setText(self._money(self._expected))
        self.counted.setText(self._money(counted))
        self.difference.setText(self._money(counted - self._expected))

    def _step(self, delta: int) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.counts.step(rows[0].row(), delta)

    def x_report(self) -> None:
        """Print-preview the running figures; the shift stays open."""
        self._context.background.run(self._till.x_report, self._show_report, self.show_error)

    def _show_report(self, report: ReportView) -> None:
        self._report = report
        self.report_text.setPlainText(report.text)

    def _print(self) -> None:
        report = self._report
        if report is not None:
            self._context.background.run(
                lambda: self._till.print_report(report), lambda _r: None, self.show_error
            )

    def _close(self, confirm_unsynced: bool = False) -> None:
        denominations = self._till.tenant().denominations_minor
        counted = {
            value: count
            for value, count in zip(denominations, self.counts.counts(), strict=True)
            if count
        }
        self.z_button.setEnabled(False)
        self.pending_confirmation = False

        def done(report: ReportView) -> None:
            self._show_report(report)
            self.z_button.setEnabled(False)
            self.closed.emit(report)

        def failed(error: Exception) -> None:
            self.z_button.setEnabled(True)
            if isinstance(error, TillError) and error.code == "unsynced_orders":
                self._confirm_unsynced(error.message)
            else:
                self.show_error(error)

        self._context.background.run(
            lambda: self._till.close_shift(counted, confirm_unsynced), done, failed
        )

    def _confirm_unsynced(self, warning: str) -> None:
        """Sales not in the cloud yet stay on the terminal; the cashier confirms they know."""
        self.pending_confirmation = True
        dialog = ConfirmDialog(
            self, self.tr("Sales not synced yet"), warning, self.tr("Close shift anyway")
        )
        dialog.accepted.connect(lambda: self._close(confirm_unsynced=True))
        dialog.rejected.connect(lambda: setattr(self, "pending_confirmation", False))
        self.open_dialog(dialog)

    @property
    def report(self) -> ReportView | None:
        """The report last shown."""
        return self._report
