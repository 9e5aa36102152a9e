"""Plain-text rendering of a print document: golden files, logs and quick previews."""

from __future__ import annotations

from pos_desktop.printing.document import PrintDocument
from pos_desktop.printing.layout import PrintImage, PrintLine, PrintQr, layout_document
from pos_desktop.printing.paper import PaperProfile


def render_text(document: PrintDocument, paper: PaperProfile) -> str:
    """The document as the printer would lay it out, one string line per printed line.

    Double-width text is shown letter-spaced so it keeps its real width; inverted marks are
    framed with `**`; a QR code and a logo show as bracketed placeholders.
    """
    out: list[str] = []
    for primitive in layout_document(document, paper.columns, paper.printable):
        if isinstance(primitive, PrintQr):
            placeholder = f"[QR {primitive.content}]"
            out += [
                placeholder[start : start + paper.columns].center(paper.columns).rstrip()
                for start in range(0, len(placeholder), paper.columns)
            ]
        elif isinstance(primitive, PrintImage):
            out.append("[LOGO]".center(paper.columns).rstrip())
        else:
            out.append(_line(primitive, paper.columns))
    return "\n".join(out) + "\n"


def _line(line: PrintLine, columns: int) -> str:
    text = line.text
    if line.width_factor == 2:
        text = " ".join(text)
    if line.invert:
        text = f"** {text} **"
    if line.align == "center":
        return text.center(columns).rstrip()
    if line.align == "right":
        return text.rjust(columns)
    return text
