"""Outbox items a manager must look at: named so a person knows which sale or event it is."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from pos_desktop.store.models import Order, SyncQueueItem
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork


def attention_label(session: Session, item: SyncQueueItem) -> str:
    """`Order T1-000042` for a stored order, else the kind and the start of the id."""
    if item.kind == QueueKind.ORDER.value:
        order = session.get(Order, item.entity_id)
        if order is not None:
            return f"Order {order.receipt_number}"
    return f"{item.kind.capitalize()} {item.entity_id[:8]}"


def retry_items(uow: UnitOfWork, *, item_ids: list[int]) -> int:
    """Manager action: put these flagged items back in line; how many were."""
    retried = uow.outbox.retry_needing_attention(item_ids)
    uow.commit()
    return retried


def export_items(uow: UnitOfWork, *, folder: Path, stamp: str) -> Path:
    """Manager action: the flagged items in a JSON file for support; they stay queued."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"needs-attention-{stamp}.json"
    uow.outbox.export_needing_attention(path)
    return path
