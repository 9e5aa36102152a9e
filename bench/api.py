"""API benchmark on PostgreSQL: product list (60 and 10,000 products) and product create.

Starts a real `kiosk-server serve` (uvicorn, one worker) on a throw-away
database (app role under RLS), fires requests over loopback from a few client
threads, and prints requests/s and p95 latency; then counts SQL queries per
request in-process to show lists do not grow with rows (no N+1).

    .venv/bin/python bench/api.py [--requests 300] [--threads 4]
    .venv/bin/python bench/api.py --workers 1,2,4 [--requests 600] [--threads 8]

With `--workers`, the same server is restarted with each number of `kiosk-server serve
--workers N` processes and the 60-product list and product create are fired at each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support import pg  # noqa: E402
from tests.support.server_process import ServerProcess, free_port  # noqa: E402

BULK_PRODUCTS = 10_000


def _setup_django(database: pg.TestDatabase, data_dir: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database.app_url,
            "DATABASE_OWNER_URL": database.owner_url,
            "KIOSK_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "sync_server.config.settings",
        }
    )
    import django

    django.setup()


def _add_bulk_tenant() -> None:
    """Tenant `bulk` with 10,000 products (and an owner) for the large list."""
    from sync_server.accounts.models import Role, User
    from sync_server.catalog.models import Category, Product
    from sync_server.common.tenancy import tenant_atomic
    from sync_server.tenants.models import Tenant

    tenant = Tenant(slug="bulk", name="Bulk Kiosk", currency="IDR", time_zone="Asia/Jakarta")
    tenant.save()
    with tenant_atomic(tenant):
        category = Category(tenant=tenant, name="Everything")
        category.save()
        Product.objects.bulk_create(
            Product(
                tenant=tenant,
                category=category,
                sku=f"B-{index:05d}",
                name=f"Bulk product {index}",
                price_minor=10_000 + index,
                cost_minor=5_000,
            )
            for index in range(BULK_PRODUCTS)
        )
        owner = User(tenant=tenant, username="bulk.owner", role=Role.OWNER)
        owner.set_password("kiosk-demo")
        owner.save()


def _token(base_url: str, username: str) -> str:
    answer = httpx.post(
        f"{base_url}/api/auth/token/",
        json={"username": username, "password": "kiosk-demo"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access"])


def _run(
    name: str,
    base_url: str,
    token: str,
    request: Callable[[httpx.Client, int], httpx.Response],
    *,
    count: int,
    threads: int,
) -> dict[str, float]:
    """Fire `count` requests from `threads` keep-alive clients; every answer must be 2xx."""
    latencies: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    def one(index: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
        started = time.perf_counter()
        answer = request(client, index)
        elapsed = time.perf_counter() - started
        if not answer.is_success:
            raise RuntimeError(f"{name}: HTTP {answer.status_code} {answer.text[:200]}")
        with lock:
            latencies.append(elapsed)

    request(httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}), -1)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": count / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def _queries_per_request() -> dict[str, int]:
    """SQL statements per request, measured in-process with Django's test client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from sync_server.accounts.models import User
    from sync_server.accounts.services import tokens_for_user
    from sync_server.common.tenancy import tenant_atomic
    from sync_server.tenants.models import Tenant

    counts: dict[str, int] = {}
    for slug, username in (("demo", "demo.owner"), ("bulk", "bulk.owner")):
        tenant = Tenant.objects.get(slug=slug)
        with tenant_atomic(tenant):
            user = User.objects.select_related("tenant").get(username=username)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user)['access']}")
        for page_size in (50, 500):
            with CaptureQueriesContext(connection) as captured:
                answer = client.get(f"/api/{slug}/products/?page_size={page_size}")
            assert answer.status_code == 200
            counts[f"list {slug} page_size={page_size}"] = len(captured)
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(
                f"/api/{slug}/products/",
                {"sku": f"Q-{uuid.uuid4().hex[:8]}", "name": "q", "price_minor": 1},
                format="json",
            )
        assert answer.status_code == 201
        counts[f"create in {slug}"] = len(captured)
    return counts


