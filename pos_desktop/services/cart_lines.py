"""Cart line rules the screens need that `CartSession` does not offer yet (they belong there)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pos_desktop.services.cart import CartSession
from pos_desktop.services.errors import InvalidInput

NOTE_MAX_CHARS = 500


def add_or_merge(
    cart: CartSession, product_id: str, *, option_ids: Sequence[str] = (), quantity: int = 1
) -> str:
    """Add a product; a repeated tap of the same product and options adds to its line.

    A line with a note or a manual discount is the cashier's special case and is never merged
    into. Returns the id of the line that holds the product.
    """
    if quantity < 1:
        raise InvalidInput("Quantity must be at least 1.", field="quantity", code="quantity")
    options = tuple(option_ids)
    for line in cart.lines:
        if (
            line.product_id == product_id
            and line.modifier_option_ids == options
            and not line.note
            and line.manual_discount is None
        ):
            cart.set_quantity(line.line_id, line.quantity + quantity)
            return line.line_id
    return cart.add_product(product_id, quantity=quantity, modifier_option_ids=options)


def set_line_note(cart: CartSession, line_id: str, note: str) -> None:
    """Set a line's kitchen/receipt note (cut to 500 characters); a note changes no price."""
    index = cart._index(line_id)
    cart.lines[index] = replace(cart.lines[index], note=note[:NOTE_MAX_CHARS])
