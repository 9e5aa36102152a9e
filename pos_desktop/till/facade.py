"""`TerminalTill`: the screens' `Till` over the terminal core (services, sync engine, print queue).

Plain Python, no Qt: every method opens its own unit of work and maps rows to the plain
views of `ports`. Rules stay in the services (payment quote, denominations, cart lines,
approvals); held orders are the one piece still kept here, in `ui.held`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from pos_desktop.ids import new_id, utcnow
from pos_desktop.printing.connection import PrinterUrlError, parse_printer_url
from pos_desktop.printing.document import PrintDocument, shift_report_document
from pos_desktop.printing.from_store import (
    receipt_data_for_order,
    refund_slip_data,
    shift_report_data,
    till_labels,
)
from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue, QueuedJob
from pos_desktop.printing.service import PrintService
from pos_desktop.printing.settings import (
    PrinterSettings,
    load_printer_settings,
    save_printer_settings,
)
from pos_desktop.services import auth, customers, refunds, shifts
from pos_desktop.services.approvals import approve_by_pin
from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import Tender, checkout
from pos_desktop.services.denominations import denominations_for
from pos_desktop.services.errors import ApprovalRequired, ServiceError
from pos_desktop.services.identity import change_server_url
from pos_desktop.services.kitchen_offline import enqueue_kitchen_tickets
from pos_desktop.services.payment_quote import quote_payment
from pos_desktop.store.models import Order, Product, Refund, Shift, SyncQueueItem
from pos_desktop.store.settings import SettingKey, get_mapping, get_setting, put_setting
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.sync.engine import SyncState as SyncEngineState
from pos_desktop.sync.images import fetch_missing_images, image_file
from pos_desktop.terminal import Terminal
from pos_desktop.till.held import HeldCart, held_from_json, held_to_json
from pos_desktop.till.views import (
    ApprovalNeeded,
    AttentionItem,
    CartLineView,
    CartView,
    CashierView,
    CategoryView,
    CustomerView,
    DiscountKind,
    ModifierGroupView,
    ModifierOptionView,
    OrderDetail,
    OrderLineRow,
    OrderRow,
    ParkedView,
    PaymentQuote,
    PrintJobView,
    ProductView,
    Progress,
    ReportView,
    SaleResult,
    ShiftView,
    SyncStatus,
    TenantView,
    TenderInput,
    TerminalSettings,
    TillError,
)
from shared.pricing import DiscountKind as EngineDiscountKind
from shared.protocol import TenantSettingsV1
from shared.tax import tax_label

T = TypeVar("T")
log = logging.getLogger(__name__)

_UNREAD = object()
"""Marks a value the till has not read from disk yet."""


def _refuse(error: ServiceError) -> TillError:
    """A service refusal as the screens know it."""
    if isinstance(error, ApprovalRequired):
        return ApprovalNeeded(error.message)
    return TillError(error.message, code=error.code)


class TerminalTill:
    """The `Till` of one terminal data folder. Thread-safe: the cart is guarded by a lock."""

    def __init__(
        self,
        terminal: Terminal,
        *,
        start_sync: bool = True,
        start_printing: bool = True,
    ) -> None:
        self.terminal = terminal
        # Guards in-memory state only (cart, held carts, snapshot, tenant); the UI thread takes
        # it, so no disk read or write happens while it is held.
        self._lock = threading.RLock()
        self._held_write_lock = threading.Lock()
        """Orders writes of the held carts, so the last write carries the newest list."""
        self._paying: CartSession | None = None
        self._cashier: SignedIn | None = None
        self._snapshot: CatalogSnapshot | None = None
        self._cart: CartSession | None = None
        self._held: list[HeldCart] = []
        self._held_loaded = False
        self._by_code: dict[str, str] = {}
        self._tenant_view: TenantView | None = None
        self._report_documents: dict[str, PrintDocument] = {}
        self._paired = False
        self._shift: ShiftView | object | None = _UNREAD
        self._settings: TerminalSettings | None = None
        self._printing: PrintService | None = None
        """Report documents by their preview text, so "print" prints exactly what was shown."""
        self._engine: SyncEngine | None = None
        self._start_sync = start_sync
        self.print_queue = PrintQueue(SqlJobStore(terminal.database.session_factory))
        if start_printing:
            self.print_queue.start()
        self._start_engine()

    @classmethod
    def open(cls, data_dir: Path, **options: Any) -> TerminalTill:
        """The till over a data folder (migrated on open)."""
        return cls(Terminal(data_dir), **options)

    def close(self) -> None:
        """Stop the workers; unsent sales and prints stay stored for the next start."""
        if self._engine is not None:
            self._engine.stop()
        self.print_queue.stop()
        self.terminal.close()

    def _start_engine(self) -> None:
        identity = self.terminal.identity()
        if identity is None or not identity.paired or self._engine is not None:
            return
        self._engine = self.terminal.sync_engine()
        if self._start_sync:
            self._engine.start()

    @property
    def engine(self) -> SyncEngine | None:
        """The sync engine once paired (tests drive passes on it)."""
        return self._engine

    # --- terminal and sign-in -------------------------------------------------------------

    def is_paired(self) -> bool:
        # Polled from the UI thread: once true it stays true, so read the disk until then only.
        if not self._paired:
            self._paired = self.terminal.identity() is not None and self.terminal.has_catalog()
        return self._paired

    def pair(self, server_url: str, code: str, progress: Progress) -> None:
        progress(0, 0)
        try:
            self.terminal.pair(server_url, code, device_name="cashier app")
        except ServiceError as error:
            raise _refuse(error) from error
        self._start_engine()
        assert self._engine is not None
        engine = self._engine

        def listener(state: SyncEngineState) -> None:
            progress(state.catalog_version, 0)

        engine.add_listener(listener)
        try:
            engine.pull_catalog()
        finally:
            engine.remove_listener(listener)  # the pairing screen goes away after this
        self._snapshot = None
        progress(1, 1)

    def use_demo(self) -> None:
        """Sell offline with the built-in demo café (no server needed)."""
        self.terminal.ensure_demo_catalog()
        self._snapshot = None

    def _tenant_settings(self) -> TenantSettingsV1:
        with self.terminal.uow() as uow:
            return TenantSettingsV1.model_validate(get_setting(uow.session, SettingKey.TENANT))

    def tenant(self) -> TenantView:
        """Kept in memory until the catalog changes: screens ask for it on the UI thread."""
        if self._tenant_view is None:
            self._tenant_view = self._read_tenant()
        return self._tenant_view

    def _read_tenant(self) -> TenantView:
        with self.terminal.uow() as uow:
            tenant = TenantSettingsV1.model_validate(get_setting(uow.session, SettingKey.TENANT))
            outlet = get_mapping(uow.session, SettingKey.OUTLET)
        identity = self.terminal.identity()
        return TenantView(
            name=tenant.name,
            outlet_name=str(outlet.get("name", "")),
            terminal_name=identity.terminal_code if identity else "",
            currency=tenant.currency,
            locale=tenant.locale,
            cash_rounding_step_minor=tenant.cash_rounding_step_minor,
            denominations_minor=denominations_for(tenant.currency),
            time_zone=tenant.time_zone,
        )

    def _call(self, service: Callable[..., T], **arguments: Any) -> T:
        """One service use case in its own unit of work; a refusal becomes a TillError."""
        with self.terminal.uow() as uow:
            try:
                return service(uow, **arguments)
            except ServiceError as error:
                raise _refuse(error) from error

    def login(self, pin: str) -> CashierView:
        person = self._call(auth.sign_in_by_pin, pin=pin)
        self._shift = self._read_shift()  # another terminal session may have closed it
        snapshot = self.snapshot()  # disk first, then swap in memory
        with self._lock:
            self._cashier = person
            if self._cart is None or not self._cart.lines:
                self._cart = CartSession(snapshot=snapshot, cashier=person)
            self._ensure_cart()
        self._load_held()
        return CashierView(person.cashier_id, person.name, person.role)

    def _approval(self, pin: str, action: str, reason: str = "") -> ManagerApproval:
        """A manager's PIN turned into a recorded approval for one action."""
        return self._call(approve_by_pin, pin=pin, action=action, reason=reason)

    def verify_manager(self, pin: str) -> CashierView:
        approval = self._approval(pin, "sync_attention")  # checked, not stored on an order
        return CashierView(approval.manager_id, "", "manager")

    def unsynced_warning(self) -> str | None:
        return self._call(shifts.unsynced_warning)

    def logout(self) -> None:
        with self._lock:
            self._cashier = None

    def _signed_in(self) -> SignedIn:
        if self._cashier is None:
            raise TillError("Sign in first.", code="signed_out")
        return self._cashier

    # --- shift ----------------------------------------------------------------------------

    def current_shift(self) -> ShiftView | None:
        """The open shift as last read (sign-in, open, close); navigation asks on the UI thread."""
        if self._shift is _UNREAD:
            self._shift = self._read_shift()
        return self._shift  # type: ignore[return-value]

    def _read_shift(self) -> ShiftView | None:
        with self.terminal.uow() as uow:
            shift = shifts.open_shift_row(uow.session)
            if shift is None:
                return None
            return ShiftView(shift.id, shift.cashier_id, shift.opened_at, shift.opening_float_minor)

    def open_shift(self, opening_float_minor: int) -> ShiftView:
        self._call(
            shifts.open_shift, cashier=self._signed_in(), opening_float_minor=opening_float_minor
        )
        self._nudge()
        shift = self._shift = self._read_shift()
        assert shift is not None
        return shift

    def expected_cash(self) -> int:
        return self._report_figures().expected_cash_minor

    def move_cash(self, direction: str, amount_minor: int, reason: str, manager_pin: str) -> None:
        """A cash in (pay-in) or cash out (pay-out) of the open shift, approved by PIN."""
        approval = self._approval(manager_pin, shifts.CASH_MOVEMENT_ACTION, reason)
        self._call(
            shifts.move_cash,
            cashier=self._signed_in(),
            direction=direction,
            amount_minor=amount_minor,
            reason=reason,
            approval=approval,
        )
        self._nudge()

    def _report_figures(self) -> shifts.ShiftReport:
        return self._call(shifts.x_report)

    def x_report(self) -> ReportView:
        return self._report_view("X", self._report_figures(), None)

    def close_shift(self, counted: dict[int, int], confirm_unsynced: bool = False) -> ReportView:
        report = self._call(
            shifts.close_shift,
            cashier=self._signed_in(),
            counted=counted,
            confirm_unsynced=confirm_unsynced,
        )
        self._shift = None
        self._nudge()
        counted_minor = sum(value * count for value, count in counted.items())
        return self._report_view("Z", report, counted_minor)

    def _report_view(
        self, kind: str, report: shifts.ShiftReport, counted: int | None
    ) -> ReportView:
        figures = report.figures
        with self.terminal.uow() as uow:
            data = shift_report_data(
                uow.session,
                shift_id=report.shift_id,
                figures=figures,
                printed_at=utcnow(),
            )
        document = shift_report_document(data)
        text = self._print_service().text(document)
        self._report_documents[text] = document
        while len(self._report_documents) > 20:  # a shift shows a handful; keep memory flat
            del self._report_documents[next(iter(self._report_documents))]
        return ReportView(
            kind="Z" if kind == "Z" else "X",
            order_count=figures.order_count,
            gross_sales_minor=figures.gross_sales_minor,
            discount_minor=figures.discount_minor,
            tax_minor=figures.tax_minor,
            net_sales_minor=figures.net_sales_minor,
            refunds_minor=figures.refunds_minor,
            payments_by_method={str(k): v for k, v in figures.payments_by_method.items()},
            expected_cash_minor=report.expected_cash_minor,
            counted_cash_minor=counted,
            text=text,
        )

    def print_report(self, report: ReportView) -> None:
        document = self._report_documents.get(report.text)
        if document is None:
            raise TillError("Show the report again before printing it.", code="no_report")
        self._print_service().print_document(document)

    # --- catalog --------------------------------------------------------------------------

    def snapshot(self) -> CatalogSnapshot:
        """The catalog as priced now, reloaded when a catalog pull moved the version."""
        with self.terminal.uow() as uow:
            version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
        current = self._snapshot
        if current is not None and current.catalog_version == version:
            return current
        # Load and index outside the lock: a tile tap on the UI thread must not wait for it.
        with self.terminal.uow() as uow:
            try:
                loaded = CatalogSnapshot.load(uow.session)
            except ServiceError as error:
                raise _refuse(error) from error
        by_code = {
            code: product.id
            for product in loaded.products.values()
            if product.is_active
            for code in (product.barcode, product.sku)
            if code
        }
        tenant = self._read_tenant()  # the pull may have changed it; replaced, never cleared
        with self._lock:
            current = self._snapshot
            if current is not None and current.catalog_version > loaded.catalog_version:
                return current  # another thread swapped in a newer catalog meanwhile
            self._snapshot, self._by_code, self._tenant_view = loaded, by_code, tenant
            return loaded

    def _loaded(self) -> CatalogSnapshot:
        """The snapshot in memory, read from disk only the first time (cart and scanner path)."""
        return self._snapshot if self._snapshot is not None else self.snapshot()

    def categories(self) -> Sequence[CategoryView]:
        ordered = sorted(self.snapshot().categories.values(), key=lambda c: (c.sort_order, c.name))
        return [CategoryView(c.id, c.name) for c in ordered]

    def products(self) -> Sequence[ProductView]:
        """Active products by name; pictures not on disk yet are fetched first (off the UI
        thread: the sell screen loads the catalog in the background)."""
        ordered = [
            p
            for p in sorted(self.snapshot().products.values(), key=lambda p: p.name.casefold())
            if p.is_active
        ]
        data_dir = self.terminal.data_dir
        identity = self.terminal.identity()
        if identity is not None and identity.server_url:
            fetch_missing_images(data_dir, identity.server_url, (p.image_url for p in ordered))
        return [_product_view(p, self._image_path(p.image_url)) for p in ordered]

    def _image_path(self, image_url: str) -> str:
        """The product picture's file on this terminal, "" when there is none (yet)."""
        if not image_url:
            return ""
        path = image_file(self.terminal.data_dir, image_url)
        return str(path) if path.exists() else ""

    def modifier_groups(self, product_id: str) -> Sequence[ModifierGroupView]:
        snapshot = self._loaded()
        product = snapshot.products.get(product_id)
        if product is None:
            return []
        groups = []
        for group_id in product.modifier_group_ids:
            group = snapshot.modifier_groups.get(group_id)
            if group is None:
                continue
            options = tuple(
                ModifierOptionView(o.id, o.name, o.price_delta_minor, o.is_default)
                for o in snapshot.modifier_options.values()
                if o.group_id == group_id
            )
            groups.append(
                ModifierGroupView(group.id, group.name, group.min_select, group.max_select, options)
            )
        return groups

    def product_by_barcode(self, barcode: str) -> ProductView | None:
        snapshot = self._loaded()
        product_id = self._by_code.get(barcode.strip())
        if product_id is None:
            return None
        product = snapshot.products[product_id]
        return _product_view(product, self._image_path(product.image_url))

    # --- cart -----------------------------------------------------------------------------

    def _new_cart(self, *, newest: bool = True) -> CartSession:
        """A fresh cart; `newest` checks the disk for a newer catalog (worker-thread callers)."""
        snapshot = self.snapshot() if newest else self._loaded()
        return CartSession(snapshot=snapshot, cashier=self._signed_in())

    def _ensure_cart(self) -> CartSession:
        """The cart on screen; no disk access under the lock, so a tap never waits on the worker."""
        with self._lock:
            cashier = self._signed_in()
            if self._cart is not None:
                if self._cart.cashier != cashier:
                    self._cart.cashier = cashier
                return self._cart
        snapshot = self._loaded()  # reads the disk only before the first snapshot
        with self._lock:
            if self._cart is None:
                self._cart = CartSession(snapshot=snapshot, cashier=self._signed_in())
            return self._cart

    def _cart_change(self, change: Any) -> CartView:
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if cart is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            try:
                change(cart)
            except ServiceError as error:
                raise _refuse(error) from error
            return self._cart_view(cart)

    def _cart_view(self, cart: CartSession) -> CartView:
        # Priced as for cash, so the sell screen shows the rounding line the Pay button
        # and the payment screen's total include; lines and totals are the same either way.
        priced = cart.priced(cash_rounding=True)
        snapshot = cart.snapshot
        lines = []
        for draft in cart.lines:
            product = snapshot.products[draft.product_id]
            priced_line = priced.line(draft.line_id)
            lines.append(
                CartLineView(
                    line_id=draft.line_id,
                    product_id=draft.product_id,
                    name=product.name,
                    quantity=draft.quantity,
                    unit_price_minor=priced_line.unit_price_minor,
                    total_minor=priced_line.total_minor,
                    # Group defaults (Regular, Normal sugar) go unsaid, as on the receipt.
                    modifiers=tuple(
                        snapshot.modifier_options[o].name
                        for o in draft.modifier_option_ids
                        if not snapshot.modifier_options[o].is_default
                    ),
                    note=draft.note,
                    discount_minor=priced_line.discount_minor,
                    adjustments=tuple((d.name, d.amount_minor) for d in priced_line.discounts),
                    net_minor=priced_line.net_minor,
                )
            )
        discount = cart.order_discount
        return CartView(
            lines=tuple(lines),
            subtotal_minor=priced.subtotal_minor,
            discount_minor=priced.discount_minor,
            service_charge_minor=priced.service_charge_minor,
            tax_minor=priced.tax_minor,
            tax_included=priced.tax_added_minor == 0 and priced.tax_included_minor > 0,
            total_minor=priced.total_minor,
            customer_name=cart.customer_name,
            order_discount_label=f"{discount.kind.value} {discount.value}" if discount else "",
            cash_rounding_minor=priced.cash_rounding_minor,
            tax_names=tuple(
                tax_label(tax.name, tax.rate_bp) for tax in priced.tax_by_rate if tax.amount_minor
            ),
        )

    def cart(self) -> CartView:
        if self._cashier is None:
            return CartView()
        self._ensure_cart()
        with self._lock:
            if self._cashier is None:
                return CartView()
            return self._cart_view(self._ensure_cart())

    def add_to_cart(
        self, product_id: str, option_ids: Sequence[str] = (), quantity: int = 1
    ) -> CartView:
        return self._cart_change(
            lambda cart: cart.add_or_merge(product_id, option_ids=option_ids, quantity=quantity)
        )

    def set_quantity(self, line_id: str, quantity: int) -> CartView:
        return self._cart_change(lambda cart: cart.set_quantity(line_id, quantity))

    def set_line_note(self, line_id: str, note: str) -> CartView:
        return self._cart_change(lambda cart: cart.set_line_note(line_id, note))

    def discount_line(
        self, line_id: str, kind: DiscountKind, value: int, manager_pin: str | None = None
    ) -> CartView:
        approval = self._approval(manager_pin, "line_discount") if manager_pin else None
        return self._cart_change(
            lambda cart: cart.set_line_discount(
                line_id, kind=EngineDiscountKind(kind), value=value, approval=approval
            )
        )

    def discount_order(
        self, kind: DiscountKind, value: int, manager_pin: str | None = None
    ) -> CartView:
        approval = self._approval(manager_pin, "order_discount") if manager_pin else None
        return self._cart_change(
            lambda cart: cart.set_order_discount(
                kind=EngineDiscountKind(kind), value=value, approval=approval
            )
        )

    def find_customers(self, text: str) -> Sequence[CustomerView]:
        with self.terminal.uow() as uow:
            found = customers.find_customers(uow, query=text)
        return [CustomerView(c.customer_id, c.name, c.phone) for c in found]

    def create_customer(self, name: str, phone: str, email: str = "") -> CustomerView:
        made = self._call(customers.create_customer, name=name, phone=phone, email=email)
        return CustomerView(made.customer_id, made.name, made.phone)

    def attach_customer(self, customer_id: str | None) -> CartView:
        name = group = ""
        if customer_id:
            with self.terminal.uow() as uow:
                from pos_desktop.store.models import Customer

                row = uow.session.get(Customer, customer_id)
                if row is None:
                    raise TillError("No such customer.", code="no_customer")
                name, group = row.name, row.customer_group
        # The group unlocks member promotions, so the live total shows what checkout charges.
        return self._cart_change(lambda cart: cart.attach_customer(customer_id, name, group))

    def clear_cart(self) -> CartView:
        return self._cart_change(lambda cart: cart.clear())

    def park(self, label: str) -> CartView:
        next_cart = self._new_cart()  # may read a newer catalog: before taking the lock
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if not cart.lines:
                raise TillError("The cart is empty.", code="empty_cart")
            if cart is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            self._held.append(HeldCart(new_id(), label, cart, utcnow()))
            self._cart = next_cart
            view = self._cart_view(next_cart)
        self._save_held()
        return view

    def parked(self) -> Sequence[ParkedView]:
        with self._lock:
            return [
                ParkedView(
                    held.id,
                    held.label,
                    sum(line.quantity for line in held.cart.lines),
                    held.cart.priced().total_minor,
                    held.at,
                    _items_text(held.cart),
                )
                for held in self._held
            ]

    def recall(self, parked_id: str) -> CartView:
        self._ensure_cart()
        with self._lock:
            held = next((h for h in self._held if h.id == parked_id), None)
            if held is None:
                raise TillError("That held order is gone.", code="no_held_order")
            current = self._ensure_cart()
            if current is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            if current.lines:
                self._held.append(
                    HeldCart(new_id(), current.customer_name or "Held order", current, utcnow())
                )
            self._held.remove(held)
            held.cart.cashier = self._signed_in()
            self._cart = held.cart
            view = self._cart_view(held.cart)
        self._save_held()
        return view

    def _save_held(self) -> None:
        """Keep held carts on disk, so a restart or a crash does not lose them.

        The list is copied under the lock and written after it is released; the write lock
        makes a later save (with a newer copy) land after an earlier one.
        """
        with self._held_write_lock:
            with self._lock:
                rows = [held_to_json(held) for held in self._held]
            with self.terminal.uow() as uow:
                put_setting(uow.session, SettingKey.HELD_ORDERS, rows)
                uow.commit()

    def _load_held(self) -> None:
        """Held carts from the last run, once, on today's catalog."""
        if self._held_loaded:
            return
        with self.terminal.uow() as uow:
            stored = get_setting(uow.session, SettingKey.HELD_ORDERS) or []
        snapshot, cashier = self.snapshot(), self._signed_in()
        loaded = [held_from_json(data, snapshot, cashier) for data in stored]
        with self._lock:
            if self._held_loaded:
                return
            self._held = [held for held in loaded if held is not None] + self._held
            self._held_loaded = True

    # --- payment --------------------------------------------------------------------------

    def quote(self, tenders: Sequence[TenderInput] = ()) -> PaymentQuote:
        """Mirrors checkout: all-cash payments are rounded to the tenant's step, mixed are not."""
        denominations = self.tenant().denominations_minor
        with self._lock:
            return quote_payment(self._ensure_cart(), tenders, denominations)

    def checkout(self, tenders: Sequence[TenderInput]) -> SaleResult:
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if self._paying is not None:
                raise TillError("This sale is being paid.", code="paying")
            # The durable write runs without the lock; changes to this cart wait it out.
            self._paying = cart
        try:
            with self.terminal.uow() as uow:
                try:
                    result = checkout(
                        uow,
                        cart=cart,
                        tenders=[Tender(t.method, t.amount_minor, t.reference) for t in tenders],
                        cashier=self._signed_in(),
                        # Unknown (not probed yet) counts as down: a ticket printed twice
                        # is marked "already printed"; a ticket never printed is a lost meal.
                        cloud_unreachable=self._engine is None
                        or self._engine.state.online is not True,
                    )
                except ServiceError as error:
                    raise _refuse(error) from error
        finally:
            with self._lock:
                self._paying = None
        next_cart = self._new_cart()  # the next sale starts on the newest catalog
        with self._lock:
            if self._cart is cart:
                self._cart = next_cart
        self._nudge()
        printing = self._print_service()
        receipt = self._receipt(result.order_id, copy=False)
        printed = printing.print_document(receipt, order_id=result.order_id)
        opened = receipt.open_drawer and printed is not None
        if result.kitchen_printed_offline:  # queued, never awaited: the sale is done
            enqueue_kitchen_tickets(self.terminal.uow, self.print_queue, result.order_id)
        paid = sum(t.amount_minor for t in tenders)
        return SaleResult(
            order_id=result.order_id,
            receipt_number=result.receipt_number,
            total_minor=result.total_minor,
            paid_minor=paid,
            change_minor=result.change_minor,
            receipt_text=printing.text(receipt),
            opened_drawer=opened,
        )

    # --- receipts and printing ------------------------------------------------------------

    def _print_service(self) -> PrintService:
        """Every slip of this till prints through the printing package's service, with the
        stored printer settings (receipt printer, kitchen printers, code page, drawer)."""
        if self._printing is None:
            self._printing = PrintService(self.print_queue, self._printer_settings())
        return self._printing

    def _default_printer(self) -> str:
        return f"file:{self.terminal.data_dir / 'receipts.bin'}"

    def _printer_settings(self) -> PrinterSettings:
        """The stored printer settings; a till that never chose a receipt printer prints to a
        file in its data folder (a printer saved by an earlier version is taken over)."""
        with self.terminal.uow() as uow:
            stored = load_printer_settings(uow.session)
            earlier = get_mapping(uow.session, SettingKey.UI_SETTINGS)
        if stored.receipt_printer:
            return stored
        width = stored.receipt_width_mm
        if "receipt_width" in earlier:
            width = 58 if int(earlier["receipt_width"]) <= 32 else 80
        printer = str(earlier.get("printer") or self._default_printer())
        return replace(stored, receipt_printer=printer, receipt_width_mm=width)

    def _receipt(self, order_id: str, *, copy: bool) -> PrintDocument:
        """The receipt of a stored order as it prints here, in the till's language."""
        with self.terminal.uow() as uow:
            order = uow.session.get(Order, order_id)
            if order is None:
                raise TillError("No such order on this terminal.", code="no_order")
            data = receipt_data_for_order(uow.session, order)
        return self._print_service().receipt(data, copy=copy)

    def _print_refund_slip(self, refund_id: str) -> None:
        """The slip of a refund or void just recorded; a printer problem is logged, never
        raised: the money is already given back and on disk."""
        try:
            with self.terminal.uow() as uow:
                refund = uow.session.get(Refund, refund_id)
                data = refund_slip_data(uow.session, refund) if refund is not None else None
            if data is not None:
                self._print_service().print_refund_slip(data)
        except Exception:
            log.exception("the slip of refund %s could not be queued", refund_id)

    def reprint_refunds(self, order_id: str) -> int:
        """The refund and void slips of an order again, marked COPY; how many were queued."""
        with self.terminal.uow() as uow:
            order = uow.session.get(Order, order_id)
            if order is None:
                raise TillError("No such order on this terminal.", code="no_order")
            slips = [
                refund_slip_data(uow.session, refund)
                for refund in sorted(order.refunds, key=lambda r: r.created_at)
            ]
        if not slips:
            raise TillError("Nothing was refunded or voided on this order.", code="no_refund")
        printing = self._print_service()
        jobs = [printing.print_refund_slip(slip, copy=True) for slip in slips]
        if any(job is None for job in jobs):
            raise TillError("Choose a receipt printer first.", code="no_printer")
        return len(jobs)

    # --- orders of the shift --------------------------------------------------------------

    def _shift_for_orders(self, session: Any) -> str | None:
        shift = shifts.open_shift_row(session)
        if shift is not None:
            return shift.id
        latest = session.scalar(select(Shift).order_by(Shift.opened_at.desc()).limit(1))
        return latest.id if latest else None

    def orders(self, search: str = "") -> Sequence[OrderRow]:
        with self.terminal.uow() as uow:
            shift_id = self._shift_for_orders(uow.session)
            if shift_id is None:
                return []
            query = select(Order).where(Order.shift_id == shift_id)
            if search.strip():
                query = query.where(Order.receipt_number.ilike(f"%{search.strip()}%"))
            rows = uow.session.scalars(query.order_by(Order.created_at.desc())).all()
            return [_order_row(order) for order in rows]

    def order_detail(self, order_id: str) -> OrderDetail:
        receipt = self._receipt(order_id, copy=False)
        with self.terminal.uow() as uow:
            order = uow.session.get(Order, order_id)
            assert order is not None
            refunded = refunds.refunded_quantities(order)
            lines = tuple(
                OrderLineRow(
                    line.id,
                    line.name,
                    line.quantity,
                    line.total_minor,
                    0 if order.status == "voided" else line.quantity - refunded.get(line.id, 0),
                    line.quantity if order.status == "voided" else refunded.get(line.id, 0),
                )
                for line in order.lines
            )
            row = _order_row(order)
            shift = shifts.open_shift_row(uow.session)
            # The void service's conditions: paid in the open shift, nothing given back yet.
            can_void = (
                order.status == "paid"
                and not order.refunded_minor
                and shift is not None
                and order.shift_id == shift.id
            )
        return OrderDetail(row, lines, self._print_service().text(receipt), can_void)

    def reprint(self, order_id: str) -> None:
        """The receipt again, marked COPY; a refunded or voided order's slips follow it."""
        receipt = self._receipt(order_id, copy=True)
        self._print_service().print_document(receipt, order_id=order_id)
        with self.terminal.uow() as uow:
            order = uow.session.get(Order, order_id)
            refunded = order is not None and bool(order.refunds)
        if refunded:
            self.reprint_refunds(order_id)

    def void(self, order_id: str, reason: str, manager_pin: str) -> None:
        approval = self._approval(manager_pin, "void", reason)
        voided = self._call(
            refunds.void_order,
            order_id=order_id,
            cashier=self._signed_in(),
            approval=approval,
            reason=reason,
        )
        self._nudge()
        self._print_refund_slip(voided.refund_id)

    def refund(
        self, order_id: str, quantities: dict[str, int], reason: str, manager_pin: str
    ) -> int:
        approval = self._approval(manager_pin, "refund", reason)
        result = self._call(
            refunds.refund_order,
            order_id=order_id,
            cashier=self._signed_in(),
            approval=approval,
            reason=reason,
            quantities=quantities,
        )
        self._nudge()
        self._print_refund_slip(result.refund_id)
        return result.amount_minor

    # --- sync and settings ----------------------------------------------------------------

    def _nudge(self) -> None:
        if self._engine is not None:
            self._engine.nudge()

    def sync_status(self) -> SyncStatus:
        with self.terminal.uow() as uow:
            queue = uow.outbox.counts()
            catalog_version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
            flagged = uow.session.scalars(
                select(SyncQueueItem)
                .where(SyncQueueItem.status == "needs_attention")
                .order_by(SyncQueueItem.id)
            ).all()
            attention = tuple(
                AttentionItem(
                    id=item.id,
                    kind=item.kind,
                    entity_id=item.entity_id,
                    label=_attention_label(uow.session, item),
                    attempts=item.attempts,
                    last_error=(item.last_error or "")[:300],
                )
                for item in flagged
            )
        state = self._engine.state if self._engine is not None else None
        return SyncStatus(
            online=bool(state and state.online),
            authorized=state.device_authorized if state else True,
            pending=queue.pending + queue.needs_attention,
            attention=attention,
            last_error=(state.last_error or "") if state else "",
            catalog_version=catalog_version,
        )

    def retry(self, item_id: int) -> None:
        with self.terminal.uow() as uow:
            uow.outbox.retry_needing_attention([item_id])
            uow.commit()
        self._nudge()

    def export(self, item_id: int) -> str:
        folder = self.terminal.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"needs-attention-{utcnow():%Y%m%dT%H%M%S}.json"
        with self.terminal.uow() as uow:
            uow.outbox.export_needing_attention(path)
        return str(path)

    def settings(self) -> TerminalSettings:
        """Kept in memory once read; the settings screen and every print ask for it."""
        if self._settings is None:
            self._settings = self._read_settings()
        return self._settings

    def _read_settings(self) -> TerminalSettings:
        identity = self.terminal.identity()
        printing = self._printer_settings()
        with self.terminal.uow() as uow:
            saved = get_mapping(uow.session, SettingKey.UI_SETTINGS)
        return TerminalSettings(
            printer=printing.receipt_printer,
            receipt_width=printing.receipt_paper().columns,
            server_url=str(
                saved.get("server_url") or (identity.server_url if identity else "") or ""
            ),
            language=str(saved.get("language", "en")),
            printers=tuple(dict.fromkeys([printing.receipt_printer, self._default_printer()])),
            kitchen_printers=tuple(sorted(printing.kitchen_printers.items())),
            code_page=printing.code_page,
            open_drawer_on_cash=printing.open_drawer_on_cash,
        )

    def save_settings(self, settings: TerminalSettings) -> None:
        self._settings = None
        printing = _printer_settings_of(settings)
        with self.terminal.uow() as uow:
            identity = None
            if settings.server_url.strip():
                try:  # the terminal's identity is the one home of the address (sync reads it)
                    identity = change_server_url(uow.session, settings.server_url)
                except ServiceError as error:
                    raise _refuse(error) from error
            earlier = get_mapping(uow.session, SettingKey.UI_SETTINGS)
            screen = {k: v for k, v in earlier.items() if k not in ("printer", "receipt_width")}
            put_setting(
                uow.session, SettingKey.UI_SETTINGS, {**screen, "language": settings.language}
            )
            kitchen_width_mm = load_printer_settings(uow.session).kitchen_width_mm
            save_printer_settings(uow.session, replace(printing, kitchen_width_mm=kitchen_width_mm))
            uow.commit()
        self._printing = None
        engine, moved_to = self._engine, identity.server_url if identity else None
        if engine is not None and moved_to and moved_to != engine.client.server_url:
            engine.use_server_url(moved_to)

    def take_ready_notices(self) -> Sequence[str]:
        """Receipt numbers of this terminal's orders the kitchen finished since last asked."""
        if self._engine is None:
            return []
        return [order.receipt_number for order in self._engine.take_ready()]

    # --- printers -------------------------------------------------------------------------

    def _service_for(self, printer: str, receipt_width: int) -> PrintService:
        """The print service with the stored settings but the receipt printer and width the
        settings screen has typed (a test print before saving)."""
        try:
            url = parse_printer_url(printer).url if printer.strip() else ""
        except PrinterUrlError as error:
            raise TillError(str(error), code="bad_printer") from error
        if not url:
            raise TillError("Choose a receipt printer first.", code="no_printer")
        # The queue's worker is per target string: keep the one receipts are sent to.
        typed = replace(
            self._print_service().settings,
            receipt_printer=printer.strip(),
            receipt_width_mm=58 if receipt_width <= 32 else 80,
        )
        return PrintService(self.print_queue, typed)

    def test_print(self, printer: str, receipt_width: int) -> PrintJobView:
        """A test page to the printer as typed on the settings screen, saved or not.

        Queued like any slip; a printer that answers again also gets its waiting jobs now.
        """
        service = self._service_for(printer, receipt_width)
        settings = service.settings
        with self.terminal.uow() as uow:
            labels = till_labels(uow.session)
        job = service.print_test_page(settings.receipt_printer, settings.receipt_width_mm, labels)
        self.print_queue.wake(job.target)
        return _print_job_view(job)

    def open_drawer(self, manager_pin: str) -> PrintJobView:
        """Kick the cash drawer on the receipt printer; only a manager's PIN opens it."""
        self._approval(manager_pin, "open_drawer")
        job = self._print_service().open_drawer()
        if job is None:
            raise TillError("Choose a receipt printer first.", code="no_printer")
        self.print_queue.wake(job.target)
        return _print_job_view(job)

    def print_jobs(self, limit: int = 50) -> Sequence[PrintJobView]:
        """The latest print jobs, newest first, with their state and last error."""
        store = SqlJobStore(self.terminal.database.session_factory)
        return [_print_job_view(job) for job in store.recent(limit)]

    def retry_print_job(self, job_id: str) -> PrintJobView:
        """A failed job gets a fresh set of tries; a waiting one is tried now, skipping backoff."""
        job = self.print_queue.get(job_id)
        if job is None:
            raise TillError("That print job is gone.", code="no_print_job")
        if job.status == "printed":
            raise TillError(
                "That slip was printed; reprint a receipt from Orders.", code="already_printed"
            )
        if job.status == "failed":
            job = self.print_queue.retry(job_id) or job
        else:
            self.print_queue.wake(job.target)
        return _print_job_view(job)

    def watch_print_jobs(self, listener: Callable[[PrintJobView], None]) -> None:
        """Call `listener` with every new state of a print job, on the queue's worker threads."""
        self.print_queue.add_listener(lambda job: listener(_print_job_view(job)))


