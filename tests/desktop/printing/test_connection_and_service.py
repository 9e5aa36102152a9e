"""Printer URLs, sending to file and network, the print service's routing, and previews."""

from __future__ import annotations

import io
import os
import select
import time
from pathlib import Path

import pytest
from PIL import Image

from pos_desktop.printing.connection import (
    PrinterAddress,
    PrinterUnavailable,
    PrinterUrlError,
    parse_printer_url,
    send_bytes,
)
from pos_desktop.printing.document import PrintDocument, receipt_document
from pos_desktop.printing.paper import PAPER_58, PAPER_80, PaperProfile
from pos_desktop.printing.queue import MemoryJobStore, PrintQueue
from pos_desktop.printing.render_image import MARGIN, render_png, write_receipt_screenshots
from pos_desktop.printing.samples import sample_kitchen_ticket, sample_receipt, sample_shift_report
from pos_desktop.printing.service import PrintService, preview_png, preview_text
from pos_desktop.printing.settings import (
    PrinterSettings,
    load_printer_settings,
    save_printer_settings,
)
from tests.desktop.printing.escpos_decoder import decode
from tests.desktop.printing.fake_printer import FakeNetworkPrinter


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("tcp://192.168.1.50", PrinterAddress("tcp", host="192.168.1.50", port=9100)),
        ("tcp://printer.local:9101", PrinterAddress("tcp", host="printer.local", port=9101)),
        ("usb:04b8:0202", PrinterAddress("usb", vendor_id=0x04B8, product_id=0x0202)),
        ("usb:0x0416:0x5011", PrinterAddress("usb", vendor_id=0x0416, product_id=0x5011)),
        ("serial:/dev/ttyUSB0", PrinterAddress("serial", device="/dev/ttyUSB0", baudrate=9600)),
        ("serial:COM3:19200", PrinterAddress("serial", device="COM3", baudrate=19200)),
        ("file:/dev/usb/lp0", PrinterAddress("file", device="/dev/usb/lp0")),
        ("file:///tmp/slip.bin", PrinterAddress("file", device="/tmp/slip.bin")),
    ],
)
def test_printer_urls(url: str, address: PrinterAddress) -> None:
    assert parse_printer_url(url) == address
    assert parse_printer_url(address.url) == address  # the canonical form parses back


@pytest.mark.parametrize(
    "url", ["http://printer", "tcp://", "tcp://host:port", "usb:04b8", "usb:zz:01", "file:", "lp0"]
)
def test_bad_printer_urls(url: str) -> None:
    with pytest.raises(PrinterUrlError):
        parse_printer_url(url)


def test_send_to_file_writes_the_exact_bytes(tmp_path: Path) -> None:
    target = tmp_path / "slip.bin"
    send_bytes(f"file:{target}", b"\x1b@hello\n")
    assert target.read_bytes() == b"\x1b@hello\n"


def test_send_to_missing_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnavailable):
        send_bytes(f"file:{tmp_path / 'no' / 'such' / 'dir'}", b"x")


def test_refused_connection_fails_fast(refused_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable, match="refused"):
        send_bytes(f"tcp://127.0.0.1:{refused_port}", b"x", timeout_s=2.0)
    assert time.monotonic() - started < 1.0


def test_send_to_network_printer(fake_printer: FakeNetworkPrinter) -> None:
    send_bytes(fake_printer.url, b"\x1b@net\n")
    assert fake_printer.wait_for_jobs(1) == [b"\x1b@net\n"]


def test_settings_round_trip_and_refuse_bad_urls(tmp_path: Path) -> None:
    from pos_desktop.store.db import Database

    database = Database(tmp_path)
    try:
        settings = PrinterSettings(
            receipt_printer="tcp://10.0.0.9:9100",
            receipt_width_mm=58,
            kitchen_printers={"bar": "usb:04b8:0202", "*": "tcp://10.0.0.10"},
            code_page="CP437",
        )
        with database.session_factory() as session, session.begin():
            assert load_printer_settings(session) == PrinterSettings()
            save_printer_settings(session, settings)
        with database.session_factory() as session:
            assert load_printer_settings(session) == settings
    finally:
        database.dispose()
    assert settings.kitchen_printer("bar") == "usb:04b8:0202"
    assert settings.kitchen_printer("grill") == "tcp://10.0.0.10"
    assert settings.receipt_paper().columns == 32
    with pytest.raises(PrinterUrlError):
        PrinterSettings(receipt_printer="http://printer")
    with pytest.raises(ValueError):
        PrinterSettings(receipt_width_mm=76)


