"""Qt item models over the plain views of `ports`: products, cart, orders, counts, outbox."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from pos_desktop.till.views import (
    AttentionItem,
    CartLineView,
    OrderLineRow,
    OrderRow,
    ParkedView,
    PrintJobView,
    ProductView,
)
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.i18n import current_language
from shared.pricing.tenders import Tender, payment_method_label

RowT = TypeVar("RowT")
AnyIndex = QModelIndex | QPersistentModelIndex
ObjectRole = Qt.ItemDataRole.UserRole + 1
"""Role that hands a view the plain dataclass behind a row."""
PriceRole = Qt.ItemDataRole.UserRole + 2
"""Role for a product tile's formatted price."""
ImageRole = Qt.ItemDataRole.UserRole + 3
"""Role for a product tile's picture file ("" when the product has none)."""

_TILE_COLOURS = ("#1f6feb", "#8250df", "#bf3989", "#cf222e", "#bc4c00", "#1a7f37", "#0969da")


STATUS_LABELS = {
    "paid": "Paid",
    "partly_refunded": "Partly refunded",
    "refunded": "Refunded",
    "voided": "Voided",
}
PRINT_KIND_LABELS = {
    "receipt": "Receipt",
    "kitchen": "Kitchen ticket",
    "report": "Report",
    "refund": "Refund slip",
    "test": "Test page",
    "drawer": "Open drawer",
}
PRINT_STATUS_LABELS = {
    "pending": "Waiting",
    "printing": "Printing",
    "printed": "Printed",
    "failed": "Failed",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("models", text)


def method_label(method: str) -> str:
    """A payment method as the cashier reads it, in the screens' language."""
    return payment_method_label(method, current_language())


def status_label(status: str) -> str:
    """An order's state as the cashier reads it (translated): Paid, Partly refunded, ..."""
    return _tr(STATUS_LABELS.get(status, status))


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """A table column: its header (translated when shown) and how a row turns into text."""

    header: str
    text: Callable[[RowT], str]
    align_right: bool = False


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """A read-only table over a list of frozen dataclasses, one row per item."""

    def __init__(self, columns: Sequence[Column[RowT]], rows: Sequence[RowT] = ()) -> None:
        super().__init__()
        self._columns = list(columns)
        self._rows: list[RowT] = list(rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == ObjectRole:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return _tr(self._columns[section].header)
        return None

    def set_rows(self, rows: Sequence[RowT]) -> None:
        """Replace every row (lists here are short: a shift's orders, a cart)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows: Sequence[RowT]) -> list[int]:
        """Change only what changed (the cart on every tap); returns the rows to re-measure.

        Changed rows become dataChanged and appended rows rowsInserted, so a view repaints
        one row instead of laying the whole list out again; a shorter list is a reset.
        """
        new = list(rows)
        old = self._rows
        if len(new) < len(old):
            self.set_rows(new)
            return list(range(len(new)))
        changed = [row for row in range(len(old)) if old[row] != new[row]]
        last_column = len(self._columns) - 1
        for row in changed:
            old[row] = new[row]
            self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))
        if len(new) > len(old):
            first = len(old)
            self.beginInsertRows(QModelIndex(), first, len(new) - 1)
            self._rows = new
            self.endInsertRows()
            changed += range(first, len(new))
        return changed

    def rows(self) -> list[RowT]:
        """The rows as shown."""
        return list(self._rows)

    def row_at(self, row: int) -> RowT:
        """The dataclass at a row number."""
        return self._rows[row]


def cart_model(money: MoneyFormat) -> RowTableModel[CartLineView]:
    """The cart: quantity, the line with its modifiers, note and promotions, and its total.

    The total is before service and added tax (those appear once, in the cart's totals).
    """

    def describe(line: CartLineView) -> str:
        parts = [line.name]
        parts += [f"  + {name}" for name in line.modifiers]
        if line.note:
            parts.append(f"  ✎ {line.note}")
        parts += [f"  ★ {name} {money(-amount)}" for name, amount in line.adjustments]
        return "\n".join(parts)

    return RowTableModel(
        [
            Column("Qty", lambda line: f"{line.quantity}×"),
            Column("Item", describe),
            Column("Total", lambda line: money(line.net_minor), align_right=True),
        ]
    )


def orders_model(money: MoneyFormat, time_zone: str = "UTC") -> RowTableModel[OrderRow]:
    """Orders of the shift: receipt number, local time at the outlet, total and state."""
    zone = ZoneInfo(time_zone)
    return RowTableModel(
        [
            Column("Receipt", lambda order: order.receipt_number),
            Column("Time", lambda order: order.created_at.astimezone(zone).strftime("%H:%M")),
            Column("Customer", lambda order: order.customer_name),
            Column("Total", lambda order: money(order.total_minor), align_right=True),
            Column("Status", lambda order: status_label(order.status)),
        ]
    )


def tenders_model(money: MoneyFormat) -> RowTableModel[Tender]:
    """Payments entered so far on the payment screen."""
    return RowTableModel(
        [
            Column("Method", lambda tender: method_label(tender.method)),
            Column("Reference", lambda tender: tender.reference),
            Column("Amount", lambda tender: money(tender.amount_minor), align_right=True),
        ]
    )


def parked_model(money: MoneyFormat, time_zone: str = "UTC") -> RowTableModel[ParkedView]:
    """Held orders waiting to be recalled: when (outlet time), for whom, what, how much."""
    zone = ZoneInfo(time_zone)
    return RowTableModel(
        [
            Column("Held at", lambda parked: parked.parked_at.astimezone(zone).strftime("%H:%M")),
            Column("Held order", lambda parked: parked.label),
            Column("Items", lambda parked: parked.items or str(parked.item_count)),
            Column("Total", lambda parked: money(parked.total_minor), align_right=True),
        ]
    )


def attention_model() -> RowTableModel[AttentionItem]:
    """Outbox items a manager must look at, with the server's last answer."""
    return RowTableModel(
        [
            Column("Item", lambda item: item.label),
            Column("Tries", lambda item: str(item.attempts), align_right=True),
            Column("Last error", lambda item: item.last_error),
        ]
    )


def print_jobs_model(time_zone: str = "UTC") -> RowTableModel[PrintJobView]:
    """The print queue's jobs: when, what, which printer, state with tries, the last error."""
    zone = ZoneInfo(time_zone)

    def state(job: PrintJobView) -> str:
        text = _tr(PRINT_STATUS_LABELS.get(job.status, job.status))
        if job.status != "printed" and job.attempts:
            text += f" ({job.attempts})"
        return text

    return RowTableModel(
        [
            Column("Time", lambda job: job.created_at.astimezone(zone).strftime("%H:%M:%S")),
            Column("Slip", lambda job: _tr(PRINT_KIND_LABELS.get(job.kind, job.kind))),
            Column("Printer", lambda job: job.printer),
            Column("State", state),
            Column("Last error", lambda job: job.last_error),
        ]
    )


class CountedTableModel(QAbstractTableModel):
    """Rows with an editable count: drawer denominations, or units of a line to refund.

    The count is screen state (what the cashier tapped), not a business rule; the till
    checks it when the action is sent.
    """

    def __init__(
        self,
        labels: Sequence[str],
        limits: Sequence[int | None],
        amounts: Sequence[int],
        money: MoneyFormat,
        headers: tuple[str, str, str],
    ) -> None:
        super().__init__()
        self._labels = list(labels)
        self._limits = list(limits)
        self._amounts = list(amounts)
        self._counts = [0] * len(labels)
        self._money = money
        self._headers = headers

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._labels)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._labels):
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return self._labels[row]
            if column == 1:
                return (
                    self._counts[row]
                    if role == Qt.ItemDataRole.EditRole
                    else str(self._counts[row])
                )
            return self._money(self._amounts[row] * self._counts[row])
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 1:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 1 or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            count = int(value)
        except (TypeError, ValueError):
            return False
        return self.set_count(index.row(), count)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < 3
        ):
            return _tr(self._headers[section])
        return None

    def set_count(self, row: int, count: int) -> bool:
        """Set one row's count, kept between 0 and the row's limit."""
        limit = self._limits[row]
        count = max(0, count if limit is None else min(count, limit))
        if count == self._counts[row]:
            return False
        self._counts[row] = count
        self.dataChanged.emit(self.index(row, 1), self.index(row, 2))
        return True

    def step(self, row: int, delta: int) -> None:
        """+1 / -1 from the touch buttons."""
        self.set_count(row, self._counts[row] + delta)

    def counts(self) -> list[int]:
        """Counts in row order."""
        return list(self._counts)

    def total(self) -> int:
        """Sum of amount times count, in minor units (shown live while counting)."""
        return sum(a * c for a, c in zip(self._amounts, self._counts, strict=True))


