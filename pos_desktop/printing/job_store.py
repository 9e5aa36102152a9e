"""Print jobs persisted in the terminal's SQLite `print_jobs` table, so no job dies with the app."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos_desktop.printing.queue import JobKind, JobStatus, QueuedJob
from pos_desktop.store.models import PrintJob

_COLUMNS = (
    "kind",
    "target",
    "payload",
    "document_json",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "order_id",
    "created_at",
    "printed_at",
)


class SqlJobStore:
    """A `JobStore` over the store's `PrintJob` model; every call is its own short transaction.

    Each call opens its own session, so the queue's worker thread never shares one with the UI.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def add(self, job: QueuedJob) -> None:
        """Insert a new job row."""
        with self._session_factory() as session, session.begin():
            session.add(_row(job))

    def save(self, job: QueuedJob) -> None:
        """Write a job's new state."""
        with self._session_factory() as session, session.begin():
            row = session.get(PrintJob, job.id)
            if row is None:
                session.add(_row(job))
                return
            for name in _COLUMNS:
                setattr(row, name, getattr(job, name))

    def get(self, job_id: str) -> QueuedJob | None:
        """One job by id."""
        with self._session_factory() as session:
            row = session.get(PrintJob, job_id)
            return None if row is None else _job(row)

    def unfinished(self) -> list[QueuedJob]:
        """Pending and printing jobs, oldest first."""
        query = (
            select(PrintJob)
            .where(PrintJob.status.in_(("pending", "printing")))
            .order_by(PrintJob.created_at, PrintJob.id)
        )
        with self._session_factory() as session:
            return [_job(row) for row in session.scalars(query)]

    def recent(self, limit: int = 50) -> list[QueuedJob]:
        """The latest jobs, newest first, for a "print jobs" status screen."""
        query = select(PrintJob).order_by(PrintJob.created_at.desc()).limit(limit)
        with self._session_factory() as session:
            return [_job(row) for row in session.scalars(query)]


def _row(job: QueuedJob) -> PrintJob:
    return PrintJob(id=job.id, **{name: getattr(job, name) for name in _COLUMNS})


def _job(row: PrintJob) -> QueuedJob:
    return QueuedJob(
        id=row.id,
        kind=cast(JobKind, row.kind),
        target=row.target,
        payload=row.payload,
        document_json=row.document_json,
        status=cast(JobStatus, row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        order_id=row.order_id,
        printed_at=row.printed_at,
    )
