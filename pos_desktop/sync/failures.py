"""The relay's side of an outbox item: one more failure, retried later or flagged for a manager.

The outbox rows themselves live in the store (`pos_desktop.store.outbox`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from pos_desktop.retry import RetryPolicy
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.store.outbox import ItemStatus

MIN_RETRY_DELAY_S = 0.001  # strictly later than now: a pass never retries what just failed


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
    if policy.gives_up(item.attempts):
        item.status = ItemStatus.NEEDS_ATTENTION.value
        return
    delay = policy.jittered_s(item.attempts, rng)
    item.next_attempt_at = now + timedelta(seconds=max(delay, MIN_RETRY_DELAY_S))
