"""A till's clock set back by hours: what was stamped before is not left waiting hours.

Found by the chaos proof's clock trial (`test_proof.py`, a till process under libfaketime);
replayed here in-process with a clock the test moves, so each runs in a second.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_desktop.printing.queue import MemoryJobStore, PrintQueue
from pos_desktop.retry import RetryPolicy
from pos_desktop.store.db import Database
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.uow import UnitOfWork

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
