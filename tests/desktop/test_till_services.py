"""Services behind the cashier screens, without Qt: payment quote, denominations, cart lines,
manager approval by PIN."""

from __future__ import annotations

import pytest

from pos_desktop.services import auth
from pos_desktop.services.approvals import approve_by_pin
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import Tender
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.services.denominations import denominations_for
from pos_desktop.services.errors import AuthError
from pos_desktop.services.payment_quote import quick_tenders, quote_amounts, quote_payment
from pos_desktop.terminal import Terminal
from shared.pricing import DiscountKind

IDR = denominations_for("IDR")
CROISSANT = str(demo_id("product:Croissant"))
LATTE = str(demo_id("product:Caffè latte"))
LARGE = str(demo_id("opt:large"))
REGULAR = str(demo_id("opt:regular"))


@pytest.fixture
def cart(terminal: Terminal, cashier: SignedIn) -> CartSession:
    with terminal.uow() as uow:
        snapshot = CatalogSnapshot.load(uow.session)
    return CartSession(snapshot=snapshot, cashier=cashier)


# --- denominations ------------------------------------------------------------------------


def test_denominations_per_currency_largest_first() -> None:
    assert IDR[0] == 100_000 and IDR[-1] == 100
    assert denominations_for("usd")[:2] == (10_000, 5_000)
    for currency in ("IDR", "USD", "EUR", "SGD", "MYR"):
        notes = denominations_for(currency)
        assert list(notes) == sorted(notes, reverse=True) and len(set(notes)) == len(notes)
    assert denominations_for("XXX") == ()


# --- payment quote ------------------------------------------------------------------------


def test_quick_tenders_offer_exact_then_round_notes() -> None:
    assert quick_tenders(60_500, IDR) == (60_500, 65_000, 70_000, 80_000, 100_000)
    assert quick_tenders(100_000, IDR) == (100_000,)
    assert quick_tenders(0, IDR) == ()
    assert quick_tenders(1_234, denominations_for("USD")) == (1_234, 1_300, 1_500, 2_000, 5_000)


def test_all_cash_pays_the_rounded_amount_and_gets_change() -> None:
    figures = quote_amounts(
        exact_minor=60_450,
        cash_rounded_minor=60_500,
        tenders=[Tender("cash", 100_000)],
        denominations=IDR,
    )
    assert figures.total_minor == 60_500
    assert figures.change_minor == 39_500
    assert figures.remaining_minor == 0 and figures.cash_due_minor == 0
    assert figures.quick_tenders_minor == ()
    assert figures.can_complete


def test_mixed_payment_is_not_rounded_and_card_never_overpays() -> None:
    split = quote_amounts(
        exact_minor=60_450,
        cash_rounded_minor=60_500,
        tenders=[Tender("qris", 30_000), Tender("cash", 20_000)],
        denominations=IDR,
    )
    assert split.total_minor == 60_450
    assert split.remaining_minor == 10_450 and split.cash_due_minor == 10_450
    assert split.change_minor == 0 and not split.can_complete
    assert split.quick_tenders_minor[0] == 10_450
    too_much_card = quote_amounts(
        exact_minor=60_450,
        cash_rounded_minor=60_500,
        tenders=[Tender("card", 70_000)],
        denominations=IDR,
    )
    assert too_much_card.change_minor == 0 and not too_much_card.can_complete


def test_nothing_entered_yet_offers_the_rounded_cash_amounts() -> None:
    figures = quote_amounts(
        exact_minor=60_450, cash_rounded_minor=60_500, tenders=[], denominations=IDR
    )
    assert figures.total_minor == 60_500 and figures.cash_due_minor == 60_500
    assert figures.quick_tenders_minor[:2] == (60_500, 65_000)
    assert not figures.can_complete


def test_quote_of_a_cart_uses_the_engine_and_the_tenant_cash_rounding(cart: CartSession) -> None:
    assert quote_payment(cart, [], IDR).total_minor == 0
    cart.add_product(CROISSANT)
    cart.set_order_discount(kind=DiscountKind.FIXED, value=1_050)
    exact = cart.priced().payable_minor
    rounded = cart.priced(cash_rounding=True).payable_minor
    assert exact % 100 != 0 and rounded % 100 == 0  # the demo tenant rounds cash to 100
    assert quote_payment(cart, [], IDR).total_minor == rounded
    card = quote_payment(cart, [Tender("card", exact)], IDR)
    assert card.total_minor == exact and card.can_complete


# --- cart lines ---------------------------------------------------------------------------


def test_repeated_taps_of_the_same_plain_product_merge(cart: CartSession) -> None:
    first = cart.add_or_merge(CROISSANT)
    assert cart.add_or_merge(CROISSANT, quantity=2) == first
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(CROISSANT, 3)]


def test_a_line_with_a_note_discount_or_other_options_is_not_merged_into(
    cart: CartSession,
) -> None:
    noted = cart.add_or_merge(CROISSANT)
    cart.set_line_note(noted, "warm it up")
    assert cart.add_or_merge(CROISSANT) != noted
    large = cart.add_or_merge(LATTE, option_ids=[LARGE])
    assert cart.add_or_merge(LATTE, option_ids=[REGULAR]) != large
    assert cart.add_or_merge(LATTE, option_ids=[LARGE]) == large
    cart.set_line_discount(large, kind=DiscountKind.PERCENT, value=500)
    assert cart.add_or_merge(LATTE, option_ids=[LARGE]) != large
    assert [line.quantity for line in cart.lines] == [1, 1, 2, 1, 1]


def test_line_note_is_kept_cut_to_500_and_changes_no_price(cart: CartSession) -> None:
    line_id = cart.add_or_merge(CROISSANT)
    before = cart.priced().total_minor
    cart.set_line_note(line_id, "x" * 600)
    assert cart.lines[0].note == "x" * 500
    assert cart.priced().total_minor == before


# --- approval by PIN ----------------------------------------------------------------------


def test_approve_by_pin_checks_the_pin_once(
    terminal: Terminal, manager_id: str, manager_pin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    verify = auth.verify_pin

    def counting(pin: str, encoded: str) -> bool:
        matched = verify(pin, encoded)
        if matched:
            checked.append(encoded)
        return matched

    monkeypatch.setattr(auth, "verify_pin", counting)
    with terminal.uow() as uow:
        approval = approve_by_pin(uow, manager_pin, "void", "wrong item")
    assert (approval.manager_id, approval.action, approval.reason) == (
        manager_id,
        "void",
        "wrong item",
    )
    assert len(checked) == 1  # one successful hash: the sign-in's


def test_approve_by_pin_refuses_a_cashier_and_a_wrong_pin(terminal: Terminal) -> None:
    with terminal.uow() as uow, pytest.raises(AuthError) as refused:
        approve_by_pin(uow, DEMO_CASHIER_PIN, "refund", "")
    assert refused.value.code == "not_manager"
    with terminal.uow() as uow, pytest.raises(AuthError) as wrong:
        approve_by_pin(uow, "000000", "refund", "")
    assert wrong.value.code == "wrong_pin"
