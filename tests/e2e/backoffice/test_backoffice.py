"""The back office in a real browser against a real server, with sales a paired till synced."""

from __future__ import annotations

import json
import re

import pytest

from shared.money import Money, format_money
from tests.chaos.support import run_cli
from tests.e2e.backoffice.conftest import TABLET, BackOffice, shoot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def owner_page(browser: object, backoffice: BackOffice) -> object:
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, backoffice.server.base_url, "demo.owner")
    yield page
    context.close()


def _synced_orders(backoffice: BackOffice) -> list[dict[str, object]]:
    answer = backoffice.api("orders/?page_size=200")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def test_dashboard_totals_equal_the_synced_orders(
    owner_page: object, backoffice: BackOffice
) -> None:
    orders = [o for o in _synced_orders(backoffice) if o["status"] != "voided"]
    assert len(orders) == 12
    collected = sum(int(o["total_minor"]) - int(o["refunded_minor"]) for o in orders)
    page = owner_page
    page.goto(backoffice.url("/backoffice/"))  # type: ignore[attr-defined]
    # The demo tenant reads Indonesian with rupiah until the owner picks a language.
    assert page.locator("html").get_attribute("lang") == "id"  # type: ignore[attr-defined]
    shown = page.locator("[data-testid=value-total-collected]").inner_text()  # type: ignore[attr-defined]
    assert shown == format_money(Money(collected, "IDR"), "id_ID")
    assert page.locator("[data-testid=value-orders]").inner_text() == "12"  # type: ignore[attr-defined]
    assert page.locator("[data-testid=chart-hour] svg").count() == 1  # type: ignore[attr-defined]
    shoot(page, "dashboard-id")
    page.select_option("select[name=language]", "en")  # type: ignore[attr-defined]
    page.wait_for_selector("html[lang=en]")  # type: ignore[attr-defined]
    assert "Net sales" in page.inner_text("main")  # type: ignore[attr-defined]
    shoot(page, "dashboard-en")


def test_orders_list_and_detail(owner_page: object, backoffice: BackOffice) -> None:
    page = owner_page
    page.goto(backoffice.url("/backoffice/orders/"))  # type: ignore[attr-defined]
    rows = page.locator("[data-testid=orders] tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 12
    shoot(page, "orders")
    receipt = rows.first.locator("a").inner_text()
    rows.first.locator("a").click()
    page.wait_for_selector("[data-testid=order-lines]")  # type: ignore[attr-defined]
    assert receipt in page.inner_text("h1")  # type: ignore[attr-defined]
    shoot(page, "order-detail")


def test_sync_health_lists_the_till_with_its_last_sale(
    owner_page: object, backoffice: BackOffice
) -> None:
    page = owner_page
    page.goto(backoffice.url("/backoffice/sync/"))  # type: ignore[attr-defined]
    row = page.locator("[data-testid=device-main-t1]")  # type: ignore[attr-defined]
    assert row.count() == 1
    # What the till reported with its last batch: nothing waiting, its version; seen just now.
    assert row.locator("[data-testid=pending]").inner_text().strip() == "0"
    assert "0.1.0" in row.inner_text()
    assert row.get_attribute("data-silent") == "false"
    assert row.locator(".dot.on").count() == 1
    shoot(page, "sync-health")


def test_a_cashier_is_refused(browser: object, backoffice: BackOffice) -> None:
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    response = sign_in(page, backoffice.server.base_url, "demo.cashier")
    assert response.status == 403  # type: ignore[attr-defined]
    assert page.locator("[data-testid=forbidden]").count() == 1
    page.goto(backoffice.url("/backoffice/orders/"))
    assert "/backoffice/login/" in page.url
    context.close()


def test_a_manager_sees_only_their_outlet(browser: object, backoffice: BackOffice) -> None:
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, backoffice.server.base_url, "demo.manager")
    options = page.locator("select[name=outlet] option").all_inner_texts()
    assert len(options) == 1 and "Mall" not in options[0]
    page.goto(backoffice.url("/backoffice/terminals/"))
    assert page.locator("[data-testid^=terminal-mall-]").count() == 0
    assert page.locator("[data-testid=terminal-main-t1]").count() == 1
    context.close()


def test_rival_owner_gets_404_for_demo_objects(browser: object, backoffice: BackOffice) -> None:
    order = _synced_orders(backoffice)[0]
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, backoffice.server.base_url, "rival.owner")
    response = page.goto(backoffice.url(f"/backoffice/orders/{order['id']}/"))
    assert response.status == 404
    page.goto(backoffice.url("/backoffice/orders/"))
    assert str(order["receipt_number"]) not in page.inner_text("main")
    context.close()


def test_a_form_posted_without_the_csrf_token_is_refused(
    owner_page: object, backoffice: BackOffice
) -> None:
    page = owner_page
    page.goto(backoffice.url("/backoffice/terminals/"))  # type: ignore[attr-defined]
    terminal_id = page.locator("[data-testid=terminal-main-t1] form").first.get_attribute(  # type: ignore[attr-defined]
        "action"
    )
    assert terminal_id
    forged = page.request.post(backoffice.url(terminal_id.replace("pairing-code", "revoke")))  # type: ignore[attr-defined]
    assert forged.status == 403
    page.reload()  # type: ignore[attr-defined]
    assert "Revoked" not in page.locator("[data-testid=terminal-main-t1]").inner_text()  # type: ignore[attr-defined]


def test_revoking_the_till_refuses_its_next_sync(
    owner_page: object, backoffice: BackOffice
) -> None:
    page = owner_page
    page.goto(backoffice.url("/backoffice/terminals/"))  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: dialog.accept())  # type: ignore[attr-defined]
    row = page.locator("[data-testid=terminal-main-t1]")  # type: ignore[attr-defined]
    row.get_by_role("button", name=re.compile("Revoke|Cabut")).click()
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert page.locator("[data-testid=terminal-main-t1] .badge.bad").count() == 1  # type: ignore[attr-defined]
    refused = run_cli(backoffice.till, "sync", "--once")
    assert refused.returncode != 0 or "unauthori" in (refused.stdout + refused.stderr).lower()
    status = json.loads(run_cli(backoffice.till, "status", "--json").stdout)
    assert status["authorized"] is False, status
