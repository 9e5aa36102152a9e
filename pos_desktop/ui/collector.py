"""Python's cyclic garbage collector, run on the UI thread only.

Automatic collection runs on whichever thread happens to allocate when a threshold trips.
If that is a worker thread (the till's background jobs, the sync worker, the kitchen
socket) and the garbage holds Qt objects, their C++ side is destroyed off the thread that
owns them and the process crashes: seen as a segfault in the till's worker during a
category load while the UI thread built a window. So automatic collection is switched off
and the UI thread collects on a timer, when the generation counts say it is due, the way
PyQt applications commonly do it.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500
FULL_COLLECTION_EVERY_S = 30.0
"""At most this often a full collection (it walks every object, a 10,000-product catalog
included); in between, a due full collection is done as a generation-1 one."""


class MainThreadCollector(QObject):
    """Collects garbage on the thread it lives on (create it on the UI thread)."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._last_full = time.monotonic()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start(interval_ms)

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; objects freed."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        due = [
            generation
            for generation in range(3)
            if thresholds[generation] and counts[generation] > thresholds[generation]
        ]
        if not due:
            return 0
        generation = due[-1]
        if generation == 2:
            now = time.monotonic()
            if now - self._last_full < FULL_COLLECTION_EVERY_S:
                generation = 1
            else:
                self._last_full = now
        return gc.collect(generation)

    def stop(self) -> None:
        """Collect once more here and hand collection back to Python (tests, shutdown)."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()


def collect_on_this_thread(parent: QObject) -> MainThreadCollector:
    """Install the collector once per application object (`parent`, usually the app)."""
    existing = parent.findChild(MainThreadCollector)
    return existing if existing is not None else MainThreadCollector(parent)
