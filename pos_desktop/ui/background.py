"""Run slow till calls off the UI thread and hand the result back by signal (Anki's op helpers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Carries a job's outcome back to the thread that owns it (the UI thread)."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # reported to the screen, never swallowed
            self._relay.failed.emit(error)
        else:
            self._relay.done.emit(result)


class Background(QObject):
    """One worker thread for till calls, so the store sees one writer at a time, in order.

    `busy_changed` lets screens grey out buttons while a job runs; `idle` lets tests wait.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    @property
    def idle(self) -> bool:
        """No job is queued or running."""
        return not self._relays

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Queue `work`; exactly one of the callbacks later runs on the UI thread."""
        relay = _Relay(self)
        self._relays.add(relay)

        @Slot(object)
        def finish_done(result: object) -> None:
            self._finish(relay)
            if on_done is not None:
                on_done(result)

        @Slot(object)
        def finish_failed(error: object) -> None:
            self._finish(relay)
            if on_failed is not None:
                on_failed(error)  # type: ignore[arg-type]
            else:
                raise error  # type: ignore[misc]

        relay.done.connect(finish_done)
        relay.failed.connect(finish_failed)
        if len(self._relays) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Job(work, relay))

    def _finish(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()
        if not self._relays:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is empty (shutdown only; never called from a screen)."""
        return bool(self._pool.waitForDone(msecs))
