"""Golden text of a typical receipt (58 and 80 mm, English and Indonesian), a kitchen ticket,
a refund slip and a Z report of the demo tenant.

The ESC/POS bytes decode to the same text, so the golden files pin what the printer prints.
Set KIOSK_UPDATE_GOLDEN=1 to rewrite them after an intended layout change, and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pos_desktop.printing.document import (
    PrintDocument,
    kitchen_ticket_document,
    receipt_document,
    refund_slip_document,
    shift_report_document,
)
from pos_desktop.printing.labels import INDONESIAN
from pos_desktop.printing.paper import PAPER_58, PAPER_80, PaperProfile
from pos_desktop.printing.render_escpos import render_escpos
from pos_desktop.printing.render_text import render_text
from pos_desktop.printing.samples import (
    sample_kitchen_ticket,
    sample_receipt,
    sample_refund_slip,
    sample_shift_report,
)
from tests.desktop.printing.escpos_decoder import as_text, decode

GOLDEN = Path(__file__).with_name("golden")

CASES = {
    "receipt-58mm": (lambda: receipt_document(sample_receipt()), PAPER_58),
    "receipt-80mm": (lambda: receipt_document(sample_receipt()), PAPER_80),
    "kitchen-80mm": (
        lambda: kitchen_ticket_document(sample_kitchen_ticket(offline=True)),
        PAPER_80,
    ),
    "z-report-58mm": (lambda: shift_report_document(sample_shift_report("Z")), PAPER_58),
    "receipt-id-58mm": (lambda: receipt_document(sample_receipt(INDONESIAN)), PAPER_58),
    "refund-58mm": (lambda: refund_slip_document(sample_refund_slip()), PAPER_58),
    "z-report-id-80mm": (
        lambda: shift_report_document(sample_shift_report("Z", INDONESIAN)),
        PAPER_80,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_matches_golden(name: str) -> None:
    make, paper = CASES[name]
    document: PrintDocument = make()
    text = render_text(document, paper)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("KIOSK_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_printed_bytes_match_golden(name: str) -> None:
    make, paper = CASES[name]
    printed = as_text(decode(render_escpos(make(), paper)), paper.columns)
    assert printed == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("paper", [PAPER_58, PAPER_80], ids=["58mm", "80mm"])
def test_golden_lines_fit_the_paper(paper: PaperProfile) -> None:
    text = (GOLDEN / f"receipt-{paper.width_mm}mm.txt").read_text(encoding="utf-8")
    widths = [len(line) for line in text.splitlines() if not line.lstrip().startswith("[QR")]
    assert max(widths) == paper.columns
