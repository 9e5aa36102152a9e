"""The back office in a real browser against a real server, with sales a paired till synced."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image

from shared.money import Money, format_money
from tests.chaos.proxy import FaultPlan, FaultProxy
from tests.chaos.support import Cloud, cli_env, pair, run_cli, simulate
from tests.desktop.test_kitchen_offline import _sell_food
from tests.e2e.backoffice.conftest import TABLET, BackOffice, shoot, sign_in
from tests.e2e.test_live_link import linked_till, wait_for
from tests.support.backoffice import product_csv
from tests.support.keyring import memory_keyring_installed

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
    page.select_option("select[name=language]", "en")  # type: ignore[attr-defined]
    page.wait_for_selector("html[lang=en]")  # type: ignore[attr-defined]
    assert "Net sales" in page.inner_text("main")  # type: ignore[attr-defined]
    # The dashboard's screenshots come from test_reports.py, over the demo's weeks of history.


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
    slip = page.inner_text("[data-testid=receipt-preview]")  # type: ignore[attr-defined]
    assert receipt in slip and "Kopi Kiosk" in slip and "TOTAL" in slip, slip
    assert max(len(line) for line in slip.splitlines()) <= 48, slip
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
    page.goto(backoffice.url("/backoffice/sync/"))
    assert page.locator("[data-testid^=device-mall-]").count() == 0
    assert page.locator("[data-testid=device-main-t1]").count() == 1
    page.goto(backoffice.url("/backoffice/outlets/"))
    assert "Mall" not in page.inner_text("main")
    context.close()


OBJECT_URL = re.compile(r"^/backoffice/[a-z-]+/[0-9a-f-]{36}/(?:[a-z-]+/)?$")
OBJECT_ROUTE = re.compile(r'"([a-z-]+/<uuid:pk>/(?:[a-z-]+/)?)"')
LISTS = (
    "orders",
    "shifts",
    "products",
    "modifiers",
    "taxes",
    "promotions",
    "customers",
    "staff",
    "outlets",
    "terminals",
    "sync",
)


def _route(url: str) -> str:
    """`/backoffice/orders/<uuid>/` -> `orders/<uuid:pk>/`, as urls.py writes it."""
    return re.sub(r"[0-9a-f-]{36}", "<uuid:pk>", url.removeprefix("/backoffice/"))


def _demo_object_urls(page: object, backoffice: BackOffice) -> tuple[set[str], set[str]]:
    """Every link (GET) and form action (POST) with an object id on the owner's list pages and
    on one object page of each kind (where the delete and deactivate forms are)."""
    links: set[str] = set()
    actions: set[str] = set()
    pages = [f"/backoffice/{name}/" for name in LISTS]
    while pages:
        page.goto(backoffice.url(pages.pop(0)))  # type: ignore[attr-defined]
        known = {_route(url) for url in links}
        for href in page.locator("a[href]").evaluate_all("as => as.map(a => a.pathname)"):  # type: ignore[attr-defined]
            if OBJECT_URL.match(href):
                links.add(href)
                if _route(href) not in known:  # one object of each kind: its page's forms
                    known.add(_route(href))
                    pages.append(href)
        for action in page.locator("form[action]").evaluate_all(  # type: ignore[attr-defined]
            "fs => fs.map(f => new URL(f.action).pathname)"
        ):
            if OBJECT_URL.match(action):
                actions.add(action)
    return links, actions


def test_rival_owner_sees_no_demo_data_and_every_demo_object_url_is_404(
    browser: object, owner_page: object, backoffice: BackOffice
) -> None:
    order = _synced_orders(backoffice)[0]
    links, actions = _demo_object_urls(owner_page, backoffice)
    # Every back-office route that takes an object id is reached by one of them.
    source = (Path(__file__).parents[3] / "sync_server/backoffice/urls.py").read_text()
    routes = {m.group(1) for m in OBJECT_ROUTE.finditer(source)}
    reached = {_route(url) for url in links | actions}
    assert len(routes) >= 15 and routes == reached, sorted(routes ^ reached)
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, backoffice.server.base_url, "rival.owner")
    page.goto(backoffice.url("/backoffice/"))
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    assert token
    answers = {url: page.request.get(backoffice.url(url)).status for url in sorted(links)}
    answers |= {
        url: page.request.post(
            backoffice.url(url), form={"csrfmiddlewaretoken": token}, max_redirects=0
        ).status
        for url in sorted(actions)
    }
    assert len(answers) >= 20 and set(answers.values()) == {404}, answers
    # ...and none of demo's sales, products, customers or devices shows on rival's pages.
    seen = ""
    for name in ("", "orders/", "products/", "customers/", "terminals/", "sync/"):
        page.goto(backoffice.url(f"/backoffice/{name}"))
        seen += page.inner_text("main")
    for demo_word in (str(order["receipt_number"]), "Kopi Kiosk", "Kopi Susu", "Andi Pratama"):
        assert demo_word not in seen, demo_word
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


def _device_token(backoffice: BackOffice, outlet: str, code: str) -> str:
    """Pair a device the way a till does (code from the owner, then /api/pair/): its token."""
    owner = {"Authorization": f"Bearer {backoffice.owner_token}"}
    terminals = backoffice.api("terminals/?page_size=50").json()["results"]
    outlets = {o["id"]: o["code"] for o in backoffice.api("outlets/").json()["results"]}
    terminal = next(t for t in terminals if t["code"] == code and outlets[t["outlet"]] == outlet)
    issued = httpx.post(
        backoffice.url(f"/api/demo/terminals/{terminal['id']}/pairing-code/"),
        headers=owner,
        timeout=30,
    ).json()
    paired = httpx.post(
        backoffice.url("/api/pair/"),
        json={"protocol_version": 1, "code": issued["code"], "device_name": "e2e"},
        timeout=30,
    )
    assert paired.status_code == 200, paired.text
    return str(paired.json()["access"])


def _feed(backoffice: BackOffice, token: str, entity: str) -> dict[str, dict[str, object]]:
    """The catalog feed's rows of one kind, by name, as a paired device pulls them."""
    products: dict[str, dict[str, object]] = {}
    page: dict[str, object] = {"has_more": True, "next_cursor": ""}
    while page["has_more"]:
        page = httpx.get(
            backoffice.url("/api/demo/sync/catalog/"),
            params={"since": page["next_cursor"], "limit": 500},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        for change in page["changes"]:  # type: ignore[attr-defined]
            if change["entity"] == entity and change["data"]:
                products[str(change["data"]["name"])] = change["data"]
    return products


def test_a_category_and_a_product_with_an_image_reach_a_paired_till(
    owner_page: object, backoffice: BackOffice, tmp_path: Path
) -> None:
    page = owner_page
    page.goto(backoffice.url("/backoffice/categories/"))  # type: ignore[attr-defined]
    page.fill("[data-testid=category-form] input[name=name]", "Seasonal")  # type: ignore[attr-defined]
    page.fill("[data-testid=category-form] input[name=colour]", "#aa3300")  # type: ignore[attr-defined]
    page.click("[data-testid=category-form] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Seasonal")  # type: ignore[attr-defined]
    image = tmp_path / "latte.png"
    Image.new("RGB", (320, 320), "#c2410c").save(image)
    page.goto(backoffice.url("/backoffice/products/new/"))  # type: ignore[attr-defined]
    page.fill("#id_sku", "SEA-001")  # type: ignore[attr-defined]
    page.fill("#id_name", "Pumpkin Latte")  # type: ignore[attr-defined]
    page.select_option("#id_category", label="Seasonal")  # type: ignore[attr-defined]
    page.fill("#id_price", "42.500")  # type: ignore[attr-defined]
    page.fill("#id_cost", "15.000")  # type: ignore[attr-defined]
    page.set_input_files("#id_image", str(image))  # type: ignore[attr-defined]
    shoot(page, "product-form")
    page.click("[data-testid=product-form] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/backoffice/products/")  # type: ignore[attr-defined]
    page.fill("input[name=q]", "Pumpkin")  # type: ignore[attr-defined]
    page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid=products] img")  # type: ignore[attr-defined]
    page.goto(backoffice.url("/backoffice/products/"))  # type: ignore[attr-defined]
    shoot(page, "products")
    token = _device_token(backoffice, "mall", "t1")
    seasonal = _feed(backoffice, token, "category")["Seasonal"]
    assert str(seasonal["colour"]).lower() == "#aa3300"
    latte = _feed(backoffice, token, "product")["Pumpkin Latte"]
    assert latte["price_minor"] == 42_500 and latte["category_id"] == seasonal["id"]
    picture = httpx.get(backoffice.url(str(latte["image_url"])), timeout=30)
    assert picture.status_code == 200 and picture.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_csv_of_500_products_with_3_bad_rows_is_previewed_then_fixed_and_imported(
    owner_page: object, backoffice: BackOffice, tmp_path: Path
) -> None:
    page = owner_page
    broken = tmp_path / "products.csv"
    broken.write_text(
        product_csv(
            500,
            {
                10: "IMP-0010,Imported 10,ten thousand,Coffee,yes",
                200: "IMP-0200,Imported 200,12000,No Such Category,yes",
                499: "IMP-0001,Duplicate,12000,Coffee,maybe",
            },
        )
    )
    page.goto(backoffice.url("/backoffice/products/import/"))  # type: ignore[attr-defined]
    page.set_input_files("input[name=file]", str(broken))  # type: ignore[attr-defined]
    page.click("[data-testid=import-upload] button[type=submit]")  # type: ignore[attr-defined]
    lines = page.locator("[data-testid=bad-rows] tbody tr").evaluate_all(  # type: ignore[attr-defined]
        "rows => rows.map(row => Number(row.dataset.line))"
    )
    assert lines == [12, 202, 501]
    shoot(page, "import-preview")
    assert backoffice.api("products/?search=IMP-&page_size=1").json()["count"] == 0
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(product_csv(500, {}))
    page.set_input_files("input[name=file]", str(fixed))  # type: ignore[attr-defined]
    page.click("[data-testid=import-upload] button[type=submit]")  # type: ignore[attr-defined]
    page.click("[data-testid=import-confirm]")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid=imported]")  # type: ignore[attr-defined]
    listing = backoffice.api("products/?search=IMP-&page_size=1").json()
    assert listing["count"] == 500


