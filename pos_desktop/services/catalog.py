"""The catalog cache: applying feed pages, the terminal's identity, and a pricing snapshot."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pos_desktop.services.errors import InvalidInput, StateError
from pos_desktop.store.models import (
    Cashier,
    Category,
    Customer,
    ModifierGroup,
    ModifierOption,
    Product,
    Promotion,
    Setting,
    TaxRate,
)
from shared.pricing import CashRounding, PromotionBook, ServiceCharge, promotion_from_dict
from shared.pricing import TaxRate as PricingTaxRate
from shared.protocol import (
    CashierV1,
    CatalogChangeV1,
    CatalogPageV1,
    CategoryV1,
    CustomerV1,
    ModifierGroupV1,
    OutletV1,
    PairResponseV1,
    ProductV1,
    PromotionV1,
    TaxRateV1,
    TenantSettingsV1,
)

TERMINAL_KEY = "terminal"
TENANT_KEY = "tenant"
OUTLET_KEY = "outlet"
CURSOR_KEY = "catalog_cursor"
CATALOG_VERSION_KEY = "catalog_version"
LAST_SYNC_KEY = "last_sync_at"
READY_CURSOR_KEY = "ready_cursor"
"""The server time of the last "order ready" the terminal heard of (`sync/ready/?since=`)."""

ROW_MODELS: dict[str, type[Any]] = {
    "category": Category,
    "product": Product,
    "modifier_group": ModifierGroup,
    "tax_rate": TaxRate,
    "promotion": Promotion,
    "customer": Customer,
    "cashier": Cashier,
}


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """A stored setting's JSON value."""
    row = session.get(Setting, key)
    return default if row is None else row.value


def put_setting(session: Session, key: str, value: Any) -> None:
    """Store a setting in the caller's transaction."""
    session.merge(Setting(key=key, value=value))


@dataclass(frozen=True)
class TerminalIdentity:
    """Who this terminal is: ids for the wire, codes for receipt numbers, where to sync."""

    tenant_slug: str
    outlet_id: str
    outlet_code: str
    terminal_id: str
    terminal_code: str
    server_url: str | None

    @property
    def paired(self) -> bool:
        return self.server_url is not None


def save_pairing(session: Session, pairing: PairResponseV1, server_url: str) -> None:
    """Remember the paired identity (the tokens go to the keyring, never here)."""
    identity = TerminalIdentity(
        tenant_slug=pairing.tenant_slug,
        outlet_id=str(pairing.outlet_id),
        outlet_code=pairing.outlet_code,
        terminal_id=str(pairing.terminal_id),
        terminal_code=pairing.terminal_code,
        server_url=server_url,
    )
    put_setting(session, TERMINAL_KEY, identity.__dict__)


def terminal_identity(session: Session) -> TerminalIdentity:
    """The stored identity; StateError when the terminal has neither pairing nor demo data."""
    value = get_setting(session, TERMINAL_KEY)
    if value is None:
        raise StateError(
            "This terminal is not paired and has no catalog.", field=None, code="not_paired"
        )
    return TerminalIdentity(**value)


def change_server_url(session: Session, server_url: str) -> TerminalIdentity | None:
    """Move a paired terminal to another server address (the manager's settings screen).

    The identity's `server_url` is the one place the address lives: the sync engine and so
    the online state (and with it the kitchen-print decision) follow it. An empty address
    keeps the current one; an unpaired terminal (demo) learns its address when it pairs, so
    nothing is stored for it here.
    """
    value = get_setting(session, TERMINAL_KEY)
    identity = TerminalIdentity(**value) if value else None
    wanted = server_url.strip().rstrip("/")
    if identity is None or identity.server_url is None or not wanted:
        return identity
    parts = urlsplit(wanted)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "Enter the server address as http(s)://host[:port].",
            field="server_url",
            code="bad_server_url",
        )
    if wanted != identity.server_url:
        identity = replace(identity, server_url=wanted)
        put_setting(session, TERMINAL_KEY, identity.__dict__)
    return identity


def _upsert_modifier_group(session: Session, data: ModifierGroupV1, version: int) -> None:
    session.merge(
        ModifierGroup(
            id=str(data.id),
            name=data.name,
            min_select=data.min_select,
            max_select=data.max_select,
            version=version,
        )
    )
    session.execute(delete(ModifierOption).where(ModifierOption.group_id == str(data.id)))
    for option in data.options:
        session.add(
            ModifierOption(
                id=str(option.id),
                group_id=str(data.id),
                name=option.name,
                price_delta_minor=option.price_delta_minor,
                is_default=option.is_default,
                version=version,
            )
        )


