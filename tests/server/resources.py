"""Per-resource test data: how to make a row directly, and valid create/update payloads.

Used by the permission-matrix and isolation tests so each covers every resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync_server.accounts.models import Role, User
from sync_server.catalog.models import Category, ModifierGroup, OutletTaxRate, Product, TaxRate
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Outlet, Tenant, Terminal


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


def _outlet(tenant: Tenant) -> Outlet:
    return Outlet.objects.get(code="main")


def _make_product(tenant: Tenant) -> Product:
    product = Product(tenant=tenant, sku=f"T-{_suffix()}", name="Test product", price_minor=10_000)
    product.save()
    return product


def _make_category(tenant: Tenant) -> Category:
    category = Category(tenant=tenant, name=f"Test category {_suffix()}")
    category.save()
    return category


def _make_modifier_group(tenant: Tenant) -> ModifierGroup:
    group = ModifierGroup(tenant=tenant, name=f"Test group {_suffix()}")
    group.save()
    return group


def _make_tax_rate(tenant: Tenant) -> TaxRate:
    rate = TaxRate(tenant=tenant, name=f"Tax {_suffix()}", rate_bp=500)
    rate.save()
    return rate


def _make_outlet_tax_rate(tenant: Tenant) -> OutletTaxRate:
    outlet_rate = OutletTaxRate(
        tenant=tenant, tax_rate=_make_tax_rate(tenant), outlet=_outlet(tenant), rate_bp=500
    )
    outlet_rate.save()
    return outlet_rate


def _make_promotion(tenant: Tenant) -> Promotion:
    promotion = Promotion(
        tenant=tenant,
        name=f"Promo {_suffix()}",
        kind="percent_off",
        rule={"target": "order", "percent_bp": 500},
    )
    promotion.save()
    return promotion


def _make_customer(tenant: Tenant) -> Customer:
    customer = Customer(tenant=tenant, name="Test customer", phone=f"+62{_suffix()}")
    customer.save()
    return customer


def _make_outlet(tenant: Tenant) -> Outlet:
    outlet = Outlet(tenant=tenant, code=f"o{_suffix()}", name="Test outlet")
    outlet.save()
    return outlet


def _make_terminal(tenant: Tenant) -> Terminal:
    terminal = Terminal(tenant=tenant, outlet=_outlet(tenant), code=f"t{_suffix()}", name="Till")
    terminal.save()
    return terminal


def _make_user(tenant: Tenant) -> User:
    user = User(tenant=tenant, username=f"test.{_suffix()}", role=Role.KITCHEN)
    user.set_unusable_password()
    user.save()
    return user


def _make_tenant(tenant: Tenant) -> Tenant:
    made = Tenant(slug=f"t-{_suffix()}", name="Test tenant")
    made.save()
    return made


@dataclass(frozen=True)
class ResourceCase:
    """How to exercise one REST resource."""

    name: str
    make: Callable[[Tenant], Any]
    create: Callable[[Tenant], dict[str, Any]]
    update: dict[str, Any]
    platform: bool = False
    singleton: bool = False  # one object per tenant at /api/<slug>/<name>/, no list

    def list_url(self, slug: str) -> str:
        return "/api/tenants/" if self.platform else f"/api/{slug}/{self.name}/"

    def detail_url(self, slug: str, object_id: Any) -> str:
        if self.singleton:
            return self.list_url(slug)
        return f"{self.list_url(slug)}{object_id}/"

    def make_in(self, tenant: Tenant) -> Any:
        with tenant_atomic(tenant):
            return self.make(tenant)


RESOURCE_CASES: tuple[ResourceCase, ...] = (
    ResourceCase(
        "products",
        _make_product,
        lambda tenant: {"sku": f"N-{_suffix()}", "name": "New", "price_minor": 12_000},
        {"price_minor": 13_000},
    ),
    ResourceCase(
        "categories",
        _make_category,
        lambda tenant: {"name": f"Cat {_suffix()}"},
        {"colour": "#112233"},
    ),
    ResourceCase(
        "modifier-groups",
        _make_modifier_group,
        lambda tenant: {
            "name": f"Milk {_suffix()}",
            "options": [{"name": "Oat", "price_delta_minor": 4_000}],
        },
        {"max_selections": 2},
    ),
    ResourceCase(
        "tax-rates",
        _make_tax_rate,
        lambda tenant: {"name": f"PB1 {_suffix()}", "rate_bp": 1_000, "inclusive": True},
        {"rate_bp": 1_200},
    ),
    ResourceCase(
        "outlet-tax-rates",
        _make_outlet_tax_rate,
        lambda tenant: {
            "tax_rate": str(_make_tax_rate(tenant).id),
            "outlet": str(_outlet(tenant).id),
            "rate_bp": 500,
        },
        {"rate_bp": 750},
    ),
    ResourceCase(
        "promotions",
        _make_promotion,
        lambda tenant: {
            "name": f"Promo {_suffix()}",
            "kind": "percent_off",
            "rule": {"target": "order", "percent_bp": 1_500},
        },
        {"priority": 3},
    ),
    ResourceCase(
        "customers",
        _make_customer,
        lambda tenant: {"name": "Ayu", "phone": f"+62{_suffix()}", "group": "member"},
        {"loyalty_points": 10},
    ),
    ResourceCase(
        "outlets",
        _make_outlet,
        lambda tenant: {"code": f"o{_suffix()}", "name": "Airport"},
        {"name": "Airport T3"},
    ),
    ResourceCase(
        "terminals",
        _make_terminal,
        lambda tenant: {"outlet": str(_outlet(tenant).id), "code": f"t{_suffix()}", "name": "T9"},
        {"name": "Renamed till"},
    ),
    ResourceCase(
        "users",
        _make_user,
        lambda tenant: {
            "username": f"new.{_suffix()}",
            "role": "kitchen",
            "password": "long-pass-1",
        },
        {"full_name": "Renamed"},
    ),
    ResourceCase(
        "settings",
        lambda tenant: tenant,
        lambda tenant: {"name": "Another business"},
        {"receipt_footer": "Sampai jumpa!"},
        singleton=True,
    ),
    ResourceCase(
        "tenants",
        _make_tenant,
        lambda tenant: {"slug": f"t-{_suffix()}", "name": "New tenant"},
        {"name": "Renamed tenant"},
        platform=True,
    ),
)

TENANT_CASES = tuple(case for case in RESOURCE_CASES if not (case.platform or case.singleton))
