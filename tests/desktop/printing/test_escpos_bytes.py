"""The ESC/POS bytes we send, decoded by a strict tokenizer: text, alignment, bold, QR, cut."""

from __future__ import annotations

import re

import pytest

from pos_desktop.printing.document import (
    Heading,
    PrintDocument,
    ReceiptLineData,
    Text,
    kitchen_ticket_document,
    receipt_document,
    shift_report_document,
)
from pos_desktop.printing.paper import (
    CODE_PAGE_CODECS,
    PAPER_58,
    PAPER_80,
    PaperProfile,
    paper_for_width,
    printable_text,
)
from pos_desktop.printing.render_escpos import drawer_kick_bytes, render_escpos
from pos_desktop.printing.samples import (
    SAMPLE_ORDER_ID,
    sample_kitchen_ticket,
    sample_receipt,
    sample_shift_report,
)
from tests.desktop.printing.escpos_decoder import Image, UnknownCommand, decode

PAPERS = [PAPER_58, PAPER_80]


def test_decoder_is_strict() -> None:
    """The tokenizer must reject what it does not know, or the other tests prove nothing."""
    with pytest.raises(UnknownCommand):
        decode(b"\x1bZ\x00")  # an ESC command we never send
    with pytest.raises(UnknownCommand):
        decode(b"\x1d(k\x03\x001Z0")  # an unknown QR function
    with pytest.raises(UnknownCommand):
        decode(b"abc\x07\n")  # a bare control byte
    with pytest.raises(UnknownCommand):
        decode(b"no line feed")


@pytest.mark.parametrize("paper", PAPERS, ids=["58mm", "80mm"])
def test_receipt_structure(receipt: PrintDocument, paper: PaperProfile) -> None:
    printout = decode(render_escpos(receipt, paper))

    assert printout.events[0] == "init"
    assert printout.code_pages == [19]  # CP858 chosen once, before any text
    tenant = printout.lines[0]
    assert (tenant.text, tenant.align, tenant.bold, tenant.double_height) == (
        "Kopi Kiosk",
        "center",
        True,
        True,
    )
    assert not tenant.double_width
    total = next(line for line in printout.lines if line.text.startswith("TOTAL"))
    assert total.bold and total.double_height and total.align == "left"
    assert total.text.endswith("Rp 152.500")
    assert len(total.text) == paper.columns  # the amount sits against the right edge
    change = next(line for line in printout.lines if line.text.startswith("Change"))
    assert change.bold and change.text.endswith("Rp 47.500")
    receipt_no = next(line for line in printout.lines if line.text.startswith("Receipt"))
    assert receipt_no.text.endswith("MAIN-T1-000123") and receipt_no.bold
    assert "Date" in printout.texts[6] or any(
        line.startswith("Date") and line.endswith("2026-03-14 12:07") for line in printout.texts
    )
    [qr] = printout.qr_codes
    assert (qr.data.decode(), qr.model, qr.error_level) == (SAMPLE_ORDER_ID, 2, 0)
    assert qr.size >= 3
    assert printout.events[-1] == "cut" and printout.count("cut") == 1
    assert printout.events[-2] == "feed"  # the paper is fed past the cutter first
    for line in printout.lines:
        assert len(line.text) * (2 if line.double_width else 1) <= paper.columns, line


def test_amount_lines_right_align_and_names_wrap() -> None:
    data = sample_receipt()
    long_name = ReceiptLineData(
        "Nasi Goreng Spesial Kampung dengan Telur Mata Sapi",
        1,
        40_000,
        40_000,
        modifiers=("Extra telur", "Pedas level 3"),
        note="Tanpa bawang",
    )
    data = type(data)(**{**vars(data), "lines": (*data.lines, long_name)})
    texts = decode(render_escpos(receipt_document(data), PAPER_58)).texts
    first = texts.index("1x Nasi Goreng Spesial Rp 40.000")
    assert texts[first + 1 : first + 3] == ["   Kampung dengan", "   Telur Mata Sapi"]
    # Modifiers carry no amount of their own: the line's price already includes them.
    assert texts[first + 3 : first + 6] == [
        "   + Extra telur",
        "   + Pedas level 3",
        "   * Tanpa bawang",
    ]
    kopi = texts.index("2x Kopi Susu           Rp 60.000")
    assert texts[kopi + 1 : kopi + 4] == ["   2 x Rp 30.000", "   + Large", "   + Less sugar"]
    right_aligned = [t for t in texts if re.search(r" -?Rp [0-9.]+$", t)]
    assert len(right_aligned) == 4 + 1 + 5 + 2  # lines, unit price, totals, tendered, change
    assert all(len(t) == 32 for t in right_aligned if t != texts[kopi + 1])


def test_cash_sale_kicks_drawer_and_copy_does_not() -> None:
    sale = decode(render_escpos(receipt_document(sample_receipt()), PAPER_80))
    assert sale.count("drawer") == 1
    assert sale.events.index("drawer") < sale.events.index(sale.lines[0])
    reprint = decode(render_escpos(receipt_document(sample_receipt(), copy=True), PAPER_80))
    assert reprint.count("drawer") == 0
    [mark] = [line for line in reprint.lines if line.invert]
    assert (mark.text, mark.double_width, mark.double_height, mark.align) == (
        "COPY",
        True,
        True,
        "center",
    )
    assert "COPY" not in sale.texts


