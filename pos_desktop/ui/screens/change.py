"""The change due after a cash sale, large and over the whole window until the next tap.

A cashier counting notes looks up at the screen, not at a banner line: the amount to hand
back fills the window, and any tap (or key) clears it for the next customer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from pos_desktop.till.views import SaleResult
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.widgets import label


class ChangeOverlay(QFrame):
    """Covers its parent window; hidden by a tap or a key press."""

    dismissed = Signal()

    def __init__(self, parent: QWidget, money: MoneyFormat) -> None:
        super().__init__(parent)
        self.setObjectName("changeOverlay")
        self._money = money
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        column = QVBoxLayout(self)
        column.setContentsMargins(40, 40, 40, 40)
        column.addStretch(2)
        self.caption = label(self.tr("Change"), name="change_caption")
        self.amount = label("", name="change_amount")
        self.paid = label("", name="change_paid")
        self.hint = label(self.tr("Tap anywhere for the next sale"), name="change_hint")
        for part in (self.caption, self.amount, self.paid):
            part.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(part)
        column.addStretch(3)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.hint)
        self.setStyleSheet(
            "QFrame#changeOverlay { background: #0b3d91; }"
            "QFrame#changeOverlay QLabel { color: white; }"
            "QLabel#change_caption { font-size: 40px; }"
            "QLabel#change_amount { font-size: 120px; font-weight: bold; }"
            "QLabel#change_paid { font-size: 26px; color: #c9d7f2; }"
            "QLabel#change_hint { font-size: 20px; color: #c9d7f2; }"
        )
        self.hide()

    def show_change(self, sale: SaleResult) -> None:
        """Show the change of a sale over the whole window."""
        money = self._money
        self.amount.setText(money(sale.change_minor))
        self.paid.setText(
            self.tr("Paid %s · Total %s · Receipt %s")
            % (money(sale.paid_minor), money(sale.total_minor), sale.receipt_number)
        )
        self.cover()
        self.show()
        self.raise_()
        self.setFocus()

    def cover(self) -> None:
        """Fit the parent's whole area (called again when the window is resized)."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())

    def dismiss(self) -> None:
        """Back to the sell screen behind it."""
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        self.dismiss()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()
        self.dismiss()
