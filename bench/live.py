"""The live path, measured where a person waits: sale commit → ticket on 20 kitchen sockets, and
a price saved through the API → the till's catalog holding it.

Runs a real `kiosk-server` (uvicorn, PostgreSQL, Redis channel layer) on loopback, pairs a
fresh till folder to it and drives it through the real `pos_desktop` till (`TerminalTill`:
services, sync engine, live link; no Qt), with 20 kitchen sockets on outlet `main` (all
stations). For each sale the clock starts when `checkout()` returns (the order, its outbox row
and its kitchen print job are committed; the screen says "paid"), and stops when the sale's
ticket arrives on each socket. Nothing else paces the till: the checkout wakes its engine,
which pushes at once. For each price change the clock starts when the PATCH is sent and stops
when the till's own database holds the new price (read every 5 ms from another connection).

    .venv/bin/python bench/live.py [--sales 200] [--prices 30] [--screens 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import psycopg
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_desktop.kitchen.client import kitchen_socket_url
from pos_desktop.store.models import Product
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from shared.protocol import KitchenHelloV1
from tests.chaos.support import CASHIER_PIN, TENANT, Cloud
from tests.desktop.test_kitchen_offline import _sell_food
from tests.support import pg
from tests.support.keyring import memory_keyring_installed
from tests.support.server_process import running_server

REDIS_URL = os.environ.get("KIOSK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGETS_MS = {"sale → ticket": (100.0, 300.0), "price saved → till catalog": (None, 2000.0)}
KITCHEN_USER = ("demo.kitchen", "kiosk-demo")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(name: str, samples_s: list[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    p50, p99 = percentile(ms, 0.50), percentile(ms, 0.99)
    line = (
        f"{name:<28} n={len(ms):>5}  p50={p50:8.1f} ms  p99={p99:8.1f} ms  "
        f"max={max(ms):8.1f} ms  mean={statistics.fmean(ms):7.1f} ms"
    )
    if name not in TARGETS_MS:
        return line
    target_p50, target_p99 = TARGETS_MS[name]
    met = (target_p50 is None or p50 < target_p50) and (target_p99 is None or p99 < target_p99)
    return f"{line}  target {'met' if met else 'NOT met'}"


class WritersWatch:
    """Samples, every 100 ms, what could hold the catalog feed back: a writing transaction older
    than 0.5 s open in this server's database or in another one of the cluster (the feed's
    horizon before sync/0005), and an open write of the demo business's catalog (the only thing
    that holds it now: a feed-clock advisory lock of that tenant)."""

    SQL = (
        "SELECT datname = current_database() FROM pg_stat_activity "
        "WHERE backend_xid IS NOT NULL AND now() - xact_start > interval '500 ms'"
    )
    LOCK_SQL = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid::text::bigint = (SELECT kiosk_feed_lock_key(id)::bigint & 4294967295 "
        "FROM tenants_tenant WHERE slug = %s)"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples = self.ours = self.others = self.tenant_writes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self._stop.wait(0.1):
                rows = connection.execute(self.SQL).fetchall()
                locks = connection.execute(self.LOCK_SQL, [TENANT]).fetchone()
                self.samples += 1
                self.ours += any(row[0] for row in rows)
                self.others += any(not row[0] for row in rows)
                self.tenant_writes += bool(locks and locks[0])

    def stop(self) -> str:
        self._stop.set()
        self._thread.join(5)
        share = 100 / max(self.samples, 1)
        return (
            f"a writing transaction older than 0.5 s was open in {self.ours * share:.0f}% of "
            f"{self.samples} samples in this database, in {self.others * share:.0f}% in others; "
            f"a write of {TENANT}'s catalog was open in {self.tenant_writes * share:.0f}%"
        )


class Screens:
    """`count` kitchen sockets on one event loop thread; arrival times by order id."""

    def __init__(self, url: str, token: str, count: int) -> None:
        self.url, self.token, self.count = url, token, count
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.connected = 0
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        for _ in range(count):
            asyncio.run_coroutine_threadsafe(self._screen(), self.loop)
        if not wait_until(lambda: self.connected == count, 60):
            raise TimeoutError(f"{self.connected} of {count} kitchen sockets caught up")

    async def _screen(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(self.url, additional_headers=headers, proxy=None, max_queue=None) as ws:
            await ws.send(KitchenHelloV1(last_sequence=0).model_dump_json())
            async for raw in ws:
                now = time.monotonic()
                message = json.loads(raw)
                if message["type"] == "caught_up":
                    with self.lock:
                        self.connected += 1
                elif message["type"] == "ticket":
                    self.arrivals[message["ticket"]["order_id"]].append(now)

    def close(self) -> None:
        """Cancel the sockets' tasks, then stop the loop (no "task destroyed" noise at exit)."""

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def wait_until(condition: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def local_price(till: TerminalTill, product_id: str) -> int | None:
    with till.terminal.uow() as uow:
        product = uow.session.get(Product, product_id)
        return None if product is None else product.price_minor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--prices", type=int, default=30)
    parser.add_argument("--screens", type=int, default=20)
    args = parser.parse_args()
    env = {"REDIS_URL": REDIS_URL}
    with (
        running_server(extra_env=env) as server,
        memory_keyring_installed(),
        tempfile.TemporaryDirectory(prefix="kiosk-live-") as folder,
    ):
        cloud = Cloud(server)
        base = f"{server.base_url}/api/{TENANT}"
        terminal = Terminal(Path(folder) / "till")
        terminal.pair(server.base_url, cloud.new_terminal_code(), device_name="bench till")
        till = TerminalTill(terminal, start_sync=True, start_printing=False)
        engine = till.engine
        assert engine is not None
        if not wait_until(lambda: engine.linked and engine.state.catalog_version > 0, 30):
            print(f"the till's link did not come up: {engine.state}", file=sys.stderr)
            return 1
        till.login(CASHIER_PIN)
        till.open_shift(100_000)
        token = httpx.post(
            f"{server.base_url}/api/auth/token/",
            json={"username": KITCHEN_USER[0], "password": KITCHEN_USER[1]},
            timeout=30,
        ).json()["access"]
        identity = terminal.identity()
        assert identity is not None
        url = kitchen_socket_url(server.base_url, TENANT, str(identity.outlet_id), None)
        screens = Screens(url, token, args.screens)
        sale_to_ticket: list[float] = []
        missing = 0
        try:
            for _ in range(args.sales):
                order_id = _sell_food(till)
                committed = time.monotonic()
                if not wait_until(lambda o=order_id: len(screens.arrivals[o]) >= args.screens, 10):
                    missing += 1
                sale_to_ticket += [arrived - committed for arrived in screens.arrivals[order_id]]
            headers = cloud._owner_headers()
            products = httpx.get(f"{base}/products/", headers=headers, timeout=30).json()
            product_id = str(products["results"][0]["id"])
            price = int(products["results"][0]["price_minor"])
            price_to_till: list[float] = []
            price_answered: list[float] = []
            price_pushed: list[float] = []
            link = engine.link
            assert link is not None
            admin_url = f"postgresql://postgres@{pg.HOST_PORT}/{server.database.name}"
            watch = WritersWatch(admin_url)
            for _ in range(args.prices):
                price += 100
                pushes = link.pushes["catalog_changed"]
                sent = time.monotonic()
                answer = httpx.patch(
                    f"{base}/products/{product_id}/",
                    headers=headers,
                    json={"price_minor": price},
                    timeout=30,
                )
                answered = time.monotonic()
                assert answer.status_code == 200, answer.text
                if wait_until(lambda n=pushes: link.pushes["catalog_changed"] > n, 10):
                    price_pushed.append(time.monotonic() - sent)
                if wait_until(lambda p=price: local_price(till, product_id) == p, 10):
                    price_to_till.append(time.monotonic() - sent)
                    price_answered.append(time.monotonic() - answered)
                else:
                    missing += 1
                time.sleep(0.2)
            writers = watch.stop()
            print(f"live path: {args.sales} sales, {args.screens} kitchen sockets, Redis layer")
            print(summary("sale → ticket", sale_to_ticket))
            print(summary("price saved → till catalog", price_to_till))
            print(summary("(from the PATCH's answer)", price_answered))
            print(summary("price saved → push on till", price_pushed))
            print(f"during the price changes {writers}")
            print(
                f"pushes heard by the till: {dict(link.pushes)}; "
                f"link sockets opened: {link.connections}; "
                f"sales or prices that never arrived: {missing}"
            )
        finally:
            screens.close()
            till.close()
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
