"""The cart desk: the sale being rung up, held carts, customers on the sale, quote and checkout.

The cart lives in memory under the till's lock, so a tap on the UI thread never waits for
the disk; a cart being paid is locked against changes until its durable write is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services import customers
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.cart import CartSession
from pos_desktop.services.checkout import checkout
from pos_desktop.services.errors import ServiceError
from pos_desktop.services.kitchen_offline import enqueue_kitchen_tickets
from pos_desktop.services.payment_quote import quote_payment
from pos_desktop.till.catalog_desk import CatalogDesk
from pos_desktop.till.context import TillContext, refuse
from pos_desktop.till.held import HeldCart, HeldCarts
from pos_desktop.till.printer_desk import PrinterDesk
from pos_desktop.till.views import (
    CartLineView,
    CartView,
    CustomerView,
    DiscountKind,
    ParkedView,
    PaymentQuote,
    SaleResult,
    TillError,
)
from shared.pricing import DiscountKind as EngineDiscountKind
from shared.pricing.tenders import Tender
from shared.tax import tax_label

log = logging.getLogger(__name__)


class CartDesk:
    """The cart on screen, the held carts, and the payment of the cart."""

    def __init__(self, context: TillContext, catalog: CatalogDesk, printer: PrinterDesk) -> None:
        self._context = context
        self._catalog = catalog
        self._printer = printer
        self._lock = context.lock
        self._cart: CartSession | None = None
        self._paying: CartSession | None = None
        self.held = HeldCarts(context.terminal, context.lock)

    def sign_in(self, person: SignedIn) -> None:
        """The person sells from now on: their cart, and the held carts of the last run."""
        snapshot = self._catalog.snapshot()  # disk first, then swap in memory
        with self._lock:
            self._context.cashier = person
            if self._cart is None or not self._cart.lines:
                self._cart = CartSession(snapshot=snapshot, cashier=person)
            self._ensure_cart()
        self.held.load(self._catalog.snapshot(), self._context.signed_in())

    # --- the cart on screen ---------------------------------------------------------------

    def _new_cart(self) -> CartSession:
        """A fresh cart on the newest catalog (checks the disk: worker-thread callers)."""
        return CartSession(snapshot=self._catalog.snapshot(), cashier=self._context.signed_in())

    def _ensure_cart(self) -> CartSession:
        """The cart on screen; no disk access under the lock, so a tap never waits on the worker."""
        with self._lock:
            cashier = self._context.signed_in()
            if self._cart is not None:
                if self._cart.cashier != cashier:
                    self._cart.cashier = cashier
                return self._cart
        snapshot = self._catalog.loaded()  # reads the disk only before the first snapshot
        with self._lock:
            if self._cart is None:
                self._cart = CartSession(snapshot=snapshot, cashier=self._context.signed_in())
            return self._cart

    def _cart_change(self, change: Callable[[CartSession], object]) -> CartView:
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if cart is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            try:
                change(cart)
            except ServiceError as error:
                raise refuse(error) from error
            return _cart_view(cart)

    def cart(self) -> CartView:
        if self._context.cashier is None:
            return CartView()
        self._ensure_cart()
        with self._lock:
            if self._context.cashier is None:
                return CartView()
            return _cart_view(self._ensure_cart())

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
        approval = self._context.approval(manager_pin, "line_discount") if manager_pin else None
        return self._cart_change(
            lambda cart: cart.set_line_discount(
                line_id, kind=EngineDiscountKind(kind), value=value, approval=approval
            )
        )

    def discount_order(
        self, kind: DiscountKind, value: int, manager_pin: str | None = None
    ) -> CartView:
        approval = self._context.approval(manager_pin, "order_discount") if manager_pin else None
        return self._cart_change(
            lambda cart: cart.set_order_discount(
                kind=EngineDiscountKind(kind), value=value, approval=approval
            )
        )

    def clear_cart(self) -> CartView:
        return self._cart_change(lambda cart: cart.clear())

    # --- customers on the sale ------------------------------------------------------------

    def find_customers(self, text: str) -> Sequence[CustomerView]:
        found = self._context.call(customers.find_customers, query=text)
        return [CustomerView(c.customer_id, c.name, c.phone) for c in found]

    def create_customer(self, name: str, phone: str, email: str = "") -> CustomerView:
        made = self._context.call(customers.create_customer, name=name, phone=phone, email=email)
        return CustomerView(made.customer_id, made.name, made.phone)

    def attach_customer(self, customer_id: str | None) -> CartView:
        name = group = ""
        if customer_id:
            found = self._context.call(customers.get_customer, customer_id=customer_id)
            name, group = found.name, found.group
        # The group unlocks member promotions, so the live total shows what checkout charges.
        return self._cart_change(lambda cart: cart.attach_customer(customer_id, name, group))

    # --- held carts -----------------------------------------------------------------------

    def park(self, label: str) -> CartView:
        next_cart = self._new_cart()  # may read a newer catalog: before taking the lock
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if not cart.lines:
                raise TillError("The cart is empty.", code="empty_cart")
            if cart is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            self.held.carts.append(HeldCart(new_id(), label, cart, utcnow()))
            self._cart = next_cart
            view = _cart_view(next_cart)
        self.held.save()
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
                for held in self.held.carts
            ]

    def recall(self, parked_id: str) -> CartView:
        self._ensure_cart()
        with self._lock:
            held = self.held.find(parked_id)
            if held is None:
                raise TillError("That held order is gone.", code="no_held_order")
            current = self._ensure_cart()
            if current is self._paying:
                raise TillError("This sale is being paid.", code="paying")
            if current.lines:
                self.held.carts.append(
                    HeldCart(new_id(), current.customer_name or "Held order", current, utcnow())
                )
            self.held.carts.remove(held)
            held.cart.cashier = self._context.signed_in()
            self._cart = held.cart
            view = _cart_view(held.cart)
        self.held.save()
        return view

    # --- payment --------------------------------------------------------------------------

    def quote(self, tenders: Sequence[Tender] = ()) -> PaymentQuote:
        """Mirrors checkout: all-cash payments are rounded to the tenant's step, mixed are not."""
        denominations = self._catalog.tenant().denominations_minor
        with self._lock:
            return quote_payment(self._ensure_cart(), tenders, denominations)

    def checkout(self, tenders: Sequence[Tender]) -> SaleResult:
        context = self._context
        self._ensure_cart()
        with self._lock:
            cart = self._ensure_cart()
            if self._paying is not None:
                raise TillError("This sale is being paid.", code="paying")
            # The durable write runs without the lock; changes to this cart wait it out.
            self._paying = cart
        try:
            result = context.call(
                checkout,
                cart=cart,
                tenders=list(tenders),
                cashier=context.signed_in(),
                cloud_unreachable=context.cloud_unreachable(),
            )
        finally:
            with self._lock:
                self._paying = None
        next_cart = self._new_cart()  # the next sale starts on the newest catalog
        with self._lock:
            if self._cart is cart:
                self._cart = next_cart
        context.nudge()
        printing = self._printer.service()
        receipt = self._printer.receipt(result.order_id, copy=False)
        printed = printing.print_document(receipt, order_id=result.order_id)
        opened = receipt.open_drawer and printed is not None
        if result.kitchen_printed_offline:  # queued, never awaited: the sale is done
            enqueue_kitchen_tickets(context.terminal.uow, context.print_queue, result.order_id)
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


def _cart_view(cart: CartSession) -> CartView:
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


def _items_text(cart: CartSession) -> str:
    """A held cart's lines as a cashier reads them: `2× Croissant, Caffè latte`."""
    products = cart.snapshot.products
    return ", ".join(
        (f"{line.quantity}× " if line.quantity > 1 else "")
        + (products[line.product_id].name if line.product_id in products else "?")
        for line in cart.lines
    )
