"""Realistic simulated sales through the same services the screens call (CLI, load tests)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from pos_desktop.services.auth import TILL_ROLES, SignedIn, sign_in_by_pin
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import CheckoutResult, Tender, checkout
from pos_desktop.services.customers import find_customers
from pos_desktop.services.errors import StateError
from pos_desktop.services.shifts import open_shift, open_shift_row
from pos_desktop.store.models import Cashier
from pos_desktop.store.uow import UnitOfWork
from shared.pricing import DiscountKind

OPENING_FLOAT_LEADING = 5


@dataclass(frozen=True)
class SimulationResult:
    orders: int
    total_minor: int
    first_receipt: str | None
    last_receipt: str | None


def _cash_tendered(due_minor: int, rng: random.Random) -> int:
    """Exact money, or the next round note above the amount (a 140,500 bill paid with 150,000)."""
    if rng.random() < 0.4:
        return due_minor
    step: int = 10 ** max(len(str(due_minor)) - 2, 0)
    return (due_minor // step + 1) * step


def _random_cart(cart: CartSession, rng: random.Random) -> None:
    snapshot = cart.snapshot
    products = sorted((p for p in snapshot.products.values() if p.is_active), key=lambda p: p.id)
    if not products:
        raise StateError("The catalog has no products to sell.", code="no_products")
    for _ in range(rng.randint(1, 5)):
        product = rng.choice(products)
        options: list[str] = []
        for group_id in product.modifier_group_ids:
            group = snapshot.modifier_groups.get(group_id)
            if group is None:
                continue
            group_options = sorted(
                o.id for o in snapshot.modifier_options.values() if o.group_id == group_id
            )
            low = group.min_select
            high = min(group.max_select, len(group_options))
            if high >= low:
                options.extend(rng.sample(group_options, rng.randint(low, high)))
        line_id = cart.add_product(
            product.id, quantity=rng.choice((1, 1, 1, 2, 3)), modifier_option_ids=options
        )
        if rng.random() < 0.1:
            below_threshold_bp = max(snapshot.approval_discount_threshold_bp // 2, 1)
            cart.set_line_discount(
                line_id, kind=DiscountKind.PERCENT, value=below_threshold_bp, reason="regular"
            )


def _tenders(due_all_cash_minor: int, due_minor: int, rng: random.Random) -> list[Tender]:
    roll = rng.random()
    if roll < 0.5:
        return [Tender("cash", _cash_tendered(due_all_cash_minor, rng))]
    if roll < 0.8 or due_minor < 2:
        return [Tender(rng.choice(("card", "qris", "ewallet")), due_minor, reference="SIM")]
    card_minor = rng.randint(1, due_minor - 1)
    return [Tender("card", card_minor, reference="SIM"), Tender("cash", due_minor - card_minor)]


def outlet_cashier(uow: UnitOfWork) -> SignedIn:
    """Who rings up simulated sales when no PIN is given: a cashier of this till's outlet.

    The staff list comes with the catalog of the till's outlet; a plain cashier is preferred,
    a manager serves when there is none. The simulator types no PIN: it already holds the
    terminal's data folder, so a PIN would guard nothing here.
    """
    staff = uow.session.scalars(
        select(Cashier)
        .where(Cashier.is_active.is_(True), Cashier.role.in_(TILL_ROLES))
        .order_by(Cashier.role != "cashier", Cashier.name, Cashier.id)
    ).first()
    if staff is None:
        raise StateError(
            "This till's outlet has no active cashier; give --cashier PIN.", code="no_cashier"
        )
    return SignedIn(cashier_id=staff.id, name=staff.name, role=staff.role)


def simulate_sales(
    new_uow: Callable[[], UnitOfWork],
    *,
    orders: int,
    seed: int,
    cashier_pin: str | None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Sign in (by PIN, or as `outlet_cashier` without one), open a shift if none is open,
    and ring up `orders` random paid sales."""
    rng = random.Random(seed)
    with new_uow() as uow:
        cashier: SignedIn = (
            sign_in_by_pin(uow, pin=cashier_pin) if cashier_pin is not None else outlet_cashier(uow)
        )
    with new_uow() as uow:
        shift_open = open_shift_row(uow.session) is not None
    with new_uow() as uow:
        snapshot = CatalogSnapshot.load(uow.session)
    with new_uow() as uow:
        regulars = [
            (c.customer_id, c.name, c.group) for c in find_customers(uow, query="", limit=50)
        ]
    if not shift_open:
        leading = 10 ** max(len(str(max(p.price_minor for p in snapshot.products.values()))), 1)
        with new_uow() as uow:
            open_shift(uow, cashier=cashier, opening_float_minor=OPENING_FLOAT_LEADING * leading)
    total_minor = 0
    first: CheckoutResult | None = None
    last: CheckoutResult | None = None
    for index in range(orders):
        cart = CartSession(snapshot, cashier)
        if regulars and rng.random() < 0.2:
            cart.attach_customer(*rng.choice(regulars))
        _random_cart(cart, rng)
        due_cash = cart.priced(cash_rounding=True).payable_minor
        due = cart.priced().payable_minor
        with new_uow() as uow:
            last = checkout(uow, cart=cart, tenders=_tenders(due_cash, due, rng), cashier=cashier)
        first = first or last
        total_minor += last.total_minor
        if progress is not None:
            progress(index + 1)
    return SimulationResult(
        orders=orders,
        total_minor=total_minor,
        first_receipt=first.receipt_number if first else None,
        last_receipt=last.receipt_number if last else None,
    )