def test_drawer_kick_alone() -> None:
    printout = decode(drawer_kick_bytes(PAPER_80))
    assert printout.events == ["drawer"]


@pytest.mark.parametrize(
    ("name", "code_page", "printed"),
    [
        ("Es Teh Manis", "CP858", "Es Teh Manis"),
        ("Crème brûlée", "CP858", "Crème brûlée"),
        ("Café Señor", "CP858", "Café Señor"),
        ("Café Señor", "CP437", "Café Señor"),
        ("Œuf “bio” – Łódź", "CP858", 'OEuf "bio" - Lódz'),
        ("Kopi 日本", "CP858", "Kopi ??"),
    ],
)
def test_names_print_in_the_code_page(name: str, code_page: str, printed: str) -> None:
    """Accented names decode back exactly; what the code page lacks is transliterated."""
    data = sample_receipt()
    data = type(data)(**{**vars(data), "lines": (ReceiptLineData(name, 1, 1_000, 1_000),)})
    paper = paper_for_width(80, code_page=code_page)
    printout = decode(render_escpos(receipt_document(data), paper))
    [line] = [t for t in printout.texts if t.startswith("1x ")]
    assert line.startswith(f"1x {printed} ")
    assert line.endswith("Rp 1.000")


def test_control_characters_in_names_cannot_inject_commands() -> None:
    data = sample_receipt()
    evil = ReceiptLineData("Teh\x1dV\x00\x1bp\x00 Tarik", 1, 1_000, 1_000)
    data = type(data)(**{**vars(data), "lines": (evil,)})
    printout = decode(render_escpos(receipt_document(data), PAPER_58))
    assert printout.count("cut") == 1 and printout.count("drawer") == 1
    assert any(t.startswith("1x TehVp Tarik") for t in printout.texts)


def test_kitchen_ticket_is_loud(kitchen_ticket: PrintDocument) -> None:
    printout = decode(render_escpos(kitchen_ticket, PAPER_80))
    offline = printout.lines[0]
    assert offline.text == "PRINTED OFFLINE" and offline.invert and offline.double_width
    number = next(line for line in printout.lines if line.text == "#123")
    assert number.double_width and number.double_height and number.bold
    assert number.align == "center"
    item = next(line for line in printout.lines if line.text.startswith("2x Kopi Susu"))
    assert item.double_height and item.bold and not item.double_width
    assert "   * Oat milk" in printout.texts
    assert "   + Less sugar" in printout.texts
    assert printout.count("drawer") == 0 and printout.events[-1] == "cut"
    assert not printout.qr_codes


def test_already_printed_kitchen_ticket_is_marked() -> None:
    data = sample_kitchen_ticket()
    data = type(data)(**{**vars(data), "already_printed": True})
    printout = decode(render_escpos(kitchen_ticket_document(data), PAPER_58))
    assert printout.lines[0].text == "ALREADY PRINTED" and printout.lines[0].invert
    assert "PRINTED OFFLINE" not in printout.texts


@pytest.mark.parametrize("report", ["X", "Z"])
def test_shift_reports(report: str) -> None:
    printout = decode(render_escpos(shift_report_document(sample_shift_report(report)), PAPER_58))
    title = next(line for line in printout.lines if "REPORT" in line.text)
    assert title.text == f"{report} REPORT" and title.double_width
    texts = printout.texts
    assert "Net sales (excl.    Rp 2.295.000" in texts  # excluding tax and service
    assert "PB1 10%               Rp 244.475" in texts
    assert "Total collected     Rp 2.650.475" in texts
    counted = [t for t in texts if t.startswith(("Cash counted", "Difference"))]
    if report == "Z":
        assert counted == ["Cash counted        Rp 2.010.000", "Difference             -Rp 1.500"]
    else:
        assert counted == []


def test_logo_is_a_centred_raster_image(tmp_path: object) -> None:
    from io import BytesIO

    from PIL import Image as PilImage

    buffer = BytesIO()
    PilImage.new("L", (600, 100), 0).save(buffer, format="PNG")
    data = sample_receipt()
    header = type(data.header)(**{**vars(data.header), "logo_png": buffer.getvalue()})
    data = type(data)(**{**vars(data), "header": header})
    printout = decode(render_escpos(receipt_document(data), PAPER_58))
    [image] = [e for e in printout.events if isinstance(e, Image)]
    assert image.width_dots == PAPER_58.dots  # padded to the paper so it prints centred
    assert 0 < image.height_dots <= PAPER_58.dots // 2


def test_unknown_block_is_refused() -> None:
    document = PrintDocument("test", "IDR", "id_ID", (Heading("ok"), "not a block"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render_escpos(document, PAPER_58)


@pytest.mark.parametrize("code_page", sorted(CODE_PAGE_CODECS))
def test_every_character_of_the_code_page_survives(code_page: str) -> None:
    """What `printable_text` keeps, python-escpos encodes to the byte the printer shows."""
    codec = CODE_PAGE_CODECS[code_page]
    upper_half = bytes(range(0x80, 0x100)).decode(codec, errors="ignore")
    letters = "".join(c for c in upper_half if c.isprintable() and not c.isspace())
    kept = printable_text(letters, code_page)
    assert kept == letters  # the code page's own characters are never transliterated
    document = PrintDocument("test", "", "", (Text((kept,), align="left"),))
    paper = paper_for_width(80, code_page=code_page)
    printout = decode(render_escpos(document, paper))
    assert "".join(printout.texts) == kept
