"""Cashier app screens: item models, status bar, needs-attention, language, pairing, touch sizes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select

from pos_desktop.store.models import SyncQueueItem
from pos_desktop.till.facade import TerminalTill
from pos_desktop.till.views import (
    AttentionItem,
    CartLineView,
    OrderLineRow,
    OrderRow,
    ParkedView,
    ProductView,
)
from pos_desktop.ui.app import run
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from pos_desktop.ui.models import (
    ProductGridModel,
    attention_model,
    cart_model,
    denominations_model,
    orders_model,
    parked_model,
    refund_lines_model,
    tenders_model,
)
from pos_desktop.ui.theme import TOUCH_TARGET_PX
from tests.gui.conftest import MANAGER_PIN, Driver

IDR = MoneyFormat("IDR", "id_ID")
NOW = datetime(2026, 3, 14, 5, 7, tzinfo=UTC)


def test_item_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    cart = cart_model(IDR)
    cart.set_rows(
        [
            # With 10% tax added the line total is 94.600; the cart shows 86.000 (tax in totals).
            CartLineView(
                "l1", "p1", "Latte", 2, 43_000, 94_600, ("Large",), "hot", net_minor=86_000
            ),
            CartLineView(
                "l2",
                "p2",
                "Croissant",
                1,
                25_000,
                22_500,
                adjustments=(("Pastry", 2_500),),
                net_minor=22_500,
            ),
        ]
    )
    qtmodeltester.check(cart)
    assert cart.index(0, 2).data() == "Rp 86.000"
    assert "★ Pastry -Rp 2.500" in cart.index(1, 1).data()
    latte, croissant = cart.rows()
    espresso = CartLineView("l3", "p3", "Espresso", 1, 22_000, 22_000)
    assert cart.update_rows([latte, croissant, espresso]) == [2]  # appended
    three = CartLineView("l3", "p3", "Espresso", 3, 22_000, 44_000)
    assert cart.update_rows([latte, croissant, three]) == [2]  # one line changed
    assert cart.index(2, 0).data() == "3×"
    assert cart.update_rows([latte, three]) == [0, 1]  # a removal resets
    assert [line.line_id for line in cart.rows()] == ["l1", "l3"]
    qtmodeltester.check(cart)

    orders = orders_model(IDR)
    orders.set_rows([OrderRow("o1", "DEMO-T1-000001", NOW, 92_100, "paid")])
    qtmodeltester.check(orders)
    qtmodeltester.check(tenders_model(IDR))
    parked = parked_model(IDR)
    parked.set_rows([ParkedView("h1", "Table 4", 3, 75_000, NOW)])
    qtmodeltester.check(parked)
    attention = attention_model()
    attention.set_rows([AttentionItem(1, "order", "o1", "Order DEMO-T1-000001", 5, "HTTP 422")])
    qtmodeltester.check(attention)

    counts = denominations_model((100_000, 50_000, 1_000), IDR)
    qtmodeltester.check(counts)
    counts.setData(counts.index(0, 1), 3)
    counts.step(2, 1)
    counts.step(1, -1)  # never below zero
    assert counts.counts() == [3, 0, 1]
    assert counts.total() == 301_000

    refund = refund_lines_model([OrderLineRow("l1", "Latte", 2, 86_000, 1)], IDR)
    qtmodeltester.check(refund)
    refund.step(0, 5)  # capped at what is still refundable
    assert refund.counts() == [1]
    assert refund.index(0, 2).data() == "Rp 43.000"

    grid = ProductGridModel(IDR)
    grid.set_products(
        [
            ProductView("p1", "Caffè latte", 32_000, "drinks", barcode="899100"),
            ProductView("p2", "Croissant", 25_000, "pastry", sku="SKU008"),
        ]
    )
    qtmodeltester.check(grid)
    grid.set_filter(None, "sku008")
    assert [p.name for p in grid.shown()] == ["Croissant"]
    grid.set_filter("drinks", "")
    assert [p.name for p in grid.shown()] == ["Caffè latte"]
    qtmodeltester.check(grid)


def test_status_bar_offline_pending_and_manager_retry(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.pay_exact_cash()

    # no server in this test: the banner says offline and every sale waits in the outbox
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        waiting = len(uow.session.scalars(select(SyncQueueItem)).all())
        flagged = uow.session.scalars(
            select(SyncQueueItem).where(SyncQueueItem.kind == "order")
        ).one()
        flagged.status = "needs_attention"
        flagged.attempts = 5
        flagged.last_error = "HTTP 422: price mismatch"
        uow.commit()
        flagged_id = flagged.id
    assert waiting == 2  # the shift-opened event and the order
    driver.qtbot.waitUntil(lambda: window.attention_button.isVisible(), timeout=5_000)
    assert window.offline_banner.isVisible()
    assert window.pending_label.text() == "2 waiting to sync"
    assert window.attention_button.text() == "Needs attention: 1"

    driver.tap("status_attentionButton")
    assert driver.current() is window.status
    assert window.status.attention.rowCount() == 1
    assert "price mismatch" in window.status.attention.index(0, 2).data()
    window.status.table.selectRow(0)
    driver.tap("status_retry")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    driver.wait()
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        item = uow.session.get(SyncQueueItem, flagged_id)
        assert item is not None and item.status == "pending" and item.attempts == 0
    driver.qtbot.waitUntil(lambda: not window.attention_button.isVisible(), timeout=5_000)

    # flagged again: a manager exports it for support, and it stays in the outbox
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        item = uow.session.get(SyncQueueItem, flagged_id)
        assert item is not None
        item.status = "needs_attention"
        uow.commit()
    driver.qtbot.waitUntil(lambda: window.status.attention.rowCount() == 1, timeout=5_000)
    window.status.table.selectRow(0)
    driver.tap("status_export")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    driver.wait()
    exported = Path(window.status.notice.text().removeprefix("Exported to "))
    assert exported.is_file()
    assert flagged_id in [entry["queue_id"] for entry in json.loads(exported.read_text())]
    assert window.status.attention.rowCount() == 1


def test_language_switches_to_indonesian_and_back(driver: Driver) -> None:
    window = driver.window
    driver.sign_in(MANAGER_PIN)
    driver.keypad("shiftOpen_keypad", "100000")
    assert window.sell.pay_button.text() == "Pay"
    driver.tap("nav_settings")
    language = driver.find("settings_language", QComboBox)
    assert isinstance(language, QComboBox)
    language.setCurrentIndex(language.findData("id"))
    driver.tap("settings_save")
    driver.qtbot.waitUntil(lambda: window.sell.pay_button.text() == "Bayar", timeout=5_000)
    assert window.sell.tabs.tabText(0) == "Semua"
    assert window.sell.cart_lines.headerData(0, Qt.Orientation.Horizontal) == "Jml"
    assert window.nav["logout"].text() == "Keluar"
    assert window.till.settings().language == "id"
    # the cashier stays signed in and the amounts keep the tenant's currency format
    driver.tile("Croissant")
    assert window.sell.pay_button.text().startswith("Bayar Rp 22.500")

    driver.tap("nav_settings")
    language = driver.find("settings_language", QComboBox)
    assert isinstance(language, QComboBox)
    language.setCurrentIndex(language.findData("en"))
    driver.tap("settings_save")
    driver.qtbot.waitUntil(lambda: window.nav["logout"].text() == "Sign out", timeout=5_000)


def test_first_run_pairing_screen(qtbot: QtBot, tmp_path: Path) -> None:
    till = TerminalTill.open(tmp_path / "fresh", start_sync=False, start_printing=False)
    window = MainWindow(till, language=Language(), status_poll_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    driver = Driver(qtbot, window)
    try:
        assert driver.current() is window.pairing
        driver.tap("pairing_go")
        assert "server address" in window.pairing.error.text()
        driver.type("pairing_server", "http://127.0.0.1:9")
        driver.type("pairing_code", "ABCD-1234")
        driver.tap("pairing_go")
        assert window.pairing.error.text()  # nothing listens there: refused, not crashed
        assert driver.current() is window.pairing
        driver.tap("pairing_demo")
        driver.qtbot.waitUntil(lambda: driver.current() is window.login, timeout=5_000)
    finally:
        window.shutdown()
        till.close()


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
def test_touch_targets_and_fit(driver: Driver, size: tuple[int, int]) -> None:
    window = driver.window
    window.resize(*size)
    driver.open_shift()
    driver.tile("Croissant")
    for screen in (window.sell, window.payment, window.orders, window.shift_close):
        window.show_screen(screen)
        driver.wait()
        buttons = [b for b in screen.findChildren(QAbstractButton) if b.isVisible()]
        assert buttons
        small = [
            (b.objectName() or b.text(), b.width(), b.height())
            for b in buttons
            if b.height() < TOUCH_TARGET_PX or b.width() < TOUCH_TARGET_PX
        ]
        assert not small, small
        for button in buttons:  # nothing is pushed off the screen
            corner = button.mapTo(window, button.rect().bottomRight())
            assert corner.x() <= window.width() and corner.y() <= window.height(), button


def test_selling_taps_never_query_sqlite_on_the_ui_thread(driver: Driver) -> None:
    """A tap must not wait behind the sync worker's write lock: no SQL from the UI thread."""
    window = driver.window
    driver.open_shift()
    driver.wait()
    ui_thread = threading.get_ident()
    on_ui_thread: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if threading.get_ident() == ui_thread:
            on_ui_thread.append(statement)

    engine = window.till.terminal.database.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    try:
        driver.tile("Croissant")
        driver.tile("Caffè latte")
        driver.tap("option_Large")
        driver.tap("modifiers_ok")
        driver.tap("sell_plus")
        driver.tap("sell_minus")
        driver.type("sell_search", "nasi")
        driver.tile("Nasi goreng")
        driver.tap("sell_park")
        driver.tile("Banana bread")
        driver.tap("sell_recall")
        driver.tap("parked_ok")
        driver.tap("sell_pay")
        driver.tap("payment_method_qris")
        driver.tap("payment_back")
        driver.tap("nav_sell")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(window.sell.cart().lines) == 3
    assert on_ui_thread == []


def test_run_opens_full_screen_kiosk_and_returns_on_close(qtbot: QtBot, tmp_path: Path) -> None:
    seen: list[tuple[bool, bool]] = []

    def close_when_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or not windows[0].isVisible():
            QTimer.singleShot(50, close_when_shown)
            return
        window = windows[0]
        frameless = bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)
        seen.append((window.isFullScreen(), frameless))
        window.close()

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous_style = app.styleSheet()
    QTimer.singleShot(50, close_when_shown)
    try:
        assert run(tmp_path / "kiosk-till", kiosk=True) == 0
    finally:
        app.setStyleSheet(previous_style)
    assert seen == [(True, True)]
