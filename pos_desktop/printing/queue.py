"""The local print queue: jobs are stored, sent on a worker thread and retried with backoff."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol

from pos_desktop.ids import new_id, utcnow
from pos_desktop.printing.connection import send_bytes
from pos_desktop.printing.document import DocumentKind
from pos_desktop.retry import RetryPolicy

log = logging.getLogger(__name__)

JobStatus = Literal["pending", "printing", "printed", "failed"]
JobKind = DocumentKind  # a job prints one document; the drawer pulse goes as a "test" job
Sender = Callable[[str, bytes], None]
Listener = Callable[["QueuedJob"], None]


@dataclass(frozen=True)
class QueuedJob:
    """A print job as the queue sees it (mirrors the store's `print_jobs` row)."""

    id: str
    kind: JobKind
    target: str
    payload: bytes
    document_json: str
    status: JobStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    order_id: str | None = None
    printed_at: datetime | None = None


class JobStore(Protocol):
    """Where jobs live between attempts: memory in tests, the terminal's SQLite in the app."""

    def add(self, job: QueuedJob) -> None:
        """Store a new job."""

    def save(self, job: QueuedJob) -> None:
        """Overwrite a job's state."""

    def get(self, job_id: str) -> QueuedJob | None:
        """One job by id."""

    def unfinished(self) -> list[QueuedJob]:
        """Pending and printing jobs, oldest first."""


class MemoryJobStore:
    """Jobs in a dict: for tests and for a terminal without a database (print-test)."""

    def __init__(self) -> None:
        self._jobs: dict[str, QueuedJob] = {}
        self._lock = threading.Lock()

    def add(self, job: QueuedJob) -> None:
        """Store a new job."""
        with self._lock:
            self._jobs[job.id] = job

    def save(self, job: QueuedJob) -> None:
        """Overwrite a job's state."""
        with self._lock:
            self._jobs[job.id] = job

    def get(self, job_id: str) -> QueuedJob | None:
        """One job by id."""
        with self._lock:
            return self._jobs.get(job_id)

    def unfinished(self) -> list[QueuedJob]:
        """Pending and printing jobs, oldest first."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.status in ("pending", "printing")]
        return sorted(jobs, key=lambda j: (j.created_at, j.id))


PRINT_RETRY = RetryPolicy(base_s=1.0, cap_s=30.0, max_attempts=20)
STORE_RETRY_S = 1.0
"""How soon a printer's worker looks again after its job store failed (disk full)."""
"""A dead printer is tried again every 30 s at most; after 20 tries the job waits for a person."""


class PrintQueue:
    """Stores jobs and prints them on worker threads; `enqueue` never waits for a printer.

    Each printer has its own worker thread, so its jobs print in order (a receipt never
    overtakes an earlier one) and a dead or hanging printer only holds back its own jobs.
    `enqueue` costs one local INSERT. Listeners are called with each new state of a job,
    mostly on a worker thread: a Qt screen must re-post to its own thread (a queued signal)
    before touching widgets.
    """

    def __init__(
        self,
        store: JobStore,
        *,
        sender: Sender = send_bytes,
        policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._sender = sender
        self._policy = policy or PRINT_RETRY
        self._clock = clock
        self._listeners: list[Listener] = []
        self._wake = threading.Condition()
        self._stopping = False
        self._hurry: set[str] = set()  # printers whose waiting jobs skip the backoff once
        self._started = False
        self._workers: dict[str, threading.Thread] = {}

    # --- called by screens and services -------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Be told about every job state change (pending, printing, printed, failed)."""
        self._listeners.append(listener)

    def enqueue(
        self,
        kind: JobKind,
        target: str,
        payload: bytes,
        *,
        document_json: str = "{}",
        order_id: str | None = None,
    ) -> QueuedJob:
        """Store a job and wake the worker; returns at once whatever state the printer is in."""
        now = self._clock()
        job = QueuedJob(
            id=new_id(),
            kind=kind,
            target=target,
            payload=payload,
            document_json=document_json,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            order_id=order_id,
        )
        self._store.add(job)
        self._notify(job)
        with self._wake:
            self._ensure_worker(target)
            self._wake.notify_all()
        return job

    def retry(self, job_id: str) -> QueuedJob | None:
        """Give a `failed` job a fresh set of attempts, starting now (staff pressed "retry")."""
        with self._wake:
            job = self._store.get(job_id)
            if job is None or job.status != "failed":
                return job
            job = replace(job, status="pending", attempts=0, next_attempt_at=self._clock())
            self._store.save(job)
            self._ensure_worker(job.target)
            self._wake.notify_all()
        self._notify(job)
        return job

    def wake(self, target: str | None = None) -> None:
        """Try waiting jobs now, skipping their backoff (a test print worked, printer is back)."""
        with self._wake:
            if target is None:
                self._hurry.update(job.target for job in self._store.unfinished())
            else:
                self._hurry.add(target)
            self._wake.notify_all()

    def get(self, job_id: str) -> QueuedJob | None:
        """A job's current state."""
        return self._store.get(job_id)

    # --- the worker -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers; jobs left `printing` by a crash are tried again."""
        unfinished = self._store.unfinished()
        for job in unfinished:
            if job.status == "printing":
                self._store.save(replace(job, status="pending"))
        with self._wake:
            self._stopping = False
            self._started = True
            for job in unfinished:
                self._ensure_worker(job.target)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the workers after the jobs in hand (jobs stay stored for the next start)."""
        with self._wake:
            self._stopping = True
            self._started = False
            workers = list(self._workers.values())
            self._workers.clear()
            self._wake.notify_all()
        for worker in workers:
            worker.join(timeout_s)

    def _ensure_worker(self, target: str) -> None:
        """Give a printer its worker thread once the queue runs (caller holds the lock)."""
        if not self._started or target in self._workers:
            return
        worker = threading.Thread(
            target=self._run, args=(target,), name=f"print-queue {target}", daemon=True
        )
        self._workers[target] = worker
        worker.start()

    def _run(self, target: str) -> None:
        while True:
            try:
                with self._wake:
                    if self._stopping:
                        return
                    job, wait_s = self._next_due(target)
                    if job is None:
                        self._wake.wait(wait_s)
                        continue
                self._attempt(job)
            except Exception:  # the store failed (a full disk): the worker must outlive it
                log.exception("print queue for %s: the job store failed; trying again", target)
                with self._wake:
                    self._wake.wait(STORE_RETRY_S)

    def _next_due(self, target: str) -> tuple[QueuedJob | None, float | None]:
        """The printer's oldest job if it is due, else how long until it is (None: no job)."""
        head = next((job for job in self._store.unfinished() if job.target == target), None)
        if head is None:
            return None, None
        now = self._clock()
        # Due further ahead than any retry waits: stamped before the clock was set back.
        clock_set_back = head.next_attempt_at > now + timedelta(seconds=self._policy.cap_s)
        if head.next_attempt_at <= now or clock_set_back or target in self._hurry:
            self._hurry.discard(target)
            return head, None
        return None, max((head.next_attempt_at - now).total_seconds(), 0.0)

    def _attempt(self, job: QueuedJob) -> None:
        job = replace(job, status="printing", attempts=job.attempts + 1)
        self._store.save(job)
        self._notify(job)
        try:
            self._sender(job.target, job.payload)
        except Exception as error:  # any failure means "not printed yet"; keep the job
            now = self._clock()
            give_up = self._policy.gives_up(job.attempts)
            job = replace(
                job,
                status="failed" if give_up else "pending",
                last_error=f"{type(error).__name__}: {error}",
                next_attempt_at=now + self._policy.delay(job.attempts),
            )
            log.warning("print job %s to %s failed: %s", job.id, job.target, job.last_error)
        else:
            job = replace(job, status="printed", printed_at=self._clock(), last_error=None)
        self._store.save(job)
        self._notify(job)

    def _notify(self, job: QueuedJob) -> None:
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:  # a broken screen must not stop printing
                log.exception("print job listener failed")
