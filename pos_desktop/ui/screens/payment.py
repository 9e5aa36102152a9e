"""The payment screen: cash with quick tenders and change, card/QRIS/e-wallet, split."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout

from pos_desktop.till.views import PaymentQuote, SaleResult
from pos_desktop.ui.dialogs import touch_table
from pos_desktop.ui.models import method_label, tenders_model
from pos_desktop.ui.ports import PaymentPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import Keypad, amount_edit, button, label
from shared.money import MoneyParseError
from shared.pricing.tenders import PaymentMethod, Tender

METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod.CASH,
    PaymentMethod.CARD,
    PaymentMethod.QRIS,
    PaymentMethod.EWALLET,
)
"""The tenders the screen offers, in this order (their names: `shared.pricing.tenders`)."""


class PaymentScreen(Screen):
    """Collect tenders until the till says the order is covered, then check out off-thread."""

    paid = Signal(object)
    cancelled = Signal()

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("payment")
        self._context = context
        self._till: PaymentPort = context.till
        self._money = context.money
        self._tenders: list[Tender] = []
        self._quote: PaymentQuote | None = None
        self.tenders = tenders_model(self._money)

        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.due = label("", "total", name="payment_due")
        left.addWidget(label(self.tr("Payment"), "title"))
        left.addWidget(self.due)
        self.table = touch_table(self.tenders, "payment_tenders")
        left.addWidget(self.table, 1)
        figures = QGridLayout()
        self.remaining = label("", "total", name="payment_remaining")
        self.change = label("", "total", name="payment_change")
        figures.addWidget(label(self.tr("Remaining")), 0, 0)
        figures.addWidget(self.remaining, 0, 1)
        figures.addWidget(label(self.tr("Change due")), 1, 0)
        figures.addWidget(self.change, 1, 1)
        left.addLayout(figures)
        left.addWidget(self.error)
        actions = QHBoxLayout()
        back = button(self.tr("Back (Esc)"), name="payment_back")
        back.clicked.connect(self._back)
        remove = button(self.tr("Remove last"), name="payment_removeLast")
        remove.clicked.connect(self._remove_last)
        self.complete_button = button(
            self.tr("Complete sale (F12)"), "primary", name="payment_complete"
        )
        self.complete_button.setMinimumHeight(72)
        self.complete_button.clicked.connect(self._complete)
        actions.addWidget(back)
        actions.addWidget(remove)
        actions.addWidget(self.complete_button, 1)
        left.addLayout(actions)
        layout.addLayout(left, 3)

        right = QVBoxLayout()
        methods = QHBoxLayout()
        self.method_group = QButtonGroup(self)
        for method in METHODS:
            method_button = button(
                method_label(method), checkable=True, name=f"payment_method_{method}"
            )
            method_button.setProperty("method", method.value)
            self.method_group.addButton(method_button)
            methods.addWidget(method_button)
        self.method_group.buttons()[0].setChecked(True)
        self.method_group.buttonToggled.connect(lambda *_: self._method_changed())
        right.addLayout(methods)
        self.reference = QLineEdit()
        self.reference.setObjectName("payment_reference")
        self.reference.setPlaceholderText(self.tr("Reference (approval code, QRIS transaction id)"))
        right.addWidget(self.reference)
        self.quick_row = QGridLayout()
        right.addLayout(self.quick_row)
        self.amount_edit = amount_edit(self._money, name="payment_amount", max_length=16)
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount_edit.setPlaceholderText(self.tr("Amount (empty = remaining)"))
        right.addWidget(self.amount_edit)
        keypad = Keypad(self.amount_edit, submit_text=self.tr("Add payment"), name="payment_keypad")
        keypad.submitted.connect(self._add_typed)
        right.addWidget(keypad)
        right.addStretch(1)
        layout.addLayout(right, 2)

        for keys, action in (("Escape", self._back), ("F12", self._complete)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self._method_changed()

    def method(self) -> PaymentMethod:
        """The method selected for the next tender."""
        checked = self.method_group.checkedButton()
        return PaymentMethod(str(checked.property("method"))) if checked else PaymentMethod.CASH

    def select_method(self, method: PaymentMethod) -> None:
        """Pick the method of the next tender, as a tap on its button does."""
        for method_button in self.method_group.buttons():
            if method_button.property("method") == method:
                method_button.setChecked(True)

    def activate(self) -> None:
        self._tenders = []
        self.amount_edit.clear()
        self.reference.clear()
        self.select_method(PaymentMethod.CASH)
        self.clear_error()
        self._refresh()

    def _method_changed(self) -> None:
        self.reference.setVisible(self.method() != "cash")
        self._refresh_quick()

    def _refresh(self) -> None:
        self.tenders.set_rows(self._tenders)
        try:
            quote = self._till.quote(self._tenders)
        except Exception as error:  # shown; the cashier can remove the last tender
            self.show_error(error)
            return
        self._quote = quote
        self.due.setText(self.tr("Total %s") % self._money(quote.total_minor))
        shown_remaining = quote.cash_due_minor if self.method() == "cash" else quote.remaining_minor
        self.remaining.setText(self._money(shown_remaining))
        self.change.setText(self._money(quote.change_minor))
        self.complete_button.setEnabled(quote.can_complete)
        self._refresh_quick()

    def _refresh_quick(self) -> None:
        while self.quick_row.count():
            item = self.quick_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        quote = self._quote
        if quote is None or quote.remaining_minor <= 0:
            return
        if self.method() == "cash":
            amounts = list(quote.quick_tenders_minor)
        else:
            amounts = [quote.remaining_minor]
        for position, amount in enumerate(amounts):
            text = (
                self.tr("Exact %s") % self._money(amount) if position == 0 else self._money(amount)
            )
            quick = button(text, name=f"payment_quick{position}")
            quick.setMinimumHeight(56)
            quick.clicked.connect(lambda _=False, a=amount: self.pay_quick(a))
            self.quick_row.addWidget(quick, position // 3, position % 3)

    def _add_typed(self) -> None:
        text = self.amount_edit.text()
        if text.strip():
            try:
                amount = self._money.amount_minor(text)
            except MoneyParseError:
                self.show_error(
                    self.tr("%s is not an amount. Type it like %s.") % (text, self._money(123_400))
                )
                return
        elif self._quote is not None:
            due = (
                self._quote.cash_due_minor
                if self.method() == "cash"
                else self._quote.remaining_minor
            )
            amount = due
        else:
            return
        self.add_tender(amount)

    def pay_quick(self, amount_minor: int) -> None:
        """A quick-tender tap: the tender is added and, when it covers what is due, the sale
        completes at once (one tap for a cash customer handing over a note)."""
        if self.add_tender(amount_minor) and self._quote is not None and self._quote.can_complete:
            self._complete()

    def add_tender(self, amount_minor: int) -> bool:
        """Add a tender of the selected method (non-cash needs its reference); True if added."""
        method = self.method()
        reference = self.reference.text().strip()
        if method != "cash" and not reference:
            self.show_error(self.tr("Enter the reference of the card, QRIS or e-wallet payment."))
            return False
        if amount_minor <= 0:
            return False
        self.clear_error()
        self._tenders.append(Tender(method, amount_minor, reference))
        self.amount_edit.clear()
        self.reference.clear()
        self._refresh()
        return True

    def _remove_last(self) -> None:
        if self._tenders:
            self._tenders.pop()
            self._refresh()

    def _back(self) -> None:
        self._tenders = []
        self.cancelled.emit()

    def _complete(self) -> None:
        if self._quote is None or not self._quote.can_complete:
            return
        tenders = list(self._tenders)
        self.complete_button.setEnabled(False)
        self._context.background.run(lambda: self._till.checkout(tenders), self._done, self._failed)

    def _done(self, sale: SaleResult) -> None:
        self._tenders = []
        self.paid.emit(sale)

    def _failed(self, error: Exception) -> None:
        self.show_error(error)
        self.complete_button.setEnabled(True)
