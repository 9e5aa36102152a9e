"""Touch dialogs: manager PIN (with reason), modifiers, note, discount, customer, held orders.

Dialogs are opened with `open()` (not `exec()`), so nothing blocks and tests can click them;
the screen acts on `accepted`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.till.views import CustomerView, DiscountKind, ModifierGroupView, ParkedView
from pos_desktop.ui.background import Background
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.models import Column, ObjectRole, RowTableModel, parked_model
from pos_desktop.ui.ports import CustomerPort
from pos_desktop.ui.widgets import AmountValidator, Keypad, amount_edit, button, label
from shared.money import MoneyParseError


def touch_table(model: RowTableModel[object] | object, name: str) -> QTableView:
    """A table for fingers: whole-row selection, tall rows, last column stretched."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(52)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setWordWrap(True)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return view


class _Dialog(QDialog):
    """A modal dialog with a title, a body and Cancel / OK buttons at the bottom."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setModal(True)
        self.setWindowTitle(title)
        self.body = QVBoxLayout()
        outer = QVBoxLayout(self)
        outer.addWidget(label(title, "title"))
        outer.addLayout(self.body)
        self.error = label("", "error", name=f"{name}_error")
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        self.cancel_button = button(self.tr("Cancel"), name=f"{name}_cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = button(ok_text, "primary", name=f"{name}_ok")
        self.ok_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        outer.addLayout(buttons)


class ManagerPinDialog(_Dialog):
    """A manager authorises by PIN; with `ask_reason` the reason is recorded too."""

    def __init__(self, parent: QWidget | None, title: str, *, ask_reason: bool = False) -> None:
        super().__init__(parent, title, self.tr("Approve"), "managerPin")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("managerPin_reason")
        self.reason_edit.setPlaceholderText(self.tr("Reason"))
        self.reason_edit.setVisible(ask_reason)
        self._ask_reason = ask_reason
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("managerPin_pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(12)
        self.pin_edit.setPlaceholderText(self.tr("Manager PIN"))
        keypad = Keypad(self.pin_edit, submit_text=self.tr("Approve"), name="managerPin_keypad")
        keypad.submitted.connect(self.accept)
        self.ok_button.hide()
        self.body.addWidget(self.reason_edit)
        self.body.addWidget(self.pin_edit)
        self.body.addWidget(keypad)

    def accept(self) -> None:
        if not self.pin_edit.text():
            self.error.setText(self.tr("Enter the manager PIN."))
            return
        if self._ask_reason and not self.reason_edit.text().strip():
            self.error.setText(self.tr("Give a reason."))
            return
        super().accept()

    def pin(self) -> str:
        """The PIN typed."""
        return self.pin_edit.text()

    def reason(self) -> str:
        """The reason typed."""
        return self.reason_edit.text().strip()


class ModifiersDialog(_Dialog):
    """Pick a product's options (size, sugar, extras): one button per option, grouped."""

    def __init__(
        self,
        parent: QWidget | None,
        product_name: str,
        groups: Sequence[ModifierGroupView],
        money: MoneyFormat,
    ) -> None:
        super().__init__(parent, product_name, self.tr("Add"), "modifiers")
        self._groups: list[tuple[ModifierGroupView, QButtonGroup]] = []
        for group in groups:
            self.body.addWidget(label(group.name))
            row = QGridLayout()
            button_group = QButtonGroup(self)
            button_group.setExclusive(group.max_select == 1 and group.min_select == 1)
            for position, option in enumerate(group.options):
                text = option.name
                if option.price_delta_minor:
                    text += f"\n{money.signed(option.price_delta_minor)}"
                option_button = button(text, checkable=True, name=f"option_{option.name}")
                option_button.setMinimumHeight(56)
                option_button.setProperty("option_id", option.id)
                option_button.setChecked(option.is_default)
                button_group.addButton(option_button)
                row.addWidget(option_button, position // 4, position % 4)
            if group.max_select == 1 and not button_group.exclusive():
                button_group.buttonToggled.connect(
                    lambda chosen, checked, g=button_group: self._single(g, chosen, checked)
                )
            self.body.addLayout(row)
            self._groups.append((group, button_group))

    @staticmethod
    def _single(group: QButtonGroup, chosen: QAbstractButton, checked: bool) -> None:
        """At most one option (size): picking one drops the other, tapping it again clears."""
        if checked:
            for other in group.buttons():
                if other is not chosen and other.isChecked():
                    other.setChecked(False)

    def accept(self) -> None:
        for group, button_group in self._groups:
            chosen = sum(1 for b in button_group.buttons() if b.isChecked())
            if not group.min_select <= chosen <= max(group.max_select, group.min_select):
                self.error.setText(
                    self.tr("%s: choose between %d and %d.")
                    % (group.name, group.min_select, group.max_select)
                )
                return
        super().accept()

    def option_ids(self) -> list[str]:
        """Ids of the options picked, in group order."""
        return [
            str(b.property("option_id"))
            for _, button_group in self._groups
            for b in button_group.buttons()
            if b.isChecked()
        ]


class TextDialog(_Dialog):
    """One or two text fields (a line note; a new customer's name and phone)."""

    def __init__(
        self, parent: QWidget | None, title: str, fields: Sequence[tuple[str, str]], name: str
    ) -> None:
        super().__init__(parent, title, self.tr("OK"), name)
        self.edits: list[QLineEdit] = []
        for position, (placeholder, value) in enumerate(fields):
            edit = QLineEdit(value)
            edit.setObjectName(f"{name}_field{position}")
            edit.setPlaceholderText(placeholder)
            self.body.addWidget(edit)
            self.edits.append(edit)

    def values(self) -> list[str]:
        """Texts typed, stripped."""
        return [edit.text().strip() for edit in self.edits]


class DiscountDialog(_Dialog):
    """A percent or a fixed amount off, typed on the keypad."""

    def __init__(self, parent: QWidget | None, title: str, money: MoneyFormat) -> None:
        super().__init__(parent, title, self.tr("Apply"), "discount")
        self._money = money
        kinds = QHBoxLayout()
        self.percent_button = button(self.tr("Percent %"), checkable=True, name="discount_percent")
        self.fixed_button = button(self.tr("Amount"), checkable=True, name="discount_fixed")
        group = QButtonGroup(self)
        group.addButton(self.percent_button)
        group.addButton(self.fixed_button)
        self.percent_button.setChecked(True)
        kinds.addWidget(self.percent_button)
        kinds.addWidget(self.fixed_button)
        self.body.addLayout(kinds)
        self.value_edit = amount_edit(money, name="discount_value", max_length=12)
        group.buttonToggled.connect(self._kind_changed)
        self._kind_changed()
        self.body.addWidget(self.value_edit)
        keypad = Keypad(self.value_edit, submit_text=self.tr("Apply"), name="discount_keypad")
        keypad.submitted.connect(self.accept)
        self.ok_button.hide()
        self.body.addWidget(keypad)

    def kind(self) -> DiscountKind:
        """Percent or fixed."""
        return "percent" if self.percent_button.isChecked() else "fixed"

    def _kind_changed(self) -> None:
        percent = self.kind() == "percent"
        characters = (
            self._money.percent_characters() if percent else self._money.amount_characters()
        )
        read = self._money.percent_bp if percent else self._money.amount_minor
        self.value_edit.setValidator(AmountValidator(characters, read, self.value_edit))
        self.error.setText("")

    def value(self) -> int:
        """Basis points for a percent (10 -> 1000 bp), minor units for an amount.

        Raises MoneyParseError for text that is none; `accept` refuses to close on it first.
        """
        text = self.value_edit.text()
        if self.kind() == "percent":
            return self._money.percent_bp(text)
        return self._money.amount_minor(text)

    def accept(self) -> None:
        """Close only on a value the till can take; otherwise say what is wrong."""
        try:
            self.value()
        except MoneyParseError:
            if self.kind() == "percent":
                self.error.setText(self.tr("Type a percent from 0 to 100, like 10 or 12.5."))
            else:
                self.error.setText(
                    self.tr("That is not an amount. Type it like %s.") % self._money(123_400)
                )
            return
        self.error.setText("")
        super().accept()


class CustomerDialog(_Dialog):
    """Find a customer by name or phone, or create one on the spot (works offline)."""

    def __init__(self, parent: QWidget | None, till: CustomerPort, background: Background) -> None:
        super().__init__(parent, self.tr("Customer"), self.tr("Attach"), "customer")
        self._till = till
        self._background = background
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("customer_search")
        self.search_edit.setPlaceholderText(self.tr("Name or phone"))
        self.search_edit.textChanged.connect(self._search)
        self.model: RowTableModel[CustomerView] = RowTableModel(
            [Column("Name", lambda c: c.name), Column("Phone", lambda c: c.phone)]
        )
        self.table = touch_table(self.model, "customer_table")
        self.body.addWidget(self.search_edit)
        self.body.addWidget(self.table)
        new_row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setObjectName("customer_newName")
        self.new_name.setPlaceholderText(self.tr("New customer name"))
        self.new_phone = QLineEdit()
        self.new_phone.setObjectName("customer_newPhone")
        self.new_phone.setPlaceholderText(self.tr("Phone"))
        self.new_email = QLineEdit()
        self.new_email.setObjectName("customer_newEmail")
        self.new_email.setPlaceholderText(self.tr("E-mail (optional)"))
        create = button(self.tr("Create"), name="customer_create")
        create.clicked.connect(self._create)
        new_row.addWidget(self.new_name)
        new_row.addWidget(self.new_phone)
        new_row.addWidget(self.new_email)
        new_row.addWidget(create)
        self.body.addLayout(new_row)
        self.chosen: CustomerView | None = None
        self._search("")

    def _search(self, text: str) -> None:
        """Search as you type, on the worker thread; a late answer to an old text is dropped."""
        till = self._till

        def show(found: Sequence[CustomerView]) -> None:
            if self.search_edit.text() == text:
                self.model.set_rows(found)
                if len(found) == 1 and text.strip():
                    self.table.selectRow(0)  # the one match: Attach takes it, no extra tap

        self._background.run(lambda: till.find_customers(text), show, self._failed)

    def _create(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            self.error.setText(self.tr("Give the customer a name."))
            return
        phone, email, till = (
            self.new_phone.text().strip(),
            self.new_email.text().strip(),
            self._till,
        )

        def created(customer: CustomerView) -> None:
            self.chosen = customer
            QDialog.accept(self)

        self._background.run(
            lambda: till.create_customer(name, phone, email), created, self._failed
        )

    def _failed(self, error: Exception) -> None:
        self.error.setText(str(getattr(error, "message", error)))

    def accept(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error.setText(self.tr("Pick a customer or create one."))
            return
        self.chosen = rows[0].data(ObjectRole)
        super().accept()


class ParkedDialog(_Dialog):
    """Held orders; recall one into the cart."""

    def __init__(
        self,
        parent: QWidget | None,
        parked: Sequence[ParkedView],
        money: MoneyFormat,
        time_zone: str = "UTC",
    ) -> None:
        super().__init__(parent, self.tr("Held orders"), self.tr("Recall"), "parked")
        self.setMinimumWidth(640)
        self.model = parked_model(money, time_zone)
        self.model.set_rows(parked)
        self.table = touch_table(self.model, "parked_table")
        self.body.addWidget(self.table)
        if parked:
            self.table.selectRow(0)
        self.chosen: ParkedView | None = None

    def accept(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error.setText(self.tr("Nothing held."))
            return
        self.chosen = rows[0].data(ObjectRole)
        super().accept()


class ConfirmDialog(_Dialog):
    """A question with the consequence spelled out; OK goes ahead, Cancel does nothing."""

    def __init__(self, parent: QWidget | None, title: str, text: str, ok_text: str) -> None:
        super().__init__(parent, title, ok_text, "confirm")
        body = label(text, "hint", name="confirm_text")
        body.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(body)
