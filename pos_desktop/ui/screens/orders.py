"""Orders of the shift: search by receipt number, reprint, void or refund with a manager PIN."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from pos_desktop.till.views import OrderDetail
from pos_desktop.ui.dialogs import ManagerPinDialog, touch_table
from pos_desktop.ui.models import (
    CountedTableModel,
    orders_model,
    refund_lines_model,
    status_label,
)
from pos_desktop.ui.ports import OrdersPort, ReceiptPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import button, label, receipt_view


class OrdersScreen(Screen):
    """A shift's orders on the left; the chosen one's lines, receipt and actions on the right."""

    changed = Signal()

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("orders")
        self._context = context
        self._till: OrdersPort = context.till
        self._money = context.money
        self._detail: OrderDetail | None = None
        self.orders = orders_model(self._money, self._till.tenant().time_zone)
        self.refund_lines: CountedTableModel = refund_lines_model([], self._money)

        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(label(self.tr("Orders of this shift"), "title"))
        self.search = QLineEdit()
        self.search.setObjectName("orders_search")
        self.search.setPlaceholderText(self.tr("Receipt number"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.reload())
        left.addWidget(self.search)
        self.table = touch_table(self.orders, "orders_table")
        self.table.clicked.connect(self._order_clicked)
        left.addWidget(self.table, 1)
        layout.addLayout(left, 1)

        right = QVBoxLayout()
        self.state = label("", name="orders_state")
        self.state.setStyleSheet("font-size: 18px; font-weight: bold;")
        right.addWidget(self.state)
        self.receipt = receipt_view("orders_receipt")
        right.addWidget(self.receipt, 2)
        self.lines_table = touch_table(self.refund_lines, "orders_lines")
        right.addWidget(self.lines_table, 1)
        steps = QHBoxLayout()
        less = button("−", "key", name="orders_refundMinus")
        less.clicked.connect(lambda: self._step_refund(-1))
        more = button("+", "key", name="orders_refundPlus")
        more.clicked.connect(lambda: self._step_refund(1))
        steps.addWidget(label(self.tr("Units to refund on the selected line")), 1)
        steps.addWidget(less)
        steps.addWidget(more)
        right.addLayout(steps)
        right.addWidget(self.error)
        actions = QHBoxLayout()
        self.reprint_button = button(self.tr("Reprint"), name="orders_reprint")
        self.reprint_button.clicked.connect(self._reprint)
        self.refund_button = button(self.tr("Refund lines"), name="orders_refund")
        self.refund_button.clicked.connect(self._refund)
        self.void_button = button(self.tr("Void order"), "danger", name="orders_void")
        self.void_button.clicked.connect(self._void)
        for widget in (self.reprint_button, self.refund_button, self.void_button):
            actions.addWidget(widget)
        right.addLayout(actions)
        layout.addLayout(right, 1)
        self._show_detail(None)

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Fetch the shift's orders matching the search, off the UI thread."""
        text = self.search.text().strip()
        self._context.background.run(
            lambda: self._till.orders(text), self.orders.set_rows, self.show_error
        )

    def _order_clicked(self, index: QModelIndex) -> None:
        self.open_order(self.orders.row_at(index.row()).order_id)

    def open_order(self, order_id: str) -> None:
        """Show one order's receipt and lines."""
        self._context.background.run(
            lambda: self._till.order_detail(order_id), self._show_detail, self.show_error
        )

    def _show_detail(self, detail: OrderDetail | None) -> None:
        self._detail = detail
        self.receipt.setPlainText(detail.receipt_text if detail else "")
        self.refund_lines = refund_lines_model(detail.lines if detail else [], self._money)
        self.lines_table.setModel(self.refund_lines)
        self.lines_table.setColumnWidth(0, 220)
        self.state.setText(self._state_text(detail) if detail else "")
        self.reprint_button.setEnabled(detail is not None)
        self.refund_button.setEnabled(detail is not None and detail.can_refund)
        self.void_button.setEnabled(detail is not None and detail.can_void)
        if detail is not None and detail.lines:
            self.lines_table.selectRow(0)

    def _state_text(self, detail: OrderDetail) -> str:
        """`000123 · Partly refunded (Rp 10.000 back)`: what happened to the order."""
        row = detail.row
        text = f"{row.receipt_number} · {status_label(row.status)}"
        if row.refunded_minor and row.status != "voided":
            text += " " + self.tr("(%s given back)") % self._money(row.refunded_minor)
        return text

    def select_line(self, row: int) -> None:
        """Select an order line, as a tap does."""
        self.lines_table.selectRow(row)

    def _step_refund(self, delta: int) -> None:
        rows = self.lines_table.selectionModel().selectedRows()
        if rows:
            self.refund_lines.step(rows[0].row(), delta)

    def _reprint(self) -> None:
        if self._detail is None:
            return
        order_id = self._detail.row.order_id
        self._context.background.run(
            lambda: self._till.reprint(order_id), lambda _r: None, self.show_error
        )

    def _void(self) -> None:
        if self._detail is None:
            return
        order_id = self._detail.row.order_id
        dialog = ManagerPinDialog(
            self, self.tr("Void %s") % self._detail.row.receipt_number, ask_reason=True
        )
        dialog.accepted.connect(
            lambda: self._run_change(
                lambda: self._till.void(order_id, dialog.reason(), dialog.pin()), order_id
            )
        )
        self.open_dialog(dialog)

    def _refund(self) -> None:
        if self._detail is None:
            return
        quantities = {
            line.line_id: count
            for line, count in zip(self._detail.lines, self.refund_lines.counts(), strict=True)
            if count > 0
        }
        if not quantities:
            self.show_error(self.tr("Choose the units to refund with + on their line."))
            return
        order_id = self._detail.row.order_id
        dialog = ManagerPinDialog(
            self, self.tr("Refund %s") % self._money(self.refund_lines.total()), ask_reason=True
        )
        dialog.accepted.connect(
            lambda: self._run_change(
                lambda: self._till.refund(order_id, quantities, dialog.reason(), dialog.pin()),
                order_id,
            )
        )
        self.open_dialog(dialog)

    def _run_change(self, work: object, order_id: str) -> None:
        def done(_result: object) -> None:
            self.clear_error()
            self.reload()
            self.open_order(order_id)
            self.changed.emit()

        self._context.background.run(work, done, self.show_error)  # type: ignore[arg-type]

    @property
    def detail(self) -> OrderDetail | None:
        """The order shown on the right."""
        return self._detail


