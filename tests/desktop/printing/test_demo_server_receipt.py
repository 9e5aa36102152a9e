"""The slips a customer of the demo tenant gets: a till paired to a real kiosk-server.

The ESC/POS bytes the till queued are decoded the way the printer reads them, so the test
sees what lands on paper: rupiah in Indonesian format, the header once, the labelled NPWP,
the PB1 tax line, modifiers without amounts and without their group defaults, the refund
slip and the X report's accounting words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_desktop.printing.render_image import write_slip_previews
from pos_desktop.store.models import PrintJob
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from shared.pricing.tenders import Tender
from tests.chaos.support import CASHIER_PIN, Cloud
from tests.desktop.printing.escpos_decoder import Printout, decode
from tests.support.server_process import running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.usefixtures("memory_keyring")]

MANAGER_PIN = "2222"  # demo.manager of outlet "main" in the server's seed
RUPIAH = re.compile(r"^Rp \d{1,3}(\.\d{3})*$")
"""An amount as an Indonesian reads it: Rp, a space, dots between thousands, no decimals."""


def rupiah(amount_minor: int) -> str:
    """What the slip must say for an amount (written out here, not by the code under test)."""
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}Rp {abs(amount_minor):,}".replace(",", ".")


@contextmanager
def demo_till(folder: Path) -> Iterator[TerminalTill]:
    """A till paired to a real kiosk-server's demo tenant (outlet main), catalog pulled,
    signed in with a shift open; its slips stay queued so the test reads their bytes."""
    with running_server() as server:
        cloud = Cloud(server)
        terminal = Terminal(folder)
        terminal.pair(server.base_url, cloud.new_terminal_code(), device_name="receipt test")
        till = TerminalTill(terminal, start_sync=False, start_printing=False)
        try:
            assert till.engine is not None
            till.engine.pull_catalog()
            till.save_settings(replace(till.settings(), printer=f"file:{folder / 'slips.bin'}"))
            till.login(CASHIER_PIN)
            till.open_shift(100_000)
            yield till
        finally:
            till.close()


def _printed(till: TerminalTill, kind: str) -> list[Printout]:
    """The queued slips of a kind, oldest first, decoded strictly (an unknown command fails)."""
    with till.terminal.uow() as uow:
        jobs = uow.session.scalars(
            select(PrintJob).where(PrintJob.kind == kind).order_by(PrintJob.created_at)
        ).all()
        return [decode(job.payload) for job in jobs]


def _option(till: TerminalTill, product_id: str, name: str) -> str:
    for group in till.modifier_groups(product_id):
        for option in group.options:
            if option.name == name:
                return option.id
    raise AssertionError(f"no option {name}")


def test_receipt_refund_slip_and_x_report_of_the_demo_tenant(tmp_path: Path) -> None:
    with demo_till(tmp_path / "till") as till:
        products = {p.name: p for p in till.products()}
        kopi = products["Kopi Susu"]
        chosen = [_option(till, kopi.id, name) for name in ("Large", "Normal sugar")]
        till.add_to_cart(kopi.id, chosen, quantity=2)
        till.add_to_cart(products["Nasi Goreng"].id)
        sale = till.checkout([Tender("cash", till.quote().total_minor)])

        [receipt] = _printed(till, "receipt")
        texts = receipt.texts
        text = "\n".join(texts)
        assert "IDR" not in text
        amounts = re.findall(r"Rp [\d.,]+", text)
        assert len(amounts) >= 8 and all(RUPIAH.match(a) for a in amounts), amounts
        assert any(t.startswith("TOTAL") and t.endswith(rupiah(sale.total_minor)) for t in texts)

        # the header: business, outlet, address and labelled tax id, each once
        assert texts[:4] == [
            "Kopi Kiosk",
            "Kopi Kiosk Sudirman",
            "Jl. Jend. Sudirman No. 1",
            "NPWP 01.234.567.8-901.000",
        ]
        assert text.count("Jl. Jend. Sudirman") == 1
        assert text.count("NPWP") == 1
        assert sum(t == "Kopi Kiosk" for t in texts) == 1

        # PB1 named once with its rate; the service charge with the tenant's rate
        [tax] = [t for t in texts if t.startswith("PB1")]
        assert tax.startswith("PB1 10% ") and RUPIAH.match(tax.split("  ")[-1].strip())
        assert "PPN" not in text and "10% 10%" not in text
        assert any(t.startswith("Service charge 5%") for t in texts)

        # the coffee line at its full price (35.000 each with Large), the option under it
        # without an amount, the group default (Normal sugar) not at all
        line = texts.index(next(t for t in texts if t.startswith("2x Kopi Susu")))
        assert texts[line].endswith(rupiah(2 * (25_000 + 5_000)))
        assert texts[line + 1 : line + 3] == [f"   2 x {rupiah(30_000)}", "   + Large"]
        assert "Normal sugar" not in text and "Regular" not in text
        assert receipt.count("drawer") == 1  # a cash sale opens the drawer

        # a refund of one coffee prints its slip: what, how much, how, why, who approved
        detail = till.order_detail(sale.order_id)
        coffee = next(row for row in detail.lines if row.name == "Kopi Susu")
        refunded = till.refund(sale.order_id, {coffee.line_id: 1}, "Wrong order", MANAGER_PIN)
        [slip] = _printed(till, "refund")
        slip_texts = slip.texts
        assert [line.text for line in slip.lines if line.invert] == ["REFUND"]
        assert any(t.startswith("1x Kopi Susu") for t in slip_texts)
        assert any(t.startswith("Refunded") and t.endswith(rupiah(refunded)) for t in slip_texts)
        assert any(t.startswith("Method") and t.endswith("Cash") for t in slip_texts)
        assert any(t.startswith("Reason") and t.endswith("Wrong order") for t in slip_texts)
        assert any(t.startswith("Approved by") for t in slip_texts)
        assert any(t.endswith(sale.receipt_number) for t in slip_texts)
        assert slip.count("drawer") == 0

        # the previews `make screenshots` writes are these slips
        with till.terminal.uow() as uow:
            previews = write_slip_previews(
                uow.session, tmp_path / "shots", sale_id=sale.order_id, refunded_id=sale.order_id
            )
        assert [p.name for p in previews] == [
            "receipt-58mm.png",
            "receipt-80mm.png",
            "refund-slip.png",
        ]
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in previews)

        # the X report in accounting words, from the shared figures
        till.print_report(till.x_report())
        [report] = _printed(till, "report")
        report_text = "\n".join(report.texts)
        for words in ("Gross sales", "Net sales (excl. tax", "Total collected", "Cash expected"):
            assert words in report_text
        assert any(t.startswith("PB1 10%") for t in report.texts)


def test_slips_of_a_till_set_to_indonesian(tmp_path: Path) -> None:
    with demo_till(tmp_path / "till") as till:
        till.save_settings(replace(till.settings(), language="id"))
        products = {p.name: p for p in till.products()}
        till.add_to_cart(products["Nasi Goreng"].id)
        sale = till.checkout([Tender("cash", 50_000)])
        [receipt] = _printed(till, "receipt")
        texts = receipt.texts
        assert any(t.startswith("Kasir") for t in texts)
        assert any(t.startswith("Biaya layanan 5%") for t in texts)
        assert any(t.startswith("Tunai Dibayar") and t.endswith(rupiah(50_000)) for t in texts)
        assert any(
            t.startswith("Kembalian") and t.endswith(rupiah(sale.change_minor)) for t in texts
        )
        assert "NPWP 01.234.567.8-901.000" in texts
