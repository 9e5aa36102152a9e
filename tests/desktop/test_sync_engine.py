"""Sync engine logic against an in-test fake of the protocol (httpx.MockTransport).

These check backoff decisions and the queue state machine only; the real server is
exercised by the end-to-end and chaos tests.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from pos_desktop.config import SyncSettings
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.services.simulate import simulate_sales
from pos_desktop.store.identity import save_pairing
from pos_desktop.store.models import Product, SyncQueueItem
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from pos_desktop.sync.engine import SyncEngine, SyncState
from pos_desktop.terminal import Terminal
from shared.protocol import (
    BatchResultV1,
    CatalogChangeV1,
    CatalogPageV1,
    ErrorV1,
    EventBatchV1,
    ItemResultV1,
    OrderBatchV1,
    PairResponseV1,
    ProductV1,
    TokenPairV1,
    canonical_digest,
)

SERVER = "http://pos.test"
FAST = SyncSettings(
    batch_size=20,
    backoff_base_s=0.001,
    backoff_cap_s=0.01,
    probe_interval_s=0.05,
    probe_timeout_s=0.5,
)
Fault = Callable[[httpx.Request], httpx.Response | None]
ERROR_401 = {"error": "auth", "message": "expired", "field": None, "code": "token_not_valid"}


@dataclass
class FakeCloud:
    """Just enough of sync protocol v1 to watch the engine; faults are queued per request."""

    orders: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    reject_ids: set[str] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    valid_access: str = "access-1"
    refreshes: int = 0
    order_posts: int = 0
    catalog_pages: dict[str, CatalogPageV1] = field(default_factory=dict)
    silent: bool = False
    """A hung server: every request times out (as under SIGSTOP)."""
    revoked: bool = False
    """The device was revoked: every token is refused, refresh too."""
    pings: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.silent:
            raise httpx.ReadTimeout("timed out", request=request)
        if self.revoked:
            return httpx.Response(401, json=ERROR_401)
        if self.faults:
            response = self.faults.pop(0)(request)
            if response is not None:
                return response
        path = request.url.path
        if path == "/api/auth/token/refresh/":
            self.refreshes += 1
            self.valid_access = f"access-{self.refreshes + 1}"
            pair = TokenPairV1(access=self.valid_access, refresh=f"refresh-{self.refreshes + 1}")
            return httpx.Response(200, content=pair.model_dump_json())
        if request.headers.get("Authorization") != f"Bearer {self.valid_access}":
            return httpx.Response(401, json=ERROR_401)
        if path.endswith("/sync/ping/"):
            self.pings += 1
            return httpx.Response(200, json={"protocol_version": 1, "device_kind": "terminal"})
        if path.endswith("/sync/orders/"):
            self.order_posts += 1
            batch = OrderBatchV1.model_validate_json(request.content)
            return self._results(
                [(str(o.id), canonical_digest(o)) for o in batch.orders], self.orders
            )
        if path.endswith("/sync/events/"):
            events = EventBatchV1.model_validate_json(request.content)
            return self._results(
                [(str(e.id), canonical_digest(e)) for e in events.events], self.events
            )
        if path.endswith("/sync/catalog/"):
            page = self.catalog_pages[request.url.params["since"]]
            return httpx.Response(200, content=page.model_dump_json())
        return httpx.Response(404)

    def _results(self, items: list[tuple[str, str]], store: dict[str, str]) -> httpx.Response:
        results = []
        for item_id, digest in items:
            if item_id in self.reject_ids:
                error = ErrorV1(
                    error="invalid", message="tax mismatch", field="tax_minor", code="bad_tax"
                )
                results.append(ItemResultV1(id=item_id, status="rejected", error=error))
            elif item_id in store:
                status = "duplicate" if store[item_id] == digest else "conflict"
                results.append(ItemResultV1(id=item_id, status=status))
            else:
                store[item_id] = digest
                results.append(ItemResultV1(id=item_id, status="created"))
        return httpx.Response(200, content=BatchResultV1(results=tuple(results)).model_dump_json())


def _pair(terminal: Terminal) -> None:
    response = PairResponseV1(
        tenant_id=demo_id("tenant"),
        tenant_slug="demo",
        outlet_id=demo_id("outlet"),
        outlet_code="DEMO",
        terminal_id=demo_id("terminal:T1"),
        terminal_code="T1",
        device_kind="terminal",
        access="access-1",
        refresh="refresh-1",
        server_time=datetime.now(UTC),
    )
    terminal.credentials.store_tokens(access=response.access, refresh=response.refresh)
    with terminal.uow() as uow:
        save_pairing(uow.session, response, SERVER)
        uow.commit()


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud()


@pytest.fixture
def engine(terminal: Terminal, cloud: FakeCloud) -> SyncEngine:
    _pair(terminal)
    simulate_sales(terminal.uow, orders=30, seed=11, cashier_pin=DEMO_CASHIER_PIN)
    return terminal.sync_engine(settings=FAST, transport=httpx.MockTransport(cloud))


def _queued(terminal: Terminal) -> list[SyncQueueItem]:
    with terminal.uow() as uow:
        return list(uow.session.scalars(select(SyncQueueItem).order_by(SyncQueueItem.id)))


def test_a_pass_delivers_everything_once_and_empties_the_outbox(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    queued = _queued(terminal)
    order_ids = {i.entity_id for i in queued if i.kind == "order"}
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error is None
    assert result.acknowledged == len(queued) == 31  # 30 orders + the shift-opened event
    assert set(cloud.orders) == order_ids
    assert len(cloud.events) == 1
    assert cloud.order_posts == 2  # batches of 20
    assert _queued(terminal) == []
    assert engine.state.pending == 0 and engine.state.online is True
    assert engine.state.last_success_at is not None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_transient_statuses_keep_every_row_and_back_off(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud, status: int
) -> None:
    before = [i.id for i in _queued(terminal)]
    cloud.faults = [lambda _r: httpx.Response(status)]
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error == f"HTTP {status}"
    assert 0 <= result.delay_s <= FAST.backoff_base_s
    assert [i.id for i in _queued(terminal)] == before
    assert all(i.attempts == 0 for i in _queued(terminal))  # the link failed, not the items
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert _queued(terminal) == []


def test_retry_after_is_honoured(engine: SyncEngine, cloud: FakeCloud) -> None:
    cloud.faults = [lambda _r: httpx.Response(429, headers={"Retry-After": "7"})]
    assert engine.run_pass(pull_catalog=False).delay_s == 7.0


def test_unreachable_server_means_offline_and_nothing_lost(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    cloud.faults = [refuse]
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error is not None
    assert engine.state.online is False
    assert engine.state.pending == 31


def test_a_lost_answer_is_resolved_by_the_duplicate_on_replay(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    def store_then_reset(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/orders/"):
            cloud.faults.insert(0, lambda _r: None)
            cloud(request)  # the server stores the batch ...
            raise httpx.ReadError("connection reset", request=request)  # ... the answer is lost
        return None  # type: ignore[return-value]

    cloud.faults = [lambda _r: None, store_then_reset]  # events go first, then the orders
    assert engine.run_pass(pull_catalog=False).transient_error is not None
    stored = dict(cloud.orders)
    assert len(stored) == 20 and len(_queued(terminal)) == 30
    time.sleep(0.02)
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert _queued(terminal) == []
    assert len(cloud.orders) == 30 and all(cloud.orders[k] == v for k, v in stored.items())


def test_a_rejected_order_needs_attention_after_five_tries_and_stays(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    victim = next(i.entity_id for i in _queued(terminal) if i.kind == "order")
    cloud.reject_ids.add(victim)
    for attempt in range(1, 6):
        time.sleep(0.02)  # past the item's own (tiny) backoff
        engine.run_pass(pull_catalog=False)
        (item,) = _queued(terminal)
        assert item.entity_id == victim and item.attempts == attempt
    assert item.status == "needs_attention"
    assert item.last_error == "rejected: tax mismatch"
    assert engine.state.needs_attention == 1
    assert len(cloud.orders) == 29  # the others were not held back
    time.sleep(0.02)
    engine.run_pass(pull_catalog=False)
    assert _queued(terminal)[0].attempts == 5  # no more tries until a manager says so


def test_an_expired_token_is_refreshed_once_and_the_rotation_saved(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    cloud.valid_access = "access-rotated-elsewhere"
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert cloud.refreshes == 1
    assert terminal.credentials.refresh_token() == "refresh-2"
    assert terminal.credentials.access_token() == "access-2"
    assert _queued(terminal) == []


def test_a_refused_device_token_flags_the_terminal_and_keeps_the_sales(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    cloud.valid_access = "nope"
    cloud.faults = [lambda _r: None, lambda _r: httpx.Response(401, json={})]
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error is not None
    assert engine.state.device_authorized is False
    assert len(_queued(terminal)) == 31


def test_catalog_pages_are_applied_in_order_with_their_cursor(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    latte = str(demo_id("product:Caffè latte"))
    croissant = str(demo_id("product:Croissant"))
    repriced = ProductV1(id=uuid.UUID(latte), name="Caffè latte", price_minor=34_000)
    cloud.catalog_pages = {
        "": CatalogPageV1(
            changes=(
                CatalogChangeV1(
                    entity="product",
                    id=repriced.id,
                    version=7,
                    data=repriced.model_dump(mode="json"),
                ),
            ),
            next_cursor="c1",
            has_more=True,
            catalog_version=7,
        ),
        "c1": CatalogPageV1(
            changes=(
                CatalogChangeV1(entity="product", id=uuid.UUID(croissant), version=8, deleted=True),
            ),
            next_cursor="c2",
            has_more=False,
            catalog_version=8,
        ),
    }
    with terminal.uow() as uow:
        put_setting(uow.session, SettingKey.CATALOG_CURSOR, "")
        uow.commit()
    seen: list[SyncState] = []
    engine.add_listener(seen.append)
    assert engine.run_pass(pull_catalog=True).transient_error is None
    with terminal.uow() as uow:
        assert uow.session.get(Product, latte).price_minor == 34_000  # type: ignore[union-attr]
        assert uow.session.get(Product, croissant) is None
        assert get_setting(uow.session, SettingKey.CATALOG_CURSOR) == "c2"
        assert uow.outbox.counts().pending == 0
    assert engine.state.catalog_version == 8
    assert seen and seen[-1].catalog_version == 8 and seen[-1].pending == 0
    assert json.loads(json.dumps(seen[-1].last_success_at.isoformat()))  # type: ignore[union-attr]


def test_a_catalog_push_heard_during_a_pull_makes_the_next_pass_pull_again(
    terminal: Terminal, cloud: FakeCloud
) -> None:
    """The link thread wakes the engine while a pass is pulling (the price was saved just
    after the pull read the feed): the pass must not plan its next pull 10 minutes out."""
    _pair(terminal)
    pulls: list[str] = []
    woken: list[SyncEngine] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/catalog/"):
            pulls.append(request.url.params["since"])
            if len(pulls) == 1:
                woken[0].wake(catalog=True)  # the push, heard mid-pull
        return cloud(request)

    engine = terminal.sync_engine(settings=FAST, transport=httpx.MockTransport(server))
    woken.append(engine)
    for since, version in (("demo", 1), ("c1", 2)):
        cloud.catalog_pages[since] = CatalogPageV1(
            changes=(), next_cursor="c1", has_more=False, catalog_version=version
        )
    assert engine.run_pass().transient_error is None
    assert engine.run_pass().transient_error is None
    assert pulls == ["demo", "c1"]
    assert engine.run_pass().transient_error is None
    assert pulls == ["demo", "c1"]  # no push since: the pull waits for its interval again


def test_backoff_counts_consecutive_failed_requests_only(
    engine: SyncEngine, terminal: Terminal, cloud: FakeCloud
) -> None:
    fail: Fault = lambda _r: httpx.Response(503)  # noqa: E731
    cloud.faults = [fail, fail]
    engine.run_pass(pull_catalog=False)
    engine.run_pass(pull_catalog=False)
    assert engine.backoff.failures == 2
    # events get through, then the first order batch fails: one failure, not three
    cloud.faults = [lambda _r: None, fail]
    result = engine.run_pass(pull_catalog=False)
    assert result.acknowledged == 1 and result.transient_error == "HTTP 503"
    assert engine.backoff.failures == 1
    assert len(_queued(terminal)) == 30


def test_the_probe_is_an_authenticated_ping_and_a_hung_server_is_offline(
    engine: SyncEngine, cloud: FakeCloud
) -> None:
    assert engine.probe_once() is True
    assert cloud.pings == 1 and engine.state.device_authorized is True
    cloud.silent = True  # accepts nothing back: what a TCP probe would have called online
    time.sleep(FAST.probe_interval_s)  # an answer that fresh would spare the ping
    assert engine.probe_once() is False
    assert "ReadTimeout" in (engine.state.last_error or "")
    cloud.silent = False
    assert engine.probe_once() is True


def test_a_pass_that_only_hears_silence_turns_the_light_off(
    engine: SyncEngine, cloud: FakeCloud, terminal: Terminal
) -> None:
    assert engine.run_pass(pull_catalog=False).transient_error is None
    assert engine.state.online is True
    cloud.silent = True
    assert engine.run_pass(pull_catalog=False, pull_ready=False).transient_error is None  # idle
    assert engine.state.online is True  # no request was made: nothing learned, nothing claimed
    simulate_sales(terminal.uow, orders=1, seed=3, cashier_pin=DEMO_CASHIER_PIN)
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error is not None and engine.state.online is False


def test_an_error_status_is_an_answer_and_leaves_the_light_on(
    engine: SyncEngine, cloud: FakeCloud
) -> None:
    assert engine.probe_once() is True
    cloud.faults = [lambda _r: httpx.Response(503)]
    assert engine.run_pass(pull_catalog=False).transient_error == "HTTP 503"
    assert engine.state.online is True


def test_a_revoked_device_is_not_authorised_and_not_online(
    engine: SyncEngine, cloud: FakeCloud
) -> None:
    assert engine.probe_once() is True
    cloud.revoked = True
    cloud.valid_access = "access-never"  # the stored token is refused, and so is the refresh
    time.sleep(FAST.probe_interval_s)
    assert engine.probe_once() is False
    assert engine.state.device_authorized is False
    result = engine.run_pass(pull_catalog=False)
    assert result.transient_error is not None
    assert engine.state.online is False and engine.state.device_authorized is False
    assert engine.state.pending == 31  # nothing lost while refused
