"""Kitchen tickets a till prints while the cloud is down: the cook's words in the till's
language, the options chosen, never the group defaults (Regular says nothing to a barista)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from pos_desktop.printing.settings import PrinterSettings, save_printer_settings
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.store.models import OrderLine, PrintJob
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from shared.pricing.tenders import Tender
from tests.desktop.conftest import product_id
from tests.desktop.printing.escpos_decoder import Printout, decode


def _kitchen_tickets(terminal: Terminal) -> dict[str, Printout]:
    with terminal.uow() as uow:
        jobs = uow.session.scalars(select(PrintJob).where(PrintJob.kind == "kitchen")).all()
        return {job.target: decode(job.payload) for job in jobs}


def _sell_offline(terminal: Terminal, tmp_path: Path, language: str) -> dict[str, Printout]:
    """An unpaired till (the cloud counts as down) sells a latte with options and a nasi
    goreng; its bar and kitchen printers get a ticket each."""
    bar, kitchen = f"file:{tmp_path / 'bar.bin'}", f"file:{tmp_path / 'kitchen.bin'}"
    with terminal.uow() as uow:
        save_printer_settings(
            uow.session, PrinterSettings(kitchen_printers={"bar": bar, "*": kitchen})
        )
        uow.commit()
    till = TerminalTill(terminal, start_sync=False, start_printing=False)
    try:
        till.save_settings(replace(till.settings(), language=language))
        till.login(DEMO_CASHIER_PIN)
        till.open_shift(100_000)
        options = [str(demo_id("opt:regular")), str(demo_id("opt:oat"))]
        till.add_to_cart(product_id("Caffè latte"), options)
        till.add_to_cart(product_id("Nasi goreng"))
        till.checkout([Tender("cash", till.quote().total_minor)])
    finally:
        till.close()
    tickets = _kitchen_tickets(terminal)
    assert sorted(tickets) == sorted([bar, kitchen])
    return {"bar": tickets[bar], "kitchen": tickets[kitchen]}


def test_offline_kitchen_tickets_leave_out_group_defaults(
    terminal: Terminal, tmp_path: Path
) -> None:
    tickets = _sell_offline(terminal, tmp_path, "en")
    bar = tickets["bar"].texts
    assert tickets["bar"].lines[0].text == "PRINTED OFFLINE"
    assert "1x Caffè latte" in bar
    assert "   + Oat milk" in bar
    with terminal.uow() as uow:  # the sale keeps it (the server reprices with it) ...
        latte = uow.session.scalars(select(OrderLine).where(OrderLine.name == "Caffè latte")).one()
        assert [m["name"] for m in latte.modifiers] == ["Regular", "Oat milk"]
    assert not any("Regular" in t for t in bar)  # ... the barista's ticket does not
    assert any(t.startswith("1x Nasi goreng") for t in tickets["kitchen"].texts)
    assert tickets["bar"].count("drawer") == 0 and not tickets["bar"].qr_codes


def test_offline_kitchen_tickets_follow_the_till_language(
    terminal: Terminal, tmp_path: Path
) -> None:
    tickets = _sell_offline(terminal, tmp_path, "id")
    bar = tickets["bar"]
    assert bar.lines[0].text == "DICETAK OFFLINE"
    assert any(t.startswith("Waktu") for t in bar.texts)
    assert any(t.startswith("Kasir") for t in bar.texts)