def _product_view(product: Product, image_path: str = "") -> ProductView:
    return ProductView(
        id=product.id,
        name=product.name,
        price_minor=product.price_minor,
        category_id=product.category_id,
        barcode=product.barcode,
        sku=product.sku,
        has_modifiers=bool(product.modifier_group_ids),
        image_path=image_path,
        colour=product.colour,
    )


def _items_text(cart: CartSession) -> str:
    """A held cart's lines as a cashier reads them: `2× Croissant, Caffè latte`."""
    products = cart.snapshot.products
    return ", ".join(
        (f"{line.quantity}× " if line.quantity > 1 else "")
        + (products[line.product_id].name if line.product_id in products else "?")
        for line in cart.lines
    )


def _order_row(order: Order) -> OrderRow:
    status = order.status
    if status == "paid" and (order.refunded_minor or refunds.refunded_quantities(order)):
        status = "partly_refunded"
    return OrderRow(
        order_id=order.id,
        receipt_number=order.receipt_number,
        created_at=order.created_at,
        total_minor=order.total_minor,
        status=status,
        refunded_minor=order.refunded_minor,
        customer_name=order.customer_name,
    )


def _attention_label(session: Any, item: SyncQueueItem) -> str:
    if item.kind == "order":
        order = session.get(Order, item.entity_id)
        if order is not None:
            return f"Order {order.receipt_number}"
    return f"{item.kind.capitalize()} {item.entity_id[:8]}"


def _printer_settings_of(settings: TerminalSettings) -> PrinterSettings:
    """The printing package's settings from the settings screen's; a bad URL is refused."""
    try:
        return PrinterSettings(
            receipt_printer=settings.printer.strip(),
            receipt_width_mm=58 if settings.receipt_width <= 32 else 80,
            kitchen_printers={
                station.strip(): url.strip()
                for station, url in settings.kitchen_printers
                if station.strip() and url.strip()
            },
            code_page=settings.code_page,
            open_drawer_on_cash=settings.open_drawer_on_cash,
        )
    except (PrinterUrlError, ValueError) as error:
        raise TillError(str(error), code="bad_printer") from error


def _print_job_view(job: QueuedJob) -> PrintJobView:
    # The drawer pulse is queued as a "test" job with no document; name it what it is.
    kind = "drawer" if job.kind == "test" and job.document_json == "{}" else job.kind
    return PrintJobView(
        id=job.id,
        kind=kind,
        printer=job.target,
        status=job.status,
        attempts=job.attempts,
        created_at=job.created_at,
        last_error=(job.last_error or "")[:300],
        printed_at=job.printed_at,
        order_id=job.order_id,
    )
