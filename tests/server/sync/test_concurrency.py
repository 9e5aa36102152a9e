"""Committed-data tests on PostgreSQL: concurrent posts of one order, the catalog feed under
concurrent writers and beside long transactions it has nothing to do with, and a
10,000-product initial sync in pages."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from shared.protocol import CatalogPageV1
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order, OrderLine, Payment
from sync_server.tenants.models import Tenant
from tests.server.conftest import requires_postgres
from tests.server.sync.conftest import (
    FreshWorld,
    PairedDevice,
    held_open,
    make_order,
    pair_through_api,
)
from tests.support import pg

pytestmark = requires_postgres

THREADS = 8


def _in_threads(count: int, work: Callable[[int], Any], timeout_s: float = 60) -> list[Any]:
    """Run `work(i)` in `count` threads released together; each closes its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=timeout_s)
            results[index] = work(index)
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def test_the_same_order_from_eight_threads_makes_exactly_one_row(
    fresh_world: FreshWorld,
) -> None:
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    order = make_order(
        device, [(p, 1) for p in fresh_world.products], shift_id=uuid.uuid4(), method="cash"
    )
    body = {"protocol_version": 1, "orders": [order.model_dump(mode="json")]}

    def post(_: int) -> str:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {device.pairing.access}")
        answer = client.post(device.url("sync/orders/"), body, format="json")
        assert answer.status_code == 200, answer.content
        status: str = answer.json()["results"][0]["status"]
        return status

    statuses = _in_threads(THREADS, post)
    assert sorted(statuses) == ["created"] + ["duplicate"] * (THREADS - 1), statuses
    with tenant_atomic(fresh_world.tenant):
        assert Order.objects.filter(id=order.id).count() == 1
        assert OrderLine.objects.filter(order_id=order.id).count() == 3
        assert Payment.objects.filter(order_id=order.id).count() == 1


def _drain(device: PairedDevice, since: str, limit: int = 1000) -> tuple[list[Any], str, int]:
    """Every change after `since`, page by page: (changes, last cursor, pages)."""
    changes: list[Any] = []
    pages = 0
    while True:
        answer = device.client.get(
            device.url("sync/catalog/"), {"since": since, "limit": str(limit)}
        )
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        pages += 1
        changes.extend(page.changes)
        since = page.next_cursor
        if not page.has_more:
            return changes, since, pages


def test_the_feed_never_skips_a_row_committed_late_with_an_earlier_version(
    fresh_world: FreshWorld,
) -> None:
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    _, cursor, _ = _drain(device, "")
    tenant = fresh_world.tenant

    def early_write() -> Product:
        product = Product(tenant=tenant, sku="EARLY", name="Early", price_minor=1)
        product.save()  # takes its version now, commits only when the block ends
        return product

    with held_open(tenant, early_write) as early:
        with tenant_atomic(tenant):
            late = Product(tenant=tenant, sku="LATE", name="Late", price_minor=2)
            late.save()  # a later version, committed first
        assert early.version < late.version  # a naive version cursor would skip it
        meanwhile, cursor, _ = _drain(device, cursor)
        served = {change.id for change in meanwhile}
        assert early.id not in served  # not committed: not visible
        assert late.id not in served  # committed, but behind an open write of this tenant
    after, _, _ = _drain(device, cursor)  # at once: nothing else holds this tenant's feed
    assert {early.id, late.id} <= {change.id for change in after}


def test_a_transactions_catalog_rows_share_one_clock_at_or_above_its_own_id(
    fresh_world: FreshWorld,
) -> None:
    """One clock per transaction and business (one lock, one setting), and never below the
    writer's transaction id, so the previous rule (`pg_snapshot_xmin`) would not skip it."""
    tenant = fresh_world.tenant
    with tenant_atomic(tenant), connections["default"].cursor() as db:
        for product in fresh_world.products:
            product.price_minor += 1
            product.save()
        db.execute(
            "SELECT count(DISTINCT feed_txid), bool_and(feed_txid >= pg_current_xact_id()) "
            "FROM catalog_product WHERE id = ANY(%s)",
            [[product.id for product in fresh_world.products]],
        )
        assert db.fetchone() == (1, True)
        db.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
            "AND pid = pg_backend_pid()"
        )
        assert db.fetchone()[0] == 1


def _open_transaction_with_xid(url: str) -> tuple[psycopg.Connection[Any], int]:
    """A session left open in a transaction that holds a transaction id (as a write does)."""
    connection = psycopg.connect(url)
    row = connection.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
    assert row is not None
    return connection, int(row[0])


def _app_url() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgresql://{database['USER']}:{database['PASSWORD']}@"
        f"{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


