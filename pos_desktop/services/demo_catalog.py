"""A small built-in café catalog, so an unpaired terminal can sell offline (demo, tests, CLI)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from pos_desktop.services.auth import hash_pin
from pos_desktop.services.catalog import apply_catalog_page
from pos_desktop.store.identity import TerminalIdentity, save_identity
from shared.pricing import Promotion, PromotionKind, PromotionTarget, promotion_to_dict
from shared.protocol import (
    CashierV1,
    CatalogChangeV1,
    CatalogPageV1,
    CategoryV1,
    ModifierGroupV1,
    ModifierOptionV1,
    OutletV1,
    ProductV1,
    PromotionV1,
    TaxRateV1,
    TenantSettingsV1,
    WireModel,
)

DEMO_NAMESPACE = uuid.UUID("6f0c1f7e-8f53-4a0e-9a55-2f0d1d1c0de0")
DEMO_CASHIER_PIN = "1111"
DEMO_MANAGER_PIN = "9999"
DEMO_PIN_ITERATIONS = 20_000  # the real server's hashes are slower; demo sign-in stays snappy


def demo_id(name: str) -> uuid.UUID:
    """A stable id per demo name, so two demo runs agree."""
    return uuid.uuid5(DEMO_NAMESPACE, name)


def _change(entity: str, model: WireModel, version: int) -> CatalogChangeV1:
    return CatalogChangeV1(
        entity=entity,
        id=model.id,  # type: ignore[attr-defined]
        version=version,
        data=model.model_dump(mode="json"),
    )


def demo_catalog_page() -> CatalogPageV1:
    """The demo catalog as one catalog feed page, applied by the same code as a real one."""
    tenant = TenantSettingsV1(
        id=demo_id("tenant"),
        slug="demo",
        name="Demo Café",
        currency="IDR",
        time_zone="Asia/Jakarta",
        locale="id_ID",
        prices_include_tax=True,
        cash_rounding_step_minor=100,
        approval_discount_threshold_bp=1000,
    )
    outlet = OutletV1(id=demo_id("outlet"), code="DEMO", name="Demo Café Sudirman")
    pb1 = TaxRateV1(id=demo_id("tax:pb1"), name="PB1", rate_bp=1000, inclusive=True)
    drinks = CategoryV1(id=demo_id("cat:drinks"), name="Drinks", kitchen_station="bar")
    food = CategoryV1(id=demo_id("cat:food"), name="Food", kitchen_station="kitchen")
    pastry = CategoryV1(id=demo_id("cat:pastry"), name="Pastry", kitchen_station="bar")
    size = ModifierGroupV1(
        id=demo_id("mod:size"),
        name="Size",
        min_select=0,
        max_select=1,
        options=(
            ModifierOptionV1(id=demo_id("opt:regular"), name="Regular", is_default=True),
            ModifierOptionV1(id=demo_id("opt:large"), name="Large", price_delta_minor=5_000),
        ),
    )
    extras = ModifierGroupV1(
        id=demo_id("mod:extras"),
        name="Extras",
        min_select=0,
        max_select=3,
        options=(
            ModifierOptionV1(id=demo_id("opt:shot"), name="Extra shot", price_delta_minor=6_000),
            ModifierOptionV1(id=demo_id("opt:oat"), name="Oat milk", price_delta_minor=7_000),
            ModifierOptionV1(id=demo_id("opt:less-sugar"), name="Less sugar"),
        ),
    )
    drink_mods = (size.id, extras.id)
    menu = [
        ("Espresso", drinks, 22_000, drink_mods),
        ("Caffè latte", drinks, 32_000, drink_mods),
        ("Cappuccino", drinks, 32_000, drink_mods),
        ("Iced palm-sugar latte", drinks, 35_000, drink_mods),
        ("Jasmine tea", drinks, 18_000, (size.id,)),
        ("Nasi goreng", food, 45_000, ()),
        ("Chicken sandwich", food, 48_000, ()),
        ("Croissant", pastry, 25_000, ()),
        ("Pain au chocolat", pastry, 28_000, ()),
        ("Banana bread", pastry, 24_000, ()),
    ]
    products = [
        ProductV1(
            id=demo_id(f"product:{name}"),
            category_id=category.id,
            sku=f"SKU{index:03d}",
            name=name,
            price_minor=price_minor,
            tax_rate_ids=(pb1.id,),
            modifier_group_ids=modifier_groups,
            kitchen_station=category.kitchen_station,
        )
        for index, (name, category, price_minor, modifier_groups) in enumerate(menu, start=1)
    ]
    pastry_deal = Promotion(
        promotion_id=str(demo_id("promo:pastry")),
        name="Pastry 10% off",
        kind=PromotionKind.PERCENT_OFF,
        target=PromotionTarget.CATEGORY,
        target_ids=frozenset({str(pastry.id)}),
        percent_bp=1000,
    )
    espresso_deal = Promotion(
        promotion_id=str(demo_id("promo:espresso")),
        name="Espresso buy 2 get 1",
        kind=PromotionKind.BUY_X_GET_Y,
        target=PromotionTarget.PRODUCT,
        target_ids=frozenset({str(demo_id("product:Espresso"))}),
        buy_quantity=2,
        get_quantity=1,
        percent_bp=10_000,
    )
    promotions = [
        PromotionV1(id=uuid.UUID(p.promotion_id), name=p.name, rule=promotion_to_dict(p))
        for p in (pastry_deal, espresso_deal)
    ]
    cashiers = [
        CashierV1(
            id=demo_id(f"cashier:{username}"),
            username=username,
            display_name=display_name,
            role=role,
            pin_hash=hash_pin(pin, salt=f"demo{username}", iterations=DEMO_PIN_ITERATIONS),
            outlet_id=outlet.id,
        )
        for username, display_name, role, pin in (
            ("sari", "Sari", "cashier", DEMO_CASHIER_PIN),
            ("budi", "Budi", "manager", DEMO_MANAGER_PIN),
        )
    ]
    changes: list[CatalogChangeV1] = [
        _change("tenant", tenant, 1),
        _change("outlet", outlet, 1),
        _change("tax_rate", pb1, 1),
        *(_change("category", c, 1) for c in (drinks, food, pastry)),
        *(_change("modifier_group", g, 1) for g in (size, extras)),
        *(_change("product", p, 1) for p in products),
        *(_change("promotion", p, 1) for p in promotions),
        *(_change("cashier", c, 1) for c in cashiers),
    ]
    return CatalogPageV1(
        changes=tuple(changes), next_cursor="demo", has_more=False, catalog_version=1
    )


def install_demo_catalog(session: Session) -> None:
    """Give an unpaired terminal the demo identity and catalog (in the caller's transaction)."""
    save_identity(
        session,
        TerminalIdentity(
            tenant_slug="demo",
            outlet_id=str(demo_id("outlet")),
            outlet_code="DEMO",
            terminal_id=str(demo_id("terminal:T1")),
            terminal_code="T1",
            server_url=None,
        ),
    )
    apply_catalog_page(session, demo_catalog_page())
