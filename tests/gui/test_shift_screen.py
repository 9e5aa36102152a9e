"""The shift screen (pytest-qt on the real demo till): cash in and out with an amount typed in
the tenant's locale, a reason and a manager's PIN; counts typed, not only tapped; closing asks
first; the count and amount columns are named apart in English and Indonesian."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import select

from pos_desktop.store.models import CashMovement, Shift
from pos_desktop.ui.screens.shift import CashMovementDialog
from tests.gui.conftest import MANAGER_PIN, Driver


def _label(driver: Driver, name: str) -> str:
    widget = driver.find(name, QLabel)
    assert isinstance(widget, QLabel)
    return widget.text()


def _on_shift_screen(driver: Driver) -> None:
    driver.open_shift("200000")
    driver.tap("nav_shift")
    assert driver.current() is driver.window.shift_close
    driver.wait()


def _move(driver: Driver, button: str, amount: str, reason: str, pin: str = MANAGER_PIN) -> None:
    driver.tap(button)
    dialog = driver.window.shift_close.current_dialog
    assert isinstance(dialog, CashMovementDialog)
    driver.type("cashMovement_amount", amount)
    driver.type("managerPin_reason", reason)
    driver.keypad("managerPin_keypad", pin)


def _movements(driver: Driver) -> list[tuple[str, int, str, str]]:
    with driver.window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        rows = uow.session.scalars(select(CashMovement).order_by(CashMovement.created_at))
        return [(m.kind, m.amount_minor, m.reason, m.manager_id) for m in rows]


def test_cash_in_and_out_with_a_reason_and_a_managers_pin(driver: Driver) -> None:
    window = driver.window
    _on_shift_screen(driver)
    money = window.context.money
    assert _label(driver, "shiftClose_expected") == "Rp 200.000"

    _move(driver, "shiftClose_cashIn", "50.000", "change from the bank")  # id_ID: Rp 50.000
    assert _label(driver, "shiftClose_notice").endswith("Rp 50.000")
    assert _label(driver, "shiftClose_expected") == "Rp 250.000"
    _move(driver, "shiftClose_cashOut", "20.000", "ice")
    assert _label(driver, "shiftClose_expected") == money(230_000)
    moved = _movements(driver)
    assert [(kind, amount, reason) for kind, amount, reason, _ in moved] == [
        ("in", 50_000, "change from the bank"),
        ("out", 20_000, "ice"),
    ]
    assert all(manager for *_, manager in moved)
    report = window.shift_close.report_text.toPlainText()
    assert "50.000" in report and "20.000" in report  # on the X report


def test_a_bad_cash_movement_is_refused_and_nothing_is_stored(driver: Driver) -> None:
    window = driver.window
    _on_shift_screen(driver)
    driver.tap("shiftClose_cashIn")
    dialog = window.shift_close.current_dialog
    assert isinstance(dialog, CashMovementDialog)
    driver.type("managerPin_reason", "coins")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    assert dialog.isVisible()  # no amount: the dialog stays, saying why
    assert dialog.error.text() == "Enter an amount above zero."
    dialog.reject()
    driver.wait()
    _move(driver, "shiftClose_cashOut", "10.000", "to safe", pin="1111")  # a cashier's PIN
    assert window.shift_close.error.text()
    assert _movements(driver) == []
    assert _label(driver, "shiftClose_expected") == "Rp 200.000"


def test_counts_are_typed_and_closing_asks_first(driver: Driver) -> None:
    window = driver.window
    screen = window.shift_close
    _on_shift_screen(driver)
    values = list(window.till.tenant().denominations_minor)
    row = values.index(100_000)
    index = screen.counts.index(row, 1)
    screen.table.setCurrentIndex(index)
    screen.table.setFocus()
    driver.qtbot.keyClicks(screen.table, "2")  # typing starts editing the selected count
    editor = QApplication.focusWidget()
    assert editor is not None and editor.objectName() == "shiftClose_countEdit"
    driver.qtbot.keyClick(editor, Qt.Key.Key_Return)
    driver.wait()
    assert screen.counts.counts()[row] == 2
    assert _label(driver, "shiftClose_counted") == "Rp 200.000"
    assert _label(driver, "shiftClose_difference") == "Rp 0"

    driver.tap("shiftClose_z")
    assert "Rp 200.000" in _label(driver, "confirm_text")
    driver.tap("confirm_cancel")
    assert window.till.current_shift() is not None  # nothing closed

    driver.tap("shiftClose_z")
    driver.tap("confirm_ok")  # close for good
    if screen.pending_confirmation:  # the demo till has no server: sales wait to sync
        driver.tap("confirm_ok")
    with window.till.terminal.uow() as uow:  # type: ignore[attr-defined]
        (shift,) = uow.session.scalars(select(Shift)).all()
    assert (shift.state, shift.counted_cash_minor) == ("closed", 200_000)


def test_count_and_amount_columns_are_named_apart_in_both_languages(driver: Driver) -> None:
    window = driver.window
    for code, expected in (("en", ("Count", "Amount")), ("id", ("Banyaknya", "Jumlah"))):
        window.language.switch(code)
        counts = window.shift_close.counts
        headers = tuple(counts.headerData(section, Qt.Orientation.Horizontal) for section in (1, 2))
        assert headers == expected
        assert headers[0] != headers[1]


def test_the_keypad_types_the_amount_then_the_pin(driver: Driver) -> None:
    """On a till without a keyboard: amount on the keypad, reason, then the PIN on the keypad."""
    window = driver.window
    _on_shift_screen(driver)
    driver.tap("shiftClose_cashOut")
    dialog = window.shift_close.current_dialog
    assert isinstance(dialog, CashMovementDialog)
    driver.keypad("managerPin_keypad", "25000", submit=False)
    assert dialog.amount_edit.text() == "25000"
    driver.type("managerPin_reason", "supplier")
    driver.keypad("managerPin_keypad", MANAGER_PIN)
    assert [(kind, amount) for kind, amount, *_ in _movements(driver)] == [("out", 25_000)]
    assert _label(driver, "shiftClose_expected") == "Rp 175.000"
