"""Small touch widgets shared by the screens: keypads, product tiles, buttons, receipt view."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPixmap, QValidator
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.models import ImageRole, PriceRole
from pos_desktop.ui.theme import TOUCH_TARGET_PX
from shared.money import MoneyParseError

TILE_SIZE = QSize(150, 96)
TILE_IMAGE_PX = 40
_TILE_PICTURES: dict[str, QPixmap] = {}
"""Scaled tile pictures by file (files are named by their url's hash, so never stale)."""


def button(text: str, role: str = "", *, name: str = "", checkable: bool = False) -> QPushButton:
    """A touch button; `role` picks its look in the stylesheet, `name` lets tests find it."""
    widget = QPushButton(text)
    widget.setMinimumSize(TOUCH_TARGET_PX, TOUCH_TARGET_PX)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep keyboard focus for the scanner/search
    widget.setCheckable(checkable)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    return widget


def mnemonic_safe(text: str) -> str:
    """Text for a button or tab as it is written: Qt reads `&` as a shortcut marker."""
    return text.replace("&", "&&")


def label(text: str = "", role: str = "", *, name: str = "") -> QLabel:
    """A label styled by role (title, total, hint, error)."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(role in {"hint", "error", "title"})
    return widget


def receipt_view(name: str = "receipt") -> QPlainTextEdit:
    """Fixed-width, read-only text as the printer would put it on paper."""
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    view.setFont(font)
    return view


class Keypad(QWidget):
    """Digits, clear and back for PINs and amounts; edits a line edit like a keyboard would."""

    submitted = Signal()

    def __init__(self, target: QLineEdit, *, submit_text: str = "OK", name: str = "keypad") -> None:
        super().__init__()
        self.setObjectName(name)
        self._target = target
        grid = QGridLayout(self)
        grid.setSpacing(8)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "C", "0", "000"]
        for position, key in enumerate(keys):
            key_button = button(key, "key", name=f"{name}_{key}")
            key_button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(key_button, position // 3, position % 3)
        back = button("⌫", "key", name=f"{name}_back")
        back.clicked.connect(lambda: self.press("back"))
        grid.addWidget(back, 4, 0)
        self.submit_button = button(submit_text, "primary", name=f"{name}_ok")
        self.submit_button.setMinimumHeight(64)
        self.submit_button.clicked.connect(self.submitted.emit)
        grid.addWidget(self.submit_button, 4, 1, 1, 2)

    def set_target(self, target: QLineEdit) -> None:
        """Type into another field from now on (a dialog with an amount and a PIN)."""
        self._target = target

    def press(self, key: str) -> None:
        """Apply one key to the target field."""
        text = self._target.text()
        if key == "C":
            text = ""
        elif key == "back":
            text = text[:-1]
        else:
            text += key
        max_length = self._target.maxLength()
        self._target.setText(text[:max_length])


class AmountValidator(QValidator):
    """Lets through only characters an amount can hold; the whole text is checked by `read`."""

    def __init__(self, allowed: str, read: Callable[[str], int], parent: QObject | None) -> None:
        super().__init__(parent)
        self._allowed = frozenset(allowed)
        self._read = read

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        if not set(text) <= self._allowed:
            return QValidator.State.Invalid, text, position
        try:
            self._read(text)
        except MoneyParseError:
            # `25.` on the way to `25.50` is half typed; `read` names it wrong only on submit.
            return QValidator.State.Intermediate, text, position
        return QValidator.State.Acceptable, text, position


def amount_edit(
    money: MoneyFormat, *, name: str, max_length: int = 16, percent: bool = False
) -> QLineEdit:
    """The one field for typing an amount (or a percent) in the tenant's locale.

    Read it with `money.amount_minor` / `money.percent_bp`, which raise MoneyParseError
    for text that is no amount; callers show that as an error, never let it escape a slot.
    """
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setMaxLength(max_length)
    if percent:
        validator = AmountValidator(money.percent_characters(), money.percent_bp, edit)
    else:
        validator = AmountValidator(money.amount_characters(), money.amount_minor, edit)
    edit.setValidator(validator)
    return edit


def tile_picture(path: str) -> QPixmap | None:
    """A product picture scaled for a tile, decoded once (a repaint must not read the disk)."""
    if not path:
        return None
    if path not in _TILE_PICTURES:
        loaded = QPixmap(path)
        _TILE_PICTURES[path] = (
            loaded
            if loaded.isNull()
            else loaded.scaled(
                TILE_IMAGE_PX,
                TILE_IMAGE_PX,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    picture = _TILE_PICTURES[path]
    return None if picture.isNull() else picture


class ProductTileDelegate(QStyledItemDelegate):
    """Paints a product as a coloured tile with its name, price and picture (if it has one);
    no hover-only state."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return TILE_SIZE

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect: QRect = option.rect.adjusted(4, 4, -4, -4)
        colour = index.data(Qt.ItemDataRole.BackgroundRole)
        if not isinstance(colour, QColor):
            colour = QColor("#1f6feb")
        pressed = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(rect, 10, 10)
        painter.fillPath(path, colour.darker(130) if pressed else colour)
        # An owner's light colour (saffron, lime) gets dark text: white on it is unreadable.
        luma = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
        painter.setPen(QColor("#1b1b1b") if luma > 160 else QColor("white"))
        name_font = QFont(option.font)
        name_font.setPixelSize(15)
        name_font.setBold(True)
        painter.setFont(name_font)
        picture = tile_picture(str(index.data(ImageRole) or ""))
        # With a picture in the bottom-left corner the name keeps two lines above it.
        text_rect = rect.adjusted(8, 6, -8, -(TILE_IMAGE_PX + 6) if picture else -28)
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
        )
        if picture is not None:
            corner = rect.bottomLeft()
            painter.drawPixmap(corner.x() + 6, corner.y() - 5 - picture.height(), picture)
        price_font = QFont(option.font)
        price_font.setPixelSize(15)
        painter.setFont(price_font)
        painter.drawText(
            rect.adjusted(8, 0, -8, -6),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
            str(index.data(PriceRole) or ""),
        )
        painter.restore()
