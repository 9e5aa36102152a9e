"""Back-office pages show the ingested orders: dashboard totals, order list and CSV, terminals."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from shared.money import Money, format_money
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.models import DevicePairing
from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant, Terminal
from tests.server.backoffice.conftest import csrf_from
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def _sell(
    device: PairedDevice, products: dict[str, Product], count: int, method: str = "card"
) -> list[uuid.UUID]:
    shift = uuid.uuid4()
    names = ["Kopi Susu", "Espresso", "Croissant"]
    orders = [
        make_order(
            device,
            [(products[names[index % 3]], 1 + index % 2)],
            shift_id=shift,
            method=method,
            at=datetime.now(UTC) - timedelta(minutes=10 + index),
        )
        for index in range(count)
    ]
    answer = device.push_orders(*orders)
    assert answer.status_code == 200, answer.content
    return [order.id for order in orders]


def test_dashboard_totals_equal_the_sum_of_the_synced_orders(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    ids = _sell(pair_device("main", "t1"), demo_products, 5, method="card")
    ids += _sell(pair_device("mall", "t1"), demo_products, 3, method="qris")
    with tenant_atomic(demo_tenant):
        orders = list(Order.objects.filter(id__in=ids))
    collected = sum(order.total_minor for order in orders)
    client = browser("demo.owner")
    client.post(
        "/backoffice/language/",
        {"language": "en", "csrfmiddlewaretoken": csrf_from(client.get("/backoffice/").text)},
    )
    page = client.get("/backoffice/").text
    money = format_money(Money(collected, "IDR"), demo_tenant.locale)
    assert f'data-testid="value-total-collected">{money}<' in page
    assert 'data-testid="value-orders">8<' in page
    assert "<svg" in page and "Sales by hour" in page
    assert "kozea.github.io" not in page  # no chart script from a CDN
    mix = page.split('data-testid="payment-mix"')[1].split("</table>")[0]
    assert "Card" in mix and "QRIS" in mix  # the methods' labels, not their codes


def test_the_dashboard_speaks_indonesian_with_rupiah(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
) -> None:
    _sell(pair_device("main", "t1"), demo_products, 1)
    page = browser("demo.owner").get("/backoffice/").text  # demo tenant: id_ID
    assert 'lang="id"' in page
    assert "Penjualan bersih" in page and "Rp " in page


def test_orders_list_filters_and_exports_csv(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    card = _sell(pair_device("main", "t1"), demo_products, 2, method="card")
    cash = _sell(pair_device("main", "t1"), demo_products, 1, method="cash")
    with tenant_atomic(demo_tenant):
        receipts = {o.id: o.receipt_number for o in Order.objects.filter(id__in=card + cash)}
    client = browser("demo.owner")
    listing = client.get("/backoffice/orders/?payment_method=cash").text
    assert receipts[cash[0]] in listing and receipts[card[0]] not in listing
    export = client.get("/backoffice/orders/export.csv?payment_method=card")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {row["receipt_number"] for row in rows} == {receipts[i] for i in card}
    bad = client.get("/backoffice/orders/?date_from=yesterday")
    assert bad.status_code == 200  # a bad filter is a message on the form, not a crash
    detail = client.get(f"/backoffice/orders/{cash[0]}/").text
    assert receipts[cash[0]] in detail and 'data-testid="order-lines"' in detail


def test_owner_shows_a_pairing_code_and_revokes_a_terminal(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    client = browser("demo.owner")
    page = client.get("/backoffice/terminals/").text
    token = csrf_from(page)
    terminal_id = device.pairing.terminal_id
    code = client.post(
        f"/backoffice/terminals/{terminal_id}/pairing-code/",
        {"csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert code.status_code == 200 and 'data-testid="pairing-code"' in code.text
    client.post(f"/backoffice/terminals/{terminal_id}/revoke/", {"csrfmiddlewaretoken": token})
    with tenant_atomic(demo_tenant):
        assert Terminal.objects.get(id=terminal_id).status == "revoked"
        assert not DevicePairing.objects.filter(
            terminal_id=terminal_id, revoked_at__isnull=True
        ).exists()
    refused = device.client.get(device.url("sync/catalog/"))
    assert refused.status_code in (401, 403)
