"""Printing against the terminal's real SQLite store: persisted jobs, stored orders, X/Z, CLI."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_desktop.printing.commands import add_subcommands
from pos_desktop.printing.document import (
    kitchen_ticket_document,
    receipt_document,
    refund_slip_document,
    shift_report_document,
)
from pos_desktop.printing.from_store import (
    OrderNotFound,
    find_order,
    kitchen_tickets_for_order,
    order_number,
    receipt_data_for_order,
    refund_slip_data,
    shift_report_data,
)
from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.paper import PAPER_58
from pos_desktop.printing.queue import PrintQueue, QueuedJob
from pos_desktop.printing.render_escpos import render_escpos
from pos_desktop.printing.render_text import render_text
from pos_desktop.printing.service import start_print_service
from pos_desktop.printing.settings import PrinterSettings, save_printer_settings
from pos_desktop.retry import RetryPolicy
from pos_desktop.store.db import Database
from pos_desktop.store.models import (
    Cashier,
    ModifierOption,
    Order,
    OrderLine,
    Payment,
    Refund,
    Setting,
    Shift,
)
from shared.reports import SalePayment, SaleRecord, SaleTax, shift_figures
from tests.desktop.printing.escpos_decoder import decode
from tests.desktop.printing.fake_printer import FakeNetworkPrinter

SOLD_AT = datetime(2026, 3, 14, 5, 7, tzinfo=UTC)
ORDER_ID = "0192f3a4-0000-7000-8000-000000000001"
RECEIPT_NO = "KMG-T01-000007"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated terminal store holding one cash sale, as checkout writes it."""
    db = Database(tmp_path)
    with db.session_factory() as session, session.begin():
        session.add_all(
            [
                Setting(
                    key="tenant",
                    value={
                        "name": "Warung Kopi Senja",
                        "currency": "IDR",
                        "time_zone": "Asia/Jakarta",
                        "locale": "id_ID",
                        "tax_id": "01.234.567.8-901.000",
                        # The tenant's header text repeats the name and the address.
                        "receipt_header": "Warung Kopi Senja\nJl. Kemang 12, Jakarta\nBuka 07-22",
                        "receipt_footer": "Terima kasih!",
                        "service_charge_bp": 500,
                    },
                ),
                Setting(key="outlet", value={"name": "Outlet Kemang", "address": "Jl. Kemang 12"}),
                Setting(key="terminal", value={"terminal_code": "T01"}),
                Cashier(id="c-1", username="siti", name="Siti", pin_hash="x"),
                Cashier(id="m-1", username="budi", name="Budi", pin_hash="x"),
                ModifierOption(id="opt-large", group_id="g-size", name="Large"),
                ModifierOption(id="opt-normal", group_id="g-sugar", name="Normal", is_default=True),
                Shift(id="s-1", cashier_id="c-1", state="opened", opened_at=SOLD_AT),
            ]
        )
        order = Order(
            id=ORDER_ID,
            receipt_number=RECEIPT_NO,
            shift_id="s-1",
            cashier_id="c-1",
            table="5",
            currency="IDR",
            subtotal_minor=61_000,
            discount_minor=6_100,
            service_charge_minor=0,
            tax_minor=5_490,
            rounding_minor=-390,
            total_minor=60_000,
            paid_minor=100_000,
            change_minor=40_000,
            pricing={
                "tax_lines": [
                    {"name": "PB1", "rate_bp": 1000, "inclusive": False, "amount_minor": 5_490}
                ]
            },
            created_at=SOLD_AT,
        )
        order.lines.append(
            OrderLine(
                position=0,
                name="Kopi Susu Gula Aren",
                kitchen_station="bar",
                quantity=2,
                unit_price_minor=21_000,  # with Large, as the pricing engine stores it
                modifiers=[
                    {
                        "option_id": "opt-large",
                        "group_name": "Size",
                        "name": "Large",
                        "price_delta_minor": 3_000,
                    },
                    {"option_id": "opt-normal", "group_name": "Sugar", "name": "Normal"},
                ],
                discounts=[{"source": "promotion", "name": "Happy hour", "amount_minor": 4_200}],
                gross_minor=42_000,
                net_minor=37_800,
                total_minor=37_800,
                note="less ice",
            )
        )
        order.lines.append(
            OrderLine(
                position=1,
                name="Pisang Goreng",
                kitchen_station="kitchen",
                quantity=1,
                unit_price_minor=19_000,
                discounts=[{"source": "promotion", "name": "Happy hour", "amount_minor": 1_900}],
                gross_minor=19_000,
                net_minor=17_100,
                total_minor=17_100,
            )
        )
        order.payments.append(Payment(method="cash", amount_minor=100_000))
        order.payments.append(Payment(method="cash", amount_minor=-40_000, is_change=True))
        session.add(order)
    yield db
    db.dispose()


