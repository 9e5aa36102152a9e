"""What a batch of orders needs that does not change per order, read in one go: the outlet,
the catalog rows its lines name, the tenant's pricing rules, the known shifts, stations."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.utils import timezone

from shared.pricing import CashRounding, PromotionBook, PromotionFormatError, ServiceCharge
from shared.protocol import OrderV1
from sync_server.catalog.models import Category, ModifierOption, OutletTaxRate, Product, TaxRate
from sync_server.common.tenancy import Statement, tenant_atomic, tenant_statements
from sync_server.customers.models import Customer
from sync_server.devices.auth import Device
from sync_server.kitchen.stations import CatalogStations
from sync_server.promotions.models import Promotion
from sync_server.shifts.models import Shift
from sync_server.sync.repricing import CatalogProduct, PricingRules, tax_rates_of
from sync_server.tenants.models import Outlet, Tenant

log = logging.getLogger("kiosk.sync")
M = TypeVar("M", bound=Model)


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
    pending_status: Statement | None = None
    """The device's status upsert (PostgreSQL), until the first transaction that stores orders
    has sent it along: one commit per push."""


def _pricing_rules(
    tenant: Tenant,
    *,
    promotions: Iterable[Promotion],
    groups: dict[uuid.UUID, str],
    outlet_rate_rows: Iterable[tuple[uuid.UUID, uuid.UUID, int]],
    tax_rate_rows: Iterable[tuple[uuid.UUID, str, int, bool]],
) -> PricingRules:
    engine_promotions = []
    for promotion in promotions:
        try:
            engine_promotions.append(promotion.to_engine())
        except PromotionFormatError:
            log.warning("promotion %s has a malformed rule; not used for re-pricing", promotion.id)
    step = tenant.cash_rounding_step_minor
    outlet_rates: dict[uuid.UUID, dict[str, int]] = {}
    for outlet_id, tax_rate_id, rate_bp in outlet_rate_rows:
        outlet_rates.setdefault(outlet_id, {})[str(tax_rate_id)] = rate_bp
    return PricingRules(
        time_zone=tenant.time_zone,
        tax_rates=tax_rates_of(tax_rate_rows),
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


def tenant_pricing_rules(tenant: Tenant) -> PricingRules:
    """The tenant's pricing rules as the ingest re-prices by, for a sale with no customer
    (the demo history prices its sales by them). Call inside the tenant's transaction."""
    return _pricing_rules(
        tenant,
        promotions=Promotion.objects.filter(is_active=True),
        groups={},
        outlet_rate_rows=OutletTaxRate.objects.values_list("outlet_id", "tax_rate_id", "rate_bp"),
        tax_rate_rows=TaxRate.with_tombstones.values_list("id", "name", "rate_bp", "inclusive"),
    )


@dataclass(frozen=True)
class _Wanted:
    """The ids a batch's orders name."""

    products: set[uuid.UUID]
    customers: set[uuid.UUID]
    shifts: set[uuid.UUID]
    options: set[uuid.UUID]
    line_categories: set[uuid.UUID]


@dataclass
class _Read:
    """What the batch read, as plain rows (from the ORM or from one round trip)."""

    outlet: Outlet
    products: list[tuple[uuid.UUID, int, uuid.UUID | None, uuid.UUID | None, bool, str]]
    shifts: list[tuple[uuid.UUID, uuid.UUID, str]]
    promotions: list[Promotion]
    groups: dict[uuid.UUID, str]
    outlet_rate_rows: list[tuple[uuid.UUID, uuid.UUID, int]]
    tax_rate_rows: list[tuple[uuid.UUID, str, int, bool]]
    category_stations: dict[uuid.UUID, str]
    default_options: frozenset[uuid.UUID]


PRODUCT_COLUMNS = (
    "id",
    "price_minor",
    "tax_rate_id",
    "category_id",
    "track_stock",
    "kitchen_station",
)