class ReceiptScreen(Screen):
    """A receipt preview as the printer renders it, with reprint."""

    closed = Signal()

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("receiptPreview")
        self._context = context
        self._till: ReceiptPort = context.till
        self._order_id = ""
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(label(self.tr("Receipt"), "title"))
        self.receipt = receipt_view("receiptPreview_text")
        self.receipt.setMinimumWidth(460)
        column.addWidget(self.receipt, 1)
        column.addWidget(self.error)
        actions = QHBoxLayout()
        reprint = button(self.tr("Print again"), name="receiptPreview_reprint")
        reprint.clicked.connect(self._reprint)
        back = button(self.tr("Back to sale"), "primary", name="receiptPreview_back")
        back.clicked.connect(self.closed.emit)
        actions.addWidget(reprint)
        actions.addWidget(back, 1)
        column.addLayout(actions)
        layout.addLayout(column, 2)
        layout.addStretch(1)

    def show_order(self, order_id: str) -> None:
        """Load an order's receipt text off the UI thread."""
        self._order_id = order_id
        self._context.background.run(
            lambda: self._till.order_detail(order_id),
            lambda detail: self.receipt.setPlainText(detail.receipt_text),
            self.show_error,
        )

    def _reprint(self) -> None:
        order_id = self._order_id
        if order_id:
            self._context.background.run(
                lambda: self._till.reprint(order_id), lambda _r: None, self.show_error
            )