def _by_workers(server: ServerProcess, counts: list[int], *, requests: int, threads: int) -> None:
    """Requests per second of the same two cases with 1, 2, 4... worker processes."""
    print(f"kiosk-server --workers N on PostgreSQL, {threads} client threads, loopback HTTP")
    print(f"{'workers':>7} {'case':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for workers in counts:
        server.stop()
        server.serve_args = ["--workers", str(workers)]
        server.start(timeout=60)
        token = _token(server.base_url, "demo.owner")
        cases: list[tuple[str, Callable[[httpx.Client, int], httpx.Response]]] = [
            ("list 60 products (demo)", lambda c, _: c.get("/api/demo/products/?page_size=60")),
            (
                "create product (demo)",
                lambda c, _: c.post(
                    "/api/demo/products/",
                    json={"sku": f"W-{uuid.uuid4().hex[:10]}", "name": "W", "price_minor": 1},
                ),
            ),
        ]
        for name, request in cases:
            figures = _run(name, server.base_url, token, request, count=requests, threads=threads)
            print(
                f"{workers:>7} {name:<28} {figures['rps']:>8.1f} {figures['p50_ms']:>8.1f}"
                f" {figures['p95_ms']:>8.1f}"
            )


CONNECTION_MODES = (("pool of 10 (default)", "10"), ("a connection per request", "0"))


def _compare_connection_modes(
    server: ServerProcess,
    token: str,
    cases: list[tuple[str, str, Callable[[httpx.Client, int], httpx.Response]]],
    args: argparse.Namespace,
) -> None:
    """The demo cases again under each KIOSK_DB_POOL_MAX, restarting the server for each; the
    ratio is req/s against the pool's, from the same run."""
    demo_cases = [case for case in cases if "(demo" in case[0]]
    print(f"connections: {' vs '.join(name for name, _ in CONNECTION_MODES)}")
    print(f"{'case':<52} {'mode':<26} {'req/s':>8} {'p95 ms':>8} {'ratio':>6}")
    baseline: dict[str, float] = {}
    for mode, pool_max in CONNECTION_MODES:
        server.env["KIOSK_DB_POOL_MAX"] = pool_max
        server.restart()
        for name, _, request in demo_cases:
            figures = _run(
                name, server.base_url, token, request, count=args.requests, threads=args.threads
            )
            rps = figures["rps"]
            ratio = rps / baseline.setdefault(name, rps)
            print(f"{name:<52} {mode:<26} {rps:>8.1f} {figures['p95_ms']:>8.1f} {ratio:>6.2f}")
    server.env.pop("KIOSK_DB_POOL_MAX")
    server.restart()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--workers", help="comma-separated worker counts to compare, e.g. 1,2,4", default=""
    )
    args = parser.parse_args(argv)

    database = pg.create_database(pg.unique_database_name("kiosk_bench"))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    server = ServerProcess(database=database, data_dir=data_dir, port=free_port())
    try:
        server.manage("migrate", "--verbosity", "0")
        server.manage("seed_demo", "--verbosity", "0")
        if args.workers:
            counts = [int(count) for count in args.workers.split(",")]
            _by_workers(server, counts, requests=args.requests, threads=args.threads)
            return 0
        _setup_django(database, data_dir)
        _add_bulk_tenant()
        server.start()
        demo_token = _token(server.base_url, "demo.owner")
        bulk_token = _token(server.base_url, "bulk.owner")
        cases: list[tuple[str, str, Callable[[httpx.Client, int], httpx.Response]]] = [
            (
                "list 60 products (demo, one page of 60)",
                demo_token,
                lambda client, _: client.get("/api/demo/products/?page_size=60"),
            ),
            (
                "list 10,000 products (bulk, first page of 50)",
                bulk_token,
                lambda client, _: client.get("/api/bulk/products/"),
            ),
            (
                "list 10,000 products (bulk, pages of 500, 1..20)",
                bulk_token,
                lambda client, index: client.get(
                    f"/api/bulk/products/?page_size=500&page={index % 20 + 1}"
                ),
            ),
            (
                "create product (demo)",
                demo_token,
                lambda client, index: client.post(
                    "/api/demo/products/",
                    json={
                        "sku": f"BENCH-{uuid.uuid4().hex[:10]}",
                        "name": "Bench",
                        "price_minor": 15_000,
                    },
                ),
            ),
        ]
        print(f"kiosk-server on PostgreSQL, {args.threads} client threads, loopback HTTP")
        print(f"{'case':<52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, token, request in cases:
            figures = _run(
                name, server.base_url, token, request, count=args.requests, threads=args.threads
            )
            rps, p50, p95 = figures["rps"], figures["p50_ms"], figures["p95_ms"]
            print(f"{name:<52} {rps:>8.1f} {p50:>8.1f} {p95:>8.1f}")
        _compare_connection_modes(server, demo_token, cases, args)
        print("SQL queries per request (in-process):")
        for name, count in _queries_per_request().items():
            print(f"  {name:<40} {count}")
    finally:
        server.kill()
        from django.apps import apps
        from django.db import connections

        if apps.ready:
            connections.close_all()
        pg.drop_database(database.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
