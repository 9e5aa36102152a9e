"""One retry vocabulary for the till: a policy, exponential backoff with full jitter, Retry-After.

Used by the outbox relay (`sync`), the print queue (`printing`) and the kitchen screen's
socket (`kitchen.client`): a `RetryPolicy` says how failures are spaced and when a person
must look; a `Backoff` counts the consecutive failures of one link.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

RETRY_AFTER_CEILING_S = 3600.0
REFUSED_RETRY_S = 30.0
"""A device whose credentials the server refuses (revoked, paired again, business suspended)
tries again this rarely, never in a backoff loop: only pairing again or a resumed business
helps. The till's link and the kitchen screen's socket both keep to it."""


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


@dataclass(frozen=True)
class RetryPolicy:
    """How failures are spaced out (`base_s` doubling up to `cap_s`), and when to give up.

    `max_attempts` None never gives up (a link: transient failures retry at the cap); a
    number hands the item to a person after that many failed attempts (an outbox item, a
    print job). Timings are injectable so tests can run offline-then-back in milliseconds.
    """

    base_s: float = 1.0
    cap_s: float = 300.0
    max_attempts: int | None = None

    def ceiling_s(self, attempt: int) -> float:
        """`min(cap, base * 2**attempt)`, counting attempts from 0."""
        return full_jitter_delay(attempt, base_s=self.base_s, cap_s=self.cap_s, rng=_TOP)

    def jittered_s(self, attempt: int, rng: random.Random) -> float:
        """A full-jitter wait under the ceiling of `attempt` (counting from 0): what a fleet
        of terminals uses against one server, so they do not come back all at once."""
        return full_jitter_delay(attempt, base_s=self.base_s, cap_s=self.cap_s, rng=rng)

    def delay(self, failures: int) -> timedelta:
        """The plain wait after the `failures`-th failure (1, 2, 4 ... cap seconds): for one
        local device, such as a printer, where no fleet needs spreading."""
        return timedelta(seconds=self.ceiling_s(max(failures - 1, 0)))

    def gives_up(self, failures: int) -> bool:
        """This many failed attempts call for a person."""
        return self.max_attempts is not None and failures >= self.max_attempts


class _Top(random.Random):
    """Always the top of the range: the ceiling itself."""

    def uniform(self, a: float, b: float) -> float:
        return b


_TOP = _Top(0)


class Backoff:
    """Consecutive link failures → the next delay; a success resets it.

    Transient failures never give up: past the cap every retry waits up to `cap_s`.
    A server's Retry-After wins over the jittered delay (it knows its own load).
    """

    def __init__(self, policy: RetryPolicy, *, rng: random.Random | None = None) -> None:
        self.policy = policy
        self.rng = rng or random.Random()
        self.failures = 0

    def failed(self, retry_after_s: float | None = None) -> float:
        """Record one failure and return how long to wait before the next try."""
        delay = self.policy.jittered_s(self.failures, self.rng)
        self.failures += 1
        if retry_after_s is not None:
            return retry_after_s
        return delay

    def succeeded(self) -> None:
        """The link works again: the next failure starts from `base_s`."""
        self.failures = 0
