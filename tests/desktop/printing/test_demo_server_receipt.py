"""The slips a customer of the demo tenant gets: a till paired to a real kiosk-server.

The ESC/POS bytes the till queued are decoded the way the printer reads them, so the test
sees what lands on paper: rupiah in Indonesian format, the header once, the labelled NPWP,
the PB1 tax line, modifiers without amounts and without their group defaults, the refund
slip and the X report's accounting words, and the business's logo above them all.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pos_desktop.printing.render_image import write_slip_previews
from pos_desktop.store.models import PrintJob
from pos_desktop.store.receipt_logo import receipt_logo_png, wanted_receipt_logo
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from shared.pricing.tenders import Tender
from tests.chaos.support import CASHIER_PIN, OWNER, TENANT, Cloud
from tests.desktop.printing.escpos_decoder import Image, Line, Printout, decode
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


def _owner_patches_settings(server_url: str, body: dict[str, object]) -> dict[str, object]:
    """The owner changes the business's settings through the settings API."""
    token = httpx.post(
        f"{server_url}/api/auth/token/",
        json={"username": OWNER[0], "password": OWNER[1]},
        timeout=30,
    )
    token.raise_for_status()
    answer = httpx.patch(
        f"{server_url}/api/{TENANT}/settings/",
        json=body,
        headers={"Authorization": f"Bearer {token.json()['access']}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    settings: dict[str, object] = answer.json()
    return settings


def test_the_receipt_prints_the_businesss_logo_until_the_owner_removes_it(
    tmp_path: Path,
) -> None:
    """The demo business's logo (drawn by `seed_demo`) reaches the paired till with the
    catalog, prints at the top of the receipt as a raster image (GS v 0) before the business's
    name, and is gone from the next receipt once the owner removed it."""
    with demo_till(tmp_path / "till") as till:
        with till.terminal.uow() as uow:
            wanted = wanted_receipt_logo(uow.session)
            kept = receipt_logo_png(uow.session)
        assert wanted is not None and kept is not None  # fetched with the catalog pull
        assert hashlib.sha256(kept).hexdigest() == wanted.sha256
        products = {p.name: p for p in till.products()}
        till.add_to_cart(products["Nasi Goreng"].id)
        till.checkout([Tender("cash", 50_000)])
        [receipt] = _printed(till, "receipt")
        [logo] = [e for e in receipt.events if isinstance(e, Image)]
        first_text = next(e for e in receipt.events if isinstance(e, Line) and e.text.strip())
        assert receipt.events.index(logo) < receipt.events.index(first_text)
        assert first_text.text.strip() == "Kopi Kiosk"
        assert logo.width_dots == 576 and 0 < logo.height_dots <= 288  # 80 mm, half its width

        identity = till.terminal.identity()
        assert identity is not None and identity.server_url
        removed = _owner_patches_settings(identity.server_url, {"receipt_logo": None})
        assert removed["receipt_logo_sha256"] == ""
        deadline = time.monotonic() + 60
        while True:  # the feed serves a change once no transaction before it still runs
            assert till.engine is not None
            till.engine.pull_catalog()
            with till.terminal.uow() as uow:
                if wanted_receipt_logo(uow.session) is None:
                    assert receipt_logo_png(uow.session) is None
                    break
            assert time.monotonic() < deadline, "the till never heard the logo was removed"
            time.sleep(0.3)
        till.add_to_cart(products["Nasi Goreng"].id)
        till.checkout([Tender("cash", 50_000)])
        second = _printed(till, "receipt")[-1]
        assert not [e for e in second.events if isinstance(e, Image)]
        assert "Kopi Kiosk" in second.texts
