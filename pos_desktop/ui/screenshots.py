"""Screenshot tour of the cashier app paired to the demo cloud tenant:
`python -m pos_desktop.ui.screenshots DIR`.

Starts the demo server as its own process (`python -m sync_server.demo`: SQLite, the `demo`
tenant seeded) on a free loopback port, pairs a throw-away till folder as the demo outlet's
till `t1` (the code is asked for as the demo owner, as `make demo` does), and drives the real
screens through a day: sell, pay with one tap, the change display, a partial refund, a void,
the X report. Writes one PNG per screen and language (`make screenshots` calls it with
docs/screenshots, offscreen), then stops the server and shoots the offline window at
1366x768 and 1024x768, the two sizes a till must fit.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import keyring
import keyring.backend
from PySide6.QtWidgets import QApplication

from pos_desktop.kitchen.demo import demo_pairing_code
from pos_desktop.printing.render_image import write_slip_previews
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.app import application
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from shared.pricing.tenders import Tender

SIZE = (1366, 768)
SMALL = (1024, 768)
MANAGER_PIN = "2222"  # demo.manager of outlet `main` (sync_server.demo_data.DEMO_ACCOUNTS)


class _TourKeyring(keyring.backend.KeyringBackend):
    """The tour's till tokens live in memory: never in the developer's own keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._secrets.pop((service, username), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_demo_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """The demo server as a separate process; returns once it answers."""
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "sync_server.demo", "--data-dir", str(folder), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the demo server stopped; see {folder / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/schema/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("the demo server did not answer within 120 s")


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


def _wait(window: MainWindow, done: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("the cashier app did not get there in time")
        _settle(window, rounds=3)
        time.sleep(0.1)


def _product(till: TerminalTill, name: str) -> str:
    return next(p.id for p in till.products() if p.name == name)


def _add(till: TerminalTill, name: str, quantity: int = 1, options: tuple[str, ...] = ()) -> None:
    """Add a product with the named options, and the defaults of groups that need a choice."""
    product_id = _product(till, name)
    chosen: list[str] = []
    for group in till.modifier_groups(product_id):
        named = [o.id for o in group.options if o.name in options]
        defaults = [o.id for o in group.options if o.is_default] if group.min_select else []
        chosen += named or defaults
    till.add_to_cart(product_id, chosen, quantity=quantity)


def _fill_cart(till: TerminalTill) -> None:
    _add(till, "Caffe Latte", options=("Large", "Less sugar"))
    _add(till, "Croissant", 2)
    _add(till, "Nasi Goreng")
    _add(till, "Teh Tarik", 2)
    line = till.cart().lines[2]
    till.set_line_note(line.line_id, "no chili, extra egg")


def tour(folder: Path) -> list[Path]:
    """Write every screen's PNG into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    application()
    keyring.set_keyring(_TourKeyring())
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server_dir = Path(scratch) / "server"
        server_dir.mkdir()
        server = _start_demo_server(server_dir, port)
        till = TerminalTill.open(Path(scratch) / "till")  # slips print to a file there
        language = Language()
        window = MainWindow(till, language=language, status_poll_ms=500)
        window.resize(*SIZE)
        window.show()

        def shot(name: str, prepare: Callable[[], None] | None = None) -> None:
            if prepare is not None:
                prepare()
            _settle(window)
            path = folder / f"cashier-{name}.png"
            window.grab().save(str(path))
            written.append(path)

        def in_both_languages(name: str, prepare: Callable[[], None]) -> None:
            for code in ("en", "id"):
                window.switch_language(code)
                shot(f"{name}-{code}", prepare)
            window.switch_language("en")

        try:
            window.pairing.server_edit.setText(base_url)  # what the owner types on a new till
            shot("pairing")
            till.pair(base_url, demo_pairing_code(base_url, screen_code="t1"), lambda *_: None)
            window.rebuild()
            _wait(window, lambda: window.sync_status.online)
            shot("login")
            cashier = till.login(MANAGER_PIN)
            till.open_shift(500_000)
            window._after_login(cashier)

            _add(till, "Kopi Susu", 2)
            _add(till, "Pisang Goreng")
            till.park("Table 4")
            _fill_cart(till)
            categories = [c.id for c in till.categories()]
            rice = next(c.id for c in till.categories() if "&" in c.name)

            def sell(tab: int = 0) -> None:
                window.show_screen(window.sell)
                _settle(window)  # the tabs come with the catalog, loaded in the background
                window.sell.tabs.setCurrentIndex(tab)

            in_both_languages("sell", sell)
            shot("sell-rice-noodles", lambda: sell(categories.index(rice) + 1))

            in_both_languages("payment", lambda: window.show_screen(window.payment))

            def paid_in_cash() -> None:
                window.show_screen(window.payment)
                _settle(window)
                quote = window.payment._quote
                assert quote is not None
                window.payment.pay_quick(quote.quick_tenders_minor[-1])  # a big note, one tap
                _wait(window, window.change_overlay.isVisible)

            shot("change", paid_in_cash)
            window.change_overlay.dismiss()
            first_sale = window.sell._last_sale
            assert first_sale is not None
            window.switch_language("id")
            _add(till, "Kopi Susu", 3)
            shot("change-id", paid_in_cash)
            window.change_overlay.dismiss()
            window.switch_language("en")
            window.sell.sale_done(first_sale)  # the banner of the first sale, for the next shot
            shot("sell-after-sale")
            last_sale = window.sell._last_sale
            assert last_sale is not None
            shot("receipt-preview", lambda: window.show_receipt(last_sale.order_id))

            refunded = _sell(till, [("Mie Goreng", 2), ("Lemon Tea", 1)])
            voided = _sell(till, [("Brownie", 1)])
            detail = till.order_detail(refunded)
            till.refund(refunded, {detail.lines[0].line_id: 1}, "Too spicy", MANAGER_PIN)
            till.void(voided, "Rang up twice", MANAGER_PIN)
            with till.terminal.uow() as uow:  # the slips as this paired demo till prints them
                written += write_slip_previews(
                    uow.session, folder, sale_id=last_sale.order_id, refunded_id=refunded
                )

            def orders() -> None:
                window.show_screen(window.orders)
                _settle(window)
                window.orders.open_order(refunded)

            in_both_languages("orders", orders)
            in_both_languages("shift-close", lambda: window.show_screen(window.shift_close))
            shot("status", lambda: window.show_screen(window.status))
            shot("settings", lambda: window.show_screen(window.settings))

            server.terminate()  # the link goes down: the offline banner shows at both sizes
            server.wait(timeout=20)
            _fill_cart(till)
            window.show_screen(window.sell)
            _wait(window, window.offline_banner.isVisible)
            for width, height in (SIZE, SMALL):
                window.resize(width, height)
                shot(f"offline-sell-{width}x{height}", lambda: window.show_screen(window.sell))
                shot(
                    f"offline-payment-{width}x{height}", lambda: window.show_screen(window.payment)
                )
        finally:
            window.shutdown()
            window.close()
            till.close()
            if server.poll() is None:
                server.kill()
                server.wait(timeout=20)
    return written


def _sell(till: TerminalTill, items: list[tuple[str, int]]) -> str:
    """Ring up products of the demo menu and pay exact cash; returns the order id."""
    for name, quantity in items:
        _add(till, name, quantity)
    sale = till.checkout([Tender("cash", till.quote().cash_due_minor)])
    return sale.order_id


def main(argv: list[str] | None = None) -> int:
    """Entry point: the folder to write into (default docs/screenshots)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path("docs/screenshots")
    for path in tour(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