def test_a_price_change_is_served_at_once_beside_long_transactions_it_has_no_part_in(
    fresh_world: FreshWorld,
) -> None:
    """Another database's open transaction, an unrelated open one in this database and another
    tenant's open catalog write all used to hold every tenant's feed (the cluster's oldest
    running transaction was the horizon); none of them writes this tenant's catalog."""
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    _, cursor, _ = _drain(device, "")
    elsewhere = pg.create_database()
    sessions: list[psycopg.Connection[Any]] = []
    try:
        other_database, elsewhere_xid = _open_transaction_with_xid(elsewhere.owner_url)
        sessions.append(other_database)
        sessions.append(_open_transaction_with_xid(_app_url())[0])  # an unrelated one, here
        demo = Tenant.objects.get(slug="demo")
        with tenant_atomic(demo):
            demo_product = Product.objects.filter(tenant=demo).values_list("id", flat=True)[0]
        other_import = psycopg.connect(_app_url())  # another tenant's catalog write, left open
        sessions.append(other_import)
        other_import.execute("SELECT set_config('app.tenant_id', %s, true)", [str(demo.id)])
        touched = other_import.execute(
            "UPDATE catalog_product SET price_minor = price_minor + 1 WHERE id = %s",
            [demo_product],
        )
        assert touched.rowcount == 1
        with tenant_atomic(fresh_world.tenant):
            product = Product.objects.get(id=fresh_world.products[0].id)
            product.price_minor = 12_345
            product.save()
        with connections["default"].cursor() as db:
            db.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            cluster_horizon = int(db.fetchone()[0])
        # The old horizon: the other database's transaction, older than this price change.
        assert cluster_horizon <= elsewhere_xid
        changes, _, _ = _drain(device, cursor)
        served = {change.id: change for change in changes}
        assert product.id in served, "the price change was held back"
        assert served[product.id].data is not None
        assert served[product.id].data["price_minor"] == 12_345
    finally:
        for session in sessions:
            session.rollback()
            session.close()
        pg.drop_database(elsewhere.name)


def test_the_feed_skips_nothing_under_many_writers_committing_in_any_order(
    fresh_world: FreshWorld,
) -> None:
    """Writers take versions and commit after random delays while a reader pages on: once they
    stop, the reader's last-seen version of every product is the stored one."""
    tenant = fresh_world.tenant
    with tenant_atomic(tenant):
        Product.objects.bulk_create(
            Product(tenant=tenant, sku=f"RACE{n:02d}", name=f"Race {n}", price_minor=n)
            for n in range(20)
        )
        product_ids = list(Product.objects.filter(tenant=tenant).values_list("id", flat=True))
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    _, start, _ = _drain(device, "")
    stop = threading.Event()
    seen: dict[uuid.UUID, int] = {}
    cursor = [start]
    pages_read = [0]

    def read_along() -> None:
        try:
            while not stop.is_set():
                changes, cursor[0], pages = _drain(device, cursor[0])
                pages_read[0] += pages
                for change in changes:
                    seen[change.id] = max(seen.get(change.id, 0), change.version)
        finally:
            connections.close_all()

    def write(index: int) -> int:
        rng = random.Random(index)
        for _ in range(25):
            with tenant_atomic(tenant):
                if rng.random() < 0.5:  # a transaction id taken before its catalog write
                    with connections["default"].cursor() as db:
                        db.execute("SELECT pg_current_xact_id()")
                for product_id in sorted(rng.sample(product_ids, rng.randint(1, 3))):  # no deadlock
                    product = Product.objects.get(id=product_id)
                    product.price_minor += 1
                    product.save()
                time.sleep(rng.uniform(0, 0.02))
        return index

    reader = threading.Thread(target=read_along)
    reader.start()
    try:
        results = _in_threads(6, write)
    finally:
        stop.set()
        reader.join(60)
    assert all(isinstance(result, int) for result in results), results
    changes, _, _ = _drain(device, cursor[0])
    for change in changes:
        seen[change.id] = max(seen.get(change.id, 0), change.version)
    with tenant_atomic(tenant):
        stored = dict(Product.objects.filter(id__in=product_ids).values_list("id", "version"))
    assert pages_read[0] > 10  # the reader really paged while writers ran
    assert {pid: seen.get(pid) for pid in product_ids} == stored


def test_an_initial_sync_of_ten_thousand_products_arrives_complete_in_pages(
    fresh_world: FreshWorld,
) -> None:
    tenant = fresh_world.tenant
    with tenant_atomic(tenant):
        Product.objects.bulk_create(
            Product(tenant=tenant, sku=f"BULK{n:05d}", name=f"Bulk {n}", price_minor=n)
            for n in range(10_000)
        )
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    started = time.perf_counter()
    changes, _, pages = _drain(device, "")
    elapsed = time.perf_counter() - started
    products = [c for c in changes if c.entity == "product"]
    assert len({c.id for c in products}) == 10_003
    assert len(products) == 10_003  # no product sent twice
    assert pages >= 11
    assert {c.entity for c in changes} >= {"tenant", "outlet", "product", "cashier"}
    assert elapsed < 60, f"initial sync took {elapsed:.1f}s"


def test_back_office_free_text_never_breaks_the_feed(fresh_world: FreshWorld) -> None:
    tenant = fresh_world.tenant
    with tenant_atomic(tenant):
        product = fresh_world.products[0]
        product.kitchen_station = "Hot kitchen"  # free text: the wire carries codes
        product.save()
        nameless = fresh_world.products[1]
        Product.objects.filter(id=nameless.id).update(name="")  # invalid on the wire
    device = pair_through_api(tenant, fresh_world.terminal, fresh_world.owner)
    changes, _, _ = _drain(device, "")
    by_id = {c.id: c for c in changes}
    assert by_id[product.id].data is not None
    assert by_id[product.id].data["kitchen_station"] == "Hot-kitchen"  # as the kitchen names it
    assert by_id[nameless.id].deleted  # cannot be sent: a tombstone, and the page still came
    assert by_id[fresh_world.products[2].id].data is not None
