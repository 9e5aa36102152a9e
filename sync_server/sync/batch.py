"""What a batch of orders needs that does not change per order, read in one go: the outlet,
the catalog rows its lines name, the tenant's pricing rules, the known shifts, stations."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from shared.pricing import CashRounding, PromotionBook, PromotionFormatError, ServiceCharge
from shared.protocol import OrderV1
from sync_server.catalog.models import Category, ModifierOption, OutletTaxRate, Product, TaxRate
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.devices.auth import Device
from sync_server.kitchen.stations import CatalogStations
from sync_server.promotions.models import Promotion
from sync_server.shifts.models import Shift
from sync_server.sync.repricing import CatalogProduct, PricingRules, tax_rates_of
from sync_server.tenants.models import Outlet, Tenant

log = logging.getLogger("kiosk.sync")


@dataclass
class OrderBatchContext:
    """Everything a batch's orders need that does not change per order, read once."""

    tenant: Tenant
    device: Device
    outlet: Outlet
    received_at: datetime
    device_clock_offset: timedelta | None
    products: dict[uuid.UUID, CatalogProduct]
    rules: PricingRules
    shifts: dict[uuid.UUID, tuple[uuid.UUID, str]] = field(default_factory=dict)
    """shift id -> (terminal id, status) of shifts known to exist."""
    stationed_categories: frozenset[uuid.UUID] = frozenset()
    """Categories of the batch's lines that name a kitchen station."""
    stations: CatalogStations = field(default_factory=lambda: CatalogStations({}, {}))
    """The batch's products' and categories' stations, so routing reads nothing per order."""
    default_options: frozenset[uuid.UUID] = frozenset()
    """Chosen options that are their group's default (Regular): the cook needs no word of them."""


def _pricing_rules(tenant: Tenant, customer_ids: set[uuid.UUID]) -> PricingRules:
    engine_promotions = []
    for promotion in Promotion.objects.filter(is_active=True):
        try:
            engine_promotions.append(promotion.to_engine())
        except PromotionFormatError:
            log.warning("promotion %s has a malformed rule; not used for re-pricing", promotion.id)
    groups = dict(Customer.with_tombstones.filter(id__in=customer_ids).values_list("id", "group"))
    step = tenant.cash_rounding_step_minor
    outlet_rates: dict[uuid.UUID, dict[str, int]] = {}
    for outlet_id, tax_rate_id, rate_bp in OutletTaxRate.objects.values_list(
        "outlet_id", "tax_rate_id", "rate_bp"
    ):
        outlet_rates.setdefault(outlet_id, {})[str(tax_rate_id)] = rate_bp
    return PricingRules(
        time_zone=tenant.time_zone,
        tax_rates=tax_rates_of(
            TaxRate.with_tombstones.values_list("id", "name", "rate_bp", "inclusive")
        ),
        promotions=PromotionBook(engine_promotions),
        service_charge=(
            ServiceCharge(rate_bp=tenant.service_charge_bp, taxed=tenant.service_charge_taxed)
            if tenant.service_charge_bp
            else None
        ),
        cash_rounding=CashRounding(step_minor=step) if step else None,
        customer_groups=groups,
        outlet_rates=outlet_rates,
    )


def batch_context(
    *,
    tenant: Tenant,
    device: Device,
    orders: Sequence[OrderV1],
    device_clock_offset: timedelta | None,
) -> OrderBatchContext:
    product_ids = {line.product_id for order in orders for line in order.lines if line.product_id}
    customer_ids = {order.customer_id for order in orders if order.customer_id}
    shift_ids = {order.shift_id for order in orders}
    option_ids = {
        modifier.option_id
        for order in orders
        for line in order.lines
        for modifier in line.modifiers
        if modifier.option_id
    }
    with tenant_atomic(tenant):
        outlet = Outlet.with_tombstones.get(id=device.outlet_id)
        products = {
            row["id"]: CatalogProduct(
                id=row["id"],
                price_minor=row["price_minor"],
                tax_rate_ids=(str(row["tax_rate_id"]),) if row["tax_rate_id"] else (),
                category_id=row["category_id"],
                track_stock=row["track_stock"],
                kitchen_station=row["kitchen_station"],
            )
            for row in Product.with_tombstones.filter(id__in=product_ids).values(
                "id", "price_minor", "tax_rate_id", "category_id", "track_stock", "kitchen_station"
            )
        }
        shifts = {
            row[0]: (row[1], row[2])
            for row in Shift.objects.filter(id__in=shift_ids).values_list(
                "id", "terminal_id", "status"
            )
        }
        rules = _pricing_rules(tenant, customer_ids)
        category_ids = {p.category_id for p in products.values() if p.category_id} | {
            line.category_id for order in orders for line in order.lines if line.category_id
        }
        category_stations = dict(
            Category.with_tombstones.filter(id__in=category_ids)
            .exclude(kitchen_station="")
            .values_list("id", "kitchen_station")
        )
        default_options = frozenset(
            ModifierOption.objects.filter(id__in=option_ids, is_default=True).values_list(
                "id", flat=True
            )
            if option_ids
            else ()
        )
    return OrderBatchContext(
        tenant=tenant,
        device=device,
        outlet=outlet,
        received_at=timezone.now(),
        device_clock_offset=device_clock_offset,
        products=products,
        rules=rules,
        shifts=shifts,
        stationed_categories=frozenset(category_stations),
        stations=CatalogStations(
            products={p.id: (p.kitchen_station, p.category_id) for p in products.values()},
            categories=category_stations,
        ),
        default_options=default_options,
    )
