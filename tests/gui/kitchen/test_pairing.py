"""Pairing and token refresh over a mocked HTTP server; refresh tokens live in the keyring."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from pos_desktop.credentials import DeviceCredentials
from pos_desktop.kitchen.app import outlet_thresholds
from pos_desktop.kitchen.board import Thresholds, TicketColour
from pos_desktop.kitchen.cli import main
from pos_desktop.kitchen.pairing import (
    KitchenDevice,
    PairingError,
    TokenKeeper,
    fetch_outlet_settings,
    load_device,
    pair_kitchen,
)
from shared.protocol import CatalogChangeV1, CatalogPageV1, OutletV1, PairResponseV1
from tests.support.keyring import MemoryKeyring

OUTLET_ID = uuid4()


def pair_response(kind: str = "kitchen") -> dict[str, object]:
    return PairResponseV1(
        tenant_id=uuid4(),
        tenant_slug="demo",
        outlet_id=OUTLET_ID,
        outlet_code="MAIN",
        terminal_id=uuid4(),
        terminal_code="K1",
        device_kind=kind,
        access="access-1",
        refresh="refresh-1",
        server_time=datetime.now(UTC),
    ).model_dump(mode="json")


def test_pairing_stores_the_refresh_token_in_the_keyring_only(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    seen: list[dict[str, object]] = []

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/pair/"
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=pair_response())

    device = pair_kitchen(
        data_dir=tmp_path,
        server_url="http://pos.test/",
        code="ABCD-1234",
        station="grill",
        transport=httpx.MockTransport(server),
    )
    assert seen[0]["code"] == "ABCD-1234"
    assert device.tenant_slug == "demo" and device.station == "grill"
    assert load_device(tmp_path) == device
    assert DeviceCredentials(tmp_path).refresh_token() == "refresh-1"
    assert DeviceCredentials(tmp_path).access_token() == "access-1"
    assert "refresh-1" not in (tmp_path / "kitchen.json").read_text()


def test_a_terminal_code_or_a_refusal_does_not_pair(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    terminal = httpx.MockTransport(
        lambda request: httpx.Response(200, json=pair_response("terminal"))
    )
    with pytest.raises(PairingError, match="not a kitchen screen"):
        pair_kitchen(
            data_dir=tmp_path, server_url="http://pos.test", code="ABCD", transport=terminal
        )
    refused = httpx.MockTransport(
        lambda request: httpx.Response(
            400,
            json={
                "error": "invalid",
                "message": "code expired",
                "field": "code",
                "code": "expired",
            },
        )
    )
    with pytest.raises(PairingError, match="code expired"):
        pair_kitchen(
            data_dir=tmp_path, server_url="http://pos.test", code="ABCD", transport=refused
        )
    assert load_device(tmp_path) is None
    assert memory_keyring.secrets == {}


def paired_device(data_dir: Path) -> KitchenDevice:
    """A kitchen screen paired (over a mocked server) in `data_dir`."""
    paired = httpx.MockTransport(lambda request: httpx.Response(200, json=pair_response()))
    return pair_kitchen(
        data_dir=data_dir, server_url="http://pos.test", code="ABCD", transport=paired
    )


def test_refresh_rotates_the_stored_token_and_outlet_thresholds_load(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    device = paired_device(tmp_path)
    outlet = OutletV1(
        id=OUTLET_ID, code="MAIN", name="Main", ticket_amber_after_s=120, ticket_red_after_s=240
    )
    calls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/auth/token/refresh/":
            assert json.loads(request.content) == {"refresh": "refresh-1"}
            return httpx.Response(200, json={"access": "access-2", "refresh": "refresh-2"})
        assert request.headers["Authorization"] == "Bearer access-2"
        page = CatalogPageV1(
            changes=(
                CatalogChangeV1(
                    entity="outlet", id=OUTLET_ID, version=3, data=outlet.model_dump(mode="json")
                ),
            ),
            next_cursor="3",
            has_more=False,
            catalog_version=3,
        )
        return httpx.Response(200, json=page.model_dump(mode="json"))

    transport = httpx.MockTransport(server)
    tokens = TokenKeeper(data_dir=tmp_path, device=device, transport=transport)
    assert tokens.access_token() == "access-1"  # kept from pairing: no needless rotation
    tokens.refresh()
    assert tokens.access_token() == "access-2"
    assert DeviceCredentials(tmp_path).refresh_token() == "refresh-2"
    assert fetch_outlet_settings(device=device, tokens=tokens) == outlet
    assert calls == ["/api/auth/token/refresh/", "/api/demo/sync/catalog/"]


def test_cli_refuses_to_run_unpaired(tmp_path: Path, memory_keyring: MemoryKeyring, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--data-dir", str(tmp_path)]) == 2
    assert "not paired" in capsys.readouterr().err


def test_screen_takes_its_timer_colours_from_the_outlet_row_or_keeps_the_defaults(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    device = paired_device(tmp_path)
    outlet = OutletV1(
        id=OUTLET_ID, code="MAIN", name="Main", ticket_amber_after_s=90, ticket_red_after_s=150
    )
    other = OutletV1(id=uuid4(), code="MALL", name="Mall", ticket_amber_after_s=10)
    page = CatalogPageV1(
        changes=tuple(
            CatalogChangeV1(entity="outlet", id=o.id, version=v, data=o.model_dump(mode="json"))
            for v, o in enumerate((other, outlet), start=1)
        ),
        next_cursor="2",
        has_more=False,
        catalog_version=2,
    )
    feed = httpx.MockTransport(
        lambda request: httpx.Response(200, json=page.model_dump(mode="json"))
    )
    tokens = TokenKeeper(data_dir=tmp_path, device=device, transport=feed)
    thresholds = outlet_thresholds(device=device, tokens=tokens)
    assert thresholds == Thresholds(amber_after_s=90, red_after_s=150)
    assert thresholds.colour(89) is TicketColour.GREEN
    assert thresholds.colour(90) is TicketColour.AMBER
    assert thresholds.colour(150) is TicketColour.RED

    down = httpx.MockTransport(lambda request: httpx.Response(503, json={"error": "down"}))
    tokens = TokenKeeper(data_dir=tmp_path, device=device, transport=down)
    assert outlet_thresholds(device=device, tokens=tokens) is None
    assert Thresholds().colour(299) is TicketColour.GREEN  # what the board keeps meanwhile
