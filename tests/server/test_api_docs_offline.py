"""API docs without internet (Swagger UI and ReDoc from our own static files), and the orders
API advertising only what it allows."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ASSET_IN_SCRIPT = re.compile(r"""["']([^"'\s]+\.(?:js|css|png))["']""")


def _assets(html: str) -> set[str]:
    return set(ASSET.findall(html)) | set(ASSET_IN_SCRIPT.findall(html))


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_only_our_own_static_files(anon_client: APIClient, page: str) -> None:
    answer = anon_client.get(page)
    assert answer.status_code == 200
    html = answer.content.decode()
    assets = _assets(html)
    assert any(asset.endswith(".js") for asset in assets), assets
    remote = {asset for asset in assets if "//" in asset}
    assert remote == set(), f"{page} needs the internet for {remote}"
    for asset in assets:
        if asset.startswith("/static/"):
            served = anon_client.get(asset)
            assert served.status_code == 200, asset
            body = b"".join(served.streaming_content) if served.streaming else served.content
            assert len(body) > 100, asset


def test_the_orders_api_allows_and_advertises_reading_only(
    role_client: Callable[..., APIClient], anon_client: APIClient
) -> None:
    owner = role_client("owner")
    for path in ("/api/demo/orders/", "/api/demo/orders/00000000-0000-7000-8000-000000000001/"):
        options = owner.options(path)
        allowed = {method.strip() for method in options["Allow"].split(",")}
        assert allowed == {"GET", "HEAD", "OPTIONS"}, (path, allowed)
        for method in ("post", "put", "patch", "delete"):
            refused = getattr(owner, method)(path, {}, format="json")
            assert refused.status_code == 405, (method, path)
            assert set(refused.json()) == {"error", "message", "field", "code"}
    paths = anon_client.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/{tenant_slug}/orders/", "/api/{tenant_slug}/orders/{id}/"):
        assert set(paths[path]) - {"parameters"} == {"get"}, (path, set(paths[path]))
