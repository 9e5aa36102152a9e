"""The cashier app as an Indonesian shop uses it: a till paired to a real kiosk-server with the
demo tenant (IDR, id_ID). Amounts read `Rp 25.000` on every screen, a typed `500.000` float is
Rp 500.000, one tap on a note pays, and a partial refund shows on the orders screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pos_desktop.store.models import Order, Shift
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from tests.chaos.support import CASHIER_PIN, Cloud
from tests.gui.conftest import Driver
from tests.gui.kitchen.conftest import memory_keyring  # noqa: F401  (a fixture)
from tests.gui.test_window_fit import assert_fits
from tests.support.server_process import running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
MANAGER_PIN = "2222"  # demo.manager of outlet `main` in the server's seed
RUPIAH = re.compile(r"^-?Rp\s?\d{1,3}(\.\d{3})*$")
"""`Rp 25.000`: id_ID groups thousands with dots and rupiah have no decimals."""


def _text(driver: Driver, name: str) -> str:
    widget = driver.find(name, QLabel)
    assert isinstance(widget, QLabel)
    return widget.text().replace("\u00a0", " ")


def _rupiah(text: str) -> str:
    """The amount in a text, checked to be written the Indonesian way."""
    found = re.search(r"-?Rp\s?[\d.]+", text.replace("\u00a0", " "))
    assert found is not None, f"no rupiah amount in {text!r}"
    amount = found.group(0).rstrip(".")
    assert RUPIAH.match(amount), f"{amount!r} is not written as id_ID rupiah"
    return amount


@pytest.fixture
def paired(qtbot: QtBot, tmp_path: Path, memory_keyring: object) -> Iterator[Driver]:  # noqa: F811
    """The cashier window on a till paired (through the pairing screen) to the demo tenant."""
    with running_server() as server:
        till = TerminalTill.open(tmp_path / "till", start_printing=False)
        window = MainWindow(till, language=Language(), status_poll_ms=200)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        driver = Driver(qtbot, window)
        try:
            driver.pair(server.base_url, Cloud(server).new_terminal_code())
            yield driver
        finally:
            window.shutdown()
            till.close()


def test_demo_tenant_day_in_rupiah(paired: Driver) -> None:
    driver, window = paired, paired.window
    till: TerminalTill = window.till  # type: ignore[assignment]
    money = window.context.money
    assert (till.tenant().currency, till.tenant().locale) == ("IDR", "id_ID")

    driver.sign_in(CASHIER_PIN)
    assert driver.current() is window.shift_open
    driver.type("shiftOpen_float", "500.000")  # as an Indonesian cashier types it
    assert _text(driver, "shiftOpen_amount") == "Rp 500.000"
    driver.tap("shiftOpen_keypad_ok")
    assert driver.current() is window.sell
    with till.terminal.uow() as uow:
        shift = uow.session.scalars(select(Shift)).one()
        assert shift.opening_float_minor == 500_000

    tabs = [window.sell.tabs.tabText(i) for i in range(window.sell.tabs.count())]
    assert "Rice && Noodles" in tabs  # shown as `Rice & Noodles`: Qt would eat a single &

    # Sell: a plain product twice (one line of 2), amounts id_ID on tiles, lines and totals.
    croissant = next(p for p in window.sell.products.shown() if p.name == "Croissant")
    assert croissant.image_path, "the demo product's picture was fetched for its tile"
    driver.tile("Croissant")
    driver.tile("Croissant")
    (line,) = window.sell.cart().lines
    assert line.quantity == 2
    assert window.sell.cart_lines.index(0, 2).data() == "Rp 44.000"  # before tax and service
    assert window.sell.cart_table.selectionModel().selectedRows()[0].row() == 0
    cart = window.sell.cart()
    total = _rupiah(_text(driver, "sell_total"))
    assert total == money(cart.cash_total_minor)
    assert _rupiah(window.sell.pay_button.text()) == total
    for key in ("subtotal", "service", "tax"):
        _rupiah(_text(driver, f"sell_{key}"))
    assert window.sell.tax_caption.text() == "PB1 10%"  # the tax by its name, once

    # Pay: the due amount agrees with the Pay button; one tap on a note completes the sale.
    driver.tap("sell_pay")
    assert _rupiah(_text(driver, "payment_due")) == total
    quote = window.payment._quote
    assert quote is not None and len(quote.quick_tenders_minor) > 1
    note = quote.quick_tenders_minor[-1]
    quick = driver.find(f"payment_quick{len(quote.quick_tenders_minor) - 1}")
    assert _rupiah(quick.text()) == money(note)  # type: ignore[attr-defined]
    driver.tap(f"payment_quick{len(quote.quick_tenders_minor) - 1}")
    driver.qtbot.waitUntil(window.change_overlay.isVisible, timeout=15_000)
    assert driver.current() is window.sell
    change = _rupiah(_text(driver, "change_amount"))
    assert change == money(note - quote.total_minor)
    driver.dismiss_change()
    assert window.sell.cart().is_empty
    with till.terminal.uow() as uow:
        (order,) = uow.session.scalars(select(Order)).all()
        order_id, receipt_number = order.id, order.receipt_number
        assert order.status == "paid"

    # Orders: refund one of the two croissants with a manager's PIN.
    driver.tap("nav_orders")
    assert driver.current() is window.orders
    driver.qtbot.waitUntil(lambda: window.orders.orders.rowCount() == 1, timeout=5_000)
    assert RUPIAH.match(window.orders.orders.index(0, 3).data().replace("\u00a0", " "))
    window.orders.open_order(order_id)
    driver.wait()
    window.orders.select_line(0)
    driver.tap("orders_refundPlus")
    driver.tap("orders_refund")
    dialog = window.orders.current_dialog
    assert dialog is not None
    reason = driver.find("managerPin_reason", QLineEdit, dialog)
    assert isinstance(reason, QLineEdit)
    reason.setFocus()
    driver.qtbot.keyClicks(reason, "Customer changed mind")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    driver.qtbot.waitUntil(
        lambda: (
            window.orders.detail is not None
            and window.orders.detail.row.status == "partly_refunded"
        ),
        timeout=15_000,
    )
    driver.qtbot.waitUntil(
        lambda: (
            window.orders.orders.rowCount() == 1
            and window.orders.orders.index(0, 4).data() == "Partly refunded"
        ),
        timeout=5_000,
    )
    detail = window.orders.detail
    assert detail is not None
    assert [(row.refunded_quantity, row.refundable_quantity) for row in detail.lines] == [(1, 1)]
    assert "(1 refunded)" in window.orders.refund_lines.index(0, 0).data()
    state = _text(driver, "orders_state")
    assert receipt_number in state and "Partly refunded" in state
    _rupiah(state)
    assert window.orders.refund_button.isEnabled()  # one croissant is left to refund
    assert not window.orders.void_button.isEnabled()  # a refunded order cannot be voided

    # The demo tenant's screens (its names, its amounts) fit the small till screen too.
    for size in ((1366, 768), (1024, 768)):
        assert_fits(window, size)

    # Reports: the X report and the drawer figures in rupiah.
    driver.tap("nav_shift")
    assert driver.current() is window.shift_close
    driver.wait()
    assert _rupiah(_text(driver, "shiftClose_expected"))
    report = window.shift_close.report_text.toPlainText()
    assert "Rp 500.000" in report.replace("\u00a0", " ")
    assert "IDR" not in report
