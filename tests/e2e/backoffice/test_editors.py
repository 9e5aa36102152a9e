"""The back office's editors end to end, against a paired till: a happy-hour promotion made in
the editor (previewed on a sample cart first) prices the till's next sales, and the server's
re-pricing of those synced sales agrees; a cashier added with a PIN in the staff editor signs
in on the till with that PIN once it has synced (the PIN travels only as its hash); a receipt
logo uploaded on the settings page is previewed there and lands in the till's store."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image, ImageDraw

from tests.chaos.support import run_cli
from tests.e2e.backoffice.conftest import OWNER, TABLET, shoot, sign_in
from tests.support.server_process import ServerProcess, running_server

pytestmark = pytest.mark.slow

PROMOTION = "Happy hour e2e 30%"
ZONE = ZoneInfo("Asia/Jakarta")  # the demo tenant's time zone


@dataclass
class PairedTill:
    server: ServerProcess
    till: Path
    headers: dict[str, str]

    def api(self, path: str) -> dict[str, object]:
        answer = httpx.get(
            f"{self.server.base_url}/api/demo/{path}", headers=self.headers, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture(scope="module")
def paired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PairedTill]:
    """A server and the demo till `main/t1` paired with a code the owner issued; no sales yet."""
    home = tmp_path_factory.mktemp("promotion-till")
    till = home / "till"
    with running_server() as server:
        token = httpx.post(
            f"{server.base_url}/api/auth/token/",
            json={"username": OWNER[0], "password": OWNER[1]},
            timeout=30,
        ).json()["access"]
        headers = {"Authorization": f"Bearer {token}"}
        ready = PairedTill(server=server, till=till, headers=headers)
        outlets = {o["id"]: o["code"] for o in ready.api("outlets/")["results"]}  # type: ignore[attr-defined]
        terminal = next(
            t
            for t in ready.api("terminals/?page_size=50")["results"]  # type: ignore[attr-defined]
            if t["code"] == "t1" and outlets[t["outlet"]] == "main"
        )
        code = httpx.post(
            f"{server.base_url}/api/demo/terminals/{terminal['id']}/pairing-code/",
            headers=headers,
            timeout=30,
        ).json()["code"]
        done = run_cli(till, "pair", "--server", server.base_url, "--code", code)
        assert done.returncode == 0, done.stdout + done.stderr
        yield ready
    shutil.rmtree(home, ignore_errors=True)


def test_a_happy_hour_promotion_prices_the_next_synced_sales(
    browser: object, paired: PairedTill
) -> None:
    now = datetime.now(ZONE)
    start, end = (
        (now - timedelta(hours=1)).strftime("%H:%M"),
        (now + timedelta(hours=2)).strftime("%H:%M"),
    )
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, paired.server.base_url, OWNER[0])
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{paired.server.base_url}/backoffice/promotions/")
    page.click("[data-testid=new-promotion]")
    page.fill("#id_name", PROMOTION)
    page.select_option("#id_kind", "percent_off")
    page.select_option("#id_target", "order")
    page.fill("#id_percent", "30")
    page.fill("#id_priority", "100")
    page.check("#id_exclusive")  # the only promotion on the order while it applies
    for day in range(7):
        page.check(f"#id_window_0_days_{day}")
    page.fill("#id_window_0_start", start)
    page.fill("#id_window_0_end", end)
    page.select_option("#id_sample-product_0", label="Espresso")
    page.fill("#id_sample-quantity_0", "2")
    page.select_option("#id_sample-product_1", label="Croissant")
    page.click("[data-testid=preview-button]")
    page.wait_for_selector("[data-testid=preview-applied]")
    assert PROMOTION in page.inner_text("[data-testid=promotion-preview]")
    shoot(page, "promotion")
    page.click("[data-testid=save-promotion]")
    page.wait_for_url("**/backoffice/promotions/")
    assert PROMOTION in page.inner_text("[data-testid=promotions]")
    # The served app (ASGI) wrote the change to the audit log: who, and what was created.
    page.goto(f"{paired.server.base_url}/backoffice/audit/?entity=promotions.promotion")
    entry = page.locator("[data-testid=audit-entry][data-action=create]").first
    assert PROMOTION in entry.inner_text() and OWNER[0] in entry.inner_text()

    for step in (
        ("sync", "--until-empty", "--timeout", "120"),  # pulls the new promotion
        ("simulate", "--orders", "3", "--seed", "5"),
        ("sync", "--until-empty", "--timeout", "120"),
    ):
        done = run_cli(paired.till, *step)
        assert done.returncode == 0, (step, done.stdout + done.stderr)

    listing = paired.api("orders/?page_size=50")["results"]
    assert len(listing) == 3  # type: ignore[arg-type]
    for summary in listing:  # type: ignore[attr-defined]
        order = paired.api(f"orders/{summary['id']}/")
        assert "price_mismatch" not in order["flags"], order  # type: ignore[operator]
        assert int(order["discount_minor"]) > 0  # type: ignore[call-overload]
        for line in order["lines"]:  # type: ignore[attr-defined]
            named = [d["name"] for d in line["discounts"]]
            assert PROMOTION in named, line
    first = listing[0]  # type: ignore[index]
    page.goto(f"{paired.server.base_url}/backoffice/orders/{first['id']}/")
    assert PROMOTION in page.inner_text("[data-testid=order-lines]")
    context.close()


def test_a_cashier_added_with_a_pin_signs_in_on_the_till(
    browser: object, paired: PairedTill
) -> None:
    pin = "482913"
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, paired.server.base_url, OWNER[0])
    page.goto(f"{paired.server.base_url}/backoffice/staff/")
    page.click("[data-testid=new-staff]")
    page.fill("#id_username", "main.rina")
    page.fill("#id_full_name", "Rina")
    page.select_option("#id_role", "cashier")
    page.select_option("#id_outlet", label="Kopi Kiosk Sudirman")
    page.fill("#id_pin", pin)
    page.click("[data-testid=save-staff]")
    page.wait_for_url("**/backoffice/staff/")
    row = page.locator('[data-testid="user-main.rina"]')
    assert "Rina" in row.inner_text() and pin not in page.content()
    context.close()
    users = paired.api("users/?search=main.rina")["results"]
    (rina,) = users  # type: ignore[misc]
    for step in (
        ("sync", "--until-empty", "--timeout", "120"),  # pulls the new cashier's PIN hash
        ("simulate", "--orders", "1", "--seed", "9", "--cashier", pin),
        ("sync", "--until-empty", "--timeout", "120"),
    ):
        done = run_cli(paired.till, *step)
        assert done.returncode == 0, (step, done.stdout + done.stderr)
    orders = paired.api("orders/?page_size=50")["results"]
    assert any(order["cashier_id"] == rina["id"] for order in orders)  # type: ignore[attr-defined]


def _kept_logo_sha256(till: Path) -> str:
    """The SHA-256 of the receipt logo the till keeps for its slips ("" for none)."""
    with sqlite3.connect(till / "terminal.sqlite3") as store:
        row = store.execute("SELECT value FROM settings WHERE key = 'receipt_logo'").fetchone()
    if row is None:
        return ""
    kept = json.loads(row[0])
    assert hashlib.sha256(base64.b64decode(kept["png_base64"])).hexdigest() == kept["sha256"]
    return str(kept["sha256"])


def test_a_receipt_logo_uploaded_in_settings_is_previewed_and_reaches_the_till(
    browser: object, paired: PairedTill, tmp_path: Path
) -> None:
    seeded = paired.api("settings/")["receipt_logo_sha256"]
    picture = tmp_path / "logo.png"
    image = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(image).ellipse((20, 20, 280, 280), fill="#7c2d12")
    image.save(picture)
    context = browser.new_context(viewport=TABLET)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, paired.server.base_url, OWNER[0])
    page.goto(f"{paired.server.base_url}/backoffice/settings/")
    page.set_input_files("#id_receipt_logo", str(picture))
    page.click("[data-testid=save-settings]")
    page.wait_for_selector("[data-testid=saved]")
    preview = page.locator("[data-testid=receipt-logo-preview]")
    # the stored logo, loaded by the browser: 576 dots wide, as the server made it for tills
    assert preview.evaluate("img => img.complete ? img.naturalWidth : 0") == 576
    shoot(page, "settings")
    context.close()
    uploaded = paired.api("settings/")["receipt_logo_sha256"]
    assert isinstance(uploaded, str) and len(uploaded) == 64 and uploaded != seeded
    deadline = time.monotonic() + 90
    while _kept_logo_sha256(paired.till) != uploaded:  # the feed serves finished changes
        assert time.monotonic() < deadline, "the till never downloaded the new logo"
        done = run_cli(paired.till, "sync", "--once")
        assert done.returncode == 0, done.stdout + done.stderr
