"""Held (parked) carts as JSON in the terminal's settings table, so a restart does not lose them.

Plain Python, no Qt. A held cart is what the cashier built (product ids, quantities,
options, notes, manual discounts and their approvals); prices come back from the catalog
when it is recalled, exactly as for a cart on screen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.cart import CartLineDraft, CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from pos_desktop.terminal import Terminal
from shared.pricing import DiscountKind, ManualDiscount


@dataclass
class HeldCart:
    """A parked cart with the label the cashier gave it and when it was held."""

    id: str
    label: str
    cart: CartSession
    at: datetime


def _discount_to_json(discount: ManualDiscount | None) -> dict[str, Any] | None:
    if discount is None:
        return None
    return {
        "kind": discount.kind.value,
        "value": discount.value,
        "approver_id": discount.approver_id,
        "reason": discount.reason,
    }


def _discount_from_json(data: dict[str, Any] | None) -> ManualDiscount | None:
    if data is None:
        return None
    return ManualDiscount(
        kind=DiscountKind(data["kind"]),
        value=int(data["value"]),
        approver_id=str(data["approver_id"]),
        reason=str(data.get("reason", "")),
    )


def held_to_json(held: HeldCart) -> dict[str, Any]:
    """One held cart as JSON (ids, quantities, options, notes, discounts, approvals)."""
    cart = held.cart
    return {
        "id": held.id,
        "label": held.label,
        "at": held.at.isoformat(),
        "lines": [
            {
                "line_id": line.line_id,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "modifier_option_ids": list(line.modifier_option_ids),
                "note": line.note,
                "manual_discount": _discount_to_json(line.manual_discount),
            }
            for line in cart.lines
        ],
        "order_discount": _discount_to_json(cart.order_discount),
        "customer_id": cart.customer_id,
        "customer_name": cart.customer_name,
        "table": cart.table,
        "note": cart.note,
        "approvals": [
            {
                "manager_id": approval.manager_id,
                "action": approval.action,
                "reason": approval.reason,
                "at": approval.at.isoformat(),
            }
            for approval in cart.approvals
        ],
    }


def held_from_json(
    data: dict[str, Any], snapshot: CatalogSnapshot, cashier: SignedIn
) -> HeldCart | None:
    """A held cart back on today's catalog; lines of products gone from it are dropped."""
    lines = [
        CartLineDraft(
            line_id=str(line["line_id"]),
            product_id=str(line["product_id"]),
            quantity=int(line["quantity"]),
            modifier_option_ids=tuple(
                str(option)
                for option in line["modifier_option_ids"]
                if option in snapshot.modifier_options
            ),
            note=str(line.get("note", "")),
            manual_discount=_discount_from_json(line.get("manual_discount")),
        )
        for line in data["lines"]
        if line["product_id"] in snapshot.products
    ]
    if not lines:
        return None
    cart = CartSession(
        snapshot=snapshot,
        cashier=cashier,
        lines=lines,
        order_discount=_discount_from_json(data.get("order_discount")),
        customer_id=data.get("customer_id"),
        customer_name=str(data.get("customer_name", "")),
        table=str(data.get("table", "")),
        note=str(data.get("note", "")),
        approvals=[
            ManagerApproval(
                manager_id=str(approval["manager_id"]),
                action=str(approval["action"]),
                reason=str(approval.get("reason", "")),
                at=datetime.fromisoformat(approval["at"]),
            )
            for approval in data.get("approvals", [])
        ],
    )
    return HeldCart(
        id=str(data["id"]),
        label=str(data["label"]),
        cart=cart,
        at=datetime.fromisoformat(data["at"]),
    )


class HeldCarts:
    """The held carts of one till: in memory under the till's lock, and on disk.

    Writes happen after the lock is released (a tap never waits on the disk); a write lock
    makes a later save, with a newer copy of the list, land after an earlier one.
    """

    def __init__(self, terminal: Terminal, lock: threading.RLock) -> None:
        self._terminal = terminal
        self._lock = lock
        self._write_lock = threading.Lock()
        self.carts: list[HeldCart] = []
        """Oldest first; change it only under the till's lock, then `save()`."""
        self._loaded = False

    def find(self, held_id: str) -> HeldCart | None:
        return next((held for held in self.carts if held.id == held_id), None)

    def save(self) -> None:
        """Keep held carts on disk, so a restart or a crash does not lose them."""
        with self._write_lock:
            with self._lock:
                rows = [held_to_json(held) for held in self.carts]
            with self._terminal.uow() as uow:
                put_setting(uow.session, SettingKey.HELD_ORDERS, rows)
                uow.commit()

    def load(self, snapshot: CatalogSnapshot, cashier: SignedIn) -> None:
        """Held carts from the last run, once, on today's catalog."""
        if self._loaded:
            return
        with self._terminal.uow() as uow:
            stored = get_setting(uow.session, SettingKey.HELD_ORDERS) or []
        loaded = [held_from_json(data, snapshot, cashier) for data in stored]
        with self._lock:
            if self._loaded:
                return
            self.carts = [held for held in loaded if held is not None] + self.carts
            self._loaded = True
