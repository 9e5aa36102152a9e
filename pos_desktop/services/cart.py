"""The cart being rung up: lines, modifiers, discounts, customer; priced live by shared.pricing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.errors import ApprovalRequired, InvalidInput, NotFound
from shared.pricing import (
    Cart,
    CartLine,
    Customer,
    DiscountKind,
    ManualDiscount,
    Modifier,
    PricedCart,
    price_cart,
)
from shared.rounding import BASIS_POINTS

NOTE_MAX_CHARS = 500


@dataclass(frozen=True)
class CartLineDraft:
    """A line as the cashier built it; prices come from the catalog at pricing time."""

    line_id: str
    product_id: str
    quantity: int
    modifier_option_ids: tuple[str, ...] = ()
    note: str = ""
    manual_discount: ManualDiscount | None = None


@dataclass
class CartSession:
    """One customer's cart on the screen; in memory until checkout writes the order.

    Every change is checked against the catalog snapshot; `priced()` runs the shared
    engine so the screen shows the same cents the server will re-compute.
    """

    snapshot: CatalogSnapshot
    cashier: SignedIn
    clock: Callable[[], datetime] = utcnow
    lines: list[CartLineDraft] = field(default_factory=list)
    order_discount: ManualDiscount | None = None
    customer_id: str | None = None
    customer_name: str = ""
    customer_group: str = ""
    table: str = ""
    note: str = ""
    approvals: list[ManagerApproval] = field(default_factory=list)

    # --- building ---

    def add_product(
        self,
        product_id: str,
        *,
        quantity: int = 1,
        modifier_option_ids: Sequence[str] = (),
        note: str = "",
    ) -> str:
        """Add a product (with chosen modifier options); returns the new line's id."""
        product = self.snapshot.products.get(product_id)
        if product is None or not product.is_active:
            raise NotFound("This product is not on sale.", field="product_id", code="no_product")
        if quantity < 1:
            raise InvalidInput("Quantity must be at least 1.", field="quantity", code="quantity")
        self._check_modifiers(product.modifier_group_ids, modifier_option_ids)
        line = CartLineDraft(
            line_id=new_id(),
            product_id=product_id,
            quantity=quantity,
            modifier_option_ids=tuple(modifier_option_ids),
            note=note,
        )
        self.lines.append(line)
        return line.line_id

    def _check_modifiers(self, group_ids: Sequence[str], option_ids: Sequence[str]) -> None:
        chosen: dict[str, int] = {}
        for option_id in option_ids:
            option = self.snapshot.modifier_options.get(option_id)
            if option is None or option.group_id not in group_ids:
                raise InvalidInput(
                    "This option does not belong to the product.",
                    field="modifier_option_ids",
                    code="bad_modifier",
                )
            chosen[option.group_id] = chosen.get(option.group_id, 0) + 1
        for group_id in group_ids:
            group = self.snapshot.modifier_groups.get(group_id)
            if group is None:
                continue
            count = chosen.get(group_id, 0)
            if count < group.min_select or count > group.max_select:
                raise InvalidInput(
                    f"Choose {group.min_select} to {group.max_select} of {group.name}.",
                    field="modifier_option_ids",
                    code="modifier_count",
                )

    def _index(self, line_id: str) -> int:
        for index, line in enumerate(self.lines):
            if line.line_id == line_id:
                return index
        raise NotFound("No such line in the cart.", field="line_id", code="no_line")

    def set_quantity(self, line_id: str, quantity: int) -> None:
        """Change a line's quantity; 0 removes the line."""
        index = self._index(line_id)
        if quantity < 0:
            raise InvalidInput("Quantity cannot be negative.", field="quantity", code="quantity")
        if quantity == 0:
            del self.lines[index]
        else:
            self.lines[index] = replace(self.lines[index], quantity=quantity)

    def add_or_merge(
        self, product_id: str, *, option_ids: Sequence[str] = (), quantity: int = 1
    ) -> str:
        """Add a product; a repeated tap of the same product and options adds to its line.

        A line with a note or a manual discount is the cashier's special case and is never
        merged into. Returns the id of the line that holds the product.
        """
        if quantity < 1:
            raise InvalidInput("Quantity must be at least 1.", field="quantity", code="quantity")
        options = tuple(option_ids)
        for line in self.lines:
            if (
                line.product_id == product_id
                and line.modifier_option_ids == options
                and not line.note
                and line.manual_discount is None
            ):
                self.set_quantity(line.line_id, line.quantity + quantity)
                return line.line_id
        return self.add_product(product_id, quantity=quantity, modifier_option_ids=options)

    def set_line_note(self, line_id: str, note: str) -> None:
        """Set a line's kitchen/receipt note (cut to 500 characters); a note changes no price."""
        index = self._index(line_id)
        self.lines[index] = replace(self.lines[index], note=note[:NOTE_MAX_CHARS])

    def remove_line(self, line_id: str) -> None:
        """Take a line off the cart (before payment: no approval needed)."""
        del self.lines[self._index(line_id)]

    def attach_customer(self, customer_id: str | None, name: str = "", group: str = "") -> None:
        """Attach (or with None, detach) a customer; `group` unlocks group promotions."""
        self.customer_id = customer_id
        self.customer_name = name if customer_id else ""
        self.customer_group = group if customer_id else ""

    # --- discounts ---

    def _needs_approval(self, kind: DiscountKind, value: int, base_minor: int) -> bool:
        threshold_bp = self.snapshot.approval_discount_threshold_bp
        if kind is DiscountKind.PERCENT:
            return value > threshold_bp
        return base_minor > 0 and value * BASIS_POINTS > threshold_bp * base_minor

    def _discount(
        self,
        *,
        kind: DiscountKind,
        value: int,
        reason: str,
        base_minor: int,
        action: str,
        approval: ManagerApproval | None,
    ) -> ManualDiscount:
        if approval is not None and approval.action != action:
            raise InvalidInput(
                "The approval is for another action.", field="approval", code="wrong_approval"
            )
        over_threshold = self._needs_approval(kind, value, base_minor)
        if over_threshold and approval is None and not self.cashier.is_manager:
            raise ApprovalRequired(
                "A discount this large needs a manager's PIN.",
                field="value",
                code="discount_over_threshold",
            )
        if approval is not None:
            self.approvals.append(approval)
        approver_id = approval.manager_id if approval else self.cashier.cashier_id
        return ManualDiscount(kind=kind, value=value, approver_id=approver_id, reason=reason)

    def set_line_discount(
        self,
        line_id: str,
        *,
        kind: DiscountKind,
        value: int,
        reason: str = "",
        approval: ManagerApproval | None = None,
    ) -> None:
        """A manual line discount; above the tenant's threshold a manager approval is required."""
        index = self._index(line_id)
        base_minor = self.priced().line(line_id).gross_minor
        discount = self._discount(
            kind=kind,
            value=value,
            reason=reason,
            base_minor=base_minor,
            action="line_discount",
            approval=approval,
        )
        self.lines[index] = replace(self.lines[index], manual_discount=discount)

    def set_order_discount(
        self,
        *,
        kind: DiscountKind,
        value: int,
        reason: str = "",
        approval: ManagerApproval | None = None,
    ) -> None:
        """A manual discount on the whole order, with the same approval rule."""
        base_minor = self.priced().subtotal_minor
        self.order_discount = self._discount(
            kind=kind,
            value=value,
            reason=reason,
            base_minor=base_minor,
            action="order_discount",
            approval=approval,
        )

    # --- pricing ---

    def pricing_cart(self) -> Cart:
        """The cart in the engine's terms, prices and taxes taken from the snapshot."""
        cart_lines = []
        for draft in self.lines:
            product = self.snapshot.products[draft.product_id]
            modifiers = tuple(
                Modifier(
                    modifier_id=option_id,
                    name=self.snapshot.modifier_options[option_id].name,
                    price_delta_minor=self.snapshot.modifier_options[option_id].price_delta_minor,
                )
                for option_id in draft.modifier_option_ids
            )
            cart_lines.append(
                CartLine(
                    line_id=draft.line_id,
                    product_id=product.id,
                    quantity=draft.quantity,
                    unit_price_minor=product.price_minor,
                    category_id=product.category_id,
                    modifiers=modifiers,
                    manual_discount=draft.manual_discount,
                    tax_rate_ids=tuple(product.tax_rate_ids),
                    name=product.name,
                )
            )
        return Cart(
            currency=self.snapshot.currency,
            lines=tuple(cart_lines),
            order_discount=self.order_discount,
        )

    def priced(self, *, at: datetime | None = None, cash_rounding: bool = False) -> PricedCart:
        """The cart priced now (or at `at`); cash rounding only when paying all in cash."""
        return price_cart(
            self.pricing_cart(),
            at=at or self.clock(),
            time_zone=self.snapshot.time_zone,
            promotions=self.snapshot.promotions,
            tax_rates=self.snapshot.tax_rates,
            service_charge=self.snapshot.service_charge,
            customer=Customer(customer_id=self.customer_id, group_id=self.customer_group or None)
            if self.customer_id
            else None,
            cash_rounding=self.snapshot.cash_rounding if cash_rounding else None,
        )

    def clear(self) -> None:
        """Start a new cart (after payment, or the cashier cancelled before paying)."""
        self.lines.clear()
        self.order_discount = None
        self.customer_id = None
        self.customer_name = ""
        self.customer_group = ""
        self.table = ""
        self.note = ""
        self.approvals.clear()
