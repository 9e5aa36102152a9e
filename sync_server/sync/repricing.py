"""Re-price a synced order with `shared.pricing` at the prices the terminal charged.

The terminal's unit prices (minus modifier deltas) are the input, the tenant's taxes, service
charge, cash rounding and promotions are the server's. A difference is the terminal's
arithmetic or rules disagreeing with the server's: stored as a flag, never a refusal.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from shared.order_wire import base_unit_price_minor, cart_from_order_v1
from shared.pricing import (
    CashRounding,
    Customer,
    PricingInputError,
    PromotionBook,
    ServiceCharge,
    TaxRate,
    price_cart,
)
from shared.pricing.tenders import cash_rounding_for
from shared.protocol import OrderV1


@dataclass(frozen=True)
class CatalogProduct:
    """What ingest needs of a product: stock, kitchen routing, price and tax for the check."""

    id: uuid.UUID
    price_minor: int
    tax_rate_ids: tuple[str, ...]
    category_id: uuid.UUID | None
    track_stock: bool
    kitchen_station: str


@dataclass(frozen=True)
class PricingRules:
    """The tenant's pricing inputs, read once per batch."""

    time_zone: str
    tax_rates: tuple[TaxRate, ...]
    promotions: PromotionBook
    service_charge: ServiceCharge | None
    cash_rounding: CashRounding | None
    customer_groups: Mapping[uuid.UUID, str] = field(default_factory=dict)
    outlet_rates: Mapping[uuid.UUID, Mapping[str, int]] = field(default_factory=dict)
    """outlet id -> tax rate id -> the rate that outlet charges instead of the tax's own."""

    def tax_rates_at(self, outlet_id: uuid.UUID) -> tuple[TaxRate, ...]:
        """The tax rates as this outlet charges them (PB1 5% in one city, 10% in another)."""
        own = self.outlet_rates.get(outlet_id)
        if not own:
            return self.tax_rates
        return tuple(
            replace(rate, rate_bp=own[rate.rate_id]) if rate.rate_id in own else rate
            for rate in self.tax_rates
        )


@dataclass(frozen=True)
class PriceCheck:
    """The server's total and what differs from the terminal's."""

    server_total_minor: int | None
    difference_minor: int
    flags: tuple[str, ...]


def catalog_price_changed(order: OrderV1, products: Mapping[uuid.UUID, CatalogProduct]) -> bool:
    """Some line was charged at a base price the catalog does not hold (now)."""
    for line in order.lines:
        product = products.get(line.product_id) if line.product_id else None
        if product is not None and base_unit_price_minor(line) != product.price_minor:
            return True
    return False


def reprice_order(
    order: OrderV1, *, rules: PricingRules, products: Mapping[uuid.UUID, CatalogProduct]
) -> PriceCheck:
    """Price the order as the server sees it and compare with what the terminal charged."""
    flags: list[str] = []
    if catalog_price_changed(order, products):
        flags.append("catalog_price_changed")
    customer = None
    if order.customer_id is not None:
        group = rules.customer_groups.get(order.customer_id) or None
        customer = Customer(customer_id=str(order.customer_id), group_id=group)
    try:
        priced = price_cart(
            cart_from_order_v1(
                order, tax_rate_ids={pid: product.tax_rate_ids for pid, product in products.items()}
            ),
            at=order.created_at,
            time_zone=rules.time_zone,
            promotions=rules.promotions,
            tax_rates=rules.tax_rates_at(order.outlet_id),
            service_charge=rules.service_charge,
            customer=customer,
            cash_rounding=cash_rounding_for(
                (payment.method for payment in order.payments), rules.cash_rounding
            ),
        )
    except (PricingInputError, ValueError, KeyError):
        return PriceCheck(None, 0, (*flags, "price_check_failed"))
    lines_agree = all(
        priced.line(str(line.id)).total_minor == line.total_minor for line in order.lines
    )
    difference = order.total_minor - priced.payable_minor
    if difference or not lines_agree:
        flags.append("price_mismatch")
    return PriceCheck(priced.payable_minor, difference, tuple(flags))


def tax_rates_of(rows: Iterable[tuple[uuid.UUID, str, int, bool]]) -> tuple[TaxRate, ...]:
    """Engine tax rates from (id, name, rate_bp, inclusive) rows."""
    return tuple(
        TaxRate(rate_id=str(rate_id), name=name, rate_bp=rate_bp, inclusive=inclusive)
        for rate_id, name, rate_bp, inclusive in rows
    )
