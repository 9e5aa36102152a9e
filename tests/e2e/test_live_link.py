"""The live link against real `kiosk-server` processes: a paired till (real services, real sync
engine, real link thread) hears of a price change, an order bumped in the kitchen and its own
revocation by push, well inside the poll intervals; a server restart loses nothing; and with
two nodes on Redis a write on one reaches a till linked to the other."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_desktop.kitchen.client import REVOKED_WORDS, KitchenSocketClient, kitchen_socket_url
from pos_desktop.kitchen.demo import demo_pairing_code
from pos_desktop.kitchen.pairing import TokenKeeper, pair_kitchen
from pos_desktop.retry import RetryPolicy
from pos_desktop.store.models import Product
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from tests.chaos.support import CASHIER_PIN, TENANT, Cloud
from tests.desktop.test_kitchen_offline import _sell_food, _server_tickets
from tests.support import pg
from tests.support.keyring import memory_keyring_installed
from tests.support.server_process import ServerProcess, another_node, free_port, running_server

REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PUSHED_WITHIN_S = 3.0
"""Well under the polls a push replaces (catalog 60 s; ready 5 s unlinked, 120 s linked)."""
FEED_WITHIN_S = 30.0
"""How long a pushed price may take to be served: the catalog feed serves a row once every
older writing transaction of the whole PostgreSQL cluster ended, and on a shared test server
other databases' migrations hold that back for seconds (bench/live.py measures it). Still
half the unlinked catalog poll, and a twentieth of the linked one."""

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(240)]


def wait_for(
    condition: Callable[[], Any], timeout_s: float, what: str | Callable[[], str]
) -> float:
    """Seconds until `condition()` held; fails naming `what` after `timeout_s`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            said = what() if callable(what) else what
            raise AssertionError(f"{said}: not within {timeout_s} s")
        time.sleep(0.02)
    return time.monotonic() - started


def oldest_writers(cloud: Cloud) -> str:
    """The cluster's long writing transactions: they hold back every database's catalog feed."""
    rows = cloud.query(
        "SELECT datname, (now() - xact_start)::text FROM pg_stat_activity "
        "WHERE backend_xid IS NOT NULL AND now() - xact_start > interval '1 s' "
        "ORDER BY xact_start LIMIT 3"
    )
    return f"writers older than 1 s in the cluster: {rows}"


@contextmanager
def linked_till(
    cloud: Cloud, folder: Path, server_url: str | None = None
) -> Iterator[TerminalTill]:
    """A till paired to the server, signed in with a shift open, its engine and link running."""
    terminal = Terminal(folder)
    terminal.pair(server_url or cloud.server.base_url, cloud.new_terminal_code(), device_name="t")
    till = TerminalTill(terminal, start_sync=True, start_printing=False)
    try:
        engine = till.engine
        assert engine is not None
        wait_for(lambda: engine.linked, 20, f"link up ({engine.state})")
        # The first pull waits out the catalog feed's horizon, which any long writing
        # transaction in the cluster holds back (other test databases' migrations, here).
        wait_for(
            lambda: engine.state.catalog_version > 0,
            60,
            lambda: f"catalog ({engine.state}; {oldest_writers(cloud)})",
        )
        till.login(CASHIER_PIN)
        till.open_shift(100_000)
        yield till
    finally:
        till.close()


def local_price(till: TerminalTill, product_id: str) -> int:
    with till.terminal.uow() as uow:
        product = uow.session.get(Product, product_id)
        assert product is not None
        return product.price_minor


def price_arrives(
    cloud: Cloud, till: TerminalTill, product_id: str, new_price: int, pushes_before: int
) -> None:
    """The catalog push reaches the till at once, the price as soon as the feed serves it."""
    link = till.engine.link if till.engine else None
    assert link is not None
    wait_for(lambda: link.pushes["catalog_changed"] > pushes_before, PUSHED_WITHIN_S, "push")
    wait_for(
        lambda: local_price(till, product_id) == new_price,
        FEED_WITHIN_S,
        lambda: f"price ({oldest_writers(cloud)})",
    )


