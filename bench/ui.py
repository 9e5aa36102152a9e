"""Cashier app speed with 10,000 products: start to sell screen, search keystroke, add-to-cart.

Runs the real window offscreen over a throw-away terminal folder holding the demo café plus
10,000 generated products (applied through the catalog feed code, like a real pull).
`.venv/bin/python bench/ui.py [--products N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pos_desktop.services.catalog import apply_catalog_page
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.app import application
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from shared.protocol import CatalogChangeV1, CatalogPageV1, CategoryV1, ProductV1

WORDS = [
    "kopi",
    "susu",
    "teh",
    "manis",
    "goreng",
    "bakar",
    "pedas",
    "keju",
    "coklat",
    "pandan",
    "gula",
    "aren",
    "jahe",
    "kelapa",
    "ayam",
    "sapi",
    "ikan",
    "tahu",
    "tempe",
    "nasi",
    "mie",
    "roti",
    "kue",
    "es",
    "panas",
]
TARGETS_MS = {"start": 2000.0, "keystroke": 30.0, "add": 16.0}


def seed(data_dir: Path, count: int) -> None:
    """The demo café plus `count` products in 20 categories, through the catalog feed code."""
    till = TerminalTill.open(data_dir, start_sync=False, start_printing=False)
    till.use_demo()
    tax_id = demo_id("tax:pb1")
    categories = [CategoryV1(id=uuid.uuid4(), name=f"Aisle {n:02d}") for n in range(20)]
    changes = [
        CatalogChangeV1(entity="category", id=c.id, version=2, data=c.model_dump(mode="json"))
        for c in categories
    ]
    for number in range(count):
        words = " ".join(WORDS[(number * k + k) % len(WORDS)] for k in (1, 3, 7))
        product = ProductV1(
            id=uuid.uuid4(),
            category_id=categories[number % 20].id,
            sku=f"SKU{number:05d}",
            barcode=f"899{number:010d}",
            name=f"{words.title()} {number:05d}",
            price_minor=5_000 + (number * 500) % 95_000,
            tax_rate_ids=(tax_id,),
        )
        changes.append(
            CatalogChangeV1(
                entity="product", id=product.id, version=2, data=product.model_dump(mode="json")
            )
        )
    with till.terminal.uow() as uow:
        apply_catalog_page(
            uow.session,
            CatalogPageV1(
                changes=tuple(changes), next_cursor="bench", has_more=False, catalog_version=2
            ),
        )
        uow.commit()
    till.login(DEMO_CASHIER_PIN)
    till.open_shift(0)
    till.close()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a small sample."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    app = application()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "terminal"
        seed(data_dir, args.products)

        # 1. start: open the store, build the window, sign in by PIN, sell screen painted
        started = time.perf_counter()
        till = TerminalTill.open(data_dir, start_sync=False, start_printing=False)
        window = MainWindow(till, language=Language(), status_poll_ms=600_000)
        window.resize(1280, 800)
        window.show()
        cashier = till.login(DEMO_CASHIER_PIN)
        window._after_login(cashier)
        while not window.background.idle or window.sell.products.rowCount() == 0:
            app.processEvents()
        app.processEvents()
        window.sell.grid.viewport().repaint()
        start_ms = (time.perf_counter() - started) * 1000
        assert window.stack.currentWidget() is window.sell
        assert window.sell.products.rowCount() == args.products + 10

        # 2. search as you type: each keystroke filters every product and repaints the grid
        search = window.sell.search
        search.setFocus()
        keystrokes: list[float] = []
        for _round in range(3):
            for char in "kopi susu 0123":
                begin = time.perf_counter()
                QTest.keyClick(search, char)
                app.processEvents()
                window.sell.grid.viewport().repaint()
                keystrokes.append((time.perf_counter() - begin) * 1000)
            search.clear()
            app.processEvents()
        search.clear()

        # 3. add to cart: a tile tap until the cart and totals have repainted
        adds: list[float] = []
        grid = window.sell.grid
        for row in range(40):
            index = window.sell.products.index(row * 7 % 200, 0)
            grid.scrollTo(index)
            app.processEvents()
            centre = grid.visualRect(index).center()
            begin = time.perf_counter()
            QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
            window.sell.cart_table.viewport().repaint()
            window.sell.total.repaint()
            adds.append((time.perf_counter() - begin) * 1000)
        lines = len(window.sell.cart().lines)
        window.shutdown()
        till.close()

    print(f"products loaded: {args.products:,} (+10 demo)")
    print(f"start to usable sell screen: {start_ms:.0f} ms (target < {TARGETS_MS['start']:.0f} ms)")
    print(
        f"search keystroke: median {statistics.median(keystrokes):.1f} ms, "
        f"p95 {percentile(keystrokes, 0.95):.1f} ms, max {max(keystrokes):.1f} ms "
        f"over {len(keystrokes)} keys (target < {TARGETS_MS['keystroke']:.0f} ms)"
    )
    print(
        f"add to cart to repaint: median {statistics.median(adds):.1f} ms, "
        f"p95 {percentile(adds, 0.95):.1f} ms, max {max(adds):.1f} ms "
        f"over {len(adds)} taps, cart of up to {lines} lines (target < {TARGETS_MS['add']:.0f} ms)"
    )
    met = (
        start_ms < TARGETS_MS["start"]
        and percentile(keystrokes, 0.95) < TARGETS_MS["keystroke"]
        and percentile(adds, 0.95) < TARGETS_MS["add"]
    )
    print("targets met" if met else "TARGET MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
