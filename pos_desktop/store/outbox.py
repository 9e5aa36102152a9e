"""The outbox (`sync_queue`): rows written in the sale's own transaction, read by the relay.

pending ──ack (created/duplicate)──▶ deleted
pending ──failure (rejected, conflict, refused batch)──▶ pending, attempts+1, later
pending ──failure number `max_attempts`──▶ needs_attention (kept, with last_error)
needs_attention ──manager retry──▶ pending, attempts 0
pending ──link down (timeouts, 5xx, 408, 429)──▶ unchanged (the link backs off, not the item)

Services reach it through their unit of work (`uow.outbox.add(kind, entity_id, payload)`);
the relay in `pos_desktop.sync` sends what is due and records failures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from pos_desktop.config import DEFAULT_SYNC
from pos_desktop.ids import utcnow
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.store.prepared import driver_cursor, prepared

OUTBOX_INSERT = prepared(SyncQueueItem.__table__)
LONGEST_RETRY_WAIT = timedelta(seconds=DEFAULT_SYNC.backoff_cap_s)
"""No failed item waits longer than the backoff cap before its next try."""


class ItemStatus(StrEnum):
    PENDING = "pending"
    NEEDS_ATTENTION = "needs_attention"


class QueueKind(StrEnum):
    ORDER = "order"
    EVENT = "event"


@dataclass(frozen=True)
class QueueCounts:
    pending: int
    needs_attention: int

    @property
    def unsynced(self) -> int:
        return self.pending + self.needs_attention


class Outbox:
    """The outbox table as one unit of work sees it; every write is in that transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, kind: QueueKind, entity_id: str, payload: BaseModel | str) -> None:
        """Add a row in the caller's transaction (the one that writes the entity itself).

        `payload` is the wire model, or its JSON when the caller made it already (checkout
        builds it once for both uses). A prepared insert on the transaction's cursor: this
        row is part of every checkout.
        """
        text = payload if isinstance(payload, str) else payload.model_dump_json()
        now = utcnow()
        OUTBOX_INSERT.run(
            driver_cursor(self.session),
            [
                {
                    "kind": kind.value,
                    "entity_id": entity_id,
                    "payload": text,
                    "status": ItemStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )

    def due_run(self, now: datetime, limit: int) -> list[SyncQueueItem]:
        """The oldest due items of one kind, in outbox order: shifts before their orders,
        orders before their voids. A run stops where the next due item is of the other kind.

        An item due further ahead than any retry waits was stamped by a clock that ran ahead
        and was set back since: it is due now, not hours from now."""
        rows = self.session.scalars(
            select(SyncQueueItem)
            .where(SyncQueueItem.status == ItemStatus.PENDING.value)
            .where(
                or_(
                    SyncQueueItem.next_attempt_at <= now,
                    SyncQueueItem.next_attempt_at > now + LONGEST_RETRY_WAIT,
                )
            )
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

    def acknowledge(self, item_ids: Sequence[int]) -> None:
        """The server stored these exact items: only now do their rows go away."""
        if item_ids:
            self.session.execute(delete(SyncQueueItem).where(SyncQueueItem.id.in_(item_ids)))

    def counts(self) -> QueueCounts:
        """How many items wait, and how many need a manager."""
        rows = dict(
            self.session.execute(
                select(SyncQueueItem.status, func.count()).group_by(SyncQueueItem.status)
            ).all()
        )
        return QueueCounts(
            pending=int(rows.get(ItemStatus.PENDING.value, 0)),
            needs_attention=int(rows.get(ItemStatus.NEEDS_ATTENTION.value, 0)),
        )

    def needing_attention(self) -> list[SyncQueueItem]:
        """The flagged items, oldest first."""
        return list(
            self.session.scalars(
                select(SyncQueueItem)
                .where(SyncQueueItem.status == ItemStatus.NEEDS_ATTENTION.value)
                .order_by(SyncQueueItem.id)
            ).all()
        )

    def retry_needing_attention(self, item_ids: Sequence[int] | None = None) -> int:
        """Manager action: put flagged items back in line (all of them, or the ones named)."""
        items = [
            item for item in self.needing_attention() if item_ids is None or item.id in item_ids
        ]
        now = utcnow()
        for item in items:
            item.status = ItemStatus.PENDING.value
            item.attempts = 0
            item.next_attempt_at = now
            item.updated_at = now
        return len(items)

    def export_needing_attention(self, path: Path) -> int:
        """Manager action: write flagged items (payload and last error) to a JSON file for
        support. The rows stay in the outbox; exporting never discards a sale."""
        items = self.needing_attention()
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
