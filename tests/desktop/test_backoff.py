"""Backoff timing: full jitter under min(cap, base·2ⁿ), Retry-After wins, success resets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from pos_desktop.retry import Backoff, RetryPolicy, full_jitter_delay, parse_retry_after


@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 8, 9, 12, 40, 200])
def test_full_jitter_stays_under_the_exponential_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(300.0, 1.0 * 2**attempt)
    delays = [full_jitter_delay(attempt, base_s=1.0, cap_s=300.0, rng=rng) for _ in range(2000)]
    assert all(0.0 <= d <= ceiling for d in delays)
    # Full jitter spreads over the whole range: mean near half the ceiling, both ends used.
    mean = sum(delays) / len(delays)
    assert ceiling * 0.45 < mean < ceiling * 0.55
    assert min(delays) < ceiling * 0.05
    assert max(delays) > ceiling * 0.95


def test_ceiling_doubles_until_the_five_minute_cap() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    ceilings = [full_jitter_delay(n, base_s=1.0, cap_s=300.0, rng=Top()) for n in range(12)]
    assert ceilings[:9] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert ceilings[9:] == [300, 300, 300]


def test_transient_failures_never_give_up_and_stay_at_the_cap() -> None:
    backoff = Backoff(RetryPolicy(base_s=1.0, cap_s=300.0), rng=random.Random(7))
    delays = [backoff.failed() for _ in range(1000)]
    assert backoff.failures == 1000
    assert all(0 <= d <= 300 for d in delays)
    assert max(delays[-100:]) > 250  # still retrying, and at the cap


def test_retry_after_is_honoured_and_success_resets() -> None:
    backoff = Backoff(RetryPolicy(base_s=1.0, cap_s=300.0), rng=random.Random(1))
    assert backoff.failed(retry_after_s=42.0) == 42.0
    backoff.failed()
    backoff.failed()
    backoff.succeeded()
    assert backoff.failures == 0
    assert backoff.failed() <= 1.0


def test_parse_retry_after_seconds_dates_and_junk() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == (
        90.0
    )
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("999999", now) == 3600.0


@pytest.mark.parametrize("value", ["²", "1²", "\u0663", "\uff15", "½", "-1", "1.5"])
def test_parse_retry_after_refuses_non_ascii_digits_without_raising(value: str) -> None:
    # "²".isdigit() is True but float("²") raises; Retry-After is ASCII digits or an HTTP-date.
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert parse_retry_after(value, now) is None