def _upsert(session: Session, change: CatalogChangeV1, outlet_id: str | None) -> None:
    data = change.typed_data()
    version = change.version
    if isinstance(data, TenantSettingsV1):
        put_setting(session, TENANT_KEY, data.model_dump(mode="json"))
    elif isinstance(data, OutletV1):
        if outlet_id is None or str(data.id) == outlet_id:
            put_setting(session, OUTLET_KEY, data.model_dump(mode="json"))
    elif isinstance(data, CategoryV1):
        session.merge(
            Category(
                id=str(data.id),
                name=data.name,
                sort_order=data.sort_order,
                kitchen_station=data.kitchen_station,
                version=version,
            )
        )
    elif isinstance(data, ProductV1):
        session.merge(
            Product(
                id=str(data.id),
                category_id=str(data.category_id) if data.category_id else None,
                name=data.name,
                sku=data.sku,
                barcode=data.barcode,
                price_minor=data.price_minor,
                tax_rate_ids=[str(i) for i in data.tax_rate_ids],
                modifier_group_ids=[str(i) for i in data.modifier_group_ids],
                kitchen_station=data.kitchen_station,
                is_active=data.active,
                version=version,
                image_url=data.image_url,
                colour=data.colour,
            )
        )
    elif isinstance(data, ModifierGroupV1):
        _upsert_modifier_group(session, data, version)
    elif isinstance(data, TaxRateV1):
        session.merge(
            TaxRate(
                id=str(data.id),
                name=data.name,
                # The rate this till's outlet charges (PB1 differs by city); so the server
                # re-prices its orders, with the order's outlet.
                rate_bp=data.rate_bp_at(outlet_id),
                inclusive=data.inclusive,
                version=version,
            )
        )
    elif isinstance(data, PromotionV1):
        session.merge(
            Promotion(
                id=str(data.id),
                name=data.name,
                rule=data.rule,
                is_active=data.active,
                version=version,
            )
        )
    elif isinstance(data, CustomerV1):
        session.merge(
            Customer(
                id=str(data.id),
                name=data.name,
                phone=data.phone or None,
                email=data.email or None,
                customer_group=data.group,
                created_offline=False,
                version=version,
            )
        )
    elif isinstance(data, CashierV1):
        _upsert_cashier(session, data, version, outlet_id)


def _upsert_cashier(session: Session, data: CashierV1, version: int, outlet_id: str | None) -> None:
    existing = session.get(Cashier, str(data.id))
    elsewhere = data.outlet_id is not None and outlet_id and str(data.outlet_id) != outlet_id
    if elsewhere or not data.pin_hash:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        existing = Cashier(id=str(data.id), failed_attempts=0)
        session.add(existing)
    existing.username = data.username
    existing.name = data.display_name
    existing.role = data.role
    existing.pin_hash = data.pin_hash
    existing.is_active = data.active
    existing.version = version


def apply_catalog_page(session: Session, page: CatalogPageV1) -> None:
    """Apply one page and advance the cursor in the same transaction (so once, in order)."""
    identity = get_setting(session, TERMINAL_KEY)
    outlet_id = identity["outlet_id"] if identity else None
    for change in page.changes:
        if change.deleted:
            if change.entity == "modifier_group":
                session.execute(
                    delete(ModifierOption).where(ModifierOption.group_id == str(change.id))
                )
            model = ROW_MODELS.get(change.entity)
            if model is not None:
                session.execute(delete(model).where(model.id == str(change.id)))
            continue
        _upsert(session, change, outlet_id)
        session.flush()
    put_setting(session, CURSOR_KEY, page.next_cursor)
    put_setting(session, CATALOG_VERSION_KEY, page.catalog_version)


def tenant_cash_rounding(settings: TenantSettingsV1) -> CashRounding | None:
    """The tenant's cash rounding (Rp 100), for sales and for cash given back alike."""
    step = settings.cash_rounding_step_minor
    return CashRounding(step_minor=step) if step > 1 else None


def cash_rounding_of(session: Session) -> CashRounding | None:
    """The stored tenant's cash rounding; None before the first catalog pull."""
    tenant = get_setting(session, TENANT_KEY)
    return None if tenant is None else tenant_cash_rounding(TenantSettingsV1.model_validate(tenant))


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything the cart needs to price, read once per catalog version (no session kept)."""

    currency: str
    time_zone: str
    catalog_version: int
    approval_discount_threshold_bp: int
    products: dict[str, Product]
    categories: dict[str, Category]
    modifier_groups: dict[str, ModifierGroup]
    modifier_options: dict[str, ModifierOption]
    tax_rates: tuple[PricingTaxRate, ...]
    promotions: PromotionBook
    service_charge: ServiceCharge | None
    cash_rounding: CashRounding | None

    @classmethod
    def load(cls, session: Session) -> CatalogSnapshot:
        """Read the cache in a read-only unit of work; the rows are detached afterwards."""
        tenant = get_setting(session, TENANT_KEY)
        if tenant is None:
            raise StateError("No catalog yet: pair and sync first.", code="no_catalog")
        settings = TenantSettingsV1.model_validate(tenant)
        rules = session.scalars(select(Promotion).where(Promotion.is_active.is_(True))).all()
        snapshot = cls(
            currency=settings.currency,
            time_zone=settings.time_zone,
            catalog_version=int(get_setting(session, CATALOG_VERSION_KEY, 0)),
            approval_discount_threshold_bp=settings.approval_discount_threshold_bp,
            products={p.id: p for p in session.scalars(select(Product))},
            categories={c.id: c for c in session.scalars(select(Category))},
            modifier_groups={g.id: g for g in session.scalars(select(ModifierGroup))},
            modifier_options={o.id: o for o in session.scalars(select(ModifierOption))},
            tax_rates=tuple(
                PricingTaxRate(rate_id=t.id, name=t.name, rate_bp=t.rate_bp, inclusive=t.inclusive)
                for t in session.scalars(select(TaxRate))
            ),
            promotions=PromotionBook(promotion_from_dict(r.rule) for r in rules),
            service_charge=(
                ServiceCharge(
                    rate_bp=settings.service_charge_bp, taxed=settings.service_charge_taxed
                )
                if settings.service_charge_bp
                else None
            ),
            cash_rounding=tenant_cash_rounding(settings),
        )
        session.expunge_all()
        return snapshot
