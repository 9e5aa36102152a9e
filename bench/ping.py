"""What the till's online probe costs the server: `GET /api/<tenant>/sync/ping/` on PostgreSQL.

Starts a real `kiosk-server serve` (uvicorn, one worker) on a throw-away database with the
demo tenant, pairs a till through `/api/pair/`, then fires the ping (device token checked
against the database) from a few client threads, beside two baselines from the same run:
`/healthz` (no database, no token) and `sync/ready/` (the poll an idle till made before).
Prints requests/s, p50 and p95 latency, and the ping's ratio to `/healthz`.

    .venv/bin/python bench/ping.py [--requests 1000] [--threads 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from pos_desktop.kitchen.demo import demo_pairing_code  # noqa: E402
from pos_desktop.sync.client import pair  # noqa: E402
from tests.support.server_process import running_server  # noqa: E402


def _fire(
    url: str, headers: dict[str, str], requests: int, threads: int
) -> tuple[float, list[float]]:
    """(requests per second, latencies in ms) of `requests` GETs spread over `threads`."""
    clients = [httpx.Client(headers=headers, timeout=30) for _ in range(threads)]

    def one(index: int) -> float:
        started = time.perf_counter()
        answer = clients[index % threads].get(url)
        assert answer.status_code == 200, answer.text[:200]
        return (time.perf_counter() - started) * 1000

    for client in clients:  # warm connections and the server's caches
        client.get(url)
    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - began
    for client in clients:
        client.close()
    return requests / elapsed, latencies


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/ping.py", description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with running_server() as server:
        paired = pair(server.base_url, demo_pairing_code(server.base_url, screen_code="t1"))
        device = {"Authorization": f"Bearer {paired.access}"}
        base = f"{server.base_url}/api/{paired.tenant_slug}/sync"
        rows = [
            ("/healthz (baseline)", f"{server.base_url}/healthz", {}),
            ("sync/ping/", f"{base}/ping/", device),
            ("sync/ready/", f"{base}/ready/", device),
        ]
        results = {}
        print(f"{args.requests} requests from {args.threads} threads, one uvicorn worker")
        print(f"{'endpoint':<22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, url, headers in rows:
            rate, latencies = _fire(url, headers, args.requests, args.threads)
            p50 = statistics.median(latencies)
            p95 = statistics.quantiles(latencies, n=20)[18]
            results[name] = rate
            print(f"{name:<22} {rate:8.0f} {p50:8.1f} {p95:8.1f}")
        ratio = results["sync/ping/"] / results["/healthz (baseline)"]
        print(f"ping throughput / healthz throughput: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