def test_receipt_of_a_stored_order(database: Database) -> None:
    with database.session_factory() as session:
        data = receipt_data_for_order(session, find_order(session, RECEIPT_NO))
    assert (data.receipt_no, data.order_id, data.cashier_name, data.terminal_name) == (
        RECEIPT_NO,
        ORDER_ID,
        "Siti",
        "T01",
    )
    [discount] = data.discounts
    assert (discount.name, discount.amount_minor) == ("Happy hour", -6_100)
    [tax] = data.taxes
    assert (tax.name, tax.rate_bp, tax.amount_minor, tax.included) == ("PB1", 1000, 5_490, False)
    [cash] = data.payments
    assert (cash.method, cash.amount_minor, cash.tendered_minor, cash.change_minor) == (
        "Cash",
        60_000,
        100_000,
        40_000,
    )
    assert cash.is_cash

    text = render_text(receipt_document(data), PAPER_58)
    header = text.split("-" * 32)[0].split("\n")
    assert [line.strip() for line in header if line.strip()] == [
        "Warung Kopi Senja",
        "Outlet Kemang",
        "Jl. Kemang 12",
        "NPWP 01.234.567.8-901.000",
        "Buka 07-22",
    ]
    assert "Date            2026-03-14 12:07" in text  # 05:07 UTC in Asia/Jakarta
    # The line at its full price; the modifier without an amount; the group default not at all.
    assert "2x Kopi Susu Gula Aren Rp 42.000" in text
    assert "   2 x Rp 21.000\n   + Large\n   * less ice\n" in text
    assert "Normal" not in text
    assert "Happy hour             -Rp 6.100" in text
    assert "TOTAL                  Rp 60.000" in text
    assert "Change                 Rp 40.000" in text
    printout = decode(render_escpos(receipt_document(data), PAPER_58))
    assert printout.qr_codes[0].data.decode() == ORDER_ID


def test_reprint_of_a_voided_order_says_so(database: Database) -> None:
    with database.session_factory() as session, session.begin():
        find_order(session, RECEIPT_NO).status = "voided"
    with database.session_factory() as session:
        data = receipt_data_for_order(session, find_order(session, RECEIPT_NO))
    printout = decode(render_escpos(receipt_document(data, copy=True), PAPER_58))
    marks = [line.text for line in printout.lines if line.invert]
    assert marks == ["COPY", "VOIDED"]


def test_unknown_receipt_number(database: Database) -> None:
    with database.session_factory() as session, pytest.raises(OrderNotFound):
        find_order(session, "KMG-T01-999999")


def test_kitchen_tickets_are_split_by_station(database: Database) -> None:
    with database.session_factory() as session:
        tickets = kitchen_tickets_for_order(session, find_order(session, RECEIPT_NO), offline=True)
    assert [(t.station, [i.name for i in t.items]) for t in tickets] == [
        ("bar", ["Kopi Susu Gula Aren"]),
        ("kitchen", ["Pisang Goreng"]),
    ]
    assert tickets[0].order_number == "7" and tickets[0].table == "5" and tickets[0].offline
    assert tickets[0].items[0].modifiers == ("Large",) and tickets[0].items[0].note == "less ice"
    assert tickets[0].labels.table == "Table"
    assert order_number("KMG-T01-000000") == "0" and order_number("ODD") == "ODD"


def test_x_report_of_the_open_shift(database: Database) -> None:
    sale = SaleRecord(
        subtotal_minor=61_000,
        discount_minor=6_100,
        service_charge_minor=0,
        rounding_minor=-390,
        total_minor=60_000,
        taxes=(SaleTax("PB1", 1000, False, 5_490),),
        payments=(SalePayment("cash", 60_000),),
    )
    figures = shift_figures(opening_float_minor=0, sales=[sale])
    with database.session_factory() as session:
        data = shift_report_data(session, shift_id="s-1", figures=figures, printed_at=SOLD_AT)
    assert data.report == "X"
    text = render_text(shift_report_document(data), PAPER_58)
    assert "X   R E P O R T" in text
    assert "Net sales (excl. tax & Rp 54.900" in text  # 61.000 - 6.100: no tax, no service
    assert "PB1 10%                 Rp 5.490" in text
    assert "Total collected        Rp 60.000" in text
    assert "Cash                   Rp 60.000" in text
    assert "Cash counted" not in text


