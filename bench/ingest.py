"""Order ingest benchmark on PostgreSQL: our sync endpoint against plain psycopg inserts.

Creates a throw-away database (migrated as the owner, used as the non-owner app role under
row-level security), a tenant with a tax rate and a service charge, three products and a
paired terminal. Then, for batches of 1, 20 and 200 orders (3 lines, 1 payment each):

- ours: POST /api/<tenant>/sync/orders/ through the whole Django stack in-process (device
  auth, lenient envelope, per-order validation, digest, re-pricing with shared.pricing, the
  batch's orders stored in one tenant_atomic transaction with INSERT ... ON CONFLICT, lines,
  payments);
- raw: plain psycopg inserting the same rows (order, 3 lines, 1 payment) into the same tables
  as the same role, with the same number of transactions (one per batch, with the RLS
  tenant setting that the tables require), statement by statement.

It prints orders/s for both and the ratio; the targets are >= 0.5 for batches of 200 and
>= 0.4 for single orders (what an online till sends after every sale), also on a database
that already holds a million orders of the tenant (`--history 1000000`, a bulk pre-fill of a
few minutes). `--profile N` shows where a single-order request spends its time.

    .venv/bin/python bench/ingest.py [--orders 1000] [--batches 1,20,200] [--history N]
        [--profile N [--pstats FILE]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.api import _setup_django as setup_django  # noqa: E402
from tests.support import pg  # noqa: E402

BATCH_SIZES = (1, 20, 200)
SHIFT_ID = uuid.uuid4()


def _migrated_django(database: pg.TestDatabase, data_dir: Path) -> None:
    """Django on the throw-away database (as bench/api.py sets it up), migrated."""
    os.environ.pop("REDIS_URL", None)
    setup_django(database, data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world() -> Any:
    """A tenant, outlet, till, owner, tax, three products; the till paired for real."""
    from rest_framework.test import APIClient

    from sync_server.accounts.models import Role, User
    from sync_server.catalog.models import Product, TaxRate
    from sync_server.common.tenancy import tenant_atomic
    from sync_server.devices.services import device_pair, pairing_code_create
    from sync_server.tenants.models import Outlet, Tenant, Terminal
    from tests.server.sync.conftest import PairedDevice

    with tenant_atomic(None):
        tenant = Tenant(slug="bench", name="Bench", currency="IDR", service_charge_bp=500)
        tenant.save()
    with tenant_atomic(tenant):
        outlet = Outlet(tenant=tenant, code="main", name="Main")
        outlet.save()
        terminal = Terminal(tenant=tenant, outlet=outlet, code="t1", name="Till")
        terminal.save()
        User(username="bench.owner", role=Role.OWNER, tenant=tenant).save()
        tax = TaxRate(tenant=tenant, name="PPN 11%", rate_bp=1100)
        tax.save()
        products = []
        for n in range(3):
            product = Product(
                tenant=tenant,
                sku=f"P{n}",
                name=f"Product {n}",
                price_minor=15_000 + n,
                tax_rate=tax,
            )
            product.save()
            products.append(product)
    pairing = device_pair(code=pairing_code_create(tenant=tenant, terminal=terminal).code)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pairing.access}")
    return tenant, PairedDevice(pairing=pairing, client=client, tenant_slug=tenant.slug), products


def _orders(device: Any, products: list[Any], count: int) -> list[Any]:
    from tests.server.sync.conftest import make_order

    # One shift for every order: the warm-up run creates it, the raw inserts reference it.
    template = make_order(device, [(p, 1 + n) for n, p in enumerate(products)], shift_id=SHIFT_ID)
    orders = []
    for _ in range(count):  # same prices, fresh ids: priced once, copied
        orders.append(
            template.model_copy(
                update={
                    "id": uuid.uuid4(),
                    "lines": tuple(
                        line.model_copy(update={"id": uuid.uuid4()}) for line in template.lines
                    ),
                    "payments": tuple(
                        p.model_copy(update={"id": uuid.uuid4()}) for p in template.payments
                    ),
                }
            )
        )
    return orders


def _ours(device: Any, orders: list[Any], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(orders), batch):
        answer = device.push_orders(*orders[start : start + batch])
        assert answer.status_code == 200, answer.content
        statuses = {r["status"] for r in answer.json()["results"]}
        assert statuses == {"created"}, answer.json()["results"][:2]
    return time.perf_counter() - started


def _raw_rows(tenant: Any, principal: Any, orders: list[Any]) -> list[tuple[Any, ...]]:
    """SQL and parameters of exactly the rows our ingest writes, prepared before timing."""
    from django.db import connection
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from shared.protocol import canonical_digest
    from sync_server.orders.models import Order, OrderLine, Payment
    from sync_server.orders.services import full_row
    from sync_server.sync import services

    context = services.batch_context(
        tenant=tenant, device=principal, orders=orders, device_clock_offset=None
    )
    now = timezone.now()
    prepared = []
    for order in orders:
        row, lines, payments = services.order_rows(order, context, [], canonical_digest(order))
        statements = []
        for model, rows in ((Order, [row]), (OrderLine, lines), (Payment, payments)):
            full = [full_row(model, values, now) for values in rows]
            columns = ", ".join(connection.ops.quote_name(name) for name in full[0])
            marks = ", ".join(["%s"] * len(full[0]))
            sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"
            params = [
                tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in values.values())
                for values in full
            ]
            statements.append((sql, params))
        prepared.append(tuple(statements))
    return prepared


def _raw(url: str, tenant_id: uuid.UUID, prepared: list[tuple[Any, ...]], batch: int) -> float:
    """The rows by hand: one transaction per batch, as the endpoint stores a batch."""
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        for first in range(0, len(prepared), batch):
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
                for statements in prepared[first : first + batch]:
                    for sql, params in statements:
                        if len(params) == 1:
                            cursor.execute(sql, params[0])
                        else:
                            cursor.executemany(sql, params)
        return time.perf_counter() - started


def _prefill(database: pg.TestDatabase, tenant_id: uuid.UUID, count: int) -> float:
    """`count` orders of the tenant already stored, each with the 3 lines and 1 payment of a
    stored order (fresh ids, one every 30 s back in time), in bulk: INSERT ... SELECT over
    generate_series as the superuser with triggers off (`session_replication_role`: the
    deferred foreign-key checks of millions of rows would take longer than the inserts; the
    rows copy valid ones), then VACUUM ANALYZE. Rollups are not recounted: the ingest adds to
    today's rows only. Seconds taken."""
    from sync_server.orders.models import Order, OrderLine, Payment

    def columns(model: Any, replaced: dict[str, str], alias: str) -> tuple[str, str]:
        names = [field.column for field in model._meta.concrete_fields]
        chosen = [replaced.get(name, f'{alias}."{name}"') for name in names]
        return ", ".join(f'"{name}"' for name in names), ", ".join(chosen)

    started = time.perf_counter()
    superuser = f"postgresql://postgres@{pg.HOST_PORT}/{database.name}"
    with psycopg.connect(superuser) as conn:
        conn.execute("SET session_replication_role = replica")
        template = conn.execute(
            "SELECT id FROM orders_order WHERE tenant_id = %s LIMIT 1", [tenant_id]
        ).fetchone()
        assert template is not None, "the warm-up stores orders first"
        conn.execute(
            "CREATE TEMP TABLE history AS SELECT gen_random_uuid() AS id, g "
            "FROM generate_series(1, %s) g",
            [count],
        )
        order_columns, order_values = columns(
            Order,
            {
                "id": "h.id",
                "receipt_number": "'HIST-' || h.g",
                "ordered_at": "o.ordered_at - h.g * interval '30 seconds'",
                "received_at": "o.received_at - h.g * interval '30 seconds'",
            },
            "o",
        )
        conn.execute(
            f"INSERT INTO orders_order ({order_columns}) SELECT {order_values} "
            "FROM history h, orders_order o WHERE o.id = %s",
            [template[0]],
        )
        for model, alias in ((OrderLine, "l"), (Payment, "p")):
            table = model._meta.db_table
            child_columns, child_values = columns(
                model, {"id": "gen_random_uuid()", "order_id": "h.id"}, alias
            )
            conn.execute(
                f"INSERT INTO {table} ({child_columns}) SELECT {child_values} "
                f"FROM history h, {table} {alias} WHERE {alias}.order_id = %s",
                [template[0]],
            )
    with psycopg.connect(superuser, autocommit=True) as conn:
        for table in ("orders_order", "orders_orderline", "orders_payment"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


PHASES: tuple[tuple[str, str, str], ...] = (
    ("the whole request (test client, middleware, view)", "django/test/client.py", "request"),
    ("  middleware and handler outside the view", "", ""),
    ("  DRF view dispatch", "rest_framework/views.py", "dispatch"),
    (
        "    device check (JWT decode, pairing + terminal + tenant)",
        "authentication.py",
        "authenticate",
    ),
    ("    tenant of the URL (permission)", "sync_server/devices/apis.py", "has_permission"),
    ("    envelope (lenient pydantic read of the body)", "sync_server/sync/apis.py", "_envelope"),
    ("    ingest service (order_batch_ingest)", "sync_server/sync/orders.py", "order_batch_ingest"),
    (
        "      batch reads (outlet, products, shifts, promotions, taxes)",
        "sync/batch.py",
        "batch_context",
    ),
    ("      per order: validate, digest, re-price", "sync/orders.py", "order_prepare"),
    ("        re-pricing (shared.pricing)", "sync/repricing.py", "reprice_order"),
    (
        "      store: order, lines, payments, rollups, device status",
        "sync/orders.py",
        "_store_in_one_transaction",
    ),
    (
        "        kitchen tickets (none: retail orders)",
        "kitchen/tickets.py",
        "kitchen_tickets_create_for_new_orders",
    ),
    ("    device status upsert on its own (when no order stored)", "device_status.py", "_upsert"),
    ("    response (results to JSON)", "rest_framework/response.py", "rendered_content"),
    ("  tenant_atomic's set_config (transaction path)", "common/tenancy.py", "_apply_scope"),
    ("  one-round-trip tenant statements", "common/tenancy.py", "tenant_statements"),
    ("  all SQL round trips (cursor.execute)", "django/db/backends/utils.py", "_execute"),
)


def _profile(device: Any, products: list[Any], count: int, dump: str = "") -> None:
    """Where the time of a single-order request goes: cProfile over `count` requests, summed
    per phase (cumulative time, so a phase includes the phases nested in it)."""
    import cProfile
    import pstats

    from django.db import connection

    orders = _orders(device, products, count + 1)
    queries: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        _ours(device, orders[:1], 1)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    _ours(device, orders[1:], 1)
    profiler.disable()
    wall_ms = (time.perf_counter() - started) * 1000 / count
    if dump:
        profiler.dump_stats(dump)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for label, path, function in PHASES:
        if path:
            cumulative_s = sum(
                entry[3]
                for (filename, _, name), entry in stats.items()
                if name == function and path in filename
            )
            totals[label] = cumulative_s * 1000 / count
    request = totals[PHASES[0][0]]
    totals[PHASES[1][0]] = request - totals[PHASES[2][0]]
    statements = sum(len(sql.split(";\n")) for sql in queries)
    print(
        f"batch of 1, {count} requests under cProfile: {wall_ms:.2f} ms each by the wall clock "
        f"(profiler included), {len(queries)} round trips through Django's cursor per request "
        f"({statements} SQL statements in them; a transaction's BEGIN and COMMIT are not seen):"
    )
    for label, _, _ in PHASES:
        share = 100 * totals[label] / request if request else 0.0
        print(f"  {label:<62} {totals[label]:7.2f} ms  {share:5.1f}%")
    for sql in queries:
        print(f"    sql: {sql[:120]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per batch size")
    parser.add_argument(
        "--profile", type=int, default=0, help="also profile this many batch-of-1 requests"
    )
    parser.add_argument(
        "--batches",
        default=",".join(map(str, BATCH_SIZES)),
        help="batch sizes to measure, comma-separated",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="orders of the tenant stored before measuring (bulk pre-fill), e.g. 1000000",
    )
    parser.add_argument("--pstats", default="", help="write the profile's raw stats to this file")
    args = parser.parse_args(argv)
    database = pg.create_database(pg.unique_database_name("kiosk_bench"))
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            _migrated_django(database, Path(data_dir))
            from sync_server.devices.auth import device_from_token

            tenant, device, products = _world()
            principal = device_from_token(device.pairing.access)
            warm = _orders(device, products, 50)
            _ours(device, warm, 10)
            _raw(
                database.app_url,
                tenant.id,
                _raw_rows(tenant, principal, _orders(device, products, 50)),
                10,
            )
            if args.history:
                seconds = _prefill(database, tenant.id, args.history)
                print(f"pre-filled {args.history:,} orders (3 lines, 1 payment) in {seconds:.0f} s")
            print(
                f"PostgreSQL ingest, {args.orders} orders per run (3 lines, 1 payment), "
                f"median of {args.rounds} runs"
            )
            print(f"{'batch':>6} {'ours orders/s':>14} {'raw orders/s':>13} {'ratio':>6}")
            for batch in (int(size) for size in args.batches.split(",")):
                count = min(args.orders, 300) if batch == 1 else args.orders
                ours_rates, raw_rates = [], []
                for _ in range(args.rounds):
                    ours_rates.append(
                        count / _ours(device, _orders(device, products, count), batch)
                    )
                    prepared = _raw_rows(tenant, principal, _orders(device, products, count))
                    raw_rates.append(count / _raw(database.app_url, tenant.id, prepared, batch))
                ours, raw = statistics.median(ours_rates), statistics.median(raw_rates)
                print(f"{batch:>6} {ours:>14.0f} {raw:>13.0f} {ours / raw:>6.2f}")
            if args.profile:
                _profile(device, products, args.profile, args.pstats)
    finally:
        from django.db import connections

        connections.close_all()
        pg.drop_database(database.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
