"""Committed-data tests on PostgreSQL: concurrent posts of one order, the catalog feed under
two concurrent writers, and a 10,000-product initial sync in pages."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connections
from rest_framework.test import APIClient

from shared.protocol import CatalogPageV1
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order, OrderLine, Payment
from tests.server.conftest import requires_postgres
from tests.server.sync.conftest import FreshWorld, PairedDevice, make_order, pair_through_api

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
        answer = device.client.get(device.url("sync/catalog/"), {"since": since, "limit": limit})
        assert answer.status_code == 200, answer.content
        page = CatalogPageV1.model_validate(answer.json())
        pages += 1
        changes.extend(page.changes)
        since = page.next_cursor
        if not page.has_more:
            return changes, since, pages


def _drain_until(
    device: PairedDevice, since: str, done: Callable[[list[Any]], bool], timeout_s: float = 60
) -> tuple[list[Any], int]:
    """Drain the feed again and again until `done(changes)`: (changes, pages).

    The feed holds rows back while any older transaction in the cluster still runs (other
    test suites share this PostgreSQL), so "not yet" is legal for a while; "never" is not.
    """
    changes: list[Any] = []
    pages = 0
    deadline = time.monotonic() + timeout_s
    while True:
        more, since, used = _drain(device, since)
        changes.extend(more)
        pages += used
        if done(changes):
            return changes, pages
        assert time.monotonic() < deadline, f"feed incomplete after {timeout_s}s"
        time.sleep(0.2)


def test_the_feed_never_skips_a_row_committed_late_with_an_earlier_version(
    fresh_world: FreshWorld,
) -> None:
    device = pair_through_api(fresh_world.tenant, fresh_world.terminal, fresh_world.owner)
    _, cursor, _ = _drain(device, "")
    tenant = fresh_world.tenant
    early_saved = threading.Event()
    release = threading.Event()
    early: dict[str, Product] = {}

    def slow_writer() -> None:
        try:
            with tenant_atomic(tenant):
                product = Product(tenant=tenant, sku="EARLY", name="Early", price_minor=1)
                product.save()  # takes its version now, commits only when released
                early["product"] = product
                early_saved.set()
                assert release.wait(30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert early_saved.wait(30)
        with tenant_atomic(tenant):
            late = Product(tenant=tenant, sku="LATE", name="Late", price_minor=2)
            late.save()  # a later version, committed first
        assert early["product"].version < late.version  # a naive version cursor would skip it
        meanwhile, cursor, _ = _drain(device, cursor)
        served = {change.id for change in meanwhile}
        assert early["product"].id not in served  # not committed: not visible
        assert late.id not in served  # committed, but behind an open transaction: held back
    finally:
        release.set()
        writer.join(30)
    wanted = {early["product"].id, late.id}
    after, _ = _drain_until(device, cursor, lambda changes: wanted <= {c.id for c in changes})
    assert wanted <= {change.id for change in after}


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
    changes, pages = _drain_until(
        device, "", lambda found: sum(c.entity == "product" for c in found) >= 10_003
    )
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
    changes, _ = _drain_until(
        device, "", lambda found: {p.id for p in fresh_world.products} <= {c.id for c in found}
    )
    by_id = {c.id: c for c in changes}
    assert by_id[product.id].data is not None
    assert by_id[product.id].data["kitchen_station"] == "Hot-kitchen"  # as the kitchen names it
    assert by_id[nameless.id].deleted  # cannot be sent: a tombstone, and the page still came
    assert by_id[fresh_world.products[2].id].data is not None
