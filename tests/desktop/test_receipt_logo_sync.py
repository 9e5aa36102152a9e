"""The till's receipt logo download: after a catalog pull, off the sale's path, kept only when
its bytes hash to what the settings name, tried again later when the server cannot be reached,
and never fetched twice."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from pos_desktop.ids import utcnow
from pos_desktop.services.demo_catalog import demo_id
from pos_desktop.store.receipt_logo import receipt_logo_png
from pos_desktop.store.settings import SettingKey, put_setting
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from shared.protocol import CatalogChangeV1, CatalogPageV1, TenantSettingsV1
from tests.desktop.test_sync_engine import FAST, FakeCloud, _pair


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 60), 0).save(buffer, format="PNG")
    return buffer.getvalue()


LOGO = _logo()
SHA = hashlib.sha256(LOGO).hexdigest()


@dataclass
class LogoCloud(FakeCloud):
    """The fake protocol plus the logo endpoint, which can be down or answer wrong bytes."""

    logo: bytes = LOGO
    logo_down: bool = False
    logo_gets: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "/receipt-logo/" in request.url.path:
            self.logo_gets += 1
            if self.logo_down:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(200, content=self.logo, headers={"content-type": "image/png"})
        return super().__call__(request)


def _settings_page(sha256: str, cursor: str) -> CatalogPageV1:
    tenant = TenantSettingsV1(
        id=uuid.UUID(str(demo_id("tenant"))),
        slug="demo",
        name="Demo Café",
        currency="IDR",
        time_zone="Asia/Jakarta",
        receipt_logo_url=f"/api/demo/receipt-logo/{sha256}.png" if sha256 else "",
        receipt_logo_sha256=sha256,
    )
    change = CatalogChangeV1(
        entity="tenant", id=tenant.id, version=5, data=tenant.model_dump(mode="json")
    )
    return CatalogPageV1(
        changes=(change,), next_cursor=cursor + "x", has_more=False, catalog_version=5
    )


@pytest.fixture
def cloud() -> LogoCloud:
    cloud = LogoCloud()
    cloud.catalog_pages = {"": _settings_page(SHA, "")}
    return cloud


@pytest.fixture
def engine(terminal: Terminal, cloud: LogoCloud) -> SyncEngine:
    _pair(terminal)
    with terminal.uow() as uow:
        put_setting(uow.session, SettingKey.CATALOG_CURSOR, "")
        uow.commit()
    return terminal.sync_engine(settings=FAST, transport=httpx.MockTransport(cloud))


def _kept(terminal: Terminal) -> bytes | None:
    with terminal.uow() as uow:
        return receipt_logo_png(uow.session)


def test_an_unreachable_logo_is_tried_again_later_and_the_pass_still_succeeds(
    engine: SyncEngine, terminal: Terminal, cloud: LogoCloud
) -> None:
    cloud.logo_down = True
    assert engine.run_pass(pull_catalog=True).transient_error is None  # the catalog landed
    assert _kept(terminal) is None and cloud.logo_gets == 1
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert cloud.logo_gets == 1  # not again at every pass: it waits LOGO_RETRY_S

    cloud.logo_down = False
    engine._logo_retry_at = utcnow() - timedelta(seconds=1)  # LOGO_RETRY_S went by
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert _kept(terminal) == LOGO and cloud.logo_gets == 2

    cloud.catalog_pages["x"] = _settings_page(SHA, "x")  # the same logo named again
    engine.pull_catalog()
    assert cloud.logo_gets == 2  # kept already: not downloaded twice


def test_bytes_that_do_not_hash_to_the_named_logo_are_never_printed(
    engine: SyncEngine, terminal: Terminal, cloud: LogoCloud
) -> None:
    cloud.logo = LOGO[:-10]  # cut short on the way
    engine.pull_catalog()
    assert _kept(terminal) is None
    cloud.logo = LOGO
    cloud.catalog_pages["x"] = _settings_page("", "x")  # then the owner removed it
    engine.pull_catalog()
    assert _kept(terminal) is None and cloud.logo_gets == 1