def _set_language(database: Database, language: str) -> None:
    with database.session_factory() as session, session.begin():
        session.merge(Setting(key="ui_settings", value={"language": language}))


def test_slips_follow_the_till_language(database: Database) -> None:
    _set_language(database, "id")
    with database.session_factory() as session:
        order = find_order(session, RECEIPT_NO)
        receipt = render_text(receipt_document(receipt_data_for_order(session, order)), PAPER_58)
        [bar, _kitchen] = kitchen_tickets_for_order(session, order, offline=True)
    assert "Kasir                       Siti" in receipt
    assert "Tunai Dibayar         Rp 100.000" in receipt
    assert "Kembalian              Rp 40.000" in receipt
    assert "NPWP 01.234.567.8-901.000" in receipt
    ticket = decode(render_escpos(kitchen_ticket_document(bar), PAPER_58)).texts
    assert ticket[0] == "DICETAK OFFLINE" and "Meja 5" in ticket


def _refund(database: Database, kind: str) -> str:
    """A refund of one Kopi Susu (approved by Budi), or a void of the whole order."""
    with database.session_factory() as session, session.begin():
        order = find_order(session, RECEIPT_NO)
        kopi = order.lines[0]
        refund = Refund(
            order_id=order.id,
            shift_id="s-1",
            kind=kind,
            amount_minor=18_900 if kind == "refund" else order.total_minor,
            method="cash" if kind == "refund" else "original",
            lines=(
                [{"line_id": kopi.id, "quantity": 1, "amount_minor": 18_900}]
                if kind == "refund"
                else []
            ),
            reason="Salah pesan",
            cashier_id="c-1",
            manager_id="m-1",
            created_at=datetime(2026, 3, 14, 5, 30, tzinfo=UTC),
        )
        session.add(refund)
        session.flush()
        return refund.id


@pytest.mark.parametrize("language", ["en", "id"])
def test_refund_slip_of_a_stored_refund(database: Database, language: str) -> None:
    _set_language(database, language)
    refund_id = _refund(database, "refund")
    with database.session_factory() as session:
        data = refund_slip_data(session, session.get(Refund, refund_id))
    printout = decode(render_escpos(refund_slip_document(data), PAPER_58))
    texts = printout.texts
    english = language == "en"
    assert [line.text for line in printout.lines if line.invert] == [
        "REFUND"  # the orders screen's word in both languages
    ]
    assert "1x Kopi Susu Gula Aren Rp 18.900" in texts
    [total] = [t for t in texts if t.startswith("Refunded" if english else "Direfund")]
    assert total.endswith("Rp 18.900")
    [method] = [t.split() for t in texts if t.startswith(("Method", "Metode"))]
    assert method == (["Method", "Cash"] if english else ["Metode", "Tunai"])
    assert any(t.startswith(("Reason", "Alasan")) and t.endswith("Salah pesan") for t in texts)
    assert any(
        t.startswith(("Approved by", "Disetujui oleh")) and t.endswith("Budi") for t in texts
    )
    assert any(t.endswith(RECEIPT_NO) for t in texts)
    assert printout.count("drawer") == 0
    assert printout.qr_codes[0].data.decode() == ORDER_ID


def test_void_slip_gives_back_every_line_in_the_methods_paid(database: Database) -> None:
    refund_id = _refund(database, "void")
    with database.session_factory() as session:
        data = refund_slip_data(session, session.get(Refund, refund_id))
    text = render_text(refund_slip_document(data, copy=True), PAPER_58)
    assert "** V O I D **" in text and "** C O P Y **" in text
    assert "2x Kopi Susu Gula Aren Rp 37.800" in text
    assert "1x Pisang Goreng       Rp 17.100" in text
    assert "Method                      Cash" in text
    assert "Voided" in text and "Rp 60.000" in text


class Recorder:
    """Collects job states and lets a test wait for one (bounded)."""

    def __init__(self) -> None:
        self.jobs: list[QueuedJob] = []
        self.changed = threading.Condition()

    def __call__(self, job: QueuedJob) -> None:
        with self.changed:
            self.jobs.append(job)
            self.changed.notify_all()

    def wait_for(self, job_id: str, status: str) -> None:
        with self.changed:
            assert self.changed.wait_for(
                lambda: any(j.id == job_id and j.status == status for j in self.jobs), 5.0
            )


