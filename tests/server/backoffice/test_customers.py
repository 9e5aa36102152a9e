"""Customer pages: search and group filter, create and edit through the customers service with
the API's rules, a customer's synced orders and totals (a manager: their outlet's), CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import post_form as _post
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def test_a_customer_is_created_edited_and_found_by_search_and_group(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    answer = _post(
        client,
        "/backoffice/customers/new/",
        {"name": "Wulan Sari", "phone": "+6281299", "email": "wulan@example.com", "group": "vip"},
    )
    assert answer.status_code == 302, answer.content[:2000]
    with tenant_atomic(demo_tenant):
        wulan = Customer.objects.get(name="Wulan Sari")
    assert (wulan.group, wulan.loyalty_points) == ("vip", 0)
    bad = _post(client, f"/backoffice/customers/{wulan.id}/", {"name": "W", "email": "not-mail"})
    assert bad.status_code == 400 and b'data-testid="error-email"' in bad.content
    fixed = _post(
        client,
        f"/backoffice/customers/{wulan.id}/",
        {"name": "Wulan S.", "phone": "+6281299", "group": "member", "loyalty_points": "40"},
    )
    assert fixed.status_code == 302
    with tenant_atomic(demo_tenant):
        wulan.refresh_from_db()
    assert (wulan.name, wulan.group, wulan.loyalty_points) == ("Wulan S.", "member", 40)
    found = client.get("/backoffice/customers/?q=81299").content.decode()
    assert "Wulan S." in found and found.count('data-testid="customer-row"') == 1
    members = client.get("/backoffice/customers/?group=member").content.decode()
    assert "Wulan S." in members
    assert "Wulan" not in client.get("/backoffice/customers/?group=vip").content.decode()


def test_a_customers_orders_and_totals_and_the_csv_export(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
) -> None:
    with tenant_atomic(demo_tenant):
        customer = Customer.objects.order_by("name").first()
    assert customer is not None
    main, mall = pair_device("main", "t1"), pair_device("mall", "t1")
    orders = [
        make_order(
            main, [(demo_products["Espresso"], 2)], shift_id=uuid.uuid4(), customer_id=customer.id
        ),
        make_order(
            mall, [(demo_products["Croissant"], 1)], shift_id=uuid.uuid4(), customer_id=customer.id
        ),
    ]
    for device, order in zip((main, mall), orders, strict=True):
        pushed = device.push_orders(order)
        assert pushed.status_code == 200, pushed.content
    owner = browser("demo.owner")
    page = owner.get(f"/backoffice/customers/{customer.id}/").content.decode()
    assert all(order.receipt_number in page for order in orders)
    assert 'data-testid="customer-orders">2<' in page
    manager = browser("demo.manager")  # held to the main outlet
    held = manager.get(f"/backoffice/customers/{customer.id}/").content.decode()
    assert orders[0].receipt_number in held and orders[1].receipt_number not in held
    exported = owner.get("/backoffice/customers/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "phone", "email", "group", "loyalty_points"]
    with tenant_atomic(demo_tenant):
        assert len(rows) - 1 == Customer.objects.count()
    assert [customer.name, customer.phone] == rows[1][:2]


def test_rival_sees_none_of_demos_customers(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    with tenant_atomic(demo_tenant):
        customer = Customer.objects.first()
    assert customer is not None
    rival = browser("rival.owner")
    assert rival.get(f"/backoffice/customers/{customer.id}/").status_code == 404
    assert customer.name not in rival.get("/backoffice/customers/export.csv").content.decode()
