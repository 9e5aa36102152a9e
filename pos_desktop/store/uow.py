"""Unit of work: one SQLite transaction per user action, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from pos_desktop.store.outbox import Outbox


class UnitOfWork:
    """Wraps a session; leaving the block without `commit()` rolls everything back (cosmicpython).

    `commit()` returns only after SQLite fsynced the WAL (synchronous=FULL), so a caller
    that got past it may tell the cashier "paid".
    """

    session: Session
    outbox: Outbox
    """The outbox rows of this same transaction (`uow.outbox.add(kind, entity_id, payload)`)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.outbox = Outbox(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves loaded
        # objects readable (detached), so a screen can show what it just saved.
        self.session.close()

    def commit(self) -> None:
        """Make the work durable."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw the work away."""
        self.session.rollback()