def _read_with_orm(tenant: Tenant, device: Device, wanted: _Wanted) -> _Read:
    with tenant_atomic(tenant):
        outlet = Outlet.with_tombstones.get(id=device.outlet_id)
        products = list(
            Product.with_tombstones.filter(id__in=wanted.products).values_list(*PRODUCT_COLUMNS)
        )
        category_ids = {row[3] for row in products if row[3]} | wanted.line_categories
        return _Read(
            outlet=outlet,
            products=products,
            shifts=list(
                Shift.objects.filter(id__in=wanted.shifts).values_list(
                    "id", "terminal_id", "status"
                )
            ),
            promotions=list(Promotion.objects.filter(is_active=True)),
            groups=dict(
                Customer.with_tombstones.filter(id__in=wanted.customers).values_list("id", "group")
            ),
            outlet_rate_rows=list(
                OutletTaxRate.objects.values_list("outlet_id", "tax_rate_id", "rate_bp")
            ),
            tax_rate_rows=list(
                TaxRate.with_tombstones.values_list("id", "name", "rate_bp", "inclusive")
            ),
            category_stations=dict(
                Category.with_tombstones.filter(id__in=category_ids)
                .exclude(kitchen_station="")
                .values_list("id", "kitchen_station")
            ),
            default_options=frozenset(
                ModifierOption.objects.filter(id__in=wanted.options, is_default=True).values_list(
                    "id", flat=True
                )
                if wanted.options
                else ()
            ),
        )


def _table(model: type[Model]) -> str:
    return f'"{model._meta.db_table}"'


def _from_db(model: type[M], rows: list[tuple[Any, ...]]) -> list[M]:
    """Model instances from rows of all its concrete columns, read by hand (JSON parsed as
    the ORM would)."""
    fields = model._meta.concrete_fields
    connection = connections[DEFAULT_DB_ALIAS]
    converters = [
        (index, column) for index, column in enumerate(fields) if hasattr(column, "from_db_value")
    ]
    instances = []
    for row in rows:
        values = list(row)
        for index, converted in converters:
            values[index] = converted.from_db_value(values[index], None, connection)
        instances.append(model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values))
    return instances


def _columns(model: type[Model]) -> str:
    return ", ".join(f'"{field.column}"' for field in model._meta.concrete_fields)


