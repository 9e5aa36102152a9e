"""An order's page shows its receipt as the till prints it: 48 columns, the same lines."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from shared.money import Money, format_money
from shared.pricing.tenders import payment_method_label
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import csrf_from
from tests.server.sync.conftest import PairedDevice, make_order

pytestmark = pytest.mark.django_db


def _language(client: Client, language: str) -> None:
    token = csrf_from(client.get("/backoffice/").text)
    client.post(
        "/backoffice/language/",
        {"language": language, "next": "/backoffice/", "csrfmiddlewaretoken": token},
    )


def _slip(page: str) -> list[str]:
    found = re.search(r'<pre class="receipt" data-testid="receipt-preview">(.*?)</pre>', page, re.S)
    assert found, "no receipt preview"
    return [html.unescape(re.sub(r"</?strong>", "", line)) for line in found.group(1).splitlines()]


def test_the_order_page_shows_the_receipt_as_printed(
    browser: Callable[[str], Client],
    pair_device: Callable[..., PairedDevice],
    demo_products: dict[str, Product],
    demo_tenant: Tenant,
) -> None:
    device = pair_device("main", "t1")
    sent = make_order(
        device,
        [(demo_products["Kopi Susu"], 2), (demo_products["Espresso"], 1)],
        shift_id=uuid.uuid4(),
        method="cash",
    )
    assert device.push_orders(sent).status_code == 200
    with tenant_atomic(demo_tenant):
        order = Order.objects.get(id=sent.id)

    def rp(amount_minor: int) -> str:
        return format_money(Money(amount_minor, "IDR"), "id_ID")

    owner = browser("demo.owner")
    _language(owner, "en")
    page = owner.get(f"/backoffice/orders/{order.id}/").text
    slip = _slip(page)
    # The business's logo above the slip, as the tills print it (the demo's drawn one).
    logo = re.search(r'<img src="([^"]+)"[^>]*data-testid="receipt-preview-logo"', page)
    assert logo and logo.group(1) == demo_tenant.receipt_logo.url
    assert owner.get(logo.group(1)).status_code == 200
    # The payments table names the method as the till does, not by its code.
    assert re.search(r'data-testid="order-payments">\s*<tr><td>Cash</td>', page)
    assert all(len(line) <= 48 for line in slip), [line for line in slip if len(line) > 48]
    assert slip[0].strip() == "Kopi Kiosk"
    text = "\n".join(slip)
    # The header as the till's: the address once (the header text repeating it is left out),
    # the tax id named as in the business's country.
    assert sum("Jl. Jend. Sudirman" in line for line in slip) == 1
    assert any(line.strip().startswith("NPWP ") for line in slip[:6])
    assert re.search(rf"^Receipt +{re.escape(order.receipt_number)}$", text, re.M)
    assert re.search(rf"^2x Kopi Susu +{re.escape(rp(50_000))}$", text, re.M)
    assert re.search(rf"^   2 x {re.escape(rp(25_000))}$", text, re.M)
    assert re.search(rf"^1x Espresso +{re.escape(rp(18_000))}$", text, re.M)
    assert re.search(rf"^Subtotal +{re.escape(rp(order.subtotal_minor))}$", text, re.M)
    assert re.search(rf"^TOTAL +{re.escape(rp(order.total_minor))}$", text, re.M)
    cash = payment_method_label("cash", "en")
    assert re.search(rf"^{cash} +{re.escape(rp(order.total_minor))}$", text, re.M) or re.search(
        rf"^{cash} Tendered +", text, re.M
    )
    # In Indonesian, the till's Indonesian slip words.
    _language(owner, "id")
    text = "\n".join(_slip(owner.get(f"/backoffice/orders/{order.id}/").text))
    assert re.search(rf"^Struk +{re.escape(order.receipt_number)}$", text, re.M)
    assert re.search(rf"^{payment_method_label('cash', 'id')}\b", text, re.M)
