"""PNG preview of a print document (Pillow), drawn from the same layout the printer gets."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from pos_desktop.printing.document import PrintDocument
from pos_desktop.printing.layout import PrintImage, PrintLine, PrintQr, layout_document
from pos_desktop.printing.paper import PaperProfile

CELL_HEIGHT = 24
MARGIN = 16
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=8)
def _font(bold: bool, size: int) -> FontType:
    """A monospaced font (DejaVu Sans Mono when installed, Pillow's own font otherwise)."""
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def render_png(document: PrintDocument, paper: PaperProfile) -> bytes:
    """The document as a paper strip: `paper.dots` wide plus margins, black on white, PNG bytes."""
    cell_width = paper.dots // paper.columns
    font_size = cell_width * 5 // 3  # DejaVu Sans Mono advances 0.6 em per character
    pieces = [
        _piece(p, paper, cell_width, font_size)
        for p in layout_document(document, paper.columns, paper.printable)
    ]
    height = sum(piece.height for piece in pieces) + 2 * MARGIN
    strip = Image.new("L", (paper.dots + 2 * MARGIN, height), 255)
    top = MARGIN
    for piece in pieces:
        strip.paste(piece, (MARGIN, top))
        top += piece.height
    buffer = io.BytesIO()
    strip.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _piece(
    primitive: PrintLine | PrintQr | PrintImage, paper: PaperProfile, cell_width: int, size: int
) -> Image.Image:
    if isinstance(primitive, PrintQr):
        return _centred(_qr_image(primitive.content), paper.dots)
    if isinstance(primitive, PrintImage):
        with Image.open(io.BytesIO(primitive.png)) as source:
            logo = source.convert("L")
        logo.thumbnail((paper.dots // 2, paper.dots // 2))
        return _centred(logo, paper.dots)
    return _text_line(primitive, paper, cell_width, size)


def _text_line(line: PrintLine, paper: PaperProfile, cell_width: int, size: int) -> Image.Image:
    """One line drawn at normal size, then stretched as the printer does for tall/large text."""
    factor = line.width_factor
    width = paper.columns // factor * cell_width
    ink, paper_white = (255, 0) if line.invert else (0, 255)
    image = Image.new("L", (width, CELL_HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    text_width = len(line.text) * cell_width
    if line.invert:
        draw.rectangle((0, 0, text_width + cell_width, CELL_HEIGHT), fill=paper_white)
    for index, char in enumerate(line.text):
        draw.text((index * cell_width, 2), char, font=_font(line.bold, size), fill=ink)
    if line.invert:
        image = image.crop((0, 0, text_width + cell_width, CELL_HEIGHT))
    else:
        image = image.crop((0, 0, max(text_width, 1), CELL_HEIGHT))
    tall = line.size in ("tall", "large")
    image = image.resize((image.width * factor, CELL_HEIGHT * (2 if tall else 1)))
    row = Image.new("L", (paper.dots, image.height), 255)
    free = paper.dots - image.width
    offset = {"left": 0, "center": free // 2, "right": free}[line.align]
    row.paste(image, (max(offset, 0), 0))
    return row


def _qr_image(content: str) -> Image.Image:
    code = qrcode.QRCode(box_size=5, border=2)
    code.add_data(content)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image()
    return image.convert("L")


def _centred(image: Image.Image, width: int) -> Image.Image:
    row = Image.new("L", (width, image.height), 255)
    row.paste(image, ((width - image.width) // 2, 0))
    return row


def write_receipt_screenshots(folder: Path) -> list[Path]:
    """Write the slip previews of the demo tenant's sample sale (docs/screenshots): the receipt
    on 58 and 80 mm, the receipt of a till set to Indonesian, and a refund slip."""
    from pos_desktop.printing.document import receipt_document, refund_slip_document
    from pos_desktop.printing.labels import INDONESIAN
    from pos_desktop.printing.paper import PAPER_58, PAPER_80
    from pos_desktop.printing.samples import sample_receipt, sample_refund_slip

    folder.mkdir(parents=True, exist_ok=True)
    slips = {
        "receipt-58mm.png": (receipt_document(sample_receipt()), PAPER_58),
        "receipt-80mm.png": (receipt_document(sample_receipt()), PAPER_80),
        "receipt-80mm-id.png": (receipt_document(sample_receipt(INDONESIAN)), PAPER_80),
        "refund-slip.png": (refund_slip_document(sample_refund_slip()), PAPER_58),
    }
    written = []
    for name, (document, paper) in slips.items():
        path = folder / name
        path.write_bytes(render_png(document, paper))
        written.append(path)
    return written


def write_slip_previews(
    session: Session, folder: Path, *, sale_id: str, refunded_id: str
) -> list[Path]:
    """Write the previews of a till's real slips (`make screenshots`, a till paired to the demo
    tenant): the receipt of `sale_id` on 58 and 80 mm and the latest refund slip of
    `refunded_id`, in the till's language, under the names `write_receipt_screenshots` uses."""
    from sqlalchemy import select

    from pos_desktop.printing.document import receipt_document, refund_slip_document
    from pos_desktop.printing.from_store import receipt_data_for_order, refund_slip_data
    from pos_desktop.printing.paper import PAPER_58, PAPER_80
    from pos_desktop.store.models import Order, Refund

    sale = session.get(Order, sale_id)
    refund = session.scalars(
        select(Refund).where(Refund.order_id == refunded_id).order_by(Refund.created_at.desc())
    ).first()
    if sale is None or refund is None:
        raise LookupError("the sale or the refund to preview is not on this till")
    receipt = receipt_document(receipt_data_for_order(session, sale))
    slips = {
        "receipt-58mm.png": (receipt, PAPER_58),
        "receipt-80mm.png": (receipt, PAPER_80),
        "refund-slip.png": (refund_slip_document(refund_slip_data(session, refund)), PAPER_58),
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (document, paper) in slips.items():
        path = folder / name
        path.write_bytes(render_png(document, paper))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_receipt_screenshots(Path("docs/screenshots")):
        print(written_path)
