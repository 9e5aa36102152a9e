"""Exponential backoff with full jitter, and reading a server's Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_AFTER_CEILING_S = 3600.0


def full_jitter_delay(attempt: int, *, base_s: float, cap_s: float, rng: random.Random) -> float:
    """`random(0, min(cap, base * 2**attempt))`: spreads a fleet of terminals coming back online."""
    if attempt < 0:
        raise ValueError("attempt counts from 0")
    ceiling = cap_s if attempt >= 64 else min(cap_s, base_s * 2**attempt)
    return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP-date); None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # "²".isdigit() is True, float("²") raises
        return min(float(text), RETRY_AFTER_CEILING_S)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), RETRY_AFTER_CEILING_S)


class Backoff:
    """Consecutive link failures → the next delay; a success resets it.

    Transient failures never give up: past the cap every retry waits up to `cap_s`.
    A server's Retry-After wins over the jittered delay (it knows its own load).
    """

    def __init__(self, *, base_s: float, cap_s: float, rng: random.Random) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.rng = rng
        self.failures = 0

    def failed(self, retry_after_s: float | None = None) -> float:
        """Record one failure and return how long to wait before the next try."""
        delay = full_jitter_delay(self.failures, base_s=self.base_s, cap_s=self.cap_s, rng=self.rng)
        self.failures += 1
        if retry_after_s is not None:
            return retry_after_s
        return delay

    def succeeded(self) -> None:
        """The link works again: the next failure starts from `base_s`."""
        self.failures = 0
