"""The catalog cache: applying feed pages, and a pricing snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pos_desktop.services.errors import StateError
from pos_desktop.store.identity import read_identity
from pos_desktop.store.models import (
    Cashier,
    Category,
    Customer,
    ModifierGroup,
    ModifierOption,
    Product,
    Promotion,
    TaxRate,
)
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
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
    ProductV1,
    PromotionV1,
    TaxRateV1,
    TenantSettingsV1,
)

ROW_MODELS: dict[str, type[Any]] = {
    "category": Category,
    "product": Product,
    "modifier_group": ModifierGroup,
    "tax_rate": TaxRate,
    "promotion": Promotion,
    "customer": Customer,
    "cashier": Cashier,
}


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
        put_setting(session, SettingKey.TENANT, data.model_dump(mode="json"))
    elif isinstance(data, OutletV1):
        if outlet_id is None or str(data.id) == outlet_id:
            put_setting(session, SettingKey.OUTLET, data.model_dump(mode="json"))
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
    identity = read_identity(session)
    outlet_id = identity.outlet_id if identity else None
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
    put_setting(session, SettingKey.CATALOG_CURSOR, page.next_cursor)
    put_setting(session, SettingKey.CATALOG_VERSION, page.catalog_version)


def tenant_cash_rounding(settings: TenantSettingsV1) -> CashRounding | None:
    """The tenant's cash rounding (Rp 100), for sales and for cash given back alike."""
    step = settings.cash_rounding_step_minor
    return CashRounding(step_minor=step) if step > 1 else None


def cash_rounding_of(session: Session) -> CashRounding | None:
    """The stored tenant's cash rounding; None before the first catalog pull."""
    tenant = get_setting(session, SettingKey.TENANT)
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
        tenant = get_setting(session, SettingKey.TENANT)
        if tenant is None:
            raise StateError("No catalog yet: pair and sync first.", code="no_catalog")
        settings = TenantSettingsV1.model_validate(tenant)
        rules = session.scalars(select(Promotion).where(Promotion.is_active.is_(True))).all()
        snapshot = cls(
            currency=settings.currency,
            time_zone=settings.time_zone,
            catalog_version=int(get_setting(session, SettingKey.CATALOG_VERSION, 0)),
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
