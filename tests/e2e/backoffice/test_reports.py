"""The back office with the demo's weeks of history (sold through the ingest), in a real browser:
the dashboard and the reports agree with the orders the API lists; screenshots."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.backoffice.conftest import OWNER, TABLET, shoot, sign_in
from tests.support.server_process import ServerProcess, running_server

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Jakarta")  # the demo tenant's


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as server:
        made = server.manage("seed_demo_history")
        assert "orders of history" in made.stdout, made.stdout + made.stderr
        yield server


@pytest.fixture
def owner_page(browser: object, server: ServerProcess) -> Iterator[object]:
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, server.base_url, OWNER[0])
    yield page
    context.close()


def _orders(server: ServerProcess, first: str, last: str) -> list[dict[str, object]]:
    """Every order sold from `first` to `last` (local days), through the orders API."""
    token = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": OWNER[0], "password": OWNER[1]},
        timeout=30,
    ).json()["access"]
    start = datetime.fromisoformat(first).replace(tzinfo=ZONE)
    end = datetime.fromisoformat(last).replace(tzinfo=ZONE) + timedelta(days=1)
    url: str | None = f"{server.base_url}/api/demo/orders/"
    params: dict[str, str | int] | None = {
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "page_size": 200,
    }
    found: list[dict[str, object]] = []
    while url:
        answer = httpx.get(
            url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += body["results"]
        url, params = body.get("next"), None
    return found


def test_the_dashboard_shows_the_history_in_indonesian_and_english(
    owner_page: object, server: ServerProcess
) -> None:
    page = owner_page
    last = datetime.now(ZONE).date() - timedelta(days=1)
    first = last - timedelta(days=6)  # against the week before, all in the history
    page.goto(f"{server.base_url}/backoffice/?date_from={first}&date_to={last}")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "id"  # type: ignore[attr-defined]
    sold = [o for o in _orders(server, str(first), str(last)) if o["status"] != "voided"]
    assert len(sold) > 100
    shown = page.locator("[data-testid=value-orders]").inner_text()  # type: ignore[attr-defined]
    assert shown == str(len(sold))
    page.wait_for_selector("[data-testid=chart-day] svg")  # type: ignore[attr-defined]
    shoot(page, "dashboard-id")
    page.select_option("select[name=language]", "en")  # type: ignore[attr-defined]
    page.wait_for_selector("html[lang=en]")  # type: ignore[attr-defined]
    assert "Net sales" in page.inner_text("main")  # type: ignore[attr-defined]
    assert page.locator("[data-testid=top-products] tbody tr").count() == 10  # type: ignore[attr-defined]
    shoot(page, "dashboard-en")


def test_reports_agree_with_the_orders_and_export_csv(
    owner_page: object, server: ServerProcess
) -> None:
    page = owner_page
    page.goto(f"{server.base_url}/backoffice/reports/")  # type: ignore[attr-defined]
    page.select_option("select[name=language]", "en")  # type: ignore[attr-defined]
    page.wait_for_selector("html[lang=en]")  # type: ignore[attr-defined]
    assert page.locator("[data-testid=reports] a").count() == 11  # type: ignore[attr-defined]
    last = datetime.now(ZONE).date() - timedelta(days=1)
    first = last - timedelta(days=6)
    query = f"date_from={first}&date_to={last}"
    orders = _orders(server, str(first), str(last))
    sold = [o for o in orders if o["status"] != "voided"]
    for slug in ("products", "payments", "taxes", "refunds", "kitchen", "cashiers"):
        page.goto(f"{server.base_url}/backoffice/reports/{slug}/?{query}")  # type: ignore[attr-defined]
        assert page.locator("[data-testid=report-table] tbody tr").count() > 0  # type: ignore[attr-defined]
        shoot(page, f"report-{slug}")
    exported = page.request.get(f"{server.base_url}/backoffice/reports/payments/export.csv?{query}")  # type: ignore[attr-defined]
    assert exported.status == 200
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    taken = sum(int(order["total_minor"]) for order in sold)  # type: ignore[call-overload]
    assert rows[-1]["method"] == "Total" and int(rows[-1]["taken_minor"]) == taken
    page.goto(f"{server.base_url}/backoffice/reports/outlets/?{query}")  # type: ignore[attr-defined]
    total = page.locator("[data-testid=report-totals] th").nth(1).inner_text()  # type: ignore[attr-defined]
    assert total == str(len(sold))