def _service(settings: PrinterSettings) -> tuple[PrintService, MemoryJobStore]:
    store = MemoryJobStore()  # the queue is not started: we look at what was enqueued
    return PrintService(PrintQueue(store), settings), store


def test_service_routes_each_slip_to_its_printer() -> None:
    settings = PrinterSettings(
        receipt_printer="tcp://receipt:9100",
        receipt_width_mm=58,
        kitchen_printers={"bar": "tcp://hot:9100", "*": "tcp://other:9100"},
    )
    service, store = _service(settings)
    receipt = service.print_receipt(sample_receipt())
    ticket = service.print_kitchen_ticket(sample_kitchen_ticket())
    report = service.print_shift_report(sample_shift_report("X"))
    drawer = service.open_drawer()
    assert receipt is not None and ticket is not None and report is not None and drawer
    assert [(j.kind, j.target) for j in store.unfinished()] == [
        ("receipt", "tcp://receipt:9100"),
        ("kitchen", "tcp://hot:9100"),
        ("report", "tcp://receipt:9100"),
        ("test", "tcp://receipt:9100"),
    ]
    assert receipt.order_id == sample_receipt().order_id
    assert max(len(t) for t in decode(receipt.payload).texts) == 32  # 58 mm paper
    assert decode(receipt.payload).count("drawer") == 1
    assert decode(drawer.payload).events == ["drawer"]
    assert '"kind": "kitchen"' in ticket.document_json


def test_service_without_printers_prints_nothing_and_does_not_fail() -> None:
    service, store = _service(PrinterSettings())
    assert service.print_receipt(sample_receipt()) is None
    assert service.print_kitchen_ticket(sample_kitchen_ticket()) is None
    assert service.open_drawer() is None
    assert store.unfinished() == []


def test_drawer_kick_can_be_switched_off_and_reprints_are_copies() -> None:
    service, _ = _service(PrinterSettings("tcp://r:9100", open_drawer_on_cash=False))
    sale = service.print_receipt(sample_receipt())
    reprint = service.print_receipt(sample_receipt(), copy=True)
    assert sale is not None and reprint is not None
    assert decode(sale.payload).count("drawer") == 0
    assert "COPY" in decode(reprint.payload).texts and "COPY" not in decode(sale.payload).texts


def test_test_page_goes_to_the_given_printer() -> None:
    service, _ = _service(PrinterSettings())
    job = service.print_test_page("tcp://new-printer:9100", 58)
    assert job.target == "tcp://new-printer:9100"
    printout = decode(job.payload)
    assert printout.lines[0].text == "TEST PRINT"
    assert "12345678901234567890123456789012" in printout.texts


@pytest.mark.parametrize("paper", [PAPER_58, PAPER_80], ids=["58mm", "80mm"])
def test_png_preview(receipt: PrintDocument, paper: PaperProfile) -> None:
    png = render_png(receipt, paper)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == paper.dots + 2 * MARGIN
        assert image.height > 600
        histogram = image.convert("L").histogram()
        dark = sum(histogram[:128])
        assert 0.02 < dark / sum(histogram) < 0.5  # there is ink, and it is not all black


def test_preview_helpers_and_screenshots(tmp_path: Path) -> None:
    document = receipt_document(sample_receipt())
    assert preview_text(document, 58).splitlines()[0].strip() == "Kopi Kiosk"
    assert preview_png(document, 58).startswith(b"\x89PNG")
    written = write_receipt_screenshots(tmp_path)
    assert [p.name for p in written] == [
        "receipt-58mm.png",
        "receipt-80mm.png",
        "receipt-80mm-id.png",
        "refund-slip.png",
    ]
    for path in written:
        with Image.open(path) as image:
            assert image.width in (PAPER_58.dots + 2 * MARGIN, PAPER_80.dots + 2 * MARGIN)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="pseudo-terminals are POSIX only")
def test_send_to_serial_printer_over_a_pseudo_terminal() -> None:
    import tty

    controller, device = os.openpty()
    try:
        tty.setraw(device)
        send_bytes(f"serial:{os.ttyname(device)}:19200", b"\x1b@serial\n", timeout_s=1.0)
        received = b""
        deadline = time.monotonic() + 2.0
        while len(received) < 9 and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.1)[0]:
                received += os.read(controller, 64)
        assert received == b"\x1b@serial\n"
    finally:
        os.close(controller)
        os.close(device)


@pytest.mark.parametrize("url", ["serial:/dev/no-such-port", "usb:04b8:0202"])
def test_missing_serial_or_usb_printer_is_unavailable(url: str) -> None:
    """No such port, no USB device (or no libusb at all): the queue gets a retryable error."""
    with pytest.raises(PrinterUnavailable):
        send_bytes(url, b"x", timeout_s=1.0)
