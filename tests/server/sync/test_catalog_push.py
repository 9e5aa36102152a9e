"""The live link's catalog push belongs to the transaction that wrote the catalog: one push per
commit with that commit's own version, none for a rollback, each concurrent writer its own."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import transaction

from sync_server.catalog import services
from sync_server.catalog.models import Product
from sync_server.common.tenancy import tenant_atomic
from sync_server.link import push
from tests.server.conftest import requires_postgres
from tests.server.sync.conftest import FreshWorld, held_open

pytestmark = requires_postgres


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Catalog pushes sent, as (group, catalog_version), in order."""
    sent: list[tuple[str, int]] = []
    lock = threading.Lock()

    def record(group: str, message: dict[str, Any]) -> None:
        if message["type"] == push.CATALOG_EVENT:
            with lock:
                sent.append((group, message["catalog_version"]))

    monkeypatch.setattr(push, "send_now", record)
    return sent


def _reprice(product_id: uuid.UUID, price_minor: int) -> int:
    product = Product.objects.get(id=product_id)
    product.price_minor = price_minor
    product.save()
    product.refresh_from_db(fields=["version"])
    return int(product.version)


def test_one_commit_pushes_once_with_its_highest_version(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    group = push.tenant_group(fresh_world.tenant.id)
    with tenant_atomic(fresh_world.tenant):
        versions = [_reprice(p.id, 20_000 + n) for n, p in enumerate(fresh_world.products)]
        assert pushes == []  # nothing before the commit
    assert pushes == [(group, max(versions))]


def test_a_rolled_back_write_pushes_nothing_now_or_with_the_next_commit(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    group = push.tenant_group(fresh_world.tenant.id)
    first, second = fresh_world.products[:2]
    with pytest.raises(RuntimeError), tenant_atomic(fresh_world.tenant):
        rolled_back = _reprice(first.id, 1)
        raise RuntimeError("the back office's save failed")
    assert pushes == []
    with tenant_atomic(fresh_world.tenant):
        committed = _reprice(second.id, 2)
    assert committed != rolled_back
    assert pushes == [(group, committed)]  # its own version, nothing left over


def test_a_rolled_back_savepoint_takes_its_version_with_it(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    group = push.tenant_group(fresh_world.tenant.id)
    first, second = fresh_world.products[:2]
    with tenant_atomic(fresh_world.tenant):
        kept = _reprice(first.id, 3)
        with pytest.raises(RuntimeError), transaction.atomic():
            _reprice(second.id, 4)
            raise RuntimeError("one row of an import refused")
    assert pushes == [(group, kept)]


def test_two_concurrent_transactions_each_push_their_own_version(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    """The first to write commits last: the old per-process note gave both versions to the
    first commit, and the second commit pushed nothing."""
    group = push.tenant_group(fresh_world.tenant.id)
    first, second = fresh_world.products[:2]
    with held_open(fresh_world.tenant, lambda: _reprice(first.id, 5)) as early:
        with tenant_atomic(fresh_world.tenant):
            late = _reprice(second.id, 6)
        assert pushes == [(group, late)]
    assert pushes == [(group, late), (group, early)]


def test_writes_in_many_savepoints_push_once_without_a_rolled_back_one(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    """An import updates each row in a savepoint of its own (`product_update` is atomic): one
    push for the commit, with the highest version that survived, not one per savepoint."""
    group = push.tenant_group(fresh_world.tenant.id)
    first, second, third = fresh_world.products[:3]
    with tenant_atomic(fresh_world.tenant):
        kept = []
        for n, product in enumerate((first, second)):
            product.refresh_from_db()
            updated = services.product_update(
                tenant=fresh_world.tenant, product=product, price_minor=30_000 + n
            )
            kept.append(int(updated.version))
        with pytest.raises(RuntimeError), transaction.atomic():
            with transaction.atomic():  # a deeper savepoint, rolled back with its parent
                _reprice(third.id, 7)
            raise RuntimeError("the last row of an import refused")
        assert pushes == []
    assert pushes == [(group, max(kept))]


def test_two_tenants_in_one_transaction_each_get_one_push(
    fresh_world: FreshWorld, pushes: list[tuple[str, int]]
) -> None:
    group = push.tenant_group(fresh_world.tenant.id)
    other = uuid.uuid4()
    with tenant_atomic(fresh_world.tenant):
        with transaction.atomic():
            push.catalog_changed(other, 10)
            version = _reprice(fresh_world.products[0].id, 8)
        push.catalog_changed(other, 11)
    assert sorted(pushes) == sorted([(group, version), (push.tenant_group(other), 11)])
