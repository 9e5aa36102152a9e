"""A till's clock set back by hours: what was stamped before is not left waiting hours.

Found by the chaos proof's clock trial (`test_proof.py`, a till process under libfaketime);
replayed here in-process with a clock the test moves, so each runs in a second.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_desktop.config import SyncSettings
from pos_desktop.ids import utcnow
from pos_desktop.printing.queue import MemoryJobStore, PrintQueue
from pos_desktop.retry import RetryPolicy
from pos_desktop.store.db import Database
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.client import SyncClient
from pos_desktop.sync.engine import CLOCK_WATCH_S, SyncEngine

HOURS_BACK = timedelta(hours=9)


def test_outbox_rows_stamped_by_a_clock_hours_ahead_are_due_once_it_is_set_back(
    tmp_path: Path,
) -> None:
    database = Database(tmp_path)
    try:
        with UnitOfWork(database.session_factory) as uow:
            uow.outbox.add(QueueKind.ORDER, "order-sold-while-the-clock-ran-ahead", "{}")
            uow.commit()
        set_back = datetime.now(UTC) - HOURS_BACK
        with UnitOfWork(database.session_factory) as uow:
            due = uow.outbox.due_run(set_back, 10)
        assert [item.entity_id for item in due] == ["order-sold-while-the-clock-ran-ahead"]
    finally:
        database.dispose()


def test_a_print_job_queued_before_the_clock_was_set_back_prints_at_once() -> None:
    now = [datetime.now(UTC)]
    printed = threading.Event()
    queue = PrintQueue(
        MemoryJobStore(),
        sender=lambda _target, _payload: printed.set(),
        policy=RetryPolicy(base_s=0.1, cap_s=1.0, max_attempts=5),
        clock=lambda: now[0],
    )
    job = queue.enqueue("receipt", "tcp://printer.invalid:9100", b"receipt")
    now[0] -= HOURS_BACK  # before the worker first looks at the job
    queue.start()
    try:
        assert printed.wait(5), "the job waited for the clock to catch up"
        assert queue.get(job.id) is not None
    finally:
        queue.stop()


class _NoTokens:
    def refresh_token(self) -> str | None:
        return None

    def access_token(self) -> str | None:
        return None

    def store_tokens(self, *, access: str, refresh: str) -> None:
        raise AssertionError("nothing to store")


def test_a_pass_scheduled_by_the_clock_before_it_was_set_back_runs_at_once(
    tmp_path: Path,
) -> None:
    """The long run's +9 h trial: a pass that read the clock just before it was set back
    added its successor hours ahead after the clock watch had already seen the jump, and
    the till's sales waited until the next sale nudged the worker."""
    settings = SyncSettings(
        backoff_base_s=0.2, backoff_cap_s=0.5, probe_interval_s=0.5, live_link=False
    )
    database = Database(tmp_path)
    client = SyncClient("http://127.0.0.1:9", "demo", _NoTokens(), settings=settings)
    engine = SyncEngine(database, client, settings=settings, idle_interval_s=0.5)
    engine.start()
    try:
        scheduler = engine._scheduler
        assert scheduler is not None
        deadline = time.monotonic() + 5
        while scheduler.get_job("pass") is None and time.monotonic() < deadline:
            time.sleep(0.01)
        # As the successor of a pass that read the clock 9 h ahead is: due in hours by the
        # wall clock, in well under a second by the plan.
        scheduler.modify_job("pass", next_run_time=utcnow() + HOURS_BACK)
        deadline = time.monotonic() + 3 * CLOCK_WATCH_S + 2
        waiting = HOURS_BACK
        while time.monotonic() < deadline:
            job = scheduler.get_job("pass")
            waiting = job.next_run_time - utcnow() if job and job.next_run_time else timedelta()
            if waiting < timedelta(minutes=1):
                break
            time.sleep(0.05)
        assert waiting < timedelta(minutes=1), f"the next pass waits {waiting}"
    finally:
        engine.stop()
        database.dispose()
