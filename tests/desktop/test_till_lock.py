"""The till's lock guards memory only: a tap never waits for a catalog load or a disk write."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from pos_desktop.till.facade import TerminalTill

SLOW_LOAD_S = 1.0
PROMPT_S = 0.1


@pytest.fixture
def till(tmp_path: Path) -> Iterator[TerminalTill]:
    till = TerminalTill.open(tmp_path / "terminal", start_sync=False, start_printing=False)
    till.use_demo()
    till.login(DEMO_CASHIER_PIN)
    yield till
    till.close()


def _bump_catalog_version(till: TerminalTill) -> int:
    """What a catalog pull leaves behind: a newer version on disk."""
    with till.terminal.uow() as uow:
        version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0)) + 1
        put_setting(uow.session, SettingKey.CATALOG_VERSION, version)
        uow.commit()
    return version


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_ui_calls_stay_prompt_while_the_worker_loads_a_new_catalog(
    till: TerminalTill, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_id = till.products()[0].id
    till.add_to_cart(product_id)  # a cart, warm caches: what a selling till has
    till.quote()
    version = _bump_catalog_version(till)
    real_load = CatalogSnapshot.load
    loading = threading.Event()

    def slow_load(session: Session) -> CatalogSnapshot:
        loading.set()
        time.sleep(SLOW_LOAD_S)
        return real_load(session)

    monkeypatch.setattr(CatalogSnapshot, "load", staticmethod(slow_load))
    worker = threading.Thread(target=till.snapshot)
    worker.start()
    assert loading.wait(5)
    try:
        timings = {
            "cart": _timed(till.cart),
            "add_to_cart": _timed(lambda: till.add_to_cart(product_id)),
            "parked": _timed(till.parked),
            "quote": _timed(till.quote),
            "tenant": _timed(till.tenant),
        }
        still_loading = worker.is_alive()
    finally:
        worker.join(10)
    assert all(seconds < PROMPT_S for seconds in timings.values()), timings
    assert still_loading, "the load ended before the UI calls were timed"
    assert till.snapshot().catalog_version == version
    assert till.cart().lines[0].quantity == 2


def test_a_new_catalog_replaces_the_cached_tenant_instead_of_clearing_it(
    till: TerminalTill, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = till.tenant()
    _bump_catalog_version(till)
    till.snapshot()

    def no_disk() -> object:
        raise AssertionError("tenant() read SQLite on the UI thread")

    monkeypatch.setattr(till.catalog, "_read_tenant", no_disk)
    assert till.tenant() == before


def test_park_and_recall_write_held_carts_after_releasing_the_lock(
    till: TerminalTill, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_id = till.products()[0].id
    till.add_to_cart(product_id)
    held_during_write: list[bool] = []
    real_uow = till.terminal.uow

    def watched_uow() -> object:
        # RLock has no public "held by anyone": another thread tries to take it.
        free = threading.Event()

        def probe() -> None:
            if till._lock.acquire(timeout=0.5):
                till._lock.release()
                free.set()

        prober = threading.Thread(target=probe)
        prober.start()
        prober.join()
        held_during_write.append(not free.is_set())
        return real_uow()

    monkeypatch.setattr(till.terminal, "uow", watched_uow)
    till.park("Table 4")
    (parked,) = till.parked()
    monkeypatch.setattr(till.terminal, "uow", real_uow)
    till.add_to_cart(product_id)
    monkeypatch.setattr(till.terminal, "uow", watched_uow)
    till.recall(parked.id)
    assert held_during_write and not any(held_during_write)
    assert len(till.parked()) == 1