def test_pending_jobs_survive_a_restart_and_print(database: Database, refused_port: int) -> None:
    """A job stored while the printer was off prints after the app restarts and it is back."""
    url = f"tcp://127.0.0.1:{refused_port}"
    store = SqlJobStore(database.session_factory)
    policy = RetryPolicy(base_s=0.02, cap_s=0.05, max_attempts=1000)
    before = PrintQueue(store, policy=policy)
    recorder = Recorder()
    before.add_listener(recorder)
    before.start()
    job = before.enqueue("receipt", url, b"receipt\n", order_id=ORDER_ID)
    with recorder.changed:
        assert recorder.changed.wait_for(
            lambda: any(j.id == job.id and j.last_error for j in recorder.jobs), 5.0
        )
    before.stop()
    stored = store.get(job.id)
    assert stored is not None and stored.status == "pending" and stored.attempts >= 1
    assert stored.last_error and stored.order_id == ORDER_ID

    printer = FakeNetworkPrinter(port=refused_port)
    after = PrintQueue(SqlJobStore(database.session_factory), policy=policy)
    recorder_after = Recorder()
    after.add_listener(recorder_after)
    after.start()
    try:
        recorder_after.wait_for(job.id, "printed")
        assert printer.wait_for_jobs(1) == [b"receipt\n"]
        final = store.get(job.id)
        assert final is not None and final.status == "printed" and final.printed_at is not None
        assert [j.id for j in store.recent()] == [job.id]
        assert store.unfinished() == []
    finally:
        after.stop()
        printer.close()


def _run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def test_cli_receipt_writes_a_copy_to_a_file(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "receipt.bin"
    code = _run_cli(
        "--data-dir", str(database.path.parent), "receipt", RECEIPT_NO,
        "--to", f"file:{out}", "--width", "58", "--copy",
    )  # fmt: skip
    assert code == 0
    printout = decode(out.read_bytes())
    assert "COPY" in printout.texts
    assert printout.count("drawer") == 0  # a support reprint never opens the drawer
    assert any(t.endswith(RECEIPT_NO) for t in printout.texts)
    assert max(len(t) for t in printout.texts) == 32


def test_cli_receipt_unknown_number_fails(database: Database, tmp_path: Path) -> None:
    code = _run_cli(
        "--data-dir", str(database.path.parent), "receipt", "NOPE-1",
        "--to", f"file:{tmp_path / 'x.bin'}",
    )  # fmt: skip
    assert code == 1
    assert not (tmp_path / "x.bin").exists()


def test_cli_print_test_needs_no_store(tmp_path: Path, fake_printer: FakeNetworkPrinter) -> None:
    assert (
        _run_cli("--data-dir", str(tmp_path / "none"), "print-test", "--to", fake_printer.url) == 0
    )
    [job] = fake_printer.wait_for_jobs(1)
    printout = decode(job)
    assert printout.lines[0].text == "TEST PRINT" and printout.count("cut") == 1
    assert "Crème brûlée" in printout.texts


def test_cli_print_test_reports_a_dead_printer(refused_port: int) -> None:
    assert _run_cli("print-test", "--to", f"tcp://127.0.0.1:{refused_port}") == 1


def test_print_service_from_saved_settings_prints_a_stored_sale(
    database: Database, fake_printer: FakeNetworkPrinter
) -> None:
    """The app's path: settings from the store, job in `print_jobs`, bytes at the printer."""
    with database.session_factory() as session, session.begin():
        save_printer_settings(
            session, PrinterSettings(receipt_printer=fake_printer.url, receipt_width_mm=58)
        )
    service = start_print_service(database.session_factory)
    recorder = Recorder()
    service.queue.add_listener(recorder)
    try:
        with database.session_factory() as session:
            data = receipt_data_for_order(session, find_order(session, RECEIPT_NO))
        job = service.print_receipt(data)
        assert job is not None
        recorder.wait_for(job.id, "printed")
        [payload] = fake_printer.wait_for_jobs(1)
        printout = decode(payload)
        assert printout.count("drawer") == 1  # a cash sale opens the drawer
        assert any(t.endswith(RECEIPT_NO) for t in printout.texts)
        stored = SqlJobStore(database.session_factory).get(job.id)
        assert stored is not None and stored.status == "printed" and stored.order_id == ORDER_ID
    finally:
        service.queue.stop()