def change_a_price(cloud: Cloud, base_url: str) -> tuple[str, int]:
    """Raise the first product's price by 100 through the API; (product id, new price)."""
    headers = cloud._owner_headers()
    products = httpx.get(f"{base_url}/api/{TENANT}/products/", headers=headers, timeout=30).json()
    product = products["results"][0]
    new_price = int(product["price_minor"]) + 100
    answer = httpx.patch(
        f"{base_url}/api/{TENANT}/products/{product['id']}/",
        headers=headers,
        json={"price_minor": new_price},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(product["id"]), new_price


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    with running_server() as server, memory_keyring_installed():
        yield Cloud(server)


def test_a_price_saved_through_the_api_reaches_the_linked_till_by_push(
    cloud: Cloud, tmp_path: Path
) -> None:
    with linked_till(cloud, tmp_path / "till") as till:
        engine = till.engine
        assert engine is not None and engine.link is not None
        pushes = engine.link.pushes["catalog_changed"]
        product_id, new_price = change_a_price(cloud, cloud.server.base_url)
        price_arrives(cloud, till, product_id, new_price, pushes)
        assert engine.state.online is True


def test_a_bumped_order_reaches_the_tills_ready_notices_by_push(
    cloud: Cloud, tmp_path: Path
) -> None:
    with linked_till(cloud, tmp_path / "till") as till:
        engine = till.engine
        assert engine is not None and engine.link is not None
        order_id = _sell_food(till)
        receipt = next(row.receipt_number for row in till.orders() if row.order_id == order_id)
        # The checkout woke the engine: the sale is on the server without waiting for a tick.
        wait_for(lambda: _server_tickets(cloud, order_id), 5, "sale pushed and ticketed")
        headers = cloud._owner_headers()
        for ticket in _server_tickets(cloud, order_id):
            bumped = httpx.post(
                f"{cloud.server.base_url}/api/{TENANT}/kitchen/tickets/{ticket['id']}/bump/",
                headers=headers,
                json={"request_id": str(uuid.uuid4())},
                timeout=30,
            )
            assert bumped.status_code == 200, bumped.text
        heard: list[str] = []

        def notices() -> list[str]:
            heard.extend(till.take_ready_notices())
            return heard

        wait_for(notices, PUSHED_WITHIN_S, "ready notice")
        assert heard == [receipt]
        assert engine.link.pushes["order_ready"] >= 1


def test_a_revoked_till_learns_it_within_seconds(cloud: Cloud, tmp_path: Path) -> None:
    with linked_till(cloud, tmp_path / "till") as till:
        engine = till.engine
        assert engine is not None and engine.link is not None
        identity = till.terminal.identity()
        assert identity is not None
        revoked = httpx.patch(
            f"{cloud.server.base_url}/api/{TENANT}/terminals/{identity.terminal_id}/",
            headers=cloud._owner_headers(),
            json={"status": "revoked"},
            timeout=30,
        )
        assert revoked.status_code == 200, revoked.text
        wait_for(lambda: not engine.state.device_authorized, PUSHED_WITHIN_S, "revoked")
        assert engine.link.pushes["device_revoked"] == 1
        assert engine.state.online is False


def test_a_hung_server_turns_the_light_off_within_10_s_and_back_on(
    cloud: Cloud, tmp_path: Path
) -> None:
    with linked_till(cloud, tmp_path / "till") as till:
        engine = till.engine
        assert engine is not None and engine.link is not None
        process = cloud.server.process
        assert process is not None and engine.state.online is True
        os.killpg(process.pid, signal.SIGSTOP)  # accepts nothing, answers nothing
        try:
            took = wait_for(lambda: engine.state.online is False, 10, "light off")
        finally:
            os.killpg(process.pid, signal.SIGCONT)
        assert not engine.linked, took
        wait_for(lambda: engine.linked and engine.state.online is True, 30, "link back")
        assert engine.link.connections >= 2


def test_a_kitchen_screen_follows_the_same_heartbeat(cloud: Cloud) -> None:
    """The kitchen app's socket pings like the link: a hung server shows it offline in 10 s."""
    base = cloud.server.base_url
    token = httpx.post(
        f"{base}/api/auth/token/",
        json={"username": "demo.kitchen", "password": "kiosk-demo"},
        timeout=30,
    ).json()["access"]
    outlets = httpx.get(
        f"{base}/api/{TENANT}/outlets/", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()["results"]
    outlet_id = next(o["id"] for o in outlets if o["code"] == "main")
    states: list[bool] = []
    screen = KitchenSocketClient(
        url=kitchen_socket_url(base, TENANT, outlet_id, None),
        access_token=lambda: token,
        refresh_token=lambda: None,
        last_sequence=lambda: 0,
        pending_actions=list,
        on_message=lambda message: None,
        on_online=lambda online, reason: states.append(online),
    )
    screen.start()
    process = cloud.server.process
    assert process is not None
    try:
        wait_for(lambda: states[-1:] == [True], 20, "screen online")
        os.killpg(process.pid, signal.SIGSTOP)
        try:
            wait_for(lambda: states[-1:] == [False], 10, "screen offline")
        finally:
            os.killpg(process.pid, signal.SIGCONT)
        wait_for(lambda: states[-1:] == [True], 30, "screen back")
    finally:
        screen.stop()


def test_a_revoked_kitchen_screen_learns_it_within_seconds_and_stops_retrying(
    cloud: Cloud, tmp_path: Path
) -> None:
    """The kitchen app's socket follows the till's rules: revoked in the API, told by push on
    its open socket (then closed with 4401), said in words, and no reconnect loop after."""
    base = cloud.server.base_url
    headers = cloud._owner_headers()
    outlets = httpx.get(f"{base}/api/{TENANT}/outlets/", headers=headers, timeout=30).json()
    main = next(row for row in outlets["results"] if row["code"] == "main")
    code = "e2ek" + uuid.uuid4().hex[:6]
    created = httpx.post(
        f"{base}/api/{TENANT}/terminals/",
        headers=headers,
        json={"outlet": main["id"], "code": code, "name": f"E2E kitchen {code}", "kind": "kitchen"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    device = pair_kitchen(
        data_dir=tmp_path, server_url=base, code=demo_pairing_code(base, screen_code=code)
    )
    states: list[tuple[bool, str]] = []
    tokens = TokenKeeper(data_dir=tmp_path, device=device)
    screen = KitchenSocketClient(
        url=kitchen_socket_url(base, TENANT, device.outlet_id, None),
        access_token=tokens.access_token,
        refresh_token=tokens.refresh,
        last_sequence=lambda: 0,
        pending_actions=list,
        on_message=lambda message: None,
        on_online=lambda online, reason: states.append((online, reason)),
        backoff=RetryPolicy(base_s=0.1, cap_s=0.5),
    )
    screen.start()
    try:
        wait_for(lambda: states[-1:] == [(True, "online")], 20, "screen online")
        revoked = httpx.patch(
            f"{base}/api/{TENANT}/terminals/{device.device_id}/",
            headers=headers,
            json={"status": "revoked"},
            timeout=30,
        )
        assert revoked.status_code == 200, revoked.text
        told = (False, REVOKED_WORDS["revoked"])
        wait_for(lambda: states[-1:] == [told], PUSHED_WITHIN_S, lambda: f"revoked ({states})")
        assert screen.connections == 1  # told on the socket it had open, not by a reconnect
        attempts = screen.attempts
        time.sleep(3)  # its backoff (0.1 to 0.5 s) would have tried several times by now
        assert screen.attempts == attempts and states[-1] == told
    finally:
        screen.stop()


def test_a_suspended_business_s_tills_learn_it_within_seconds(tmp_path: Path) -> None:
    """A business suspended by the platform: its linked till is told by push (its own server,
    so the module's demo tenant stays active for the other tests)."""
    with running_server() as server, memory_keyring_installed():
        cloud = Cloud(server)
        with linked_till(cloud, tmp_path / "till") as till:
            engine = till.engine
            assert engine is not None and engine.link is not None
            suspend_the_demo_business(server)
            wait_for(lambda: not engine.state.device_authorized, PUSHED_WITHIN_S, "suspended")
            assert engine.link.pushes["device_revoked"] == 1
            assert engine.state.online is False


def suspend_the_demo_business(server: ServerProcess) -> None:
    """What the platform's super admin does: the demo business set inactive over the API."""
    headers = super_admin_headers(server)
    tenants = httpx.get(f"{server.base_url}/api/tenants/", headers=headers, timeout=30)
    demo = next(row for row in tenants.json()["results"] if row["slug"] == TENANT)
    business = f"{server.base_url}/api/tenants/{demo['id']}/"
    suspended = httpx.patch(business, headers=headers, json={"is_active": False}, timeout=30)
    assert suspended.status_code == 200, suspended.text


def super_admin_headers(server: ServerProcess) -> dict[str, str]:
    """A platform super admin made in the server's database, signed in."""
    username, password = "e2e.root", "kiosk-root-" + uuid.uuid4().hex[:8]
    server.manage(
        "shell",
        "-c",
        "from sync_server.accounts.models import Role, User\n"
        "from sync_server.common.tenancy import platform_atomic\n"
        "with platform_atomic():\n"
        f"    User.objects.create_user(username={username!r}, password={password!r},"
        " role=Role.SUPER_ADMIN)\n",
    )
    login = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": username, "password": password},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access']}"}


def test_a_server_restart_loses_nothing_and_the_till_resumes(cloud: Cloud, tmp_path: Path) -> None:
    with linked_till(cloud, tmp_path / "till") as till:
        engine = till.engine
        assert engine is not None and engine.link is not None
        identity = till.terminal.identity()
        assert identity is not None
        sold = [_sell_food(till)]
        wait_for(lambda: engine.state.pending == 0, 5, "first sale synced")
        cloud.server.kill()
        wait_for(lambda: engine.state.online is False, 10, "light off after the crash")
        sold += [_sell_food(till), _sell_food(till)]
        cloud.server.start()
        wait_for(lambda: engine.linked and engine.link.connections >= 2, 30, "link back")
        wait_for(lambda: engine.state.pending == 0, 30, "outbox drained")
        assert sorted(cloud.order_ids(str(identity.terminal_id))) == sorted(sold)
        pushes = engine.link.pushes["catalog_changed"]
        product_id, new_price = change_a_price(cloud, cloud.server.base_url)
        price_arrives(cloud, till, product_id, new_price, pushes)


@pytest.mark.redis
def test_a_write_on_node_a_reaches_a_till_linked_to_node_b(tmp_path: Path) -> None:
    env = {"REDIS_URL": REDIS_URL}
    with (
        running_server(extra_env=env) as first,
        another_node(first) as second,
        memory_keyring_installed(),
    ):
        cloud = Cloud(first)
        with linked_till(cloud, tmp_path / "till", server_url=second.base_url) as till:
            engine = till.engine
            assert engine is not None and engine.link is not None
            # Longer than redis-py's 5 s default read timeout (channels_redis#422).
            time.sleep(6)
            pushes = engine.link.pushes["catalog_changed"]
            product_id, new_price = change_a_price(cloud, first.base_url)
            price_arrives(cloud, till, product_id, new_price, pushes)
            assert engine.link.connections == 1


def test_on_the_sqlite_demo_a_price_reaches_the_linked_till_through_the_in_memory_layer(
    tmp_path: Path,
) -> None:
    """The single-machine mode: SQLite, the in-memory channel layer, one process. SQLite has
    one writer, so the feed has no horizon to wait for: the price itself arrives at once."""
    sqlite_url = f"sqlite:///{tmp_path / 'server' / 'kiosk.sqlite3'}"
    (tmp_path / "server").mkdir()
    server = ServerProcess(
        database=pg.TestDatabase("unused"),
        data_dir=tmp_path / "server",
        port=free_port(),
        extra_env={"DATABASE_URL": sqlite_url, "DATABASE_OWNER_URL": sqlite_url, "REDIS_URL": ""},
    )
    try:
        server.manage("migrate", "--verbosity", "0")
        server.manage("seed_demo")
        server.start()
        cloud = Cloud(server)
        with memory_keyring_installed(), linked_till(cloud, tmp_path / "till") as till:
            engine = till.engine
            assert engine is not None and engine.link is not None
            pushes = engine.link.pushes["catalog_changed"]
            product_id, new_price = change_a_price(cloud, server.base_url)
            wait_for(lambda: local_price(till, product_id) == new_price, PUSHED_WITHIN_S, "price")
            assert engine.link.pushes["catalog_changed"] > pushes
    finally:
        server.kill()
