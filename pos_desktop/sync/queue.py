"""The outbox (`sync_queue`): enqueue in the caller's transaction, and each item's state machine.

pending ──ack (created/duplicate)──▶ deleted
pending ──failure (rejected, conflict, refused batch)──▶ pending, attempts+1, later
pending ──failure number `max_failures`──▶ needs_attention (kept, with last_error)
needs_attention ──manager retry──▶ pending, attempts 0
pending ──link down (timeouts, 5xx, 408, 429)──▶ unchanged (the link backs off, not the item)
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_desktop.ids import utcnow
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.store.prepared import driver_cursor, prepared
from pos_desktop.sync.backoff import full_jitter_delay

MIN_RETRY_DELAY_S = 0.001  # strictly later than now: a pass never retries what just failed
OUTBOX_INSERT = prepared(SyncQueueItem.__table__)


class ItemStatus(StrEnum):
    PENDING = "pending"
    NEEDS_ATTENTION = "needs_attention"


class QueueKind(StrEnum):
    ORDER = "order"
    EVENT = "event"


@dataclass(frozen=True)
class RetryPolicy:
    """How a failing item is spaced out, and when a person must look at it."""

    max_failures: int = 5
    base_s: float = 1.0
    cap_s: float = 300.0


def enqueue(session: Session, kind: QueueKind, entity_id: str, payload: BaseModel) -> None:
    """Add an outbox row in the caller's transaction (the one that writes the entity itself)."""
    enqueue_payload(session, kind, entity_id, payload.model_dump_json())


def enqueue_payload(session: Session, kind: QueueKind, entity_id: str, payload: str) -> None:
    """`enqueue` with the wire JSON already made (checkout builds it once for both uses).

    A prepared insert on the transaction's cursor: this row is part of every checkout."""
    now = utcnow()
    OUTBOX_INSERT.run(
        driver_cursor(session),
        [
            {
                "kind": kind.value,
                "entity_id": entity_id,
                "payload": payload,
                "status": ItemStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def due_run(session: Session, now: datetime, limit: int) -> list[SyncQueueItem]:
    """The oldest due items of one kind, in outbox order: shifts before their orders, orders
    before their voids. A run stops where the next due item is of the other kind."""
    rows = session.scalars(
        select(SyncQueueItem)
        .where(SyncQueueItem.status == ItemStatus.PENDING.value)
        .where(SyncQueueItem.next_attempt_at <= now)
        .order_by(SyncQueueItem.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    run: list[SyncQueueItem] = []
    for row in rows:
        if row.kind != rows[0].kind:
            break
        # An item that failed before goes alone, so it cannot hold a whole batch back.
        if row.attempts and run:
            break
        run.append(row)
        if row.attempts:
            break
    return run


def acknowledge(session: Session, item_ids: Sequence[int]) -> None:
    """The server stored these exact items: only now do their rows go away."""
    if item_ids:
        session.execute(delete(SyncQueueItem).where(SyncQueueItem.id.in_(item_ids)))


def record_failure(
    item: SyncQueueItem,
    error: str,
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> None:
    """One more failure of this item: retry later, or flag it for a manager at the limit."""
    item.attempts += 1
    item.last_error = error
    item.updated_at = now
    if item.attempts >= policy.max_failures:
        item.status = ItemStatus.NEEDS_ATTENTION.value
        return
    delay = full_jitter_delay(item.attempts, base_s=policy.base_s, cap_s=policy.cap_s, rng=rng)
    item.next_attempt_at = now + timedelta(seconds=max(delay, MIN_RETRY_DELAY_S))


def retry_needing_attention(session: Session, item_ids: Sequence[int] | None = None) -> int:
    """Manager action: put flagged items back in line (all of them, or the ones named)."""
    query = select(SyncQueueItem).where(SyncQueueItem.status == ItemStatus.NEEDS_ATTENTION.value)
    if item_ids is not None:
        query = query.where(SyncQueueItem.id.in_(item_ids))
    items = session.scalars(query).all()
    now = utcnow()
    for item in items:
        item.status = ItemStatus.PENDING.value
        item.attempts = 0
        item.next_attempt_at = now
        item.updated_at = now
    return len(items)


def export_needing_attention(session: Session, path: Path) -> int:
    """Manager action: write flagged items (payload and last error) to a JSON file for support.

    The rows stay in the outbox; exporting never discards a sale.
    """
    items = session.scalars(
        select(SyncQueueItem)
        .where(SyncQueueItem.status == ItemStatus.NEEDS_ATTENTION.value)
        .order_by(SyncQueueItem.id)
    ).all()
    document: list[dict[str, Any]] = [
        {
            "queue_id": item.id,
            "kind": item.kind,
            "entity_id": item.entity_id,
            "attempts": item.attempts,
            "last_error": item.last_error,
            "created_at": item.created_at.isoformat(),
            "payload": json.loads(item.payload),
        }
        for item in items
    ]
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return len(items)


@dataclass(frozen=True)
class QueueCounts:
    pending: int
    needs_attention: int

    @property
    def unsynced(self) -> int:
        return self.pending + self.needs_attention


def counts(session: Session) -> QueueCounts:
    """How many items wait, and how many need a manager."""
    rows = dict(
        session.execute(
            select(SyncQueueItem.status, func.count()).group_by(SyncQueueItem.status)
        ).all()
    )
    return QueueCounts(
        pending=int(rows.get(ItemStatus.PENDING.value, 0)),
        needs_attention=int(rows.get(ItemStatus.NEEDS_ATTENTION.value, 0)),
    )
