"""`TerminalTill`: the till of one terminal data folder, composed of its desks.

Plain Python, no Qt. Each desk is a small class over the services (sign-in, catalog, cart,
shift, orders, sync, printer); this object only wires them to one context and hands each
screen the methods of its port (`pos_desktop.ui.ports`). Thread-safe: the in-memory cart,
held carts and catalog are guarded by one lock that is never held across a disk write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pos_desktop.printing.queue import PrintQueue
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from pos_desktop.till import views
from pos_desktop.till.cart_desk import CartDesk
from pos_desktop.till.catalog_desk import CatalogDesk
from pos_desktop.till.context import TillContext
from pos_desktop.till.orders_desk import OrdersDesk
from pos_desktop.till.printer_desk import PrinterDesk
from pos_desktop.till.shift_desk import ShiftDesk
from pos_desktop.till.signin_desk import SignInDesk
from pos_desktop.till.sync_desk import SyncDesk
from shared.pricing.tenders import Tender


class TerminalTill:
    """Every port of the cashier screens over one terminal: the desks, wired together."""

    def __init__(
        self,
        terminal: Terminal,
        *,
        start_sync: bool = True,
        start_printing: bool = True,
    ) -> None:
        self.terminal = terminal
        context = TillContext(terminal, start_sync=start_sync, start_printing=start_printing)
        self._context = context
        self.catalog = CatalogDesk(context)
        self.printer = PrinterDesk(context)
        self.signin = SignInDesk(context, self.catalog)
        self.cart_desk = CartDesk(context, self.catalog, self.printer)
        self.shift = ShiftDesk(context, self.printer)
        self.orders_desk = OrdersDesk(context, self.printer)
        self.sync = SyncDesk(context)

    @classmethod
    def open(cls, data_dir: Path, **options: Any) -> TerminalTill:
        """The till over a data folder (migrated on open)."""
        return cls(Terminal(data_dir), **options)

    def close(self) -> None:
        """Stop the workers; unsent sales and prints stay stored for the next start."""
        self._context.close()

    @property
    def engine(self) -> SyncEngine | None:
        """The sync engine once paired (tests drive passes on it)."""
        return self._context.engine

    @property
    def print_queue(self) -> PrintQueue:
        return self._context.print_queue

    @print_queue.setter
    def print_queue(self, queue: PrintQueue) -> None:
        """Swap the queue before anything printed (tests retry in milliseconds)."""
        self._context.print_queue = queue

    @property
    def _lock(self) -> threading.RLock:
        """The one lock over the in-memory state (tests probe that no disk write holds it)."""
        return self._context.lock

    def snapshot(self) -> CatalogSnapshot:
        """The catalog as priced now, reloaded when a catalog pull moved the version."""
        return self.catalog.snapshot()

    # --- terminal and sign-in -------------------------------------------------------------

    def is_paired(self) -> bool:
        return self.signin.is_paired()

    def pair(self, server_url: str, code: str, progress: views.Progress) -> None:
        self.signin.pair(server_url, code, progress)

    def use_demo(self) -> None:
        self.signin.use_demo()

    def tenant(self) -> views.TenantView:
        return self.catalog.tenant()

    def login(self, pin: str) -> views.CashierView:
        person = self.signin.sign_in(pin)
        self.shift.refresh()  # another terminal session may have closed it
        self.cart_desk.sign_in(person)
        return views.CashierView(person.cashier_id, person.name, person.role)

    def verify_manager(self, pin: str) -> views.CashierView:
        return self.signin.verify_manager(pin)

    def logout(self) -> None:
        self.signin.logout()

    def unsynced_warning(self) -> str | None:
        return self.signin.unsynced_warning()

    # --- shift ----------------------------------------------------------------------------

    def current_shift(self) -> views.ShiftView | None:
        return self.shift.current_shift()

    def open_shift(self, opening_float_minor: int) -> views.ShiftView:
        return self.shift.open_shift(opening_float_minor)

    def x_report(self) -> views.ReportView:
        return self.shift.x_report()

    def close_shift(
        self, counted: dict[int, int], confirm_unsynced: bool = False
    ) -> views.ReportView:
        return self.shift.close_shift(counted, confirm_unsynced)

    def expected_cash(self) -> int:
        return self.shift.expected_cash()

    def move_cash(self, direction: str, amount_minor: int, reason: str, manager_pin: str) -> None:
        self.shift.move_cash(direction, amount_minor, reason, manager_pin)

    def print_report(self, report: views.ReportView) -> None:
        self.shift.print_report(report)

    # --- catalog --------------------------------------------------------------------------

    def categories(self) -> Sequence[views.CategoryView]:
        return self.catalog.categories()

    def products(self) -> Sequence[views.ProductView]:
        return self.catalog.products()

    def modifier_groups(self, product_id: str) -> Sequence[views.ModifierGroupView]:
        return self.catalog.modifier_groups(product_id)

    def product_by_barcode(self, barcode: str) -> views.ProductView | None:
        return self.catalog.product_by_barcode(barcode)

    # --- cart and payment -----------------------------------------------------------------

    def cart(self) -> views.CartView:
        return self.cart_desk.cart()

    def add_to_cart(
        self, product_id: str, option_ids: Sequence[str] = (), quantity: int = 1
    ) -> views.CartView:
        return self.cart_desk.add_to_cart(product_id, option_ids, quantity)

    def set_quantity(self, line_id: str, quantity: int) -> views.CartView:
        return self.cart_desk.set_quantity(line_id, quantity)

    def set_line_note(self, line_id: str, note: str) -> views.CartView:
        return self.cart_desk.set_line_note(line_id, note)

    def discount_line(
        self, line_id: str, kind: views.DiscountKind, value: int, manager_pin: str | None = None
    ) -> views.CartView:
        return self.cart_desk.discount_line(line_id, kind, value, manager_pin)

    def discount_order(
        self, kind: views.DiscountKind, value: int, manager_pin: str | None = None
    ) -> views.CartView:
        return self.cart_desk.discount_order(kind, value, manager_pin)

    def find_customers(self, text: str) -> Sequence[views.CustomerView]:
        return self.cart_desk.find_customers(text)

    def create_customer(self, name: str, phone: str, email: str = "") -> views.CustomerView:
        return self.cart_desk.create_customer(name, phone, email)

    def attach_customer(self, customer_id: str | None) -> views.CartView:
        return self.cart_desk.attach_customer(customer_id)

    def clear_cart(self) -> views.CartView:
        return self.cart_desk.clear_cart()

    def park(self, label: str) -> views.CartView:
        return self.cart_desk.park(label)

    def parked(self) -> Sequence[views.ParkedView]:
        return self.cart_desk.parked()

    def recall(self, parked_id: str) -> views.CartView:
        return self.cart_desk.recall(parked_id)

    def quote(self, tenders: Sequence[Tender] = ()) -> views.PaymentQuote:
        return self.cart_desk.quote(tenders)

    def checkout(self, tenders: Sequence[Tender]) -> views.SaleResult:
        return self.cart_desk.checkout(tenders)

    # --- orders of the shift --------------------------------------------------------------

    def orders(self, search: str = "") -> Sequence[views.OrderRow]:
        return self.orders_desk.orders(search)

    def order_detail(self, order_id: str) -> views.OrderDetail:
        return self.orders_desk.order_detail(order_id)

    def reprint(self, order_id: str) -> None:
        self.orders_desk.reprint(order_id)

    def reprint_refunds(self, order_id: str) -> int:
        return self.orders_desk.reprint_refunds(order_id)

    def void(self, order_id: str, reason: str, manager_pin: str) -> None:
        self.orders_desk.void(order_id, reason, manager_pin)

    def refund(
        self, order_id: str, quantities: dict[str, int], reason: str, manager_pin: str
    ) -> int:
        return self.orders_desk.refund(order_id, quantities, reason, manager_pin)

    # --- sync -----------------------------------------------------------------------------

    def sync_status(self) -> views.SyncStatus:
        return self.sync.sync_status()

    def retry(self, item_id: int) -> None:
        self.sync.retry(item_id)

    def export(self, item_id: int) -> str:
        return self.sync.export(item_id)

    def take_ready_notices(self) -> Sequence[str]:
        return self.sync.take_ready_notices()

    # --- settings and printers ------------------------------------------------------------

    def settings(self) -> views.TerminalSettings:
        return self.printer.settings()

    def save_settings(self, settings: views.TerminalSettings) -> None:
        self.printer.save_settings(settings)

    def test_print(self, printer: str, receipt_width: int) -> views.PrintJobView:
        return self.printer.test_print(printer, receipt_width)

    def open_drawer(self, manager_pin: str) -> views.PrintJobView:
        return self.printer.open_drawer(manager_pin)

    def print_jobs(self, limit: int = 50) -> Sequence[views.PrintJobView]:
        return self.printer.print_jobs(limit)

    def retry_print_job(self, job_id: str) -> views.PrintJobView:
        return self.printer.retry_print_job(job_id)

    def watch_print_jobs(self, listener: Callable[[views.PrintJobView], None]) -> None:
        self.printer.watch_print_jobs(listener)
