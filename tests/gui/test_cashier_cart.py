"""Cart details a cashier notices: the line just added is selected, a rounding line makes the
total and Pay agree, held orders say when, what and how much, one customer match needs no
extra tap, an `&` shows on a tab, and the last sale's banner does not outlive a sign-out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from pos_desktop.store.models import Customer, Order
from pos_desktop.ui.widgets import mnemonic_safe
from tests.gui.conftest import Driver


def _selected_row(driver: Driver) -> int:
    rows = driver.window.sell.cart_table.selectionModel().selectedRows()
    assert len(rows) == 1
    return rows[0].row()


def test_the_line_just_added_is_the_selected_one(driver: Driver) -> None:
    driver.open_shift()
    driver.tile("Croissant")
    driver.tile("Nasi goreng")
    driver.tile("Banana bread")
    driver.window.sell.select_line(0)
    driver.tile("Nasi goreng")  # merges into line 2: that line becomes the selected one
    assert [line.quantity for line in driver.window.sell.cart().lines] == [1, 2, 1]
    assert _selected_row(driver) == 1
    driver.tap("sell_plus")  # so + acts on what was just tapped
    assert [line.quantity for line in driver.window.sell.cart().lines] == [1, 3, 1]


def test_rounding_line_makes_total_pay_and_payment_agree(driver: Driver) -> None:
    window, money = driver.window, driver.window.context.money
    driver.open_shift()
    for name in ("Croissant", "Nasi goreng", "Banana bread"):
        driver.tile(name)
    driver.tap("sell_orderDiscount")  # Rp 1.234 off: the total is no longer a round amount
    driver.tap("discount_fixed")
    driver.keypad("discount_keypad", "1234")
    cart = window.sell.cart()
    assert cart.cash_rounding_minor != 0  # the demo café rounds cash to Rp 100
    rounding = driver.find("sell_rounding", QLabel)
    assert rounding.text() == money(cart.cash_rounding_minor)  # type: ignore[attr-defined]
    assert window.sell.total.text() == money(cart.cash_total_minor)
    assert money(cart.cash_total_minor) in window.sell.pay_button.text()
    line_totals = [window.sell.cart_lines.index(row, 2).data() for row in range(len(cart.lines))]
    assert line_totals == [money(line.net_minor) for line in cart.lines]  # before tax, service
    driver.tap("sell_pay")
    assert window.payment._quote is not None
    assert window.payment._quote.total_minor == cart.cash_total_minor


def test_held_orders_show_time_items_and_total_and_the_button_counts_them(
    driver: Driver,
) -> None:
    window = driver.window
    driver.open_shift()
    assert window.sell.recall_button.text() == "Held (F7)"
    driver.tile("Croissant")
    driver.tile("Croissant")
    driver.tile("Banana bread")
    total = window.sell.cart().total_minor
    driver.tap("sell_park")
    assert window.sell.recall_button.text() == "Held: 1  (F7)"
    driver.tap("sell_recall")
    dialog = window.sell.current_dialog
    assert dialog is not None
    model = dialog.model  # type: ignore[attr-defined]
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    (held,) = window.till.parked()
    zone = window.till.tenant().time_zone
    assert row[0] == held.parked_at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    assert row[2] == "2× Croissant, Banana bread"
    assert row[3] == window.context.money(total)


def test_a_single_customer_match_is_attached_with_one_tap(driver: Driver) -> None:
    window = driver.window
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        uow.session.add_all([Customer(name="Sari Dewi", phone="0811"), Customer(name="Agus")])
        uow.commit()
    driver.open_shift()
    driver.tile("Croissant")
    driver.tap("sell_customer")
    driver.type("customer_search", "sari")
    driver.qtbot.waitUntil(
        lambda: window.sell.current_dialog.model.rowCount() == 1,  # type: ignore[union-attr]
        timeout=5_000,
    )
    driver.tap("customer_ok")  # no tap on the row first
    assert window.sell.cart().customer_name == "Sari Dewi"


def test_an_ampersand_in_a_category_name_is_shown_not_eaten() -> None:
    # Qt reads `&` on buttons and tabs as a shortcut marker and hides it; doubled, it shows.
    assert mnemonic_safe("Rice & Noodles") == "Rice && Noodles"


def test_the_sale_banner_is_gone_after_sign_out(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Croissant")
    driver.pay_exact_cash()
    assert window.sell.sale_banner.isVisible()
    window.lock()
    driver.sign_in()
    assert driver.current() is window.sell
    assert not window.sell.sale_banner.isVisible()
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        assert len(uow.session.scalars(select(Order)).all()) == 1
