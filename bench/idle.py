"""An idle fleet on the live link: what 2,000 linked tills cost one server process.

Runs a real `kiosk-server` (one uvicorn process, PostgreSQL, Redis channel layer) on loopback,
registers and pairs `--tills` terminals (in one `kiosk-server shell` run, through the real
pairing services), then opens that many links from lightweight simulated tills on one asyncio
loop, each speaking the real protocol (`shared.protocol_link`): the device token in the
handshake's Authorization header, `welcome`, a `status` at once and every `status_every_s`,
a WebSocket ping every `LINK_HEARTBEAT_S` (its pong is what keeps a real till's light on),
and the HTTP polls a linked real till keeps as a safety net against a lost push
(`sync/ready/` every `LINKED_READY_INTERVAL_S`, `sync/catalog/` every
`LINKED_CATALOG_INTERVAL_S`, each started at a random phase). Once every link is up it
measures, for `--seconds`: the server process's CPU (user + system, share of one core), its
resident memory, and HTTP requests per till per minute.

    .venv/bin/python bench/idle.py [--tills 2000] [--seconds 120]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_desktop.sync.link import (
    LINKED_CATALOG_INTERVAL_S,
    LINKED_READY_INTERVAL_S,
    link_socket_url,
)
from shared.protocol_link import LINK_HEARTBEAT_S, LinkStatusV1
from tests.support.server_process import ServerProcess, running_server

REDIS_URL = os.environ.get("KIOSK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TENANT = "demo"
PAIR_SCRIPT = """
import json
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.services import device_pair, pairing_code_create
from sync_server.tenants.models import Outlet, Tenant, Terminal
tenant = Tenant.objects.get(slug="demo")
with tenant_atomic(tenant):
    outlet = Outlet.objects.get(code="main")
tokens = []
for n in range({count}):
    with tenant_atomic(tenant):
        terminal = Terminal(tenant=tenant, outlet=outlet, code=f"idle{{n}}", name=f"Idle {{n}}")
        terminal.save()
    code = pairing_code_create(tenant=tenant, terminal=terminal).code
    tokens.append(device_pair(code=code, device_kind="terminal").access)
