"""ESC/POS rendering of a print document through python-escpos, collected as bytes for the queue."""

from __future__ import annotations

import io
from dataclasses import dataclass

from escpos.printer import Dummy
from PIL import Image

from pos_desktop.printing.document import PrintDocument
from pos_desktop.printing.layout import PrintImage, PrintLine, PrintQr, Size, layout_document
from pos_desktop.printing.paper import PaperProfile

QR_DOT_SIZE = {58: 5, 80: 6}
DRAWER_PIN = 2


@dataclass(frozen=True)
class _Style:
    align: str = "left"
    bold: bool = False
    size: Size = "normal"
    invert: bool = False


def render_escpos(document: PrintDocument, paper: PaperProfile) -> bytes:
    """The bytes to send to the printer: init, code page, drawer kick, lines, QR, image, cut.

    Rendering happens on a `Dummy` printer so the bytes can be stored in the print queue and
    sent later, on another thread, to whichever connection the terminal configured.
    """
    printer = Dummy(profile=paper.escpos())
    printer.hw("INIT")
    printer.charcode(paper.code_page)
    if document.open_drawer:
        printer.cashdraw(DRAWER_PIN)
    current = _Style()
    for primitive in layout_document(document, paper.columns, paper.printable):
        if isinstance(primitive, PrintLine):
            wanted = _Style(primitive.align, primitive.bold, primitive.size, primitive.invert)
            _apply(printer, current, wanted)
            current = wanted
            printer.textln(primitive.text)
        elif isinstance(primitive, PrintQr):
            _apply(printer, current, _Style(align="center"))
            current = _Style(align="center")
            printer.qr(primitive.content, native=True, size=QR_DOT_SIZE.get(paper.width_mm, 5))
            printer.ln()
        elif isinstance(primitive, PrintImage):
            printer.image(_fit_image(primitive.png, paper.dots))
    _apply(printer, current, _Style())
    if document.cut:
        printer.cut()
    return bytes(printer.output)


def drawer_kick_bytes(paper: PaperProfile) -> bytes:
    """Only the cash drawer pulse, for the manager's "open drawer" button."""
    printer = Dummy(profile=paper.escpos())
    printer.cashdraw(DRAWER_PIN)
    return bytes(printer.output)


def _apply(printer: Dummy, current: _Style, wanted: _Style) -> None:
    """Send only the style commands that change, so the byte stream stays short and readable."""
    if wanted.size != current.size:
        printer.set(
            normal_textsize=wanted.size == "normal",
            double_height=wanted.size in ("tall", "large"),
            double_width=wanted.size == "large",
        )
    printer.set(
        align=wanted.align if wanted.align != current.align else None,
        bold=wanted.bold if wanted.bold != current.bold else None,
        invert=wanted.invert if wanted.invert != current.invert else None,
    )


def _fit_image(png: bytes, dots: int) -> Image.Image:
    """Scale a logo to at most half the paper and pad it to the full width, centred."""
    with Image.open(io.BytesIO(png)) as source:
        logo = source.convert("L")
    logo.thumbnail((dots // 2, dots // 2))
    canvas = Image.new("L", (dots, logo.height), 255)
    canvas.paste(logo, ((dots - logo.width) // 2, 0))
    return canvas.convert("1")
