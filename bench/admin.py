"""Back-office page times on a tenant with many orders: dashboard, sales by product, orders list.

Loads `--orders` orders (default 1,000,000) of the demo tenant into a throw-away PostgreSQL
database with COPY (lines and payments included, over 10 outlets and a year), recounts the
sales rollups from them (`kiosk-server rebuild_rollups`: COPY bypasses the ingest that keeps
them), then signs in through the real form and times each page in-process with Django's test
client (app role, row-level security on), printing p50 and p95 and the SQL query count. Run it
at two sizes to see whether the query count stays constant in the number of orders.

    .venv/bin/python bench/admin.py [--orders 1000000] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support import pg  # noqa: E402
from tests.support.server_process import ServerProcess, free_port  # noqa: E402

OUTLETS = 10
DAYS = 365
METHODS = ("cash", "card", "qris", "ewallet")


def _copy(connection: psycopg.Connection[Any], table: str, columns: list[str], rows: Any) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _world(connection: psycopg.Connection[Any]) -> dict[str, Any]:
    """Ten outlets with a till and a shift each, on the seeded demo tenant (superuser load)."""
    tenant_id, currency = connection.execute(
        "SELECT id, currency FROM tenants_tenant WHERE slug = 'demo'"
    ).fetchone()
    products = connection.execute(
        "SELECT id, category_id, sku, name, price_minor FROM catalog_product "
        "WHERE tenant_id = %s AND deleted_at IS NULL",
        [tenant_id],
    ).fetchall()
    now = datetime.now(UTC)
    outlets = []
    for index in range(OUTLETS):
        code = f"b{index:02d}"
        outlet_id, terminal_id, shift_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        connection.execute(
            "INSERT INTO tenants_outlet (id, tenant_id, version, created_at, updated_at, code, "
            "name, address, default_kitchen_station, ticket_amber_after_s, ticket_red_after_s) "
            "VALUES (%s, %s, 0, %s, %s, %s, %s, '', 'kitchen', 300, 600)",
            [outlet_id, tenant_id, now, now, code, f"Bench outlet {index}"],
        )
        connection.execute(
            "INSERT INTO tenants_terminal (id, tenant_id, version, created_at, updated_at, "
            "outlet_id, code, name, kind, status) "
            "VALUES (%s, %s, 0, %s, %s, %s, 't1', 'Bench till', 'terminal', 'active')",
            [terminal_id, tenant_id, now, now, outlet_id],
        )
        connection.execute(
            "INSERT INTO shifts_shift (id, tenant_id, version, created_at, updated_at, outlet_id, "
            "terminal_id, status, provisional, opened_at, opening_float_minor, counted, figures, "
            "late_order_count) VALUES (%s, %s, 0, %s, %s, %s, %s, 'closed', false, %s, 0, "
            "'[]', '{}', 0)",
            [shift_id, tenant_id, now, now, outlet_id, terminal_id, now - timedelta(days=DAYS)],
        )
        outlets.append((outlet_id, terminal_id, shift_id, code.upper()))
    return {"tenant_id": tenant_id, "currency": currency, "products": products, "outlets": outlets}


def _load(connection: psycopg.Connection[Any], world: dict[str, Any], count: int) -> None:
    """`count` paid orders of 1-3 lines and one payment each, spread over the last year."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    tenant_id, currency = world["tenant_id"], world["currency"]
    orders, lines, payments = [], [], []
    for index in range(count):
        outlet_id, terminal_id, shift_id, code = world["outlets"][index % OUTLETS]
        at = now - timedelta(seconds=rng.randrange(DAYS * 86_400))
        order_id = uuid.uuid4()
        subtotal = 0
        for position in range(rng.randint(1, 3)):
            product_id, category_id, sku, name, price = rng.choice(world["products"])
            quantity = rng.randint(1, 2)
            gross = price * quantity
            subtotal += gross
            lines.append(
                (
                    uuid.uuid4(),
                    tenant_id,
                    0,
                    now,
                    now,
                    order_id,
                    position,
                    product_id,
                    category_id,
                    sku,
                    name,
                    quantity,
                    price,
                    gross,
                    0,
                    gross,
                    0,
                    gross,
                    "[]",
                    "[]",
                    "[]",
                    "",
                    "",
                    0,
                    0,
                )
            )
        method = METHODS[index % len(METHODS)]
        orders.append(
            (
                order_id,
                tenant_id,
                0,
                now,
                now,
                outlet_id,
                terminal_id,
                shift_id,
                f"{code}-T1-{index:07d}",
                "",
                "",
                "",
                currency,
                at,
                at,
                subtotal,
                0,
                0,
                0,
                0,
                subtotal,
                0,
                0,
                "paid",
                "",
                "0" * 64,
                0,
                False,
                json.dumps({"tax_lines": []}),
                "",
            )
        )
        payments.append(
            (uuid.uuid4(), tenant_id, 0, now, now, order_id, method, subtotal, 0, "", at)
        )
    _copy(
        connection,
        "orders_order",
        [
            "id",
            "tenant_id",
            "version",
            "created_at",
            "updated_at",
            "outlet_id",
            "terminal_id",
            "shift_id",
            "receipt_number",
            "customer_name",
            '"table"',
            "note",
            "currency",
            "ordered_at",
            "received_at",
            "subtotal_minor",
            "discount_minor",
            "service_charge_minor",
            "tax_minor",
            "rounding_minor",
            "total_minor",
            "price_difference_minor",
            "refunded_minor",
            "status",
            "flags",
            "digest",
            "catalog_version",
            "kitchen_printed_offline",
            "details",
            "void_reason",
        ],
        orders,
    )
    _copy(
        connection,
        "orders_orderline",
        [
            "id",
            "tenant_id",
            "version",
            "created_at",
            "updated_at",
            "order_id",
            "position",
            "product_id",
            "category_id",
            "sku",
            "name",
            "quantity",
            "unit_price_minor",
            "gross_minor",
            "discount_minor",
            "net_minor",
            "tax_minor",
            "total_minor",
            "modifiers",
            "discounts",
            "taxes",
            "note",
            "kitchen_station",
            "refunded_quantity",
            "refunded_minor",
        ],
        lines,
    )
    _copy(
        connection,
        "orders_payment",
        [
            "id",
            "tenant_id",
            "version",
            "created_at",
            "updated_at",
            "order_id",
            "method",
            "amount_minor",
            "change_minor",
            "reference",
            "paid_at",
        ],
        payments,
    )
    connection.execute("ANALYZE")