CLOSE_SHIFT = """
import sys
from pathlib import Path

from pos_desktop.services.shifts import close_shift
from pos_desktop.services.simulate import outlet_cashier
from pos_desktop.terminal import Terminal

terminal = Terminal(Path(sys.argv[1]))
with terminal.uow() as uow:
    cashier = outlet_cashier(uow)
with terminal.uow() as uow:
    print(close_shift(uow, cashier=cashier, counted={100_000: 30}).shift_id)
"""


def test_the_z_report_of_a_closed_shift_equals_the_tills(
    owner_page: object, backoffice: BackOffice
) -> None:
    closed = subprocess.run(
        [sys.executable, "-c", CLOSE_SHIFT, str(backoffice.till)],
        env=cli_env(backoffice.till.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert closed.returncode == 0, closed.stdout + closed.stderr
    shift_id = closed.stdout.strip().splitlines()[-1]
    synced = run_cli(backoffice.till, "sync", "--until-empty", "--timeout", "120")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    page = owner_page
    page.goto(backoffice.url("/backoffice/shifts/"))  # type: ignore[attr-defined]
    page.click(f"a[href='/backoffice/shifts/{shift_id}/']")  # type: ignore[attr-defined]
    lines = page.locator("[data-testid=z-report] tbody tr")  # type: ignore[attr-defined]
    assert lines.count() >= 13
    differing = page.locator("[data-testid=z-report] tr[data-differs=true]")  # type: ignore[attr-defined]
    assert differing.count() == 0, differing.all_inner_texts()
    net = page.locator("[data-testid=z-report] tr[data-line=net_sales_minor] td")  # type: ignore[attr-defined]
    assert net.nth(1).inner_text() == net.nth(2).inner_text() != "–"
    shoot(page, "shift-report")


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


def test_sync_health_shows_a_till_with_unsynced_sales(
    owner_page: object, backoffice: BackOffice, tmp_path: Path
) -> None:
    """A till rings up 4 sales offline; its link dies as the answer to its first batch comes
    back (the server took that item, the shift's opening; the till cannot know), so everything
    waits on it still. The batch told the server what waits behind it (`TillStatusV1`), and the
    sync health page shows the till with those sales waiting."""
    till = tmp_path / "cut-till"
    plan = FaultPlan(enabled=False)
    with FaultProxy(("127.0.0.1", backoffice.server.port), plan) as proxy:
        terminal_id = pair(Cloud(backoffice.server), till, proxy.url)
        simulate(till, 4, seed=11)
        plan.enabled, plan.reset_after = True, 1.0
        cut = run_cli(till, "sync", "--once", "--batch-size", "1")
        assert cut.returncode != 0 and proxy.counts["reset_after"] == 1, cut.stdout + cut.stderr
    assert Cloud(backoffice.server).order_ids(terminal_id) == []
    waiting = json.loads(run_cli(till, "status", "--json").stdout)["pending"]
    assert waiting >= 5, waiting  # 4 sales and the shift's opening: no acknowledgement came
    page = owner_page
    page.goto(backoffice.url("/backoffice/sync/"))  # type: ignore[attr-defined]
    row = page.locator("[data-testid^=device-main-e2e]")  # type: ignore[attr-defined]
    assert row.count() == 1
    shown = row.locator("[data-testid=pending] .badge.warn").inner_text().strip()
    assert shown == str(waiting - 1)  # what waited behind the batch the server answered
    assert row.get_attribute("data-silent") == "false"
    shoot(page, "sync-health")


TABLE_FITS = """() => {
    const table = document.querySelector("[data-testid=devices]");
    return [table.getBoundingClientRect().right, document.documentElement.clientWidth,
            document.documentElement.scrollWidth];
}"""


def test_sync_health_shows_a_linked_till_its_last_sale_and_catalog_and_asks_it_for_status(
    browser: object, backoffice: BackOffice, tmp_path: Path
) -> None:
    """A till holding its live link (real services, sync engine and link thread): its row says
    linked, the till's own last sale and the catalog version it holds against the business's;
    "Ask for status" brings its answer into the row. The table fits 1280 and 1024 px wide in
    both languages."""
    cloud = Cloud(backoffice.server)
    with memory_keyring_installed(), linked_till(cloud, tmp_path / "linked") as till:
        engine = till.engine
        assert engine is not None
        identity = till.terminal.identity()
        assert identity is not None
        terminals = backoffice.api("terminals/?page_size=100").json()["results"]
        code = next(t["code"] for t in terminals if t["id"] == str(identity.terminal_id))
        _sell_food(till)
        wait_for(lambda: engine.state.pending == 0, 30, "sale synced")
        context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, backoffice.server.base_url, "demo.owner")
        page.goto(backoffice.url("/backoffice/sync/"))
        selector = f"[data-testid=device-main-{code}]"
        row = page.locator(selector)
        assert row.count() == 1
        link = row.locator("[data-testid=link]")
        assert link.inner_text().strip() in ("linked", "terhubung")
        assert "good" in (link.get_attribute("class") or "")
        row.get_by_role("button", name=re.compile("Ask for status|Minta status")).click()
        answered = page.locator(f"{selector} [data-testid=ask-said].badge.good")
        answered.wait_for(timeout=15_000)  # the till answered over its link; the row updated
        row = page.locator(selector)
        assert re.search(r"\d{1,2}:\d{2}", row.locator("[data-testid=last-sale]").inner_text())
        catalog = row.locator("[data-testid=catalog]")
        assert catalog.get_attribute("data-behind") == "false"
        assert int(catalog.inner_text().strip()) == engine.state.catalog_version > 0
        shoot(page, "sync-health")
        context.close()
        for viewport in (TABLET, {"width": 1024, "height": 768}):
            context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
            page = context.new_page()
            sign_in(page, backoffice.server.base_url, "demo.owner")
            page.goto(backoffice.url("/backoffice/sync/"))
            for language in ("id", "en"):
                page.select_option("select[name=language]", language)
                page.wait_for_selector(f"html[lang={language}]")
                right, width, scrolled = page.evaluate(TABLE_FITS)
                assert right <= width and scrolled <= width, (viewport, language, right, width)
            if viewport != TABLET:
                page.select_option("select[name=language]", "id")
                page.wait_for_selector("html[lang=id]")
                shoot(page, "sync-health-1024")
            context.close()


@pytest.mark.parametrize("viewport", [TABLET, {"width": 1024, "height": 768}], ids=str)
def test_the_menu_is_one_row_on_a_tablet_and_its_groups_open(
    browser: object, backoffice: BackOffice, viewport: dict[str, int], tmp_path: Path
) -> None:
    context = browser.new_context(viewport=viewport, locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, backoffice.server.base_url, "demo.owner")
    page.goto(backoffice.url("/backoffice/orders/"))
    for language in ("id", "en"):  # Indonesian labels are the longer ones
        page.select_option("select[name=language]", language)
        page.wait_for_selector(f"html[lang={language}]")
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] < 80, (language, header)  # one row of 44 px targets
    assert page.locator("details > summary.active").inner_text() == "Sales"
    page.click("summary:text('Catalog')")
    products = page.get_by_role("link", name="Products", exact=True)
    assert products.is_visible()
    page.click("summary:text('Sales')")  # one menu open at a time
    assert not products.is_visible()
    page.screenshot(path=str(tmp_path / f"menu-{viewport['width']}.png"))  # to look at
    page.click("summary:text('Devices')")
    page.get_by_role("link", name="Terminals", exact=True).click()
    page.wait_for_url("**/backoffice/terminals/")
    assert page.locator("details > summary.active").inner_text() == "Devices"
    context.close()
