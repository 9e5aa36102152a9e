"""The sync engine against a real kiosk-server with the demo tenant: what a till reports of
itself with its pushed batches, and how it keeps taking price changes while its sales cannot
be stored.

The server's trouble is a real one: its database refuses every new order row (a trigger
raising `lock_not_available`, what a long lock on the table would give), so the orders
endpoint answers 503 with Retry-After while the catalog feed still answers. Requests are only
recorded on their way (a transport that forwards each to the real one), never answered here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from pos_desktop.config import SyncSettings
from pos_desktop.services.simulate import simulate_sales
from pos_desktop.store.models import Order, Product
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from tests.chaos.support import CASHIER_PIN, TENANT, Cloud
from tests.desktop.conftest import MemoryKeyring
from tests.support import pg
from tests.support.server_process import running_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]

FEED_WITHIN_S = 30.0
"""How long a saved price may take to be served: the catalog feed serves a row once every
older writing transaction of the PostgreSQL cluster ended (tests/e2e/test_live_link.py)."""
QUIET = SyncSettings(live_link=False, catalog_interval_s=3600.0)


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    with running_server() as server:
        yield Cloud(server)


class RecordingTransport(httpx.BaseTransport):
    """Forwards every request to the real server and notes (when, method, path) of each."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.seen: list[tuple[float, str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((time.monotonic(), request.method, request.url.path))
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


def _requests(recorder: RecordingTransport, method: str, path_end: str) -> list[float]:
    """When each `method` request to a path ending in `path_end` was sent (monotonic)."""
    return [at for at, m, path in list(recorder.seen) if m == method and path.endswith(path_end)]


@contextmanager
def orders_refused(cloud: Cloud) -> Iterator[None]:
    """The server's database refuses every new order row (the orders endpoint answers 503)."""
    url = f"postgresql://postgres@{pg.HOST_PORT}/{cloud.server.database.name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION test_orders_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'orders locked' USING ERRCODE = 'lock_not_available'; END $$"
        )
        connection.execute(
            "CREATE TRIGGER test_orders_locked BEFORE INSERT ON orders_order "
            "FOR EACH ROW EXECUTE FUNCTION test_orders_locked()"
        )
        try:
            yield
        finally:
            connection.execute("DROP TRIGGER test_orders_locked ON orders_order")
            connection.execute("DROP FUNCTION test_orders_locked()")


@contextmanager
def paired_till(
    cloud: Cloud, folder: Path, settings: SyncSettings, recorder: RecordingTransport
) -> Iterator[tuple[Terminal, SyncEngine]]:
    terminal = Terminal(folder)
    terminal.pair(cloud.server.base_url, cloud.new_terminal_code(), device_name="sync test")
    try:
        yield terminal, terminal.sync_engine(settings=settings, transport=recorder)
    finally:
        terminal.close()


def _sell(terminal: Terminal, orders: int, seed: int) -> None:
    simulate_sales(terminal.uow, orders=orders, seed=seed, cashier_pin=CASHIER_PIN)


