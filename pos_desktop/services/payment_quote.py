"""Where a payment stands: remaining, change due, cash rounding and quick-tender amounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.pricing.tenders import Tender, cash_rounding_applies

if TYPE_CHECKING:  # the screens' ports import this module; keep it free of the store
    from pos_desktop.services.cart import CartSession


@dataclass(frozen=True)
class PaymentQuote:
    """Where a payment stands after the tenders entered so far; mirrors what checkout accepts."""

    total_minor: int
    paid_minor: int
    remaining_minor: int
    cash_due_minor: int
    change_minor: int
    quick_tenders_minor: tuple[int, ...]
    can_complete: bool


NOTHING_DUE = PaymentQuote(0, 0, 0, 0, 0, (), False)


def quick_tenders(due_minor: int, denominations: Sequence[int], limit: int = 5) -> tuple[int, ...]:
    """Exact, then the next round amounts a customer is likely to hand over (notes)."""
    if due_minor <= 0:
        return ()
    options = {due_minor}
    for note in denominations:
        if note * 2 <= due_minor // 10:
            continue  # coins too small to matter for this amount
        options.add(-(-due_minor // note) * note)
    rest = sorted(amount for amount in options if amount > due_minor)
    return (due_minor, *rest[: limit - 1])


def quote_amounts(
    *,
    exact_minor: int,
    cash_rounded_minor: int,
    tenders: Sequence[Tender],
    denominations: Sequence[int],
) -> PaymentQuote:
    """The figures for a payable amount, exact and cash-rounded by the tenant's rule.

    The rounded amount applies only when every payment is cash (as in checkout); change
    is given only when some cash was handed over, and a card never pays more than is due.
    """
    rounded = cash_rounding_applies(t.method for t in tenders)
    due = cash_rounded_minor if rounded else exact_minor
    paid = sum(t.amount_minor for t in tenders)
    non_cash = sum(t.amount_minor for t in tenders if t.method != "cash")
    cash_due = max(0, due - paid)
    return PaymentQuote(
        total_minor=due,
        paid_minor=paid,
        remaining_minor=max(0, exact_minor - paid),
        cash_due_minor=cash_due,
        change_minor=max(0, paid - due) if any(t.method == "cash" for t in tenders) else 0,
        quick_tenders_minor=quick_tenders(cash_due, denominations),
        can_complete=bool(tenders) and paid >= due and non_cash <= due,
    )


def quote_payment(
    cart: CartSession, tenders: Sequence[Tender], denominations: Sequence[int]
) -> PaymentQuote:
    """The figures for the cart as priced now; an empty cart has nothing to pay."""
    if not cart.lines:
        return NOTHING_DUE
    return quote_amounts(
        exact_minor=cart.priced().payable_minor,
        cash_rounded_minor=cart.priced(cash_rounding=True).payable_minor,
        tenders=tenders,
        denominations=denominations,
    )