print("TOKENS" + json.dumps(tokens))
"""


def paired_tokens(server: ServerProcess, count: int) -> list[str]:
    """Access tokens of `count` freshly registered and paired tills."""
    done = server.manage("shell", "-c", PAIR_SCRIPT.format(count=count), timeout=1800)
    line = next(row for row in done.stdout.splitlines() if row.startswith("TOKENS"))
    tokens: list[str] = json.loads(line[len("TOKENS") :])
    return tokens


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Fleet:
    """The simulated tills: counters shared by every link."""

    def __init__(self, base_url: str, tokens: list[str]) -> None:
        self.base_url = base_url
        self.tokens = tokens
        self.up = 0
        self.dropped = 0
        self.http_requests = 0
        self.http_errors = 0
        self.pings = 0
        self.unanswered = 0
        self.counting = False
        self.rng = random.Random(7)

    async def till(self, token: str, http: httpx.AsyncClient, opening: asyncio.Semaphore) -> None:
        url = link_socket_url(self.base_url, TENANT)
        headers = {"Authorization": f"Bearer {token}"}
        async with opening:
            socket = await connect(url, additional_headers=headers, proxy=None, ping_interval=None)
            welcome = json.loads(await socket.recv())
            assert welcome["type"] == "welcome", welcome
            await socket.send(LinkStatusV1(app_version="0.1.0").model_dump_json())
        self.up += 1
        try:
            await asyncio.gather(
                self._pings(socket),
                self._statuses(socket, float(welcome["status_every_s"])),
                self._poll(http, headers, "sync/ready/", LINKED_READY_INTERVAL_S),
                self._poll(http, headers, "sync/catalog/", LINKED_CATALOG_INTERVAL_S),
                self._drain(socket),
            )
        finally:
            self.up -= 1
            self.dropped += 1

    async def _pings(self, socket: ClientConnection) -> None:
        await asyncio.sleep(self.rng.uniform(0, LINK_HEARTBEAT_S))
        while True:
            pong = await socket.ping()
            started = time.monotonic()
            try:
                await asyncio.wait_for(pong, timeout=4)
            except TimeoutError:
                self.unanswered += self.counting
            if self.counting:
                self.pings += 1
            await asyncio.sleep(max(0.0, LINK_HEARTBEAT_S - (time.monotonic() - started)))

    async def _statuses(self, socket: ClientConnection, every_s: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, every_s))
        while True:
            await socket.send(LinkStatusV1(app_version="0.1.0").model_dump_json())
            await asyncio.sleep(every_s)

    async def _poll(
        self, http: httpx.AsyncClient, headers: dict[str, str], path: str, every_s: float
    ) -> None:
        await asyncio.sleep(self.rng.uniform(0, every_s))
        while True:
            answer = await http.get(f"/api/{TENANT}/{path}", headers=headers)
            if self.counting:
                self.http_requests += 1
                self.http_errors += answer.status_code != 200
            await asyncio.sleep(every_s)

    async def _drain(self, socket: ClientConnection) -> None:
        async for _ in socket:  # pushes: none expected while idle
            pass


async def run(server: ServerProcess, tokens: list[str], seconds: float) -> dict[str, Any]:
    assert server.process is not None
    pid = server.process.pid
    fleet = Fleet(server.base_url, tokens)
    opening = asyncio.Semaphore(50)
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as http:
        tasks = [asyncio.create_task(fleet.till(token, http, opening)) for token in tokens]
        started = time.monotonic()
        while fleet.up < len(tokens):
            if any(task.done() for task in tasks):
                failed = next(task for task in tasks if task.done())
                raise RuntimeError(f"a link failed to open: {failed.exception()!r}")
            await asyncio.sleep(0.5)
        opened_s = time.monotonic() - started
        await asyncio.sleep(5)  # the opening burst's work settles
        rss_before = rss_mib(pid)
        cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
        fleet.counting = True
        await asyncio.sleep(seconds)
        fleet.counting = False
        cpu = cpu_seconds(pid) - cpu_before
        wall = time.monotonic() - wall_before
        result = {
            "tills": len(tokens),
            "opened_s": opened_s,
            "window_s": wall,
            "cpu_share": cpu / wall,
            "rss_before_mib": rss_before,
            "rss_mib": rss_mib(pid),
            "http_per_till_min": fleet.http_requests / len(tokens) / (wall / 60),
            "http_errors": fleet.http_errors,
            "pings": fleet.pings,
            "unanswered": fleet.unanswered,
            "links_up": fleet.up,
            "dropped": fleet.dropped,
        }
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tills", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    with running_server(extra_env={"REDIS_URL": REDIS_URL}) as server:
        started = time.monotonic()
        tokens = paired_tokens(server, args.tills)
        print(f"paired {len(tokens)} tills in {time.monotonic() - started:.0f} s")
        assert server.process is not None
        rss_idle = rss_mib(server.process.pid)
        result = asyncio.run(run(server, tokens, args.seconds))
    print(
        f"idle links: {result['tills']} tills on one server process (Redis layer), all open "
        f"after {result['opened_s']:.1f} s; measured {result['window_s']:.0f} s:\n"
        f"  server CPU {100 * result['cpu_share']:.1f}% of one core; resident memory "
        f"{rss_idle:.0f} MiB before the links, {result['rss_before_mib']:.0f} MiB with them "
        f"open, {result['rss_mib']:.0f} MiB at the end\n"
        f"  HTTP {result['http_per_till_min']:.2f} requests per till per minute "
        f"({result['http_errors']} not 200); {result['pings']} pings, "
        f"{result['unanswered']} unanswered within 4 s; links up at the end "
        f"{result['links_up']}, dropped {result['dropped']}"
    )
    ok = result["http_per_till_min"] <= 1 and result["dropped"] == 0 and not result["unanswered"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
