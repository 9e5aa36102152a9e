"""One `kiosk-server` process per module, a paired demo till that has synced sales, and a
headless Debian Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.chaos.support import run_cli
from tests.support.server_process import ServerProcess, running_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
OWNER = ("demo.owner", "kiosk-demo")
TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet in landscape

playwright_sync = pytest.importorskip("playwright.sync_api")


@dataclass
class BackOffice:
    """The server, a paired till's data folder, and an owner's API token for cross-checks."""

    server: ServerProcess
    till: Path
    owner_token: str

    def url(self, path: str) -> str:
        return f"{self.server.base_url}{path}"

    def api(self, path: str) -> httpx.Response:
        return httpx.get(
            f"{self.server.base_url}/api/demo/{path}",
            headers={"Authorization": f"Bearer {self.owner_token}"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run does)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            chromium_sandbox=os.geteuid() != 0,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def sign_in(page: object, base_url: str, username: str, password: str = OWNER[1]) -> object:
    """Fill and submit the real sign-in form; the response of the submit."""
    page.goto(f"{base_url}/backoffice/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", username)  # type: ignore[attr-defined]
    page.fill("#id_password", password)  # type: ignore[attr-defined]
    with page.expect_navigation() as navigation:  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]
    return navigation.value


def shoot(page: object, name: str) -> None:
    """Save docs/screenshots/backoffice-<name>.png (the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"backoffice-{name}.png"), full_page=True)  # type: ignore[attr-defined]


PAIRING_CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture(scope="module")
def backoffice(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackOffice]:
    """Serve, pair the demo till `main/t1` with a code shown in the back office, sell, sync."""
    home = tmp_path_factory.mktemp("till-home")
    till = home / "till"
    with running_server() as server:
        token = httpx.post(
            f"{server.base_url}/api/auth/token/",
            json={"username": OWNER[0], "password": OWNER[1]},
            timeout=30,
        ).json()["access"]
        context = browser.new_context(viewport=TABLET, locale="en-US")  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, server.base_url, OWNER[0])
        page.goto(f"{server.base_url}/backoffice/terminals/")
        row = page.locator("[data-testid=terminal-main-t1]").first
        row.get_by_role("button", name=re.compile("Pairing code|Kode pemasangan")).click()
        code = page.locator("[data-testid=pairing-code]").first.inner_text(timeout=10_000)
        assert PAIRING_CODE.fullmatch(code.strip()), code
        shoot(page, "terminals")
        context.close()
        paired = run_cli(till, "pair", "--server", server.base_url, "--code", code.strip())
        assert paired.returncode == 0, paired.stdout + paired.stderr
        sold = run_cli(till, "simulate", "--orders", "12", "--seed", "7")
        assert sold.returncode == 0, sold.stdout + sold.stderr
        synced = run_cli(till, "sync", "--until-empty", "--timeout", "120")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        yield BackOffice(server=server, till=till, owner_token=token)
    shutil.rmtree(home, ignore_errors=True)
