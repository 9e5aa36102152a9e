"""Whole cashier flows driven by taps and keys on the real till: sell, pay, park, void, Z."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from sqlalchemy import select

from pos_desktop.store.models import Order, PrintJob, Refund, Shift, SyncQueueItem
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.dialogs import ManagerPinDialog
from shared.protocol import CustomerCreatedV1
from tests.gui.conftest import CASHIER_PIN, MANAGER_PIN, Driver


def _label(driver: Driver, name: str) -> str:
    widget = driver.find(name, QLabel)
    assert isinstance(widget, QLabel)
    return widget.text()


def _sell_three_items(driver: Driver) -> None:
    """A latte with two modifiers, a croissant under the pastry promotion, a nasi goreng."""
    driver.tile("Caffè latte")
    driver.tap("option_Large")
    driver.tap("option_Extra shot")
    driver.tap("modifiers_ok")
    driver.tile("Croissant")
    driver.tile("Nasi goreng")


def test_sale_with_modifier_promotion_and_split_payment(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    _sell_three_items(driver)

    cart = window.sell.cart()
    assert [line.name for line in cart.lines] == ["Caffè latte", "Croissant", "Nasi goreng"]
    latte, croissant, _nasi = cart.lines
    assert latte.modifiers == ("Large", "Extra shot")
    assert latte.unit_price_minor == 32_000 + 5_000 + 6_000
    assert [name for name, _ in croissant.adjustments] == ["Pastry 10% off"]
    assert croissant.total_minor == 25_000 - 2_500
    assert window.sell.cart_lines.rowCount() == 3
    assert "Pastry 10% off" in window.sell.cart_lines.index(1, 1).data()
    assert window.context.money(cart.cash_total_minor) in window.sell.pay_button.text()

    driver.tap("sell_pay")
    assert driver.current() is window.payment
    driver.tap("payment_method_qris")
    driver.type("payment_reference", "QR-778899")
    driver.keypad("payment_keypad", "50000")
    assert not window.payment.complete_button.isEnabled()
    remaining = cart.total_minor - 50_000
    assert _label(driver, "payment_remaining") == window.context.money(remaining)
    driver.tap("payment_method_cash")
    cash_minor = window.payment._quote.quick_tenders_minor[2]  # type: ignore[union-attr]
    assert cash_minor > remaining and cash_minor % 5_000 == 0
    driver.tap("payment_quick2")  # covers what is left: the sale completes in this tap
    change = 50_000 + cash_minor - cart.total_minor

    assert driver.current() is window.sell
    assert window.change_overlay.isVisible()
    assert _label(driver, "change_amount") == window.context.money(change)
    driver.dismiss_change()
    assert window.sell.cart().is_empty
    assert window.context.money(change) in _label(driver, "sell_saleText").replace("\xa0", " ")

    (order,) = driver.orders_in_store()
    assert order.total_minor == cart.total_minor
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        stored = uow.session.get(Order, order.id)
        assert stored is not None
        payments = sorted((p.method, p.amount_minor, p.is_change) for p in stored.payments)
        assert payments == sorted(
            [("qris", 50_000, False), ("cash", cash_minor, False), ("cash", -change, True)]
        )
        assert [p.reference for p in stored.payments if p.method == "qris"] == ["QR-778899"]
        outbox = uow.session.scalars(
            select(SyncQueueItem).where(SyncQueueItem.kind == "order")
        ).all()
        assert [item.entity_id for item in outbox] == [order.id]
        jobs = uow.session.scalars(select(PrintJob).where(PrintJob.order_id == order.id)).all()
        assert [job.kind for job in jobs] == ["receipt"]
        assert b"QR-778899" in jobs[0].payload or order.receipt_number.encode() in jobs[0].payload

    driver.tap("sell_lastReceipt")
    assert driver.current() is window.receipt
    receipt_text = window.receipt.receipt.toPlainText()
    assert order.receipt_number in receipt_text
    assert "Pastry 10% off" in receipt_text


def test_park_and_recall(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.tile("Croissant")
    driver.tap("sell_park")
    assert window.sell.cart().is_empty
    driver.tile("Nasi goreng")
    driver.tap("sell_recall")
    dialog = window.sell.current_dialog
    assert dialog is not None
    assert dialog.model.rowCount() == 1  # type: ignore[attr-defined]
    driver.tap("parked_ok")
    recalled = window.sell.cart()
    assert [(line.name, line.quantity) for line in recalled.lines] == [("Croissant", 2)]
    # the sale that was on screen was held in turn, not lost
    assert [parked.item_count for parked in window.till.parked()] == [1]


def test_line_discount_over_threshold_needs_manager_pin(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Nasi goreng")
    driver.tap("sell_lineDiscount")
    driver.keypad("discount_keypad", "50")  # 50% is above the demo's 10% threshold
    pin_dialog = window.sell.current_dialog
    assert isinstance(pin_dialog, ManagerPinDialog)
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    (line,) = window.sell.cart().lines
    assert line.total_minor == 45_000 // 2
    assert line.discount_minor == 45_000 // 2


def test_void_needs_a_manager_pin_and_reason(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Banana bread")
    driver.pay_exact_cash()
    (order,) = driver.orders_in_store()

    driver.qtbot.keyClick(window, Qt.Key.Key_F3)
    driver.wait()
    assert driver.current() is window.orders
    assert window.orders.orders.rowCount() == 1
    driver.type("orders_search", order.receipt_number[-6:])
    assert window.orders.orders.rowCount() == 1
    window.orders.open_order(order.id)
    driver.wait()
    driver.tap("orders_void")
    driver.type("managerPin_reason", "customer left")
    driver.keypad("managerPin_keypad", "1111")  # a cashier's PIN does not approve
    assert window.orders.error.text()
    assert driver.orders_in_store()[0].status == "paid"

    driver.tap("orders_void")
    driver.type("managerPin_reason", "customer left")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    assert driver.orders_in_store()[0].status == "voided"
    assert window.orders.detail is not None and window.orders.detail.row.status == "voided"
    assert not window.orders.void_button.isEnabled()
    assert not window.orders.refund_button.isEnabled()  # nothing is left to give back
    assert window.orders.orders.index(0, 4).data() == "Voided"
    assert "Voided" in window.orders.state.text()


def test_refund_one_line(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.tile("Nasi goreng")
    driver.pay_exact_cash()
    (order,) = driver.orders_in_store()
    driver.tap("nav_orders")
    window.orders.open_order(order.id)
    driver.wait()
    nasi_row = [line.name for line in window.orders.detail.lines].index("Nasi goreng")  # type: ignore[union-attr]
    window.orders.select_line(nasi_row)
    driver.tap("orders_refundPlus")
    driver.tap("orders_refundPlus")  # capped at the one unit sold
    assert window.orders.refund_lines.counts()[nasi_row] == 1
    driver.tap("orders_refund")
    driver.type("managerPin_reason", "cold food")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        refunds = uow.session.scalars(select(Refund)).all()
        nasi = next(
            line for line in uow.session.get(Order, order.id).lines if line.name == "Nasi goreng"
        )  # type: ignore[union-attr]
        assert [(r.kind, r.amount_minor) for r in refunds] == [("refund", nasi.total_minor)]
        assert [line["quantity"] for line in refunds[0].lines] == [1]
    detail = window.orders.detail
    assert detail is not None and detail.lines[nasi_row].refundable_quantity == 0
    assert detail.lines[nasi_row].refunded_quantity == 1
    assert detail.row.status == "partly_refunded"
    assert window.orders.refund_button.isEnabled()  # the croissant can still be refunded
    assert not window.orders.void_button.isEnabled()


def test_close_shift_z_report_matches_sales(driver: Driver) -> None:
    window = driver.window
    driver.open_shift("200000")
    for product in ("Banana bread", "Croissant"):
        driver.tile(product)
        driver.pay_exact_cash()
    driver.tile("Nasi goreng")
    driver.tap("sell_pay")
    driver.tap("payment_method_card")
    driver.type("payment_reference", "APPR-1")
    driver.tap("payment_quick0")  # the exact card amount completes the sale
    orders = driver.orders_in_store()
    assert len(orders) == 3

    driver.tap("nav_shift")
    assert driver.current() is window.shift_close
    assert "XREPORT" in window.shift_close.report_text.toPlainText().replace(" ", "")
    cash_minor = sum(o.total_minor for o in orders if o.methods[0] == "cash")
    expected = 200_000 + cash_minor
    assert _label(driver, "shiftClose_expected") == window.context.money(expected)
    # count the drawer: two 100.000 notes and the rest in 1.000 notes
    values = list(window.till.tenant().denominations_minor)
    window.shift_close.table.selectRow(values.index(100_000))
    driver.tap("shiftClose_plus")
    driver.tap("shiftClose_plus")
    window.shift_close.counts.set_count(values.index(1_000), (expected - 200_000) // 1_000)
    assert _label(driver, "shiftClose_difference") == window.context.money(expected % 1_000 * -1)

    driver.tap("shiftClose_z")
    driver.tap("confirm_ok")  # closing is for good: the screen asks first
    # the demo terminal has no server: the till warns that sales are not in the cloud yet
    assert window.shift_close.pending_confirmation
    driver.tap("confirm_ok")
    report = window.shift_close.report
    assert report is not None and report.kind == "Z"
    assert report.order_count == 3
    # Net sales exclude the PB1 inside the demo café's prices.
    assert report.net_sales_minor == (
        report.gross_sales_minor - report.discount_minor - report.refunds_minor
    )
    assert 0 < report.net_sales_minor < sum(o.total_minor for o in orders) - report.tax_minor + 100
    assert report.payments_by_method == {
        "cash": cash_minor,
        "card": next(o.total_minor for o in orders if o.methods[0] == "card"),
    }
    assert "ZREPORT" in window.shift_close.report_text.toPlainText().replace(" ", "")
    driver.tap("shiftClose_print")
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        (job,) = uow.session.scalars(select(PrintJob).where(PrintJob.kind == "report")).all()
        assert b"Cash counted" in job.payload and b"Difference" in job.payload
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        (shift,) = uow.session.scalars(select(Shift)).all()
        assert shift.state == "closed"
        assert shift.counted_cash_minor == expected - expected % 1_000
    assert window.till.current_shift() is None
    driver.tap("nav_sell")
    assert driver.current() is window.shift_open


def test_barcode_scanner_types_anywhere_and_search_filters(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    croissant = next(p for p in window.till.products() if p.name == "Croissant")
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        from pos_desktop.store.models import Product
        from pos_desktop.store.settings import SettingKey, get_setting, put_setting

        row = uow.session.get(Product, croissant.id)
        assert row is not None
        row.barcode = "8991234500017"
        version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
        put_setting(uow.session, SettingKey.CATALOG_VERSION, version + 1)
        uow.commit()
    # the status poll sees the new catalog version and reloads the grid by itself
    driver.qtbot.waitUntil(
        lambda: "8991234500017" in [p.barcode for p in window.sell.products.shown()],
        timeout=5_000,
    )

    driver.type("sell_search", "crois")
    assert [p.name for p in window.sell.products.shown()] == ["Croissant"]
    window.sell.search.clear()
    assert len(window.sell.products.shown()) == len(window.till.products())

    window.sell.search.clearFocus()
    window.setFocus()
    QApplication.processEvents()
    driver.qtbot.keyClicks(window, "8991234500017")
    driver.qtbot.keyClick(window, Qt.Key.Key_Return)
    driver.wait()
    assert [line.name for line in window.sell.cart().lines] == ["Croissant"]

    # the same scan while the search box has focus
    driver.type("sell_search", "8991234500017")
    driver.qtbot.keyClick(window.sell.search, Qt.Key.Key_Return)
    assert [line.quantity for line in window.sell.cart().lines] == [2]
    assert window.sell.search.text() == ""


def test_customer_note_and_small_order_discount_reach_the_order(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Nasi goreng")
    driver.tap("sell_note")
    driver.type("note_field0", "no chili")
    driver.tap("note_ok")
    driver.tap("sell_customer")
    driver.type("customer_newName", "Dewi Lestari")
    driver.type("customer_newPhone", "0812-555-0101")
    driver.type("customer_newEmail", "dewi at example")  # a slip: told, dialog stays open
    driver.tap("customer_create")
    error = driver.find("customer_error")
    assert isinstance(error, QLabel) and error.text() == "That is not an e-mail address."
    email_field = driver.find("customer_newEmail", QLineEdit)
    assert isinstance(email_field, QLineEdit)
    email_field.clear()
    driver.type("customer_newEmail", "dewi@example.co.id")
    driver.tap("customer_create")
    assert window.sell.customer_button.text() == "Dewi Lestari"
    driver.tap("sell_orderDiscount")
    driver.keypad("discount_keypad", "5")  # 5% is under the 10% threshold: no manager needed
    cart = window.sell.cart()
    assert cart.discount_minor == 45_000 * 5 // 100
    assert cart.lines[0].note == "no chili"
    assert "✎ no chili" in window.sell.cart_lines.index(0, 1).data()

    driver.pay_exact_cash()
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        (order,) = uow.session.scalars(select(Order)).all()
        assert order.customer_name == "Dewi Lestari"
        assert order.discount_minor == cart.discount_minor
        assert [line.note for line in order.lines] == ["no chili"]
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        payloads = uow.session.scalars(
            select(SyncQueueItem.payload).where(SyncQueueItem.kind == "event")
        ).all()
    made = [CustomerCreatedV1.model_validate_json(p) for p in payloads if "customer_created" in p]
    assert [(e.name, e.phone, e.email) for e in made] == [
        ("Dewi Lestari", "0812-555-0101", "dewi@example.co.id")
    ]  # the whole record waits in the outbox for the cloud
    # the customer is findable for the next sale, offline
    driver.tap("sell_customer")
    driver.type("customer_search", "dewi")
    dialog = window.sell.current_dialog
    assert dialog is not None and dialog.model.rowCount() == 1  # type: ignore[attr-defined]
    driver.tap("customer_cancel")


def test_sign_out_warns_about_unsynced_sales_and_keeps_the_cart(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.tap("nav_logout")
    # the shift-opened event is still in the outbox (no server here): the till says so first
    dialog = window.current_dialog
    assert dialog is not None and dialog.isVisible()
    assert "not in the cloud yet" in driver.find("confirm_text").text()  # type: ignore[attr-defined]
    driver.tap("confirm_cancel")
    assert driver.current() is window.sell
    driver.tap("nav_logout")
    driver.tap("confirm_ok")
    assert driver.current() is window.login
    driver.sign_in()
    assert driver.current() is window.sell
    assert [line.name for line in window.sell.cart().lines] == ["Croissant"]


def test_held_orders_survive_a_restart(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.tile("Croissant")
    driver.tap("sell_lineDiscount")
    driver.keypad("discount_keypad", "5")
    before = window.sell.cart()
    assert before.lines[0].discount_minor > 2_500 * 2  # the promotion and the 5% together
    driver.tap("sell_park")
    assert window.sell.cart().is_empty

    restarted = TerminalTill.open(
        window.till.terminal.data_dir,  # type: ignore[attr-defined]
        start_sync=False,
        start_printing=False,
    )
    try:
        restarted.login(CASHIER_PIN)
        (held,) = restarted.parked()
        assert held.item_count == 2
        recalled = restarted.recall(held.id)
        assert recalled.total_minor == before.total_minor
        assert recalled.lines[0].adjustments == before.lines[0].adjustments
        assert restarted.parked() == []
    finally:
        restarted.close()
