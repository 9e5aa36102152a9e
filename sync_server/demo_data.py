"""The demo world of `kiosk-server seed_demo`: Kopi Kiosk (`demo`), `rival`, and `root`.

Idempotent: every row is found by its natural key and only written when it differs,
so a second run changes nothing (no version churn either). One file on purpose, though
long: it is data written as code (tenants, outlets, catalog, staff, devices), read as one
story.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from sync_server.accounts.models import Role, User
from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    OutletTaxRate,
    Product,
    ProductModifierGroup,
    TaxRate,
)
from sync_server.common.services import apply_fields, soft_delete
from sync_server.common.tenancy import TenantOwnedModel, VersionedModel, tenant_atomic
from sync_server.customers.models import Customer
from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind
from sync_server.tenants.services import receipt_logo_png, tenant_receipt_logo_set

DEMO_PASSWORD = "kiosk-demo"
MALL_PB1_BP = 500
"""The demo's second outlet is in a city that sets PB1 at 5% (the main outlet charges 10%)."""

M = TypeVar("M", bound=VersionedModel)


@dataclass(frozen=True)
class DemoAccount:
    """One row of the README's demo accounts table."""

    username: str
    role: str
    tenant_slug: str | None
    pin: str | None
    outlet_code: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("root", Role.SUPER_ADMIN, None, None),
    DemoAccount("demo.owner", Role.OWNER, "demo", "1111"),
    DemoAccount("demo.manager", Role.MANAGER, "demo", "2222", "main"),
    DemoAccount("demo.cashier", Role.CASHIER, "demo", "3333", "main"),
    DemoAccount("demo.kitchen", Role.KITCHEN, "demo", "4444", "main"),
    DemoAccount("rival.owner", Role.OWNER, "rival", None),
)

# (category, colour, station, [(name, price_minor)]): 6 categories x 10 products. The station is
# set on the category and on each of its products (a product's own station wins in routing).
DEMO_MENU: tuple[tuple[str, str, str, tuple[tuple[str, int], ...]], ...] = (
    (
        "Coffee",
        "#6F4E37",
        "bar",
        (
            ("Espresso", 18_000),
            ("Americano", 22_000),
            ("Kopi Susu", 25_000),
            ("Cappuccino", 30_000),
            ("Caffe Latte", 32_000),
            ("Flat White", 33_000),
            ("Mocha", 35_000),
            ("Caramel Macchiato", 38_000),
            ("Affogato", 36_000),
            ("Cold Brew", 30_000),
        ),
    ),
    (
        "Tea",
        "#8DB600",
        "bar",
        (
            ("Teh Tarik", 20_000),
            ("Lemon Tea", 18_000),
            ("Matcha Latte", 32_000),
            ("Thai Tea", 24_000),
            ("Earl Grey", 20_000),
            ("Jasmine Tea", 18_000),
            ("Lychee Tea", 26_000),
            ("Peach Tea", 26_000),
            ("Chai Latte", 30_000),
            ("Iced Green Tea", 20_000),
        ),
    ),
    (
        "Non-Coffee",
        "#E97451",
        "bar",
        (
            ("Chocolate", 28_000),
            ("Red Velvet Latte", 30_000),
            ("Taro Latte", 30_000),
            ("Fresh Orange", 25_000),
            ("Avocado Juice", 28_000),
            ("Mango Smoothie", 30_000),
            ("Strawberry Milk", 27_000),
            ("Mineral Water", 8_000),
            ("Soda Lime", 20_000),
            ("Coconut Water", 22_000),
        ),
    ),
    (
        "Pastry",
        "#F4C430",
        "bar",
        (
            ("Croissant", 22_000),
            ("Pain au Chocolat", 26_000),
            ("Cinnamon Roll", 24_000),
            ("Banana Bread", 20_000),
            ("Cheese Danish", 25_000),
            ("Almond Croissant", 30_000),
            ("Blueberry Muffin", 22_000),
            ("Brownie", 20_000),
            ("Donut Gula", 12_000),
            ("Pandan Cake", 18_000),
        ),
    ),
    (
        "Rice & Noodles",
        "#C04000",
        "kitchen",
        (
            ("Nasi Goreng", 35_000),
            ("Mie Goreng", 33_000),
            ("Nasi Ayam Geprek", 32_000),
            ("Nasi Rendang", 45_000),
            ("Kwetiau Goreng", 35_000),
            ("Nasi Uduk", 30_000),
            ("Mie Ayam", 28_000),
            ("Nasi Campur", 38_000),
            ("Soto Ayam", 30_000),
            ("Bakmi Goreng", 33_000),
        ),
    ),
    (
        "Snacks",
        "#7B3F00",
        "kitchen",
        (
            ("French Fries", 22_000),
            ("Pisang Goreng", 18_000),
            ("Tahu Crispy", 16_000),
            ("Chicken Wings", 35_000),
            ("Onion Rings", 22_000),
            ("Cireng", 15_000),
            ("Risoles", 15_000),
            ("Lumpia", 18_000),
            ("Kentang Sosis", 25_000),
            ("Roti Bakar", 20_000),
        ),
    ),
)