def _raise_a_price(cloud: Cloud) -> tuple[str, int]:
    """Raise the first product's price by 100 through the API; (product id, new price)."""
    headers = cloud._owner_headers()
    base = f"{cloud.server.base_url}/api/{TENANT}/products/"
    product = httpx.get(base, headers=headers, timeout=30).json()["results"][0]
    new_price = int(product["price_minor"]) + 100
    answer = httpx.patch(
        f"{base}{product['id']}/", headers=headers, json={"price_minor": new_price}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return str(product["id"]), new_price


def _local_price(terminal: Terminal, product_id: str) -> int | None:
    with terminal.uow() as uow:
        product = uow.session.get(Product, product_id)
        return None if product is None else product.price_minor


def _wait_for(condition: Callable[[], Any], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s} s"
        time.sleep(0.02)


def test_an_unlinked_till_reports_its_own_last_sale_and_catalog_with_its_batches(
    cloud: Cloud, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with paired_till(cloud, tmp_path / "till", QUIET, RecordingTransport()) as (terminal, engine):
        engine.pull_catalog()
        _sell(terminal, orders=2, seed=5)
        assert engine.run_pass().transient_error is None
        assert engine.linked is False  # HTTP only: no heartbeat said anything
        with terminal.uow() as uow:
            sold_at = uow.session.scalar(select(func.max(Order.created_at)))
        assert sold_at is not None
        terminal_id = terminal.identity().terminal_id  # type: ignore[union-attr]
        rows = cloud.query(
            "SELECT last_sale_at, catalog_version FROM sync_devicestatus WHERE terminal_id = %s",
            terminal_id,
        )
    assert engine.state.catalog_version > 0
    [(held_sale_at, held_version)] = rows
    assert held_version == engine.state.catalog_version
    assert held_sale_at is not None and held_sale_at.astimezone(UTC) == sold_at.replace(tzinfo=UTC)


def test_a_failing_orders_endpoint_does_not_keep_price_changes_from_the_till(
    cloud: Cloud, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with paired_till(cloud, tmp_path / "till", QUIET, RecordingTransport()) as (terminal, engine):
        engine.pull_catalog()
        _sell(terminal, orders=1, seed=7)
        assert engine.run_pass().transient_error is None
        with orders_refused(cloud):
            _sell(terminal, orders=1, seed=8)
            product_id, new_price = _raise_a_price(cloud)
            deadline = time.monotonic() + FEED_WITHIN_S
            while _local_price(terminal, product_id) != new_price:
                assert time.monotonic() < deadline, "the price never reached the till"
                result = engine.run_pass(pull_catalog=True)
                assert result.transient_error == "HTTP 503", result  # the push's error it is
                assert result.delay_s >= 5 and engine.backoff.failures > 0  # Retry-After
                time.sleep(0.2)
            assert engine.state.pending == 1  # the sale waits, nothing lost
        assert engine.run_pass().transient_error is None
        assert engine.state.pending == 0


def test_a_catalog_push_is_served_at_once_while_the_pushes_back_off(
    cloud: Cloud, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """The link's catalog push proves the server reachable: the till pulls at once, by a
    pull-only pass; the failing orders endpoint still hears from it only at its backoff."""
    recorder = RecordingTransport()
    settings = replace(QUIET, live_link=True)
    with paired_till(cloud, tmp_path / "till", settings, recorder) as (terminal, engine):
        engine.start()
        try:
            _wait_for(lambda: engine.linked and engine.state.catalog_version > 0, 60, "linked")
            link = engine.link
            assert link is not None
            with orders_refused(cloud):
                _sell(terminal, orders=1, seed=9)
                _wait_for(lambda: engine.backoff.failures > 0, 20, "the push failed")
                failed_at = _requests(recorder, "POST", "/sync/orders/")[-1]
                pushes_before = link.pushes["catalog_changed"]
                asked_at = time.monotonic()  # unserved, a wake waits for the backoff to end
                _raise_a_price(cloud)
                _wait_for(lambda: link.pushes["catalog_changed"] > pushes_before, 5, "catalog push")
                heard_by = time.monotonic()
                assert heard_by - failed_at < 3.5, "the push came too late to tell"
                _wait_for(  # the wake may pull before this thread even sees the push counted
                    lambda: any(at > asked_at for at in _requests(recorder, "GET", "/catalog/")),
                    heard_by + 1.5 - time.monotonic(),
                    "the catalog pulled while the pushes back off (Retry-After 5 s)",
                )
                _wait_for(
                    lambda: len(_requests(recorder, "POST", "/sync/orders/")) > 1, 10, "a retry"
                )
                posts = _requests(recorder, "POST", "/sync/orders/")
                assert all(b - a >= 4.5 for a, b in itertools.pairwise(posts)), posts
        finally:
            engine.stop()
