"""The receipt logo on the server: the settings API carries it (upload, remove, refuse), the
catalog feed names it by path and hash, and only the business's own tills may download it."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable

import pytest
from PIL import Image
from rest_framework.test import APIClient

from shared.protocol import CatalogPageV1, TenantSettingsV1
from sync_server.accounts.models import Role, User
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants import services
from sync_server.tenants.models import Outlet, Tenant, Terminal
from tests.server.sync.conftest import (  # noqa: F401 (fixtures)
    FreshWorld,
    PairedDevice,
    fresh_world,
    pair_device,
    pair_through_api,
)

SETTINGS = "/api/demo/settings/"


def _png(size: tuple[int, int] = (200, 80), colour: str = "#222222") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _logo_url(tenant: Tenant) -> str:
    return f"/api/{tenant.slug}/receipt-logo/{tenant.receipt_logo_sha256}.png"


# --- the device endpoint ------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_businesss_own_tills_download_its_logo(
    pair_device: Callable[..., PairedDevice],  # noqa: F811
    demo_tenant: Tenant,
    rival_tenant: Tenant,
) -> None:
    """The demo business has the logo `seed_demo` drew; another business's till asking for
    it under its own name gets a 404, under the demo's name a 403, as every tenant URL."""
    assert len(demo_tenant.receipt_logo_sha256) == 64
    url = _logo_url(demo_tenant)
    till = pair_device("main", "t1")
    answer = till.client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert hashlib.sha256(answer.content).hexdigest() == demo_tenant.receipt_logo_sha256

    stale = till.client.get(url.replace(demo_tenant.receipt_logo_sha256, "0" * 64))
    assert stale.status_code == 404 and stale.json()["error"] == "not_found"
    assert APIClient().get(url).status_code == 401
    screen = pair_device("main", "k1")  # a kitchen screen prints no receipts
    assert screen.client.get(url).status_code == 403

    with tenant_atomic(rival_tenant):
        terminal = Terminal.objects.create(
            tenant=rival_tenant,
            outlet=Outlet.objects.get(code="main"),
            code="t9",
            name="Rival till",
        )
        owner = User.objects.get(role=Role.OWNER)
    rival = pair_through_api(rival_tenant, terminal, owner)
    theirs = rival.client.get(f"/api/rival/receipt-logo/{demo_tenant.receipt_logo_sha256}.png")
    assert theirs.status_code == 404 and theirs.json()["error"] == "not_found"
    assert rival.client.get(url).status_code == 403


# --- the settings API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_settings_api_uploads_refuses_and_removes_the_logo(
    role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    owner = role_client(Role.OWNER)
    shown = owner.get(SETTINGS).json()
    assert shown["receipt_logo_sha256"] == demo_tenant.receipt_logo_sha256
    assert shown["receipt_logo_url"] == demo_tenant.receipt_logo.url

    upload = io.BytesIO(_png((1000, 400)))
    upload.name = "logo.png"
    answer = owner.patch(SETTINGS, {"receipt_logo": upload}, format="multipart")
    assert answer.status_code == 200, answer.content
    demo_tenant.refresh_from_db()
    assert answer.json()["receipt_logo_sha256"] == demo_tenant.receipt_logo_sha256
    assert demo_tenant.receipt_logo_sha256 != shown["receipt_logo_sha256"]

    text = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    text.name = "logo.svg"
    refused = owner.patch(SETTINGS, {"receipt_logo": text}, format="multipart")
    assert refused.status_code == 400, refused.content
    assert (refused.json()["error"], refused.json()["field"]) == (
        "validation_error",
        "receipt_logo",
    )
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")
    bomb.seek(0)
    bomb.name = "bomb.png"
    refused = owner.patch(SETTINGS, {"receipt_logo": bomb}, format="multipart")
    assert refused.status_code == 400 and "megapixels" in refused.json()["message"]
    forged = owner.patch(SETTINGS, {"receipt_logo_sha256": "0" * 64}, format="json")
    assert forged.status_code == 400 and forged.json()["code"] == "unknown_field"

    assert (
        role_client(Role.MANAGER).patch(SETTINGS, {"receipt_logo": None}, format="json").status_code
        == 403
    )
    removed = owner.patch(SETTINGS, {"receipt_logo": None}, format="json")
    assert removed.status_code == 200, removed.content
    assert (removed.json()["receipt_logo_sha256"], removed.json()["receipt_logo_url"]) == ("", "")
    demo_tenant.refresh_from_db()
    assert demo_tenant.receipt_logo.name == ""


# --- the catalog feed ---------------------------------------------------------------------------


def _tenant_settings(
    device: PairedDevice, tenant: Tenant, since: str
) -> tuple[TenantSettingsV1, str]:
    """Read the feed from `since` until it carries the tenant's settings; (them, next cursor)."""
    deadline = time.monotonic() + 60
    while True:  # the PostgreSQL feed serves only finished transactions
        assert time.monotonic() < deadline, "the feed never sent the tenant settings"
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": "100"})
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        since = page.next_cursor
        sent = [c.typed_data() for c in page.changes if c.id == tenant.id and c.data is not None]
        if sent:
            assert isinstance(sent[-1], TenantSettingsV1)
            return sent[-1], since
        if not page.has_more:
            time.sleep(0.2)


def test_the_feed_names_the_logo_a_till_downloads_and_forgets_it_when_removed(
    fresh_world: FreshWorld,  # noqa: F811
) -> None:
    tenant = fresh_world.tenant
    with tenant_atomic(None):
        services.tenant_receipt_logo_set(
            tenant=tenant, png=services.receipt_logo_png(io.BytesIO(_png()))
        )
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    sent, since = _tenant_settings(device, tenant, "")
    assert sent.receipt_logo_sha256 == tenant.receipt_logo_sha256 != ""
    assert sent.receipt_logo_url == _logo_url(tenant)
    png = device.client.get(sent.receipt_logo_url)
    assert png.status_code == 200
    assert hashlib.sha256(png.content).hexdigest() == sent.receipt_logo_sha256

    with tenant_atomic(None):
        services.tenant_receipt_logo_set(tenant=tenant, png=None)
    removed, _ = _tenant_settings(device, tenant, since)
    assert (removed.receipt_logo_url, removed.receipt_logo_sha256) == ("", "")
    assert device.client.get(sent.receipt_logo_url).status_code == 404


def test_an_old_till_reads_settings_without_the_logo_fields() -> None:
    """Tills from before the logo parse the same settings; new fields default to none."""
    old = {"id": "0190d9a0-0000-7000-8000-000000000000", "slug": "x", "name": "X"}
    parsed = TenantSettingsV1.model_validate(
        {**old, "currency": "IDR", "time_zone": "Asia/Jakarta"}
    )
    assert (parsed.receipt_logo_url, parsed.receipt_logo_sha256) == ("", "")
    with pytest.raises(ValueError):
        TenantSettingsV1.model_validate(
            {**old, "currency": "IDR", "time_zone": "UTC", "receipt_logo_sha256": "NOT-HEX"}
        )
