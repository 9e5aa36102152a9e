"""The outbox item state machine: pending → acknowledged (deleted) / retried / needs attention."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_desktop.ids import new_id, utcnow
from pos_desktop.retry import RetryPolicy
from pos_desktop.store.db import Database
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.store.outbox import ItemStatus, Outbox, QueueKind
from pos_desktop.sync.failures import record_failure
from shared.protocol import ErrorV1

POLICY = RetryPolicy(max_attempts=5, base_s=1.0, cap_s=300.0)


def _payload(n: int) -> ErrorV1:
    return ErrorV1(error="x", message=f"item {n}", code="c")


def _session(tmp_path: Path) -> Session:
    return Database(tmp_path).session_factory()


def test_enqueue_then_acknowledge_deletes_only_the_acknowledged(tmp_path: Path) -> None:
    session = _session(tmp_path)
    for n in range(3):
        Outbox(session).add(QueueKind.ORDER, new_id(), _payload(n))
    session.commit()
    items = Outbox(session).due_run(utcnow(), 10)
    assert [json.loads(i.payload)["message"] for i in items] == ["item 0", "item 1", "item 2"]
    Outbox(session).acknowledge([items[0].id, items[2].id])
    session.commit()
    left = session.scalars(select(SyncQueueItem)).all()
    assert [i.id for i in left] == [items[1].id]


def test_five_failures_flag_needs_attention_and_keep_the_row(tmp_path: Path) -> None:
    session = _session(tmp_path)
    Outbox(session).add(QueueKind.ORDER, new_id(), _payload(1))
    session.commit()
    item = session.scalars(select(SyncQueueItem)).one()
    rng = random.Random(3)
    now = utcnow()
    for attempt in range(1, 5):
        record_failure(item, f"rejected {attempt}", now=now, policy=POLICY, rng=rng)
        assert item.status == ItemStatus.PENDING
        assert item.attempts == attempt
        assert now <= item.next_attempt_at <= now + timedelta(seconds=min(300, 2**attempt))
    record_failure(item, "rejected 5", now=now, policy=POLICY, rng=rng)
    session.commit()
    assert item.status == ItemStatus.NEEDS_ATTENTION
    assert item.last_error == "rejected 5"
    assert Outbox(session).due_run(now + timedelta(days=365), 10) == []
    assert Outbox(session).counts().needs_attention == 1
    assert Outbox(session).counts().pending == 0


def test_manager_retry_and_export_never_drop_a_row(tmp_path: Path) -> None:
    session = _session(tmp_path)
    Outbox(session).add(QueueKind.ORDER, "order-1", _payload(1))
    session.commit()
    item = session.scalars(select(SyncQueueItem)).one()
    for _ in range(5):
        record_failure(item, "rejected: bad tax", now=utcnow(), policy=POLICY, rng=random.Random())
    session.commit()

    target = tmp_path / "stuck.json"
    assert Outbox(session).export_needing_attention(target) == 1
    exported = json.loads(target.read_text())
    assert exported[0]["entity_id"] == "order-1"
    assert exported[0]["last_error"] == "rejected: bad tax"
    assert exported[0]["payload"]["message"] == "item 1"
    assert Outbox(session).counts().needs_attention == 1  # exporting keeps it

    assert Outbox(session).retry_needing_attention() == 1
    session.commit()
    assert item.status == ItemStatus.PENDING
    assert item.attempts == 0
    assert [i.id for i in Outbox(session).due_run(utcnow(), 10)] == [item.id]


def test_a_run_is_one_kind_in_outbox_order_and_a_failed_item_goes_alone(tmp_path: Path) -> None:
    session = _session(tmp_path)
    kinds = [QueueKind.EVENT, QueueKind.ORDER, QueueKind.ORDER, QueueKind.ORDER, QueueKind.EVENT]
    for n, kind in enumerate(kinds):
        Outbox(session).add(kind, f"e{n}", _payload(n))
    session.commit()
    now = utcnow()
    first = Outbox(session).due_run(now, 10)
    assert [i.entity_id for i in first] == ["e0"]
    Outbox(session).acknowledge([first[0].id])
    second = Outbox(session).due_run(now, 10)
    assert [i.entity_id for i in second] == ["e1", "e2", "e3"]
    assert [i.entity_id for i in Outbox(session).due_run(now, 2)] == ["e1", "e2"]

    second[1].attempts = 1  # e2 failed once: it must not hold e1 and e3 back, nor join them
    session.flush()
    assert [i.entity_id for i in Outbox(session).due_run(now, 10)] == ["e1"]
    Outbox(session).acknowledge([second[0].id])
    assert [i.entity_id for i in Outbox(session).due_run(now, 10)] == ["e2"]


def test_an_item_waiting_for_its_retry_time_is_not_due(tmp_path: Path) -> None:
    session = _session(tmp_path)
    Outbox(session).add(QueueKind.ORDER, "o", _payload(1))
    session.commit()
    item = session.scalars(select(SyncQueueItem)).one()
    now = utcnow()
    record_failure(item, "conflict", now=now, policy=POLICY, rng=random.Random(5))
    assert Outbox(session).due_run(now - timedelta(seconds=1), 10) == []
    assert Outbox(session).due_run(now + timedelta(seconds=3), 10) == [item]