def _load_and_roll_up(server: ServerProcess, database: pg.TestDatabase, count: int) -> None:
    """Seed, COPY `count` orders in as the superuser, then recount the rollups (app role)."""
    server.manage("seed_demo")
    superuser = f"postgresql://postgres@{pg.HOST_PORT}/{database.name}"
    started = time.perf_counter()
    with psycopg.connect(superuser, autocommit=False) as connection:
        world = _world(connection)
        _load(connection, world, count)
        connection.commit()
    with psycopg.connect(superuser, autocommit=True) as connection:
        connection.execute("ANALYZE")
    print(f"loaded {count:,} orders in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    server.manage("rebuild_rollups", "--tenant", "demo", timeout=3600)
    with psycopg.connect(superuser, autocommit=True) as connection:
        connection.execute("ANALYZE")
    print(f"rollups rebuilt in {time.perf_counter() - started:.0f} s")


def _time_pages(runs: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True)  # signs in through the real form
    form = client.get("/backoffice/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/backoffice/login/",
        {"username": "demo.owner", "password": "kiosk-demo", "csrfmiddlewaretoken": token[1]},
    )
    assert answer.status_code == 302, answer.status_code
    today = datetime.now(UTC).date()
    month = f"date_from={today - timedelta(days=29)}&date_to={today}"
    pages = {
        "dashboard, a month, all outlets (incl. top products)": f"/backoffice/?{month}",
        "sales by product, a month": f"/backoffice/reports/products/?{month}",
        "taxes per rate and outlet, a month": f"/backoffice/reports/taxes/?{month}",
        "orders list, a month, paid by cash": f"/backoffice/orders/?{month}&payment_method=cash",
        "orders list, no filter": "/backoffice/orders/",
    }
    results = []
    for name, path in pages.items():
        times = []
        queries = 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
            queries = len(captured.captured_queries)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        results.append((name, statistics.median(times), p95, queries))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (named on exit) to look into plans"
    )
    parser.add_argument(
        "--reuse", default="", help="time the pages of a database kept by --keep (no load)"
    )
    args = parser.parse_args()
    if args.reuse:
        database = pg.TestDatabase(args.reuse)
        args.keep = True
    else:
        database = pg.create_database(pg.unique_database_name("kiosk_bench_admin"))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-bench-admin-"))
    try:
        server = ServerProcess(database=database, data_dir=data_dir, port=free_port())
        server.manage("migrate", "--verbosity", "0")
        if not args.reuse:
            _load_and_roll_up(server, database, args.orders)
        os.environ.update(
            {
                "DATABASE_URL": database.app_url,
                "DATABASE_OWNER_URL": database.owner_url,
                "KIOSK_DATA_DIR": str(data_dir),
                "KIOSK_SECRET_KEY": "bench-" + database.name,
                "DJANGO_SETTINGS_MODULE": "sync_server.config.settings",
            }
        )
        import django

        django.setup()
        print(f"{'page':<55} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for name, p50, p95, queries in _time_pages(args.runs):
            print(f"{name:<55} {p50:8.1f} {p95:8.1f} {queries:8d}")
    finally:
        if "django" in sys.modules and getattr(sys.modules["django"], "apps", None):
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"kept database {database.name} (app role: {database.app_url})")
        else:
            pg.drop_database(database.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