def _read_in_one_round_trip(tenant: Tenant, device: Device, wanted: _Wanted) -> _Read:
    """The same reads as `_read_with_orm` (same conditions, tombstones where it takes them)
    as plain SQL sent together with the tenant setting: one round trip, no ORM compiling."""
    tenant_id = tenant.id
    products = list(wanted.products)
    live = 'AND "deleted_at" IS NULL'
    product_columns = ", ".join(f'p."{name}"' for name in PRODUCT_COLUMNS)
    named: dict[str, Statement | None] = {
        "outlet": (
            f'SELECT {_columns(Outlet)} FROM {_table(Outlet)} WHERE "tenant_id" = %s AND "id" = %s',
            [tenant_id, device.outlet_id],
        ),
        # with its category's station (any category, tombstoned too, as the ORM read them)
        "products": (
            f'SELECT {product_columns}, c."kitchen_station" FROM {_table(Product)} p '
            f'LEFT JOIN {_table(Category)} c ON c."id" = p."category_id" AND c."tenant_id" = %s '
            'WHERE p."tenant_id" = %s AND p."id" = ANY(%s)',
            [tenant_id, tenant_id, products],
        )
        if products
        else None,
        "shifts": (
            f'SELECT "id", "terminal_id", "status" FROM {_table(Shift)} '
            f'WHERE "tenant_id" = %s {live} AND "id" = ANY(%s)',
            [tenant_id, list(wanted.shifts)],
        ),
        "promotions": (
            f"SELECT {_columns(Promotion)} FROM {_table(Promotion)} "
            f'WHERE "tenant_id" = %s {live} AND "is_active" ORDER BY "priority" DESC, "name"',
            [tenant_id],
        ),
        "groups": (
            f'SELECT "id", "group" FROM {_table(Customer)} '
            'WHERE "tenant_id" = %s AND "id" = ANY(%s)',
            [tenant_id, list(wanted.customers)],
        )
        if wanted.customers
        else None,
        "outlet_rates": (
            f'SELECT "outlet_id", "tax_rate_id", "rate_bp" FROM {_table(OutletTaxRate)} '
            f'WHERE "tenant_id" = %s {live}',
            [tenant_id],
        ),
        "tax_rates": (
            f'SELECT "id", "name", "rate_bp", "inclusive" FROM {_table(TaxRate)} '
            'WHERE "tenant_id" = %s ORDER BY "name"',
            [tenant_id],
        ),
        "line_categories": (
            f'SELECT "id", "kitchen_station" FROM {_table(Category)} '
            'WHERE "tenant_id" = %s AND "kitchen_station" <> \'\' AND "id" = ANY(%s)',
            [tenant_id, list(wanted.line_categories)],
        )
        if wanted.line_categories
        else None,
        "options": (
            f'SELECT "id" FROM {_table(ModifierOption)} '
            f'WHERE "tenant_id" = %s {live} AND "is_default" AND "id" = ANY(%s)',
            [tenant_id, list(wanted.options)],
        )
        if wanted.options
        else None,
    }
    sent = {name: statement for name, statement in named.items() if statement is not None}
    rows = dict(zip(sent, tenant_statements(tenant, list(sent.values())), strict=True))
    if not rows["outlet"]:
        raise Outlet.DoesNotExist("the device's outlet is not in its tenant")
    product_rows = rows.get("products", [])
    stations = {row[3]: row[6] for row in product_rows if row[3] and row[6]}
    stations.update(rows.get("line_categories", []))
    return _Read(
        outlet=_from_db(Outlet, rows["outlet"])[0],
        products=[row[:6] for row in product_rows],
        shifts=rows["shifts"],
        promotions=_from_db(Promotion, rows["promotions"]),
        groups=dict(rows.get("groups", [])),
        outlet_rate_rows=rows["outlet_rates"],
        tax_rate_rows=rows["tax_rates"],
        category_stations=stations,
        default_options=frozenset(row[0] for row in rows.get("options", [])),
    )


def batch_context(
    *,
    tenant: Tenant,
    device: Device,
    orders: Sequence[OrderV1],
    device_clock_offset: timedelta | None,
) -> OrderBatchContext:
    wanted = _Wanted(
        products={line.product_id for order in orders for line in order.lines if line.product_id},
        customers={order.customer_id for order in orders if order.customer_id},
        shifts={order.shift_id for order in orders},
        options={
            modifier.option_id
            for order in orders
            for line in order.lines
            for modifier in line.modifiers
            if modifier.option_id
        },
        line_categories={
            line.category_id for order in orders for line in order.lines if line.category_id
        },
    )
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        read = _read_in_one_round_trip(tenant, device, wanted)
    else:
        read = _read_with_orm(tenant, device, wanted)
    products = {
        row[0]: CatalogProduct(
            id=row[0],
            price_minor=row[1],
            tax_rate_ids=(str(row[2]),) if row[2] else (),
            category_id=row[3],
            track_stock=row[4],
            kitchen_station=row[5],
        )
        for row in read.products
    }
    return OrderBatchContext(
        tenant=tenant,
        device=device,
        outlet=read.outlet,
        received_at=timezone.now(),
        device_clock_offset=device_clock_offset,
        products=products,
        rules=_pricing_rules(
            tenant,
            promotions=read.promotions,
            groups=read.groups,
            outlet_rate_rows=read.outlet_rate_rows,
            tax_rate_rows=read.tax_rate_rows,
        ),
        shifts={row[0]: (row[1], row[2]) for row in read.shifts},
        stationed_categories=frozenset(read.category_stations),
        stations=CatalogStations(
            products={p.id: (p.kitchen_station, p.category_id) for p in products.values()},
            categories=read.category_stations,
        ),
        default_options=read.default_options,
    )
