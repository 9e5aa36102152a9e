"""Report pages and their CSV: the rollups' figures, the till's definitions, constant queries."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared.protocol import OrderRefundedV1, OrderVoidedV1, RefundLineV1, RefundPaymentV1
from sync_server.accounts.models import User
from sync_server.backoffice import selectors as backoffice_selectors
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import OrderLine, OrderStatus, Payment
from sync_server.reports.tables import REPORTS
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def _sell(device: PairedDevice, products: dict[str, Product], count: int, method: str) -> list[Any]:
    shift = uuid.uuid4()
    names = ["Kopi Susu", "Espresso", "Croissant"]
    orders = [
        make_order(
            device,
            [(products[names[index % 3]], 1 + index % 2), (products["Mineral Water"], 2)],
            shift_id=shift,
            method=method,
            at=datetime.now(UTC) - timedelta(minutes=5 + index),
        )
        for index in range(count)
    ]
    assert device.push_orders(*orders).status_code == 200
    return orders


def _csv(client: Client, slug: str, query: str = "") -> list[dict[str, str]]:
    answer = client.get(f"/backoffice/reports/{slug}/export.csv{query}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.content.decode())))


def _manager(tenant: Tenant) -> User:
    with tenant_atomic(tenant):
        return User.objects.filter(role="manager").first()  # type: ignore[no-any-return]


def test_every_report_shows_and_exports_the_rollups_figures(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    main, mall = pair_device("main", "t1"), pair_device("mall", "t1")
    sold = _sell(main, demo_products, 4, "cash") + _sell(mall, demo_products, 3, "qris")
    manager = _manager(demo_tenant)
    water = sold[0].lines[-1]
    refund = OrderRefundedV1(
        id=uuid.uuid4(),
        order_id=sold[0].id,
        at=datetime.now(UTC),
        reason="spilt",
        approved_by=manager.id,
        lines=(RefundLineV1(line_id=water.id, quantity=1, amount_minor=water.total_minor // 2),),
        amount_minor=water.total_minor // 2,
        payments=(RefundPaymentV1(method="cash", amount_minor=water.total_minor // 2),),
    )
    void = OrderVoidedV1(
        id=uuid.uuid4(),
        order_id=sold[1].id,
        at=datetime.now(UTC),
        reason="wrong table",
        approved_by=manager.id,
    )
    assert main.push_events(refund, void).json()["results"][0]["status"] == "created"
    client = browser("demo.owner")
    client.post(
        "/backoffice/language/",
        {"language": "en", "csrfmiddlewaretoken": csrf_from(client.get("/backoffice/").text)},
    )
    for report in REPORTS:
        page = client.get(f"/backoffice/reports/{report.slug}/")
        assert page.status_code == 200, report.slug
        assert 'data-testid="report-table"' in page.text
        assert 'data-testid="export-csv"' in page.text
    assert client.get("/backoffice/reports/").status_code == 200
    assert client.get("/backoffice/reports/nothing/").status_code == 404
    with tenant_atomic(demo_tenant):
        lines = OrderLine.objects.exclude(order__status=OrderStatus.VOIDED)
        sold_quantity = sum(line.quantity for line in lines)
        taken = {
            method: sum(
                p.amount_minor
                for p in Payment.objects.filter(method=method).exclude(
                    order__status=OrderStatus.VOIDED
                )
            )
            for method in ("cash", "qris")
        }
        zone = ZoneInfo(demo_tenant.time_zone)
        today = timezone.localdate(timezone=zone)
        figures = backoffice_selectors.period_figures_by_order(
            tenant=demo_tenant,
            period=backoffice_selectors.Period(
                first=today - timedelta(days=6), last=today, zone=zone
            ),
            outlet=None,
        )
    products = _csv(client, "products")
    assert products[-1]["product"] == "Total"
    assert int(products[-1]["quantity"]) == sold_quantity
    assert int(products[-1]["refunded_quantity"]) == 1
    assert int(products[-1]["net_minor"]) == sum(int(row["net_minor"]) for row in products[:-1])
    payments = {row["method"]: row for row in _csv(client, "payments")[:-1]}
    assert int(payments["cash"]["taken_minor"]) == taken["cash"]
    assert int(payments["cash"]["refunded_minor"]) == water.total_minor // 2
    assert int(payments["qris"]["taken_minor"]) == taken["qris"]
    outlets = _csv(client, "outlets")
    assert int(outlets[-1]["net_sales_minor"]) == figures.net_sales_minor
    assert int(outlets[-1]["total_collected_minor"]) == figures.total_collected_minor
    assert int(outlets[-1]["voids"]) == 1
    hours = _csv(client, "hours")
    assert int(hours[-1]["tax_minor"]) == figures.tax_minor
    filed = [row for row in _csv(client, "taxes") if row["line"] == "Tax to file"]
    assert len(filed) == 2  # one per outlet
    assert sum(int(row["tax_minor"]) for row in filed) == figures.tax_minor
    events = _csv(client, "refunds")
    assert {row["kind"] for row in events} == {"refund", "void"}
    assert {row["reason"] for row in events} == {"spilt", "wrong table"}
    assert {row["approved_by"] for row in events} == {manager.full_name or manager.username}
    cashiers = _csv(client, "cashiers")
    assert int(cashiers[-1]["orders"]) == figures.order_count


def test_a_manager_sees_only_their_outlet_in_reports(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    _sell(pair_device("main", "t1"), demo_products, 2, "card")
    _sell(pair_device("mall", "t1"), demo_products, 2, "card")
    manager = _manager(demo_tenant)
    with tenant_atomic(demo_tenant):
        outlet_name = str(manager.outlet.name)  # type: ignore[union-attr]
    rows = _csv(browser(manager.username), "outlets")[:-1]
    assert [row["outlet"] for row in rows] == [outlet_name]
    owner_rows = _csv(browser("demo.owner"), "outlets")[:-1]
    assert len(owner_rows) == 2


def test_report_queries_do_not_grow_with_the_orders(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
) -> None:
    device = pair_device("main", "t1")
    client = browser("demo.owner")
    pages = ["/backoffice/", "/backoffice/reports/products/", "/backoffice/reports/taxes/"]
    counts = []
    for batch in (3, 12):
        _sell(device, demo_products, batch, "card")
        seen = []
        for path in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            seen.append(len(captured.captured_queries))
        counts.append(seen)
    assert counts[0] == counts[1]


def test_the_orders_list_pages_without_counting(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sync_server.backoffice import views

    sold = _sell(pair_device("main", "t1"), demo_products, 5, "card")
    client = browser("demo.owner")
    client.post(
        "/backoffice/language/",
        {"language": "en", "csrfmiddlewaretoken": csrf_from(client.get("/backoffice/").text)},
    )
    assert "5 orders" in client.get("/backoffice/orders/?payment_method=card").text
    monkeypatch.setattr(views, "ORDERS_PER_PAGE", 2)
    pages = [client.get(f"/backoffice/orders/?page={n}").text for n in (1, 2, 3)]
    assert "Orders 1 to 2" in pages[0] and "Orders 5 to 5" in pages[2]
    assert "page=2" in pages[0] and "page=4" not in pages[2]  # the last page has no Older
    receipts = [order.receipt_number for order in sold]  # newest first: sold 5, 6, ... min ago
    assert receipts[0] in pages[0] and receipts[2] in pages[1] and receipts[4] in pages[2]
    assert "No orders match" in client.get("/backoffice/orders/?payment_method=cash").text
