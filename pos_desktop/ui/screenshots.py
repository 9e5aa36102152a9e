"""Screenshot tour of the cashier app on the demo café: `python -m pos_desktop.ui.screenshots DIR`.

Runs the real screens over a throw-away demo terminal folder and writes one PNG per screen
(`make screenshots` calls it with docs/screenshots, offscreen).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos_desktop.services.demo_catalog import DEMO_MANAGER_PIN
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.ui.app import application
from pos_desktop.ui.backend import TerminalTill
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from pos_desktop.ui.ports import TenderInput

SIZE = (1280, 800)


def _settle(window: MainWindow, rounds: int = 30) -> None:
    """Let background calls land and layouts settle before grabbing."""
    app = QApplication.instance()
    assert app is not None
    window.poll_status()
    for _ in range(rounds):
        app.processEvents()
        window.background.wait(2_000)
        window.poller.wait(2_000)
    app.processEvents()


def _product(till: TerminalTill, name: str) -> str:
    return next(p.id for p in till.products() if p.name == name)


def _option(till: TerminalTill, product_id: str, name: str) -> str:
    return next(
        option.id
        for group in till.modifier_groups(product_id)
        for option in group.options
        if option.name == name
    )


def _fill_cart(till: TerminalTill) -> None:
    latte = _product(till, "Caffè latte")
    till.add_to_cart(latte, [_option(till, latte, "Large"), _option(till, latte, "Oat milk")])
    till.add_to_cart(_product(till, "Croissant"), quantity=2)
    till.add_to_cart(_product(till, "Nasi goreng"))
    espresso = _product(till, "Espresso")
    till.add_to_cart(espresso, [_option(till, espresso, "Extra shot")], quantity=3)
    till.add_to_cart(_product(till, "Iced palm-sugar latte"))
    line = till.cart().lines[2]
    till.set_line_note(line.line_id, "no chili, extra egg")


def tour(folder: Path) -> list[Path]:
    """Write every screen's PNG into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        till = TerminalTill.open(Path(scratch) / "terminal", start_sync=False, start_printing=False)
        language = Language()
        window = MainWindow(till, language=language, status_poll_ms=600_000)
        window.resize(*SIZE)
        window.show()

        def shot(name: str, prepare: Callable[[], None] | None = None) -> None:
            if prepare is not None:
                prepare()
            _settle(window)
            path = folder / f"cashier-{name}.png"
            window.grab().save(str(path))
            written.append(path)

        try:
            shot("pairing")
            till.use_demo()
            window.rebuild()
            shot("login")
            cashier = till.login(DEMO_MANAGER_PIN)
            till.open_shift(500_000)
            window._after_login(cashier)
            _fill_cart(till)
            window.show_screen(window.sell)
            shot("sell-en")

            window.switch_language("id")
            shot("sell-id")
            window.switch_language("en")

            window.show_screen(window.payment)
            window.payment.select_method("qris")
            window.payment.reference.setText("QRIS-20260314-0042")
            window.payment.add_tender(100_000)
            window.payment.select_method("cash")
            shot("payment")

            quote = till.quote([TenderInput("qris", 100_000, "QRIS-20260314-0042")])
            cash = quote.quick_tenders_minor[min(2, len(quote.quick_tenders_minor) - 1)]
            sale = till.checkout(
                [TenderInput("qris", 100_000, "QRIS-20260314-0042"), TenderInput("cash", cash)]
            )
            window.sell.sale_done(sale)
            window.show_screen(window.sell)
            window.sell.order_ready(sale.receipt_number)
            shot("sell-after-sale")
            window.show_receipt(sale.order_id)
            shot("receipt-preview")

            for name, quantity in (("Croissant", 1), ("Jasmine tea", 2), ("Banana bread", 1)):
                till.add_to_cart(_product(till, name), quantity=quantity)
                exact = till.quote().cash_due_minor
                till.checkout([TenderInput("cash", exact)])
            window.show_screen(window.orders)
            _settle(window)
            window.orders.open_order(sale.order_id)
            shot("orders")

            with till.terminal.uow() as uow:
                items = uow.session.scalars(
                    select(SyncQueueItem).where(SyncQueueItem.kind == "order")
                ).all()
                for item, error in zip(
                    items[:2],
                    (
                        "HTTP 422: price of Caffè latte differs from the catalog (v7)",
                        "HTTP 409: order id reused with a different body",
                    ),
                    strict=False,
                ):
                    item.status = "needs_attention"
                    item.attempts = 5
                    item.last_error = error
                uow.commit()
            window.poll_status()
            window.show_screen(window.status)
            shot("status")

            window.show_screen(window.settings)
            shot("settings")

            window.show_screen(window.shift_close)
            _settle(window)
            values = list(till.tenant().denominations_minor)
            counts = window.shift_close.counts
            for value, count in ((100_000, 6), (50_000, 3), (20_000, 4), (10_000, 2), (5_000, 3)):
                counts.set_count(values.index(value), count)
            window.shift_close.table.selectRow(values.index(5_000))
            shot("shift-close")
        finally:
            window.shutdown()
            window.close()
            till.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Entry point: the folder to write into (default docs/screenshots)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path("docs/screenshots")
    for path in tour(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
