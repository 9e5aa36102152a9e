"""The API docs in a real browser with no internet: Swagger UI and ReDoc render the schema from
the server's own static files, and the page asks nothing of any other host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.e2e.backoffice.conftest import browser  # noqa: F401  (a fixture)
from tests.support.server_process import ServerProcess, running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as running:
        yield running


@pytest.mark.parametrize(
    ("page_path", "rendered"),
    [
        ("/api/docs/", ".opblock-summary-path"),  # Swagger UI lists the operations
        ("/api/redoc/", "[data-section-id]"),  # ReDoc lays out the sections
    ],
)
def test_docs_render_without_internet(
    server: ServerProcess,
    browser: object,  # noqa: F811
    page_path: str,
    rendered: str,
) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    outside: list[str] = []

    def only_loopback(route: object, request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_loopback)
    page = context.new_page()
    try:
        page.goto(f"{server.base_url}{page_path}")
        page.wait_for_selector(rendered, timeout=30_000)
        assert page.locator(rendered).count() > 5
        assert "sync/ping" in page.content()
        assert outside == [], f"{page_path} reached beyond this machine: {outside}"
    finally:
        context.close()