CUSTOMER_NAMES = (
    "Andi Pratama",
    "Budi Santoso",
    "Citra Lestari",
    "Dewi Anggraini",
    "Eko Saputra",
    "Fitri Handayani",
    "Gilang Ramadhan",
    "Hana Wijaya",
    "Indra Kusuma",
    "Joko Susilo",
    "Kartika Sari",
    "Lina Marlina",
    "Made Wirawan",
    "Nina Oktaviani",
    "Oki Setiawan",
    "Putri Maharani",
    "Rizky Hidayat",
    "Sari Puspita",
    "Teguh Prasetyo",
    "Wulan Dari",
)


def _write(model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any]) -> M:
    """Find by natural key; create, or update only the fields that differ."""
    manager = model.objects  # type: ignore[attr-defined]
    instance: M | None = manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.save()
        return instance
    changed = {
        name: value for name, value in values.items() if _current(instance, name) != _plain(value)
    }
    return apply_fields(instance, changed) if changed else instance


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, TenantOwnedModel | Tenant) else value


def _current(instance: Any, name: str) -> Any:
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _product_image(sku: str, colour: str) -> str:
    """A small generated PNG per product (written once, kept on re-runs)."""
    path = f"products/{sku.lower()}.png"
    if default_storage.exists(path):
        return path
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 87, 87), outline="white", width=3)
    draw.text((30, 40), sku[-3:], fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return default_storage.save(path, ContentFile(buffer.getvalue()))


def _receipt_logo(name: str) -> bytes:
    """The demo business's receipt logo, drawn here (no picture file in the repository): a
    cup in a ring beside the business's name, black on white as a receipt printer prints."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (384, 128), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 120, 120), outline=0, width=8)
    draw.rounded_rectangle((38, 46, 82, 92), radius=8, fill=0)  # the cup
    draw.arc((72, 54, 98, 80), start=270, end=90, fill=0, width=6)  # its handle
    for x in (48, 60, 72):  # steam
        draw.line((x, 26, x - 4, 38), fill=0, width=4)
    font = ImageFont.load_default(size=40)
    draw.text((136, 30), name.upper(), fill=0, font=font)
    draw.line((136, 92, 376, 92), fill=0, width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seed_receipt_logo(tenant: Tenant) -> None:
    """Give a business its drawn logo when it has none (one the owner uploaded stays)."""
    if tenant.receipt_logo_sha256:
        return
    picture = io.BytesIO(_receipt_logo(tenant.name))
    tenant_receipt_logo_set(tenant=tenant, png=receipt_logo_png(picture))


def _seed_tenant_settings(slug: str, name: str, **extra: Any) -> Tenant:
    values = {
        "name": name,
        "currency": "IDR",
        "locale": "id_ID",
        "time_zone": "Asia/Jakarta",
        "prices_include_tax": False,
        "is_active": True,
        **extra,
    }
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = Tenant(slug=slug, **values)
        tenant.save()
        return tenant
    changed = {key: value for key, value in values.items() if getattr(tenant, key) != value}
    return apply_fields(tenant, changed) if changed else tenant


def _seed_user(account: DemoAccount, tenant: Tenant | None, outlet: Outlet | None) -> User:
    with tenant_atomic(tenant):
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(username=account.username, role=account.role, tenant=tenant)
            user.set_password(DEMO_PASSWORD)
            user.set_pin(account.pin)
            user.full_name = account.username.replace(".", " ").title()
            user.outlet = outlet
            user.save()
            return user
        return _write(
            User, {"username": account.username}, {"role": account.role, "outlet": outlet}
        )


def _seed_modifiers(tenant: Tenant) -> dict[str, ModifierGroup]:
    spec = {
        "Size": (1, 1, (("Small", -3_000, False), ("Regular", 0, True), ("Large", 5_000, False))),
        "Sugar": (
            1,
            1,
            (("Normal sugar", 0, True), ("Less sugar", 0, False), ("No sugar", 0, False)),
        ),
        "Extra shot": (0, 2, (("Extra shot", 5_000, False),)),
    }
    groups: dict[str, ModifierGroup] = {}
    for sort_order, (name, (low, high, options)) in enumerate(spec.items()):
        group = _write(
            ModifierGroup,
            {"tenant": tenant, "name": name},
            {"min_selections": low, "max_selections": high, "sort_order": sort_order},
        )
        for index, (option, delta, default) in enumerate(options):
            _write(
                ModifierOption,
                {"tenant": tenant, "group": group, "name": option},
                {"price_delta_minor": delta, "is_default": default, "sort_order": index},
            )
        groups[name] = group
    return groups


def _seed_menu(
    tenant: Tenant, tax_rate: TaxRate, groups: Mapping[str, ModifierGroup]
) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for category_index, (category_name, colour, station, items) in enumerate(DEMO_MENU):
        category = _write(
            Category,
            {"tenant": tenant, "name": category_name},
            {"colour": colour, "kitchen_station": station, "sort_order": category_index},
        )
        offered = {
            "Coffee": ("Size", "Sugar", "Extra shot"),
            "Tea": ("Size", "Sugar"),
            "Non-Coffee": ("Size", "Sugar"),
        }.get(category_name, ())
        for index, (name, price_minor) in enumerate(items):
            sku = f"{category_name[:3].upper()}-{index + 1:03d}"
            product = _write(
                Product,
                {"tenant": tenant, "sku": sku},
                {
                    "name": name,
                    "category": category,
                    "price_minor": price_minor,
                    "cost_minor": price_minor * 35 // 100,
                    "tax_rate": tax_rate,
                    "kitchen_station": station,
                    "colour": colour,
                    "barcode": f"899{category_index + 1:02d}{index + 1:07d}",
                    "image": _product_image(sku, colour),
                    "sort_order": index,
                },
            )
            for link_order, group_name in enumerate(offered):
                _write(
                    ProductModifierGroup,
                    {"tenant": tenant, "product": product, "modifier_group": groups[group_name]},
                    {"sort_order": link_order},
                )
            products[name] = product
    return products


def _seed_promotions(tenant: Tenant, products: Mapping[str, Product]) -> None:
    coffee = products["Espresso"].category_id
    pastry = products["Croissant"].category_id
    promotions: dict[str, dict[str, Any]] = {
        "Happy hour coffee 20%": {
            "kind": "percent_off",
            "priority": 10,
            "rule": {
                "target": "category",
                "target_ids": [str(coffee)],
                "percent_bp": 2_000,
                "windows": [{"weekdays": [0, 1, 2, 3, 4], "start": "14:00", "end": "17:00"}],
            },
        },
        "Pastry buy 2 get 1": {
            "kind": "buy_x_get_y",
            "priority": 5,
            "rule": {
                "target": "category",
                "target_ids": [str(pastry)],
                "buy_quantity": 2,
                "get_quantity": 1,
                "percent_bp": 10_000,
            },
        },
        "Breakfast bundle": {
            "kind": "bundle",
            "priority": 20,
            "rule": {
                "bundle_items": [
                    {"product_id": str(products["Kopi Susu"].id), "quantity": 1},
                    {"product_id": str(products["Croissant"].id), "quantity": 1},
                ],
                "bundle_price_minor": 40_000,
            },
        },
        "Member discount 10%": {
            "kind": "percent_off",
            "priority": 1,
            "stackable": True,
            "rule": {"target": "order", "percent_bp": 1_000, "customer_group_ids": ["member"]},
        },
    }
    for name, values in promotions.items():
        promotion = _write(Promotion, {"tenant": tenant, "name": name}, values)
        promotion.to_engine()  # the shared engine must accept what we seed


def _seed_customers(tenant: Tenant) -> None:
    for index, name in enumerate(CUSTOMER_NAMES):
        _write(
            Customer,
            {"tenant": tenant, "phone": f"+62812000{index + 1:04d}"},
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "group": "member" if index % 2 == 0 else "",
                "loyalty_points": (index * 37) % 250,
            },
        )


def _seed_demo_tenant() -> Tenant:
    tenant = _seed_tenant_settings(
        "demo",
        "Kopi Kiosk",
        service_charge_bp=500,
        cash_rounding_step_minor=100,
        receipt_header="Kopi Kiosk\nJl. Jend. Sudirman No. 1, Jakarta",
        receipt_footer="Terima kasih! Sampai jumpa lagi.",
        tax_id="01.234.567.8-901.000",
        address="Jl. Jend. Sudirman No. 1, Jakarta Pusat",
    )
    with tenant_atomic(tenant):
        # A café charges the regional restaurant tax (PBJT, still called PB1), not PPN; each
        # city sets its rate, so the mall outlet charges its own (see OUTLET_PB1_BP).
        tax = _write(
            TaxRate, {"tenant": tenant, "name": "PB1"}, {"rate_bp": 1_000, "inclusive": False}
        )
        main = _write(
            Outlet,
            {"tenant": tenant, "code": "main"},
            {
                "name": "Kopi Kiosk Sudirman",
                "address": "Jl. Jend. Sudirman No. 1",
                "default_kitchen_station": "kitchen",
            },
        )
        mall = _write(
            Outlet,
            {"tenant": tenant, "code": "mall"},
            {
                "name": "Kopi Kiosk Grand Mall",
                "address": "Grand Mall, Lt. 2",
                "default_kitchen_station": "kitchen",
            },
        )
        for outlet, code, name, kind in (
            (main, "t1", "Main till", TerminalKind.TERMINAL),
            (mall, "t1", "Mall till", TerminalKind.TERMINAL),
            (main, "k1", "Main kitchen screen", TerminalKind.KITCHEN),
        ):
            _write(
                Terminal,
                {"tenant": tenant, "outlet": outlet, "code": code},
                {"name": name, "kind": kind},
            )
        _write(
            OutletTaxRate,
            {"tenant": tenant, "tax_rate": tax, "outlet": mall},
            {"rate_bp": MALL_PB1_BP},
        )
        groups = _seed_modifiers(tenant)
        products = _seed_menu(tenant, tax, groups)
        for stale in TaxRate.objects.filter(name="PPN 11%"):
            if not Product.objects.filter(tax_rate=stale).exists():
                soft_delete(stale)  # demo databases seeded before PB1
        _seed_promotions(tenant, products)
        _seed_customers(tenant)
    _seed_receipt_logo(tenant)
    return tenant


def _seed_rival_tenant() -> Tenant:
    tenant = _seed_tenant_settings(
        "rival", "Rival Roasters", service_charge_bp=0, cash_rounding_step_minor=100
    )
    with tenant_atomic(tenant):
        tax = _write(
            TaxRate, {"tenant": tenant, "name": "PPN 11%"}, {"rate_bp": 1_100, "inclusive": False}
        )
        _write(Outlet, {"tenant": tenant, "code": "main"}, {"name": "Rival Roasters Kemang"})
        category = _write(
            Category,
            {"tenant": tenant, "name": "Coffee"},
            {"colour": "#3B2F2F", "kitchen_station": "bar"},
        )
        for index, (name, price_minor) in enumerate(
            (
                ("Rival Espresso", 20_000),
                ("Rival Latte", 34_000),
                ("Rival Cold Brew", 32_000),
                ("Rival Mocha", 36_000),
                ("Rival Tonic", 35_000),
            )
        ):
            _write(
                Product,
                {"tenant": tenant, "sku": f"RIV-{index + 1:03d}"},
                {
                    "name": name,
                    "category": category,
                    "price_minor": price_minor,
                    "cost_minor": price_minor // 3,
                    "tax_rate": tax,
                    "kitchen_station": "bar",
                    "sort_order": index,
                },
            )
        _write(Customer, {"tenant": tenant, "phone": "+628199990001"}, {"name": "Rival Regular"})
    return tenant


@transaction.atomic
def seed_demo() -> dict[str, Tenant]:
    """Create or refresh the demo data; returns the tenants by slug."""
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    tenants = {"demo": _seed_demo_tenant(), "rival": _seed_rival_tenant()}
    for account in DEMO_ACCOUNTS:
        tenant = tenants[account.tenant_slug] if account.tenant_slug else None
        outlet = None
        if tenant is not None and account.outlet_code:
            with tenant_atomic(tenant):
                outlet = Outlet.objects.get(code=account.outlet_code)
        _seed_user(account, tenant, outlet)
    return tenants
