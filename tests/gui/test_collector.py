"""The cyclic garbage collector runs on the UI thread only (a worker freeing Qt objects crashes)."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from pos_desktop.ui.collector import MainThreadCollector


class _Node:
    """Garbage only the cyclic collector can free (it points at itself)."""

    def __init__(self) -> None:
        self.me = self


def test_a_worker_thread_allocating_never_collects_and_the_ui_thread_does(
    garbage_collected_on_the_ui_thread: MainThreadCollector, qtbot: QtBot
) -> None:
    assert not gc.isenabled()
    cycle = _Node()
    watched = weakref.ref(cycle)
    del cycle

    def allocate() -> None:  # far past every generation's threshold
        for _ in range(gc.get_threshold()[0] * 20):
            _Node()

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert watched() is not None  # nothing collected on the worker thread
    qtbot.waitUntil(lambda: watched() is None, timeout=5_000)  # the UI thread's timer did


def test_collect_if_due_waits_for_a_threshold() -> None:
    collector = MainThreadCollector()
    try:
        gc.collect()
        assert collector.collect_if_due() == 0  # counts just reset: nothing is due
        for _ in range(gc.get_threshold()[0] + 10):
            _Node()
        assert collector.collect_if_due() > 0
    finally:
        collector.stop()


def test_stop_hands_collection_back_to_python(
    garbage_collected_on_the_ui_thread: MainThreadCollector,
) -> None:
    garbage_collected_on_the_ui_thread.stop()  # the fixture's, as after every GUI test
    assert gc.isenabled()
    collector = MainThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
