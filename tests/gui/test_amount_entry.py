"""Typed amounts in the demo's rupiah (id_ID): `25.000` counts, junk is refused with a message."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLabel, QLineEdit

from pos_desktop.ui.dialogs import DiscountDialog
from pos_desktop.ui.formatting import MoneyFormat
from tests.gui.conftest import Driver


def _text(driver: Driver, name: str) -> str:
    widget = driver.find(name, QLabel)
    assert isinstance(widget, QLabel)
    return widget.text()


def _field(driver: Driver, name: str) -> str:
    field = driver.find(name, QLineEdit)
    assert isinstance(field, QLineEdit)
    return field.text()


def test_opening_float_typed_with_indonesian_grouping(driver: Driver) -> None:
    window = driver.window
    driver.sign_in()
    driver.type("shiftOpen_float", "25.000")
    assert _text(driver, "shiftOpen_amount") == window.context.money(25_000)
    assert _text(driver, "shiftOpen_error") == ""
    driver.tap("shiftOpen_keypad_ok")
    assert driver.current() is window.sell


def test_opening_float_that_is_no_amount_shows_an_error_and_opens_nothing(
    driver: Driver,
) -> None:
    window = driver.window
    driver.sign_in()
    driver.type("shiftOpen_float", "12.50")  # cents typed on a rupiah till
    assert _text(driver, "shiftOpen_amount") == ""
    assert "not an amount" in _text(driver, "shiftOpen_error")
    driver.tap("shiftOpen_keypad_ok")
    assert driver.current() is window.shift_open


def test_amount_fields_refuse_letters_exponents_and_other_scripts_digits(driver: Driver) -> None:
    driver.sign_in()
    driver.type("shiftOpen_float", "1e5_x-0")
    assert _field(driver, "shiftOpen_float") == "150"
    field = driver.find("shiftOpen_float", QLineEdit)
    assert isinstance(field, QLineEdit)
    validator = field.validator()
    assert validator is not None
    state, *_ = validator.validate("\u0661\u0662", 0)  # Arabic-Indic digits
    assert state == QValidator.State.Invalid


def test_tender_typed_with_grouping_counts_and_junk_is_refused(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Nasi goreng")
    driver.tap("sell_pay")
    driver.type("payment_amount", "2.000.0")  # a misplaced group separator
    driver.tap("payment_keypad_ok")
    assert "not an amount" in _text(driver, "payment_error")
    assert window.payment._tenders == []
    driver.tap("payment_keypad_C")
    driver.type("payment_amount", "25.000")
    driver.tap("payment_keypad_ok")
    assert [tender.amount_minor for tender in window.payment._tenders] == [25_000]
    assert _text(driver, "payment_error") == ""


def test_discount_amount_typed_with_grouping_and_bad_percent_keeps_the_dialog(
    driver: Driver,
) -> None:
    window = driver.window
    driver.open_shift()
    driver.tile("Nasi goreng")
    driver.tap("sell_lineDiscount")
    dialog = window.sell.current_dialog
    assert isinstance(dialog, DiscountDialog)
    driver.type("discount_value", "150")
    driver.tap("discount_keypad_ok")
    assert dialog.isVisible()
    assert "percent" in _text(driver, "discount_error")
    driver.tap("discount_fixed")
    driver.tap("discount_keypad_C")
    driver.type("discount_value", "4.500")
    driver.tap("discount_keypad_ok")
    assert not dialog.isVisible()
    (line,) = window.sell.cart().lines
    assert line.discount_minor == 4_500


def test_money_format_reads_amounts_and_percents_strictly() -> None:
    rupiah = MoneyFormat("IDR", "id_ID")
    assert rupiah.amount_minor("25.000") == rupiah.amount_minor("25000") == 25_000
    assert rupiah.amount_minor("") == 0
    assert rupiah.percent_bp("12,5") == 1_250
    dollars = MoneyFormat("USD", "en_US")
    assert dollars.amount_minor("12.50") == 1_250
    assert dollars.amount_minor("12") == 1_200
    for junk in ("1e5", "1_0", "\u0661\u0662\u0663", "-5", "12.345", "abc"):
        try:
            dollars.amount_minor(junk)
        except ValueError:
            continue
        raise AssertionError(f"{junk!r} was read as an amount")
    for junk in ("101", "1e1", "\u0665", "5.555"):
        try:
            dollars.percent_bp(junk)
        except ValueError:
            continue
        raise AssertionError(f"{junk!r} was read as a percent")
