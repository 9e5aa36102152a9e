"""What every desk of the till shares: the terminal, its workers and the signed-in cashier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue
from pos_desktop.services.approvals import approve_by_pin
from pos_desktop.services.auth import ManagerApproval, SignedIn
from pos_desktop.services.errors import ApprovalRequired, ServiceError
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from pos_desktop.till.views import ApprovalNeeded, TillError

T = TypeVar("T")


def refuse(error: ServiceError) -> TillError:
    """A service refusal as the screens know it."""
    if isinstance(error, ApprovalRequired):
        return ApprovalNeeded(error.message)
    return TillError(error.message, code=error.code)


class TillContext:
    """The terminal, its sync engine and print queue, the cashier, and the one lock.

    The lock guards in-memory state only (cart, held carts, snapshot, tenant); the UI thread
    takes it, so no disk read or write happens while it is held.
    """

    def __init__(self, terminal: Terminal, *, start_sync: bool, start_printing: bool) -> None:
        self.terminal = terminal
        self.lock = threading.RLock()
        self.cashier: SignedIn | None = None
        self.engine: SyncEngine | None = None
        self._start_sync = start_sync
        self.print_queue = PrintQueue(SqlJobStore(terminal.database.session_factory))
        if start_printing:
            self.print_queue.start()
        self.start_engine()

    def start_engine(self) -> None:
        """Start syncing once the terminal is paired (at open, or right after pairing)."""
        identity = self.terminal.identity()
        if identity is None or not identity.paired or self.engine is not None:
            return
        self.engine = self.terminal.sync_engine()
        if self._start_sync:
            self.engine.start()

    def close(self) -> None:
        """Stop the workers; unsent sales and prints stay stored for the next start."""
        if self.engine is not None:
            self.engine.stop()
        self.print_queue.stop()
        self.terminal.close()

    def call(self, service: Callable[..., T], **arguments: Any) -> T:
        """One service use case in its own unit of work; a refusal becomes a TillError."""
        with self.terminal.uow() as uow:
            try:
                return service(uow, **arguments)
            except ServiceError as error:
                raise refuse(error) from error

    def approval(self, pin: str, action: str, reason: str = "") -> ManagerApproval:
        """A manager's PIN turned into a recorded approval for one action."""
        return self.call(approve_by_pin, pin=pin, action=action, reason=reason)

    def signed_in(self) -> SignedIn:
        if self.cashier is None:
            raise TillError("Sign in first.", code="signed_out")
        return self.cashier

    def nudge(self) -> None:
        """Something was written to the outbox: the sync engine sends it soon."""
        if self.engine is not None:
            self.engine.nudge()

    def cloud_unreachable(self) -> bool:
        """Unknown (not probed yet) counts as down: a ticket printed twice is marked "already
        printed"; a ticket never printed is a lost meal."""
        return self.engine is None or self.engine.state.online is not True
