"""Lay a print document out into fixed-width lines; every renderer draws these lines."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pos_desktop.printing.document import (
    Align,
    Amount,
    Amounts,
    Fields,
    Heading,
    Item,
    Items,
    Logo,
    Mark,
    PrintDocument,
    QrCode,
    Rule,
    Text,
)
from shared.money import Money, format_money

Size = Literal["normal", "tall", "large"]


@dataclass(frozen=True)
class PrintLine:
    """One printed line: its text already fits `columns // width_factor` characters."""

    text: str
    align: Align = "left"
    bold: bool = False
    size: Size = "normal"
    invert: bool = False

    @property
    def width_factor(self) -> int:
        """How many columns one character takes (2 for double-width text)."""
        return 2 if self.size == "large" else 1


@dataclass(frozen=True)
class PrintQr:
    """A QR code, printed centred."""

    content: str


@dataclass(frozen=True)
class PrintImage:
    """A raster image (PNG bytes), printed centred."""

    png: bytes


Primitive = PrintLine | PrintQr | PrintImage


def format_amount(amount_minor: int, currency: str, locale: str) -> str:
    """The one place printing turns integer minor units into text ("Rp 25.000", "$1,234.50")."""
    return format_money(Money(amount_minor, currency), locale)


def layout_document(
    document: PrintDocument, columns: int, printable: Callable[[str], str] | None = None
) -> tuple[Primitive, ...]:
    """Break a document into lines for `columns` characters (see `Layout`)."""
    return Layout(document, columns, printable).lines()


class Layout:
    """Turns blocks into fitted lines; text goes through `printable` first so widths are exact."""

    def __init__(
        self,
        document: PrintDocument,
        columns: int,
        printable: Callable[[str], str] | None = None,
    ) -> None:
        self.document = document
        self.columns = columns
        self._printable = printable or str

    def text(self, value: str) -> str:
        """The printable form of `value` (code page safe in ESC/POS output)."""
        return self._printable(value)

    def money(self, amount_minor: int) -> str:
        """A formatted amount in the document's currency, made printable."""
        return self.text(format_amount(amount_minor, self.document.currency, self.document.locale))

    def lines(self) -> tuple[Primitive, ...]:
        """All primitives of the document, in order."""
        out: list[Primitive] = []
        for block in self.document.blocks:
            out += self.block(block)
        return tuple(out)

    def block(self, block: object) -> list[Primitive]:
        """The primitives of one block."""
        if isinstance(block, Logo):
            return [PrintImage(block.png)]
        if isinstance(block, QrCode):
            return [PrintQr(block.content)]
        if isinstance(block, Rule):
            return [PrintLine(self.text(block.char)[:1] * self.columns)]
        if isinstance(block, Heading):
            width = self.columns // (2 if block.size == "large" else 1)
            return [
                PrintLine(chunk, "center", block.bold, block.size)
                for chunk in wrap(self.text(block.text), width)
            ]
        if isinstance(block, Mark):
            return [
                PrintLine(chunk, "center", True, "large", invert=True)
                for chunk in wrap(self.text(block.text), self.columns // 2)
            ]
        if isinstance(block, Text):
            return [
                PrintLine(chunk, block.align, block.bold)
                for line in block.lines
                for chunk in wrap(self.text(line), self.columns)
            ]
        if isinstance(block, Fields):
            return [
                line
                for row in block.rows
                for line in self.columns_row(self.text(row.label), self.text(row.value), row.bold)
            ]
        if isinstance(block, Amounts):
            return [line for row in block.rows for line in self.amount_row(row)]
        if isinstance(block, Items):
            return [line for item in block.items for line in self.item(item, block.tall)]
        raise TypeError(f"unknown block {type(block).__name__}")

    def amount_row(self, row: Amount) -> list[PrintLine]:
        """A label on the left and a right-aligned amount; tall rows stay full width."""
        size: Size = "tall" if row.tall else "normal"
        return self.columns_row(self.text(row.label), self.money(row.amount_minor), row.bold, size)

    def item(self, item: Item, tall: bool) -> list[PrintLine]:
        """An order line at its full price, then its unit price, modifiers and note below it."""
        size: Size = "tall" if tall else "normal"
        amount = "" if item.amount_minor is None else self.money(item.amount_minor)
        head = f"{item.quantity}x {self.text(item.name)}"
        lines = self.columns_row(head, amount, bold=tall, size=size, hang="   ")
        if item.quantity != 1 and item.unit_price_minor is not None:
            unit = f"   {item.quantity} x {self.money(item.unit_price_minor)}"
            lines += self.columns_row(unit, "", size=size)
        for detail in item.details:
            lines += self.columns_row(f"   {self.text(detail.text)}", "", size=size, hang="     ")
        if item.note:
            lines += self.columns_row(f"   * {self.text(item.note)}", "", size=size, hang="     ")
        return lines

    def columns_row(
        self,
        label: str,
        value: str,
        bold: bool = False,
        size: Size = "normal",
        hang: str = "",
    ) -> list[PrintLine]:
        """`label` wrapped on the left with `value` right-aligned on its first line."""
        room = self.columns - len(value) - 1 if value else self.columns
        if room < self.columns // 3:  # a huge value: give it its own line
            room = self.columns
            chunks = wrap(label, room, hang)
            return [PrintLine(c, "left", bold, size) for c in chunks] + [
                PrintLine(value.rjust(self.columns), "left", bold, size)
            ]
        chunks = wrap(label, room, hang)
        first = chunks[0].ljust(room) + (" " + value if value else "")
        return [PrintLine(first.rstrip(), "left", bold, size)] + [
            PrintLine(c, "left", bold, size) for c in chunks[1:]
        ]


def wrap(text: str, width: int, hang: str = "") -> list[str]:
    """Word-wrap to `width`, breaking words longer than a line; continuation lines hang."""
    if not text.strip():
        return [""]
    leading = text[: len(text) - len(text.lstrip(" "))]
    return textwrap.wrap(
        text, width=max(width, 1), subsequent_indent=hang or leading, break_long_words=True
    )
