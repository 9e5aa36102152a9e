"""A print job store that fails a write (the till's disk is full) does not end printing.

Found by the chaos proof's full-disk trial: the printer's worker thread died on the failed
write and no receipt printed again until the till restarted.
"""

from __future__ import annotations

import sqlite3
import threading

from pos_desktop.printing.queue import MemoryJobStore, PrintQueue, QueuedJob
from pos_desktop.retry import RetryPolicy


class FullOnceJobStore(MemoryJobStore):
    """Refuses the first `failures` saves as SQLite does on a full disk."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def save(self, job: QueuedJob) -> None:
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        super().save(job)


def test_a_failed_job_store_write_does_not_stop_the_printer_worker() -> None:
    printed = threading.Event()
    store = FullOnceJobStore(failures=2)
    queue = PrintQueue(
        store,
        sender=lambda _target, _payload: printed.set(),
        policy=RetryPolicy(base_s=0.1, cap_s=0.5, max_attempts=5),
    )
    queue.start()
    try:
        job = queue.enqueue("receipt", "tcp://printer.invalid:9100", b"receipt")
        assert printed.wait(10), "the worker died on the full disk"
        for _ in range(50):
            stored = queue.get(job.id)
            if stored is not None and stored.status == "printed":
                break
            threading.Event().wait(0.1)
        assert stored is not None and stored.status == "printed"
    finally:
        queue.stop()
