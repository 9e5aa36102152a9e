"""The catalog change feed: pages of changed rows by an opaque cursor, stable and complete.

Versions come from one sequence but commit out of order, so paging by `version > cursor`
would skip a row whose transaction took an early version and committed late. On PostgreSQL
every fed row carries `feed_txid`, its writer's feed clock C (set by a trigger, see
sync/migrations/0005), and the feed orders rows by (feed_txid, version), pages by that pair,
and serves only rows below the tenant's horizon H = `kiosk_feed_horizon(tenant)`.

The guarantee: a row that commits after a page was read sorts after that page's cursor.
The writer side (trigger, once per transaction and tenant): L := xmax of a snapshot; take a
shared advisory lock on (tenant, L); C := xmax of a fresh snapshot (so C >= L, read after the
lock shows), raised to the writer's own transaction id if that is higher (so the previous
rule, below `pg_snapshot_xmin`, stays safe for an older server during a deploy). The reader
side: snapshot S first, then the tenant's locks; H = min(xmax(S), L of each holder); then the
rows, each statement with its own READ COMMITTED snapshot. Take a row
of transaction W with C < H. If W held its lock when the reader looked, H <= L <= C: not so.
Else W took the lock after the reader looked, so C >= xmax(S) >= H: not so either. So W had
finished before the reader looked (its lock goes only after its commit is visible), and its
row is in this page or an earlier one. xmax only grows, and a cursor is a served key (< H),
so a row committed later never lands behind one.

Why not the cluster's oldest running transaction (`pg_snapshot_xmin`), as before: one long
transaction in ANY database of the cluster (a test run, another tenant's import, a
`rebuild_rollups`, a psql session left open) then held back every tenant's changes. Now only a
transaction that wrote this tenant's fed rows holds this tenant's feed, and only while it runs.
Not a per-database `min(backend_xid)` from `pg_stat_activity`: still every tenant behind one
import. Not a per-tenant counter row taken under its lock: it serialises a tenant's writers
until they commit. The shared locks cost one lock per writing transaction and tenant, and the
reader one `pg_locks` scan per page; both work through pgbouncer in transaction mode (the lock
and the setting that remembers C are transaction-scoped).

On SQLite (one writer at a time) the version alone is the cursor.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from pydantic import ValidationError

from shared.money import default_locale
from shared.pricing import PromotionFormatError, promotion_to_dict
from shared.protocol import (
    CashierV1,
    CatalogChangeV1,
    CatalogPageV1,
    CategoryV1,
    CustomerV1,
    ModifierGroupV1,
    ModifierOptionV1,
    OutletTaxRateV1,
    OutletV1,
    ProductV1,
    PromotionV1,
    TaxRateV1,
    TenantSettingsV1,
    WireModel,
)
from sync_server.accounts.models import User
from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    OutletTaxRate,
    Product,
    ProductModifierGroup,
    TaxRate,
)
from sync_server.common.services import same_fields
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.devices.auth import Device
from sync_server.kitchen.services import station_code
from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Outlet, Tenant, TerminalKind

log = logging.getLogger("kiosk.sync")

CURSOR_PREFIX: Final = "v1"
DEFAULT_PAGE: Final = 500


class BadCursor(ValueError):
    """The `since` cursor is not one this server handed out."""


@dataclass(frozen=True, order=True)
class FeedKey:
    """Position in the feed: writer transaction, then version (txid 0 on SQLite)."""

    txid: int
    version: int


@dataclass(frozen=True)
class Cursor:
    key: FeedKey
    catalog_version: int

    def encode(self) -> str:
        return f"{CURSOR_PREFIX}.{self.key.txid}.{self.key.version}.{self.catalog_version}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        if not raw:
            return cls(FeedKey(0, 0), 0)
        parts = raw.split(".")
        if len(parts) != 4 or parts[0] != CURSOR_PREFIX:
            raise BadCursor("malformed catalog cursor")
        numbers = [_cursor_number(part) for part in parts[1:]]
        return cls(FeedKey(numbers[0], numbers[1]), numbers[2])


MAX_CURSOR_NUMBER: Final = 2**63 - 1
"""Every part of a cursor is compared with a PostgreSQL bigint."""


def _cursor_number(part: str) -> int:
    """One numeric part of a cursor: ASCII digits only (`str.isdigit` takes `²`), a bigint."""
    if not part or len(part) > 19 or not all("0" <= ch <= "9" for ch in part):
        raise BadCursor("malformed catalog cursor")
    value = int(part)
    if value > MAX_CURSOR_NUMBER:
        raise BadCursor("malformed catalog cursor")
    return value


@dataclass(frozen=True)
class Source:
    """One table of the feed and which entity a changed row of it re-sends."""

    table: str
    entity: str
    target_column: str = "id"
    tenant_column: str = "tenant_id"


SOURCES: Final = (
    Source("tenants_tenant", "tenant", tenant_column="id"),
    Source("tenants_outlet", "outlet"),
    Source("catalog_taxrate", "tax_rate"),
    Source("catalog_outlettaxrate", "tax_rate", target_column="tax_rate_id"),
    Source("catalog_category", "category"),
    Source("catalog_modifiergroup", "modifier_group"),
    Source("catalog_modifieroption", "modifier_group", target_column="group_id"),
    Source("catalog_product", "product"),
    Source("catalog_productmodifiergroup", "product", target_column="product_id"),
    Source("promotions_promotion", "promotion"),
    Source("customers_customer", "customer"),
    Source("accounts_user", "cashier"),
)


@dataclass(frozen=True)
class FeedRow:
    key: FeedKey
    entity: str
    target_id: uuid.UUID


def _horizon(cursor: Any, tenant: Tenant) -> int:
    """The tenant's feed horizon: no row below it can still commit (see the module docstring)."""
    cursor.execute("SELECT kiosk_feed_horizon(%s)::text::bigint", [tenant.id])
    return int(cursor.fetchone()[0])


