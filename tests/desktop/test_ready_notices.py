"""Order-ready notices: the engine polls `sync/ready/` by cursor and the till hands each out once.

Against a real kiosk-server: sell and sync an order with a kitchen item, bump its tickets
through the kitchen HTTP API, run a pass, and the notice appears exactly once. The cursor's
starting point is checked against a stub of the one endpoint.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from pos_desktop.store.settings import SettingKey, get_setting
from pos_desktop.sync.client import SyncClient
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from shared.protocol import OrderReadyV1
from tests.chaos.support import TENANT
from tests.desktop.test_kitchen_offline import _sell_food, _server_tickets, till_on_server
from tests.desktop.test_sync_engine import SERVER, _pair


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("memory_keyring")
def test_a_bumped_order_becomes_one_ready_notice(tmp_path: Path) -> None:
    with till_on_server(tmp_path / "till") as (cloud, till, engine):
        assert engine.run_pass().transient_error is None  # online: sold to the screens
        heard: list[list[OrderReadyV1]] = []
        engine.add_ready_listener(heard.append)
        order_id = _sell_food(till)
        receipt = next(row.receipt_number for row in till.orders() if row.order_id == order_id)
        assert engine.run_pass(pull_ready=True).acknowledged >= 1
        assert till.take_ready_notices() == []  # cooking: nothing to call out yet

        tickets = _server_tickets(cloud, order_id)
        assert tickets
        headers = cloud._owner_headers()
        for ticket in tickets:
            bumped = httpx.post(
                f"{cloud.server.base_url}/api/{TENANT}/kitchen/tickets/{ticket['id']}/bump/",
                headers=headers,
                json={},
                timeout=30,
            )
            assert bumped.status_code == 200, bumped.text

        assert engine.run_pass(pull_ready=True).transient_error is None
        assert till.take_ready_notices() == [receipt]
        assert [[str(o.order_id) for o in batch] for batch in heard] == [[order_id]]
        engine.run_pass(pull_ready=True)
        assert till.take_ready_notices() == []  # exactly once, also for the listener
        assert len(heard) == 1
        with till.terminal.uow() as uow:
            cursor = get_setting(uow.session, SettingKey.READY_CURSOR)
        assert datetime.fromisoformat(cursor) > datetime.now(UTC) - timedelta(minutes=5)


def _ready_stub(seen: list[str | None], orders: list[OrderReadyV1]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/demo/sync/ready/"
        since = request.url.params.get("since")
        seen.append(since)
        fresh = [o for o in orders if since is None or o.ready_at > datetime.fromisoformat(since)]
        body = {
            "protocol_version": 1,
            "orders": [o.model_dump(mode="json") for o in fresh],
            "server_time": datetime.now(UTC).isoformat(),
        }
        return httpx.Response(200, json=body)

    return httpx.MockTransport(answer)


def test_a_terminal_without_a_cursor_starts_from_now_not_from_old_orders(
    terminal: Terminal,
) -> None:
    _pair(terminal)  # stored without a ready cursor, as before notices existed
    old = OrderReadyV1(
        order_id=UUID("0190f5a2-0000-7000-8000-000000000001"),
        receipt_number="DEMO-T1-000001",
        ready_at=datetime.now(UTC) - timedelta(hours=1),
    )
    seen: list[str | None] = []
    orders = [old]
    client = SyncClient(SERVER, "demo", terminal.credentials, transport=_ready_stub(seen, orders))
    engine = SyncEngine(terminal.database, client)
    assert engine.pull_ready() == [] and engine.take_ready() == []
    new = OrderReadyV1(
        order_id=UUID("0190f5a2-0000-7000-8000-000000000002"),
        receipt_number="DEMO-T1-000002",
        ready_at=datetime.now(UTC),
    )
    orders.append(new)
    assert engine.pull_ready() == [new]
    assert engine.take_ready() == [new] and engine.take_ready() == []
    assert engine.pull_ready() == []
    assert seen[0] is None and seen[1] == old.ready_at.isoformat()
    assert seen[2] == new.ready_at.isoformat()
    client.close()
