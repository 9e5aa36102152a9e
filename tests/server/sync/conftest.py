"""Sync test fixtures: paired devices through the real endpoints, orders priced like a terminal,
and committed fresh tenants for the tests that need other connections to see their writes.

`make_order` plays the terminal: it prices with `shared.pricing` from the tenant's own catalog
(what the terminal caches), so an honest order carries no price flags on the server.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from django.db import connections
from rest_framework.test import APIClient

from shared.order_wire import order_v1, payments_v1
from shared.pricing import (
    Cart,
    CartLine,
    CashRounding,
    PromotionBook,
    ServiceCharge,
    TaxRate,
    price_cart,
)
from shared.pricing.tenders import Tender, cash_rounding_for, split_tenders
from shared.protocol import OrderV1, PairResponseV1
from sync_server.accounts.models import Role, User
from sync_server.accounts.services import tokens_for_user
from sync_server.backoffice.models import AuditEntry
from sync_server.catalog.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    Product,
    ProductModifierGroup,
)
from sync_server.catalog.models import TaxRate as TaxRateRow
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.devices.models import DevicePairing, PairingCode
from sync_server.kitchen.models import (
    KitchenAction,
    KitchenOrderReady,
    KitchenSequence,
    KitchenTicket,
)
from sync_server.orders.models import Order, OrderLine, Payment, Refund, RefundLine, StockLevel
from sync_server.promotions.models import Promotion
from sync_server.reports.models import DiscountDay, PaymentDay, ProductDay, SalesHour, TaxDay
from sync_server.shifts.models import CashMovement, Shift
from sync_server.stock.models import StockMovement
from sync_server.sync.models import SyncEvent
from sync_server.tenants.models import Outlet, Tenant, Terminal, TerminalKind

_receipts = itertools.count(1)


@dataclass
class PairedDevice:
    """A device paired through `/api/pair/`, with a client that sends its access token."""

    pairing: PairResponseV1
    client: APIClient
    tenant_slug: str

    def url(self, path: str) -> str:
        return f"/api/{self.tenant_slug}/{path}"

    def push_orders(self, *orders: OrderV1 | dict[str, Any], **headers: Any) -> Any:
        body = {
            "protocol_version": 1,
            "orders": [o.model_dump(mode="json") if isinstance(o, OrderV1) else o for o in orders],
        }
        return self.client.post(self.url("sync/orders/"), body, format="json", **headers)

    def push_events(self, *events: Any) -> Any:
        body = {"protocol_version": 1, "events": [e.model_dump(mode="json") for e in events]}
        return self.client.post(self.url("sync/events/"), body, format="json")


def pair_through_api(
    tenant: Tenant, terminal: Terminal, owner: User, *, device_name: str = "test"
) -> PairedDevice:
    """Owner asks for a code, the device trades it for credentials, as in production."""
    owner_client = APIClient()
    owner_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(owner)['access']}")
    issued = owner_client.post(f"/api/{tenant.slug}/terminals/{terminal.id}/pairing-code/")
    assert issued.status_code == 201, issued.content
    answer = APIClient().post(
        "/api/pair/",
        {"protocol_version": 1, "code": issued.json()["code"], "device_name": device_name},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    pairing = PairResponseV1.model_validate(answer.json())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pairing.access}")
    return PairedDevice(pairing=pairing, client=client, tenant_slug=tenant.slug)


@pytest.fixture
def pair_device(db: None) -> Callable[..., PairedDevice]:
    """`pair_device("main", "t1")` on the demo tenant, or `tenant="rival"`."""

    def pair(
        outlet_code: str = "main", terminal_code: str = "t1", tenant: str = "demo"
    ) -> PairedDevice:
        owner_tenant = Tenant.objects.get(slug=tenant)
        with tenant_atomic(owner_tenant):
            terminal = Terminal.objects.get(outlet__code=outlet_code, code=terminal_code)
            owner = User.objects.get(role=Role.OWNER)
        return pair_through_api(owner_tenant, terminal, owner)

    return pair


# --- orders as a terminal makes them ----------------------------------------------------------


def _engine_rules(tenant: Tenant) -> dict[str, Any]:
    with tenant_atomic(tenant):
        rates = tuple(
            TaxRate(rate_id=str(t.id), name=t.name, rate_bp=t.rate_bp, inclusive=t.inclusive)
            for t in TaxRateRow.objects.all()
        )
        promotions = PromotionBook(p.to_engine() for p in Promotion.objects.filter(is_active=True))
    return {
        "time_zone": tenant.time_zone,
        "tax_rates": rates,
        "promotions": promotions,
        "service_charge": (
            ServiceCharge(rate_bp=tenant.service_charge_bp) if tenant.service_charge_bp else None
        ),
    }


def make_order(
    device: PairedDevice,
    items: Sequence[tuple[Product, int]],
    *,
    shift_id: uuid.UUID,
    method: str = "card",
    at: datetime | None = None,
    order_id: uuid.UUID | None = None,
    **extra: Any,
) -> OrderV1:
    """A paid order priced by the shared engine exactly as a terminal would price it."""
    tenant = Tenant.objects.get(id=device.pairing.tenant_id)
    at = at or datetime.now(UTC)
    cart_lines = tuple(
        CartLine(
            line_id=str(uuid.uuid4()),
            product_id=str(product.id),
            quantity=quantity,
            unit_price_minor=product.price_minor,
            category_id=str(product.category_id) if product.category_id else None,
            tax_rate_ids=(str(product.tax_rate_id),) if product.tax_rate_id else (),
            name=product.name,
        )
        for product, quantity in items
    )
    step = tenant.cash_rounding_step_minor
    cart = Cart(tenant.currency, cart_lines)
    priced = price_cart(
        cart,
        at=at,
        cash_rounding=cash_rounding_for((method,), CashRounding(step) if step else None),
        **_engine_rules(tenant),
    )
    splits = split_tenders([Tender(method, priced.payable_minor)], priced.payable_minor)
    fields: dict[str, Any] = {
        "id": order_id or uuid.uuid4(),
        "outlet_id": device.pairing.outlet_id,
        "terminal_id": device.pairing.terminal_id,
        "shift_id": shift_id,
        "receipt_number": (
            f"{device.pairing.outlet_code.upper()}-{device.pairing.terminal_code.upper()}-"
            f"{next(_receipts):06d}"
        ),
        "created_at": at,
    }
    fields.update(extra)
    return order_v1(cart, priced, payments=payments_v1(splits, [uuid.uuid4()], at=at), **fields)


@pytest.fixture
def demo_products(demo_tenant: Tenant) -> dict[str, Product]:
    with tenant_atomic(demo_tenant):
        return {p.name: p for p in Product.objects.all()}


# --- committed fresh tenants ------------------------------------------------------------------

PURGE_ORDER = (
    AuditEntry,
    StockMovement,
    SalesHour,
    ProductDay,
    PaymentDay,
    TaxDay,
    DiscountDay,
    KitchenAction,
    KitchenOrderReady,
    KitchenTicket,
    KitchenSequence,
    SyncEvent,
    RefundLine,
    Refund,
    Payment,
    OrderLine,
    Order,
    StockLevel,
    CashMovement,
    Shift,
    DevicePairing,
    PairingCode,
    ProductModifierGroup,
    ModifierOption,
    ModifierGroup,
    Product,
    Category,
    TaxRateRow,
    Promotion,
    Customer,
    User,
    Terminal,
    Outlet,
)


def purge_tenant(tenant: Tenant) -> None:
    """Delete every row of a test tenant, children first, then the tenant."""
    with tenant_atomic(tenant):
        for model in PURGE_ORDER:
            model.unscoped.filter(tenant_id=tenant.id).delete()
    Tenant.objects.filter(id=tenant.id).delete()


_Written = TypeVar("_Written")


@contextmanager
def held_open(tenant: Tenant, write: Callable[[], _Written]) -> Iterator[_Written]:
    """Run `write` in a transaction of `tenant` on another thread (its own connection) and keep
    that transaction open for the block: its writes commit when the block ends."""
    wrote, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def writer() -> None:
        try:
            with tenant_atomic(tenant):
                outcome["written"] = write()
                wrote.set()
                assert release.wait(30), "the test never released its open transaction"
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
            wrote.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert wrote.wait(30), "the open write never happened"
        if "error" in outcome:
            raise outcome["error"]
        yield outcome["written"]
    finally:
        release.set()
        thread.join(30)
    assert not thread.is_alive(), "the open transaction never ended"
    if "error" in outcome:
        raise outcome["error"]


@dataclass
class FreshWorld:
    """A committed tenant of its own: one outlet, one till, an owner, a few products."""

    tenant: Tenant
    outlet: Outlet
    terminal: Terminal
    owner: User
    products: list[Product]


@pytest.fixture
def fresh_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[FreshWorld]:
    """Writes commit for real (other threads and connections see them); purged afterwards."""
    with django_db_blocker.unblock():
        slug = f"t{uuid.uuid4().hex[:10]}"
        with tenant_atomic(None):
            tenant = Tenant(slug=slug, name="Fresh", currency="IDR", cash_rounding_step_minor=1)
            tenant.save()
        try:
            with tenant_atomic(tenant):
                outlet = Outlet(tenant=tenant, code="main", name="Main")
                outlet.save()
                terminal = Terminal(
                    tenant=tenant, outlet=outlet, code="t1", name="Till", kind=TerminalKind.TERMINAL
                )
                terminal.save()
                owner = User(username=f"{slug}.owner", role=Role.OWNER, tenant=tenant)
                owner.set_password("fresh-password")
                owner.save()
                products = []
                for n in range(3):
                    product = Product(
                        tenant=tenant, sku=f"P{n}", name=f"Product {n}", price_minor=10_000 + n
                    )
                    product.save()
                    products.append(product)
            yield FreshWorld(tenant, outlet, terminal, owner, products)
        finally:
            connections.close_all()
            purge_tenant(tenant)
            connections.close_all()