def denominations_model(
    denominations_minor: Sequence[int], money: MoneyFormat
) -> CountedTableModel:
    """Drawer count at shift close: one row per note or coin."""
    return CountedTableModel(
        [money(value) for value in denominations_minor],
        [None] * len(denominations_minor),
        denominations_minor,
        money,
        ("Note / coin", "Count", "Amount"),
    )


def refund_lines_model(lines: Sequence[OrderLineRow], money: MoneyFormat) -> CountedTableModel:
    """Units to refund per order line, at most what is still refundable; a line already
    given back says how many units were (`2× Iced tea (1 refunded)`)."""

    def describe(line: OrderLineRow) -> str:
        text = f"{line.quantity}× {line.name}"
        if line.refunded_quantity:
            text += " " + _tr("(%d refunded)") % line.refunded_quantity
        return text

    return CountedTableModel(
        [describe(line) for line in lines],
        [line.refundable_quantity for line in lines],
        [line.total_minor // max(line.quantity, 1) for line in lines],
        money,
        ("Line", "Refund", "Amount"),
    )


class ProductGridModel(QAbstractListModel):
    """Product tiles, filtered by category tab and the search text as the cashier types.

    Holds every product once with a lower-cased search key, so a keystroke over 10,000
    products is one list comprehension and a model reset, not a proxy's per-row callbacks.
    """

    def __init__(self, money: MoneyFormat) -> None:
        super().__init__()
        self._money = money
        self._all: list[ProductView] = []
        self._keys: list[str] = []
        self._shown: list[ProductView] = []
        self._category: str | None = None
        self._text = ""

    def set_products(self, products: Sequence[ProductView]) -> None:
        """Load the catalog (at start and after a catalog pull)."""
        self._all = list(products)
        self._keys = [f"{p.name} {p.sku} {p.barcode}".casefold() for p in self._all]
        self._apply()

    def set_filter(self, category_id: str | None, text: str) -> None:
        """Show one category (None = all) whose name, SKU or barcode contains `text`."""
        self._category = category_id
        self._text = text.strip().casefold()
        self._apply()

    def _apply(self) -> None:
        category, text = self._category, self._text
        shown = [
            product
            for product, key in zip(self._all, self._keys, strict=True)
            if (category is None or product.category_id == category) and (not text or text in key)
        ]
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        product = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return product.name
        if role == PriceRole:
            return self._money(product.price_minor)
        if role == ImageRole:
            return product.image_path
        if role == Qt.ItemDataRole.BackgroundRole:
            chosen = QColor(product.colour)  # the owner's colour; a typo falls back below
            if product.colour and chosen.isValid():
                return chosen
            return QColor(
                _TILE_COLOURS[zlib.crc32((product.category_id or "").encode()) % len(_TILE_COLOURS)]
            )
        if role == ObjectRole:
            return product
        return None

    def product_at(self, row: int) -> ProductView:
        """The product shown at a row."""
        return self._shown[row]

    def shown(self) -> list[ProductView]:
        """Products currently visible."""
        return list(self._shown)