def _changed_rows(tenant: Tenant, after: FeedKey, limit: int) -> list[FeedRow]:
    """Up to `limit` rows of each source after `after`, merged in feed order."""
    connection = connections[DEFAULT_DB_ALIAS]
    postgres = connection.vendor == "postgresql"
    rows: list[FeedRow] = []
    with connection.cursor() as cursor:
        horizon = _horizon(cursor, tenant) if postgres else 0
        for source in SOURCES:
            if postgres:
                sql = (
                    f"SELECT feed_txid::text::bigint, version, {source.target_column} "
                    f"FROM {source.table} WHERE {source.tenant_column} = %s "
                    "AND (feed_txid, version) > (%s::text::xid8, %s) "
                    "AND feed_txid < %s::text::xid8 "
                    "ORDER BY feed_txid, version LIMIT %s"
                )
                params: list[Any] = [tenant.id, after.txid, after.version, horizon, limit]
            else:
                sql = (
                    f"SELECT 0, version, {source.target_column} FROM {source.table} "
                    f"WHERE {source.tenant_column} = %s AND version > %s "
                    "ORDER BY version LIMIT %s"
                )
                params = [tenant.id.hex, after.version, limit]
            cursor.execute(sql, params)
            rows.extend(
                FeedRow(FeedKey(int(txid), int(version)), source.entity, _as_uuid(target))
                for txid, version, target in cursor.fetchall()
            )
    rows.sort(key=lambda row: row.key)
    return rows


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# --- rows to wire models --------------------------------------------------------------------


def _station(value: str | None) -> str | None:
    """A station as the wire and the kitchen name it (free text "Hot line" is `Hot-line`)."""
    return station_code(value) if value and value.strip() else None


def receipt_logo_path(tenant_slug: str, sha256: str) -> str:
    """Where a till of the tenant downloads the logo whose SHA-256 is `sha256` ("" for none),
    with its device token (`devices.apis.ReceiptLogoApi`)."""
    if not sha256:
        return ""
    return reverse("device-receipt-logo", kwargs={"tenant_slug": tenant_slug, "sha256": sha256})


