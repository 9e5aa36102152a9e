"""Printers in the cashier app: test print, the print queue's status and retry, open drawer.

Driven by taps on the real window over a demo terminal whose print queue runs with
millisecond backoff, printing to a fake raw-TCP printer on loopback.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QComboBox, QLineEdit
from pytestqt.modeltest import ModelTester

from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue
from pos_desktop.printing.settings import load_printer_settings
from pos_desktop.retry import RetryPolicy
from pos_desktop.till.facade import TerminalTill
from pos_desktop.till.views import PrintJobView
from pos_desktop.ui.main_window import MainWindow
from pos_desktop.ui.models import print_jobs_model
from shared.money import Money, format_money
from shared.pricing.tenders import Tender
from tests.desktop.printing import conftest as printing_fixtures
from tests.desktop.printing.escpos_decoder import decode
from tests.desktop.printing.fake_printer import FakeNetworkPrinter
from tests.gui.conftest import CASHIER_PIN, MANAGER_PIN, Driver

MAX_ATTEMPTS = 3


# The loopback printer fixtures of the printing tests, shared rather than copied.
fake_printer = printing_fixtures.fake_printer
refused_port = printing_fixtures.refused_port


@pytest.fixture
def demo_till(demo_till: TerminalTill) -> TerminalTill:
    """The demo terminal with its print queue running, retrying every few milliseconds."""
    demo_till.print_queue = PrintQueue(
        SqlJobStore(demo_till.terminal.database.session_factory),
        policy=RetryPolicy(base_s=0.02, cap_s=0.05, max_attempts=MAX_ATTEMPTS),
    )
    demo_till.print_queue.start()  # the terminal fixture's close() stops it
    return demo_till


def _settings_as_manager(driver: Driver, printer: str, width: int) -> MainWindow:
    """Manager signs in and opens settings with a printer URL and width typed, not saved."""
    window = driver.window
    driver.sign_in(MANAGER_PIN)
    driver.tap("nav_settings")
    assert driver.current() is window.settings
    driver.find("settings_printer", QComboBox).setCurrentText(printer)
    width_box = driver.find("settings_width", QComboBox)
    assert isinstance(width_box, QComboBox)
    width_box.setCurrentIndex(width_box.findData(width))
    return window


def _rows(window: MainWindow) -> list[PrintJobView]:
    return window.status.printers.jobs.rows()


def test_print_jobs_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    at = datetime(2026, 3, 14, 5, 7, 9, tzinfo=UTC)
    model = print_jobs_model("Asia/Jakarta")
    model.set_rows(
        [
            PrintJobView("j2", "test", "tcp://10.0.0.9:9100", "failed", 3, at, "refused"),
            PrintJobView("j1", "drawer", "tcp://10.0.0.9:9100", "printed", 1, at),
        ]
    )
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(5)] == [
        "12:07:09",
        "Test page",
        "tcp://10.0.0.9:9100",
        "Failed (3)",
        "refused",
    ]
    assert model.index(1, 1).data() == "Open drawer"
    assert model.index(1, 3).data() == "Printed"


def test_test_print_reaches_the_network_printer_as_escpos(
    driver: Driver, fake_printer: FakeNetworkPrinter
) -> None:
    window = _settings_as_manager(driver, fake_printer.url, 32)
    driver.tap("settings_testPrint")
    (payload,) = fake_printer.wait_for_jobs(1)
    printout = decode(payload)  # strict: any command we do not know fails here
    assert "TEST PRINT" in printout.texts
    assert fake_printer.url in printout.texts
    assert "32 columns" in printout.texts
    assert printout.count("cut") == 1 and printout.count("drawer") == 0
    assert [qr.data for qr in printout.qr_codes] == [b"kiosk-pos test print"]
    driver.qtbot.waitUntil(
        lambda: window.settings.print_notice.text() == f"Test page printed on {fake_printer.url}.",
        timeout=5_000,
    )
    # typed, not saved: receipts still go to the printer saved before
    assert window.till.settings().printer != fake_printer.url


def test_refused_printer_job_fails_with_its_error_and_retry_prints_when_back(
    driver: Driver, refused_port: int
) -> None:
    url = f"tcp://127.0.0.1:{refused_port}"
    window = _settings_as_manager(driver, url, 48)
    driver.tap("settings_testPrint")
    notice = window.settings.print_notice
    driver.qtbot.waitUntil(lambda: notice.text().startswith("Test print failed"), timeout=5_000)
    assert "refused" in notice.text().lower()

    driver.tap("nav_status")
    assert driver.current() is window.status
    driver.qtbot.waitUntil(lambda: len(_rows(window)) == 1, timeout=5_000)
    (job,) = _rows(window)
    jobs = window.status.printers.jobs
    assert (job.kind, job.printer, job.status, job.attempts) == ("test", url, "failed", 3)
    assert jobs.index(0, 3).data() == f"Failed ({MAX_ATTEMPTS})"
    assert "PrinterUnavailable" in jobs.index(0, 4).data()

    # nothing selected: the screen says so instead of guessing
    driver.tap("printJobs_retry")
    assert window.status.error.text() == "Select a print job first."

    printer = FakeNetworkPrinter(port=refused_port)  # the printer is back on the same address
    try:
        window.status.printers.table.selectRow(0)
        driver.tap("printJobs_retry")
        (payload,) = printer.wait_for_jobs(1)
        assert "TEST PRINT" in decode(payload).texts
        driver.qtbot.waitUntil(lambda: _rows(window)[0].status == "printed", timeout=5_000)
        assert jobs.index(0, 3).data() == "Printed"
        assert window.status.error.text() == ""
        # a printed slip is not sent twice by "retry"
        window.status.printers.table.selectRow(0)
        driver.tap("printJobs_retry")
        assert "was printed" in window.status.error.text()
        assert len(printer.wait_for_jobs(2, timeout_s=0.3)) == 1
    finally:
        printer.close()


def test_open_drawer_needs_a_manager_pin_and_kicks_the_drawer(
    driver: Driver, fake_printer: FakeNetworkPrinter
) -> None:
    window = driver.window
    settings = window.till.settings()
    window.till.save_settings(
        type(settings)(
            printer=fake_printer.url,
            receipt_width=settings.receipt_width,
            server_url=settings.server_url,
            language=settings.language,
            printers=settings.printers,
        )
    )
    driver.sign_in(CASHIER_PIN)
    driver.tap("nav_status")
    assert driver.current() is window.status

    driver.tap("printJobs_openDrawer")
    driver.keypad("managerPin_keypad", CASHIER_PIN)
    driver.wait()
    assert "may not approve" in window.status.error.text()
    assert window.till.print_jobs() == []
    assert fake_printer.wait_for_jobs(1, timeout_s=0.3) == []

    driver.tap("printJobs_openDrawer")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    driver.wait()
    (payload,) = fake_printer.wait_for_jobs(1)
    printout = decode(payload)
    assert printout.count("drawer") == 1 and printout.texts == []
    assert window.status.error.text() == ""
    assert window.status.printers.notice.text() == f"Drawer pulse sent to {fake_printer.url}."
    driver.qtbot.waitUntil(
        lambda: [(j.kind, j.status) for j in _rows(window)] == [("drawer", "printed")],
        timeout=5_000,
    )


def test_printer_controls_speak_indonesian(driver: Driver) -> None:
    window = driver.window
    driver.sign_in(MANAGER_PIN)
    window.switch_language("id")
    driver.wait()
    driver.tap("nav_settings")
    assert driver.find("settings_testPrint", QAbstractButton).text() == "Cetak uji"
    driver.tap("nav_status")
    assert driver.find("printJobs_retry", QAbstractButton).text() == "Cetak lagi"
    assert driver.find("printJobs_openDrawer", QAbstractButton).text() == "Buka laci"
    jobs = window.status.printers.jobs
    headers = [jobs.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert headers == ["Waktu", "Slip", "Printer", "Keadaan", "Galat terakhir"]


def test_test_print_refuses_a_printer_address_it_cannot_use(driver: Driver) -> None:
    window = _settings_as_manager(driver, "http://printer.local", 48)
    driver.tap("settings_testPrint")
    assert "unknown printer URL" in window.settings.error.text()
    assert window.settings.print_notice.text() == ""
    assert window.till.print_jobs() == []


def test_language_switches_do_not_pile_up_print_queue_listeners(driver: Driver) -> None:
    window = driver.window
    queue = window.till.print_queue  # type: ignore[attr-defined]
    listeners_before = len(queue._listeners)
    for code in ("id", "en", "id"):
        window.switch_language(code)
        driver.wait()
    assert len(queue._listeners) == listeners_before


def _save_printers_on_screen(driver: Driver, receipt_url: str, kitchen_url: str) -> MainWindow:
    """Manager types a receipt printer, a bar printer, code page CP437 and no drawer; saves."""
    window = _settings_as_manager(driver, receipt_url, 48)
    station = driver.find("printerOptions_station0", QLineEdit)
    assert isinstance(station, QLineEdit) and station.text() == "*"  # one row to start with
    station.clear()
    driver.type("printerOptions_station0", "bar")
    driver.type("printerOptions_printer0", kitchen_url)
    code_page = driver.find("printerOptions_codePage", QComboBox)
    assert isinstance(code_page, QComboBox)
    code_page.setCurrentIndex(code_page.findData("CP437"))
    drawer = driver.find("printerOptions_openDrawer", QCheckBox)
    assert isinstance(drawer, QCheckBox) and drawer.isChecked()
    drawer.setChecked(False)
    driver.tap("settings_save")
    driver.qtbot.waitUntil(lambda: window.till.settings().printer == receipt_url, timeout=5_000)
    return window


def test_kitchen_printers_code_page_and_drawer_are_saved_and_printed_with(
    driver: Driver, fake_printer: FakeNetworkPrinter
) -> None:
    kitchen_url = "tcp://10.0.0.7:9100"
    window = _save_printers_on_screen(driver, fake_printer.url, kitchen_url)
    till = window.till
    saved = till.settings()
    assert saved.kitchen_printers == (("bar", kitchen_url),)
    assert (saved.code_page, saved.open_drawer_on_cash) == ("CP437", False)
    with till.terminal.uow() as uow:  # type: ignore[attr-defined]
        stored = load_printer_settings(uow.session)
    assert stored.receipt_printer == fake_printer.url
    assert stored.kitchen_printer("bar") == kitchen_url and stored.kitchen_printer("x") == ""
    assert (stored.code_page, stored.open_drawer_on_cash) == ("CP437", False)

    till.open_shift(100_000)  # the manager signed in on the settings screen sells
    product = next(p for p in till.products() if not p.has_modifiers)
    till.add_to_cart(product.id)
    sale = till.checkout([Tender("cash", till.quote().total_minor)])
    assert not sale.opened_drawer  # the settings say a cash sale keeps the drawer shut
    (payload,) = fake_printer.wait_for_jobs(1)
    printout = decode(payload)
    assert printout.count("drawer") == 0
    assert printout.code_pages == [0]  # CP437, as saved
    assert any(t.endswith(sale.receipt_number) for t in printout.texts)

    # the screen shows what was saved when it comes back
    window.settings.activate()
    shown = driver.find("printerOptions_printer0", QLineEdit)
    assert isinstance(shown, QLineEdit) and shown.text() == kitchen_url


def test_a_refund_prints_its_slip_and_can_be_printed_again(
    demo_till: TerminalTill, fake_printer: FakeNetworkPrinter
) -> None:
    till = demo_till
    settings = till.settings()
    till.save_settings(replace(settings, printer=fake_printer.url, language="id"))
    till.login(CASHIER_PIN)
    till.open_shift(100_000)
    product = next(p for p in till.products() if not p.has_modifiers)
    till.add_to_cart(product.id)
    till.add_to_cart(product.id)
    sale = till.checkout([Tender("cash", till.quote().total_minor)])
    (receipt,) = fake_printer.wait_for_jobs(1)
    assert any(t.startswith("Kasir") for t in decode(receipt).texts)  # the till's language

    line = till.order_detail(sale.order_id).lines[0]
    refunded = till.refund(sale.order_id, {line.line_id: 1}, "Salah pesan", MANAGER_PIN)
    slip = decode(fake_printer.wait_for_jobs(2)[1])
    assert [line.text for line in slip.lines if line.invert] == ["REFUND"]
    texts = slip.texts
    assert f"1x {product.name}" in " ".join(texts)
    [total] = [t for t in texts if t.startswith("Direfund")]
    assert total.endswith(format_money(Money(refunded, "IDR"), "id_ID").replace("\xa0", " "))
    assert any(t.startswith("Alasan") and t.endswith("Salah pesan") for t in texts)
    assert any(t.startswith("Disetujui oleh") for t in texts)
    assert any(t.startswith("Metode") and t.endswith("Tunai") for t in texts)
    assert any(t.endswith(sale.receipt_number) for t in texts)
    assert slip.count("drawer") == 0
    assert [job.kind for job in till.print_jobs()][:1] == ["refund"]

    assert till.reprint_refunds(sale.order_id) == 1
    again = decode(fake_printer.wait_for_jobs(3)[2])
    assert [line.text for line in again.lines if line.invert] == ["REFUND", "SALINAN"]

    # the orders screen's reprint: the receipt marked as refunded, then its refund slip
    till.reprint(sale.order_id)
    receipt_copy, slip_copy = (decode(job) for job in fake_printer.wait_for_jobs(5)[3:])
    marks = [line.text for line in receipt_copy.lines if line.invert]
    assert marks == ["SALINAN", "SEBAGIAN DIREFUND"]
    assert [line.text for line in slip_copy.lines if line.invert] == ["REFUND", "SALINAN"]


def test_a_void_prints_its_slip_with_every_line_and_the_methods_paid(
    demo_till: TerminalTill, fake_printer: FakeNetworkPrinter
) -> None:
    till = demo_till
    till.save_settings(replace(till.settings(), printer=fake_printer.url))
    till.login(CASHIER_PIN)
    till.open_shift(100_000)
    product = next(p for p in till.products() if not p.has_modifiers)
    till.add_to_cart(product.id, quantity=3)
    sale = till.checkout([Tender("qris", till.quote().total_minor)])
    till.void(sale.order_id, "Customer left", MANAGER_PIN)
    receipt, slip = (decode(job) for job in fake_printer.wait_for_jobs(2))
    assert receipt.count("drawer") == 0  # paid by QRIS: the drawer stays shut
    assert [line.text for line in slip.lines if line.invert] == ["VOID"]
    texts = slip.texts
    assert any(t.startswith(f"3x {product.name}") for t in texts)
    assert any(t.startswith("Method") and t.endswith("QRIS") for t in texts)
    assert any(t.startswith("Reason") and t.endswith("Customer left") for t in texts)
    assert any(
        t.startswith("Voided") and t.endswith(f"{sale.total_minor:,}".replace(",", "."))
        for t in texts
    )


def test_a_kitchen_printer_address_it_cannot_use_is_refused_and_nothing_saved(
    driver: Driver,
) -> None:
    saved_printer = driver.window.till.settings().printer
    window = _settings_as_manager(driver, saved_printer, 48)
    driver.type("printerOptions_printer0", "http://kitchen.local")
    driver.tap("settings_save")
    error = window.settings.error
    driver.qtbot.waitUntil(lambda: "unknown printer URL" in error.text(), timeout=5_000)
    assert window.till.settings().kitchen_printers == ()
    assert window.till.settings().printer == saved_printer
