"""Kitchen tickets when the cloud is down: printed here, marked, and filed "already printed".

The decision lives in the checkout service (`cloud_unreachable`); the till passes the sync
engine's state and queues the tickets after the commit. The last tests run a real
kiosk-server: an order sold offline reaches the kitchen marked "already printed", and the
manager's server address is what the engine (and so this decision) follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue
from pos_desktop.printing.settings import PrinterSettings, save_printer_settings
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import CheckoutResult, Tender, checkout
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN
from pos_desktop.services.kitchen_offline import enqueue_kitchen_tickets
from pos_desktop.store.models import PrintJob, SyncQueueItem
from pos_desktop.sync.engine import SyncEngine
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from pos_desktop.till.views import TerminalSettings, TillError
from shared.protocol import OrderV1
from tests.chaos.support import CASHIER_PIN, TENANT, Cloud
from tests.desktop.conftest import product_id
from tests.support.server_process import free_port, running_server


def _printers(terminal: Terminal, kitchen: dict[str, str]) -> None:
    with terminal.uow() as uow:
        save_printer_settings(uow.session, PrinterSettings(kitchen_printers=kitchen))
        uow.commit()


def _sell(terminal: Terminal, cashier: SignedIn, *, cloud_unreachable: bool) -> CheckoutResult:
    """A latte (bar) and a nasi goreng (kitchen), paid in cash."""
    with terminal.uow() as uow:
        cart = CartSession(CatalogSnapshot.load(uow.session), cashier)
    cart.add_product(product_id("Caffè latte"))
    cart.add_product(product_id("Nasi goreng"))
    due = cart.priced(cash_rounding=True).payable_minor
    with terminal.uow() as uow:
        return checkout(
            uow,
            cart=cart,
            tenders=[Tender("cash", due)],
            cashier=cashier,
            cloud_unreachable=cloud_unreachable,
        )


def _outbox_order(terminal: Terminal, order_id: str) -> OrderV1:
    with terminal.uow() as uow:
        item = uow.session.scalars(
            select(SyncQueueItem).where(SyncQueueItem.entity_id == order_id)
        ).one()
        return OrderV1.model_validate_json(item.payload)


def _kitchen_jobs(terminal: Terminal) -> list[PrintJob]:
    with terminal.uow() as uow:
        return list(uow.session.scalars(select(PrintJob).where(PrintJob.kind == "kitchen")))


def _queue_tickets(terminal: Terminal, order_id: str) -> int:
    queue = PrintQueue(SqlJobStore(terminal.database.session_factory))  # not started: jobs wait
    return len(enqueue_kitchen_tickets(terminal.uow, queue, order_id))


def test_offline_sale_prints_one_ticket_per_station_and_says_so_in_its_payload(
    open_terminal: Terminal, cashier: SignedIn, tmp_path: Path
) -> None:
    bar, kitchen = f"file:{tmp_path / 'bar.bin'}", f"file:{tmp_path / 'kitchen.bin'}"
    _printers(open_terminal, {"bar": bar, "kitchen": kitchen})
    result = _sell(open_terminal, cashier, cloud_unreachable=True)
    assert result.kitchen_printed_offline
    assert _outbox_order(open_terminal, result.order_id).kitchen_printed_offline is True
    assert _queue_tickets(open_terminal, result.order_id) == 2
    jobs = _kitchen_jobs(open_terminal)
    assert sorted(job.target for job in jobs) == sorted([bar, kitchen])
    assert all(job.status == "pending" and job.payload for job in jobs)
    assert {job.order_id for job in jobs} == {result.order_id}


def test_online_sale_prints_nothing_in_the_kitchen(
    open_terminal: Terminal, cashier: SignedIn, tmp_path: Path
) -> None:
    _printers(open_terminal, {"*": f"file:{tmp_path / 'kitchen.bin'}"})
    result = _sell(open_terminal, cashier, cloud_unreachable=False)
    assert not result.kitchen_printed_offline
    assert _outbox_order(open_terminal, result.order_id).kitchen_printed_offline is False
    assert _kitchen_jobs(open_terminal) == []


def test_offline_without_a_kitchen_printer_leaves_the_tickets_to_the_screens(
    open_terminal: Terminal, cashier: SignedIn
) -> None:
    result = _sell(open_terminal, cashier, cloud_unreachable=True)
    assert not result.kitchen_printed_offline
    assert _outbox_order(open_terminal, result.order_id).kitchen_printed_offline is False


def test_a_station_without_a_printer_keeps_the_whole_order_off_paper(
    open_terminal: Terminal, cashier: SignedIn, tmp_path: Path
) -> None:
    # Half on paper and half unmarked on the screens would be cooked twice.
    _printers(open_terminal, {"bar": f"file:{tmp_path / 'bar.bin'}"})
    result = _sell(open_terminal, cashier, cloud_unreachable=True)
    assert not result.kitchen_printed_offline
    assert _outbox_order(open_terminal, result.order_id).kitchen_printed_offline is False


def test_an_unpaired_till_sells_as_offline_and_queues_the_kitchen_tickets(
    terminal: Terminal, tmp_path: Path
) -> None:
    _printers(terminal, {"*": f"file:{tmp_path / 'kitchen.bin'}"})
    till = TerminalTill(terminal, start_sync=False, start_printing=False)
    till.login(DEMO_CASHIER_PIN)
    till.open_shift(100_000)
    till.add_to_cart(product_id("Nasi goreng"))
    till.add_to_cart(product_id("Espresso"))
    sale = till.checkout([Tender("cash", till.quote().total_minor)])
    assert _outbox_order(terminal, sale.order_id).kitchen_printed_offline is True
    jobs = _kitchen_jobs(terminal)
    assert len(jobs) == 2 and all(job.status == "pending" for job in jobs)  # bar and kitchen
    till.close()


# --- against a real kiosk-server ---------------------------------------------------------


@contextmanager
def till_on_server(folder: Path) -> Iterator[tuple[Cloud, TerminalTill, SyncEngine]]:
    """A real kiosk-server and a till paired to it, catalog pulled, signed in, shift open;
    a kitchen printer for every station. The engine runs only when the test calls a pass."""
    with running_server() as server:
        cloud = Cloud(server)
        terminal = Terminal(folder)
        terminal.pair(server.base_url, cloud.new_terminal_code(), device_name="till test")
        till = TerminalTill(terminal, start_sync=False, start_printing=False)
        try:
            assert till.engine is not None
            till.engine.pull_catalog()
            _printers(terminal, {"*": f"file:{folder / 'kitchen.bin'}"})
            till.login(CASHIER_PIN)
            till.open_shift(100_000)
            yield cloud, till, till.engine
        finally:
            till.close()


def _sell_food(till: TerminalTill) -> str:
    """One plain item that some station cooks (the seeded catalog routes it)."""
    snapshot = till.snapshot()
    food = next(
        product
        for product in sorted(snapshot.products.values(), key=lambda p: p.name)
        if product.is_active
        and not product.modifier_group_ids
        and (
            product.kitchen_station
            or getattr(snapshot.categories.get(product.category_id or ""), "kitchen_station", None)
        )
    )
    till.add_to_cart(food.id)
    return till.checkout([Tender("cash", till.quote().total_minor)]).order_id


def _server_tickets(cloud: Cloud, order_id: str) -> list[dict[str, object]]:
    answer = httpx.get(
        f"{cloud.server.base_url}/api/{TENANT}/kitchen/tickets/",
        headers=cloud._owner_headers(),
        params={"page_size": 500},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return [row for row in answer.json()["results"] if row["order_id"] == order_id]


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("memory_keyring")
def test_sold_offline_then_synced_reaches_the_kitchen_already_printed(tmp_path: Path) -> None:
    with till_on_server(tmp_path / "till") as (cloud, till, engine):
        server = cloud.server
        server.stop()
        assert engine.run_pass().transient_error is not None
        assert engine.state.online is False
        offline_id = _sell_food(till)
        assert len(_kitchen_jobs(till.terminal)) == 1  # printed here, through the queue

        server.start()
        assert engine.run_pass().transient_error is None
        assert engine.state.online is True and engine.state.pending == 0
        online_id = _sell_food(till)
        assert len(_kitchen_jobs(till.terminal)) == 1  # online: the screens get it
        assert engine.run_pass().acknowledged >= 1

        offline = _server_tickets(cloud, offline_id)
        online = _server_tickets(cloud, online_id)
        assert [t["already_printed"] for t in offline] == [True]
        assert [t["already_printed"] for t in online] == [False]


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("memory_keyring")
def test_the_saved_server_address_is_where_the_engine_syncs(tmp_path: Path) -> None:
    with till_on_server(tmp_path / "till") as (cloud, till, engine):
        server = cloud.server
        with pytest.raises(TillError):
            till.save_settings(TerminalSettings(server_url="not an address"))
        assert till.terminal.identity().server_url == server.base_url  # type: ignore[union-attr]

        dead = f"http://127.0.0.1:{free_port()}"
        till.save_settings(replace(till.settings(), server_url=dead))
        assert till.settings().server_url == dead
        assert till.terminal.identity().server_url == dead  # type: ignore[union-attr]
        restarted = till.terminal.sync_engine()  # the next start of the app syncs there too
        assert restarted.client.server_url == dead
        restarted.client.close()
        engine.run_pass()
        assert engine.state.online is False  # the running engine moved with it
        offline_id = _sell_food(till)
        assert _outbox_order(till.terminal, offline_id).kitchen_printed_offline is True

        till.save_settings(replace(till.settings(), server_url=server.base_url + "/"))
        assert till.terminal.identity().server_url == server.base_url  # type: ignore[union-attr]
        assert engine.run_pass().transient_error is None
        assert engine.state.online is True and engine.state.pending == 0
        assert [t["already_printed"] for t in _server_tickets(cloud, offline_id)] == [True]