def _tenant_change(tenant: Tenant, ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    fresh = Tenant.objects.get(id=tenant.id)
    data = TenantSettingsV1(
        id=fresh.id,
        slug=fresh.slug,
        name=fresh.name,
        currency=fresh.currency,
        time_zone=fresh.time_zone,
        locale=fresh.locale or default_locale(fresh.currency),
        prices_include_tax=fresh.prices_include_tax,
        service_charge_bp=fresh.service_charge_bp,
        service_charge_taxed=fresh.service_charge_taxed,
        cash_rounding_step_minor=fresh.cash_rounding_step_minor,
        approval_discount_threshold_bp=fresh.approval_discount_threshold_bp,
        tax_id=fresh.tax_id,
        address=fresh.address,
        receipt_header=fresh.receipt_header,
        receipt_footer=fresh.receipt_footer,
        receipt_logo_url=receipt_logo_path(fresh.slug, fresh.receipt_logo_sha256),
        receipt_logo_sha256=fresh.receipt_logo_sha256,
    )
    return {fresh.id: (fresh.version, data)}


class _Fed(Protocol):
    """A fed row: its id, its version and its tombstone mark."""

    id: Any
    version: int
    deleted_at: Any


_Row = TypeVar("_Row", bound=_Fed)


def _versioned(
    rows: Iterable[_Row], wire: Callable[[_Row], WireModel | None]
) -> dict[Any, tuple[int, WireModel | None]]:
    """Each row's version and wire form: a deleted row, or one `wire` will not send to this
    device (None), goes out as a tombstone."""
    return {row.id: (row.version, None if row.deleted_at else wire(row)) for row in rows}


def _outlets(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    return _versioned(
        Outlet.with_tombstones.filter(id__in=ids),
        lambda o: OutletV1(
            **same_fields(o, "id", "code", "name", "address"),
            **same_fields(o, "ticket_amber_after_s", "ticket_red_after_s"),
            default_station=_station(o.default_kitchen_station),
        ),
    )


def _tax_rates(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    """Tax rates with every outlet's own rate of them (a changed override re-sends its tax)."""
    ids = list(ids)
    outlet_rates: dict[uuid.UUID, list[OutletTaxRateV1]] = {}
    for tax_rate_id, outlet_id, rate_bp in (
        OutletTaxRate.objects.filter(tax_rate_id__in=ids, outlet__deleted_at=None)
        .order_by("outlet_id")
        .values_list("tax_rate_id", "outlet_id", "rate_bp")
    ):
        outlet_rates.setdefault(tax_rate_id, []).append(
            OutletTaxRateV1(outlet_id=outlet_id, rate_bp=rate_bp)
        )
    return _versioned(
        TaxRate.with_tombstones.filter(id__in=ids),
        lambda t: TaxRateV1(
            **same_fields(t, "id", "name", "rate_bp", "inclusive"),
            outlet_rates=tuple(outlet_rates.get(t.id, ())),
        ),
    )


def _categories(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    return _versioned(
        Category.with_tombstones.filter(id__in=ids),
        lambda c: CategoryV1(
            **same_fields(c, "id", "name", "colour", "sort_order"),
            kitchen_station=_station(c.kitchen_station),
        ),
    )


def _modifier_groups(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    options: dict[uuid.UUID, list[ModifierOptionV1]] = {}
    for option in ModifierOption.objects.filter(group_id__in=ids).order_by("sort_order", "name"):
        options.setdefault(option.group_id, []).append(
            ModifierOptionV1(**same_fields(option, "id", "name", "price_delta_minor", "is_default"))
        )
    return _versioned(
        ModifierGroup.with_tombstones.filter(id__in=ids),
        lambda g: ModifierGroupV1(
            **same_fields(g, "id", "name"),
            min_select=g.min_selections,
            max_select=g.max_selections,
            options=tuple(options.get(g.id, ())),
        ),
    )


def _products(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    ids = list(ids)
    groups: dict[uuid.UUID, list[uuid.UUID]] = {}
    for product_id, group_id in (
        ProductModifierGroup.objects.filter(product_id__in=ids, modifier_group__deleted_at=None)
        .order_by("sort_order")
        .values_list("product_id", "modifier_group_id")
    ):
        groups.setdefault(product_id, []).append(group_id)
    return _versioned(
        Product.with_tombstones.filter(id__in=ids),
        lambda p: ProductV1(
            **same_fields(p, "id", "category_id", "sku", "barcode", "name", "price_minor"),
            tax_rate_ids=(p.tax_rate_id,) if p.tax_rate_id else (),
            modifier_group_ids=tuple(groups.get(p.id, ())),
            kitchen_station=_station(p.kitchen_station),
            colour=p.colour,
            image_url=p.image.url if p.image else "",
            active=p.is_active,
            track_stock=p.track_stock,
        ),
    )


def _promotion_v1(promotion: Promotion) -> PromotionV1 | None:
    try:
        rule = promotion_to_dict(promotion.to_engine())
    except PromotionFormatError:
        return None  # a rule the engine cannot read must not reach a terminal
    return PromotionV1(id=promotion.id, name=promotion.name, active=promotion.is_active, rule=rule)


def _promotions(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    return _versioned(Promotion.with_tombstones.filter(id__in=ids), _promotion_v1)


def _customers(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    return _versioned(
        Customer.with_tombstones.filter(id__in=ids),
        lambda c: CustomerV1(
            **same_fields(c, "id", "name", "phone", "email", "group", "loyalty_points")
        ),
    )


def _cashiers(ids: Iterable[uuid.UUID], device: Device) -> dict[Any, Any]:
    """Staff of the device's outlet and tenant-wide staff; anyone else is a tombstone here."""
    return _versioned(
        User.with_tombstones.filter(id__in=ids),
        lambda u: (
            CashierV1(
                **same_fields(u, "id", "username", "role", "pin_hash", "outlet_id"),
                display_name=u.full_name or u.username,
                active=u.is_active,
            )
            if u.outlet_id in (None, device.outlet_id)
            else None
        ),
    )


Loader = Callable[[Iterable[uuid.UUID], Device], dict[Any, Any]]
LOADERS: Final[dict[str, Loader]] = {
    "outlet": _outlets,
    "tax_rate": _tax_rates,
    "category": _categories,
    "modifier_group": _modifier_groups,
    "product": _products,
    "promotion": _promotions,
    "customer": _customers,
    "cashier": _cashiers,
}


def _load(entity: str, ids: list[uuid.UUID], device: Device) -> dict[Any, Any]:
    """Rows of one entity; a row the wire model refuses is logged and goes out as a tombstone
    (one bad row must not stop every terminal's catalog sync)."""
    loader = LOADERS[entity]
    try:
        return loader(ids, device)
    except ValidationError:
        found: dict[Any, Any] = {}
        for row_id in ids:
            try:
                found.update(loader([row_id], device))
            except ValidationError as error:
                log.error("%s %s cannot be sent to terminals: %s", entity, row_id, error)
        return found


KITCHEN_ENTITIES: Final = frozenset({"tenant", "outlet"})
"""What a kitchen screen uses of the feed (its outlet's timer colours): it signs nobody in, so
it gets no staff, PIN hashes, customers or prices."""


def _uses(device: Device, entity: str) -> bool:
    """Whether a device of this kind uses the entity; others are skipped, cursor moving on."""
    return device.kind != TerminalKind.KITCHEN or entity in KITCHEN_ENTITIES


def catalog_page(*, tenant: Tenant, device: Device, since: str, limit: int) -> CatalogPageV1:
    """One page of changes after `since` (BadCursor if it is not ours), of what the device's
    kind uses."""
    cursor = Cursor.decode(since)
    with tenant_atomic(tenant):
        rows = _changed_rows(tenant, cursor.key, limit)
        page_rows = rows[:limit]
        wanted: dict[str, list[uuid.UUID]] = {}
        order: dict[tuple[str, uuid.UUID], None] = {}
        for row in page_rows:
            if not _uses(device, row.entity):
                continue
            if (row.entity, row.target_id) not in order:
                order[(row.entity, row.target_id)] = None
                wanted.setdefault(row.entity, []).append(row.target_id)
        loaded: dict[str, dict[Any, Any]] = {}
        for entity, ids in wanted.items():
            if entity == "tenant":
                loaded[entity] = _tenant_change(tenant, ids, device)
            else:
                loaded[entity] = _load(entity, ids, device)
    changes = []
    for entity, target_id in order:
        version, data = loaded[entity].get(target_id, (0, None))
        changes.append(_change(entity, target_id, version, data))
    last = page_rows[-1].key if page_rows else cursor.key
    seen = max([cursor.catalog_version, *(row.key.version for row in page_rows)])
    return CatalogPageV1(
        changes=tuple(changes),
        next_cursor=Cursor(last, seen).encode(),
        has_more=len(rows) >= limit,
        catalog_version=seen,
    )


def _change(entity: str, target_id: uuid.UUID, version: int, data: WireModel | None) -> Any:
    if data is None:
        return CatalogChangeV1(entity=entity, id=target_id, version=version, deleted=True)
    try:
        body = data.model_dump(mode="json")
    except ValidationError:  # pragma: no cover - models were validated on construction
        return CatalogChangeV1(entity=entity, id=target_id, version=version, deleted=True)
    return CatalogChangeV1(entity=entity, id=target_id, version=version, data=body)
