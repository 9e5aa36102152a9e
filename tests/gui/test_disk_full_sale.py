"""A sale the till's disk cannot hold is refused on the payment screen, in words, and is not
paid: the cart stays, no order is stored, and the sale goes through once there is room.

The disk is really full: SQLite may not grow its file by a page (`max_page_count`), so once
the room left inside its pages is used the sale's write fails as on a full disk ("database or
disk is full"). The chaos proof fills a real tmpfs; this is the screen's side.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event

from tests.gui.conftest import Driver


class FullDisk:
    """The till's database may grow by no page more than it has now, on every connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            self.pages = int(raw.execute("PRAGMA page_count").fetchone()[0])
        event.listen(engine, "connect", self._cap)
        engine.dispose()  # every connection from now on is capped

    def _cap(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {self.pages}")

    def freed(self) -> None:
        """Space comes back."""
        event.remove(self.engine, "connect", self._cap)
        self.engine.dispose()


MOST_SALES_ON_A_FULL_DISK = 60
"""Room left inside the pages of the order tables goes first, as on a real full disk."""


def _try_to_sell(driver: Driver) -> bool:
    """One croissant paid with exact cash; False when the payment screen refused it."""
    window = driver.window
    driver.tile("Croissant")
    driver.tap("sell_pay")
    driver.tap("payment_quick0")
    driver.qtbot.waitUntil(
        lambda: driver.current() is window.sell or bool(window.payment.error.text()),
        timeout=15_000,
    )
    return driver.current() is window.sell


def test_a_sale_the_full_disk_refuses_is_not_paid_and_says_so(driver: Driver) -> None:
    window = driver.window
    driver.open_shift()
    engine = window.till.terminal.database.engine  # type: ignore[attr-defined]
    disk = FullDisk(engine)

    for _ in range(MOST_SALES_ON_A_FULL_DISK):
        if not _try_to_sell(driver):
            break
    else:
        raise AssertionError(f"{MOST_SALES_ON_A_FULL_DISK} sales fitted on a full disk")
    paid_before = driver.orders_in_store()

    message = window.payment.error.text()
    assert "not saved" in message and "not paid" in message, message
    assert "take no money" in message, message
    assert driver.current() is window.payment  # no receipt, no change screen: not paid
    assert not window.change_overlay.isVisible()
    assert window.payment.complete_button.isEnabled()  # the cashier can try again
    driver.tap("payment_back")
    assert [line.name for line in window.sell.cart().lines] == ["Croissant"]  # cart kept

    disk.freed()
    driver.pay_exact_cash()
    paid_after = driver.orders_in_store()
    assert paid_after[: len(paid_before)] == paid_before  # nothing stored was damaged
    assert len(paid_after) == len(paid_before) + 1
    assert paid_after[-1].status == "paid"
