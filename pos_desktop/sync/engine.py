"""The sync worker: drains the outbox in batches and pulls the catalog, off the UI thread.

One pass (`run_pass`) is plain, synchronous and testable; `start()` runs passes on an
APScheduler background thread with its own sessions, spaced by the backoff, plus a probe
(`probe_once`) every `probe_interval_s`: an authenticated ping with a short timeout, so the
online flag follows the link within seconds. Online means the server answered one of this
device's authenticated requests recently; a TCP port that accepts proves nothing (a hung
server still accepts). Every answer or silence of a pass or a probe updates the state.
Over 500 lines on purpose: the pass, the probe, the scheduler and the live link's hooks
share one state, one backoff and one lock.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from pos_desktop.config import APP_VERSION, DEFAULT_SYNC, SyncSettings
from pos_desktop.ids import utcnow
from pos_desktop.retry import Backoff, RetryPolicy
from pos_desktop.services.catalog import apply_catalog_page
from pos_desktop.store.db import Database
from pos_desktop.store.models import SyncQueueItem
from pos_desktop.store.outbox import QueueKind
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.client import (
    DeviceNotAuthorized,
    RejectedError,
    SyncClient,
    SyncError,
    TransientError,
)
from pos_desktop.sync.failures import record_failure
from pos_desktop.sync.link import LINKED_CATALOG_INTERVAL_S, LINKED_READY_INTERVAL_S
from pos_desktop.sync.receipt_logo import fetch_receipt_logo
from pos_desktop.sync.self_report import self_report
from shared.protocol import (
    BatchResultV1,
    EventBatchV1,
    OrderBatchV1,
    OrderReadyV1,
    OrderV1,
    SyncEventV1,
    TillStatusV1,
)

log = logging.getLogger(__name__)
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(SyncEventV1)
MAX_CATALOG_PAGES_PER_PASS = 50
CLOCK_WATCH_S = 1.0
CLOCK_JUMP_S = 5.0
"""A wall-clock change this large between two looks is a jump (NTP slews far less)."""
LOGO_RETRY_S = 30.0
"""How soon a receipt logo that could not be fetched is tried again (not at every pass)."""
REFUSED_PROBE_INTERVAL_S = 30.0
"""How often a till whose credentials were refused asks again: only pairing can help it, so
it need not knock every 2 s (each knock is a refused token refresh on the server)."""


@dataclass(frozen=True)
class SyncState:
    """What listeners (status bar, CLI, tests) see; replaced whole on every change.

    `online` is None until the first request ended; `device_authorized` turns False when the
    server refuses this device's credentials (then `online` is False too: nothing syncs).
    """

    online: bool | None = None
    pending: int = 0
    needs_attention: int = 0
    last_success_at: datetime | None = None
    last_error: str | None = None
    catalog_version: int = 0
    device_authorized: bool = True
    next_attempt_in_s: float = 0.0


@dataclass(frozen=True)
class PassResult:
    """What one pass did; `delay_s` is how long the worker waits before the next one."""

    acknowledged: int = 0
    failed: int = 0
    transient_error: str | None = None
    delay_s: float = 0.0


Listener = Callable[[SyncState], None]
ReadyListener = Callable[[list[OrderReadyV1]], None]


@dataclass(frozen=True)
class _Outgoing:
    """An outbox row copied out of its transaction, so no lock is held while sending."""

    queue_id: int
    kind: str
    entity_id: str
    payload: str


class SyncEngine:
    """Pushes outbox rows, pulls catalog pages, and keeps `state` up to date for listeners."""

    def __init__(
        self,
        database: Database,
        client: SyncClient,
        *,
        settings: SyncSettings = DEFAULT_SYNC,
        rng: random.Random | None = None,
        idle_interval_s: float = 1.0,
        ready_interval_s: float = 5.0,
    ) -> None:
        self.database = database
        self.client = client
        self.settings = settings
        self.rng = rng or random.Random()
        self.idle_interval_s = idle_interval_s
        self.ready_interval_s = ready_interval_s
        link = RetryPolicy(base_s=settings.backoff_base_s, cap_s=settings.backoff_cap_s)
        self.backoff = Backoff(link, rng=self.rng)
        self.policy = replace(link, max_attempts=settings.max_item_failures)
        self._state = SyncState()
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._scheduler: BackgroundScheduler | None = None
        self._clock_watch = threading.Event()
        self._planned_due: dict[str, float] = {}  # job id -> when it is due, monotonic
        self._catalog_due_at: datetime | None = None
        self._logo_retry_at: datetime | None = None
        self._ready_due_at: datetime | None = None
        self._ready_listeners: list[ReadyListener] = []
        self._ready_notices: list[OrderReadyV1] = []
        self._nudged = False
        self._pushes_resume_at: float | None = None
        """time.monotonic() when the pass after a failed one may push again (its backoff)."""
        self._offline_failure = False
        self._answered_at: float | None = None  # time.monotonic() of the last authenticated answer
        self.linked = False
        """The live link is up: it drives the online light and pushes replace most polls."""
        self.link: Any = None  # pos_desktop.sync.link.TillLink once started

    # --- state for listeners ---

    @property
    def state(self) -> SyncState:
        with self._lock:
            return self._state

    def add_listener(self, listener: Listener) -> None:
        """Called (on the worker thread) with every new state; a Qt screen re-emits a signal."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def add_ready_listener(self, listener: ReadyListener) -> None:
        """Called (on the worker thread) with the orders the kitchen just finished."""
        with self._lock:
            self._ready_listeners.append(listener)

    def remove_ready_listener(self, listener: ReadyListener) -> None:
        with self._lock:
            self._ready_listeners.remove(listener)

    def take_ready(self) -> list[OrderReadyV1]:
        """The ready orders heard of since the last call, oldest first, each handed out once."""
        with self._lock:
            taken, self._ready_notices = self._ready_notices, []
        return taken

    def use_server_url(self, server_url: str) -> None:
        """Talk to another address from the next request on (the manager changed it)."""
        old, self.client = self.client, self.client.at(server_url)
        old.close()  # a request in flight on it fails as transient and is retried

    def _update(self, **changes: Any) -> None:
        with self._lock:
            new_state = replace(self._state, **changes)
            changed = new_state != self._state
            self._state = new_state
            listeners = list(self._listeners)
        if changed:
            for listener in listeners:
                try:
                    listener(new_state)
                except Exception:  # a broken screen must not stop the sales from syncing
                    log.exception("sync state listener failed")

    def refresh_counts(self) -> None:
        """Re-read pending / needs-attention counts and the catalog version from the store."""
        with UnitOfWork(self.database.session_factory) as uow:
            queue = uow.outbox.counts()
            version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
        self._update(
            pending=queue.pending, needs_attention=queue.needs_attention, catalog_version=version
        )

    # --- one pass ---

    def run_pass(
        self,
        *,
        pull_catalog: bool | None = None,
        pull_ready: bool | None = None,
        push: bool = True,
    ) -> PassResult:
        """Push everything due, then pull the catalog and the kitchen's ready orders when due;
        never raises for link trouble.

        The catalog pull does not wait on the pushes: when a push fails but the server
        answered (an error status, such as a 503 for one batch it cannot store now) the
        catalog is still pulled when due, so price changes keep reaching a till whose sales
        wait; the pass still reports the push's error and backs off, and a failed pull then
        is logged, never reported in its place. Unanswered (offline), the pass ends at the
        push. `push=False` pulls only (catalog and ready orders when due) and leaves the
        backoff and the state's error alone (`_tick` while the pushes back off).
        """
        acknowledged = failed = 0
        push_error: TransientError | None = None
        started = utcnow()  # a pass tries each item at most once: what fails now waits
        try:
            while push:
                sent = self._push_one_batch(started)
                if sent is None:
                    break
                self.backoff.succeeded()  # the link carried a request: count failures afresh
                acknowledged += sent[0]
                failed += sent[1]
        except TransientError as exc:
            if exc.offline:  # no answer at all: a pull would only wait out its timeout too
                return self._failed_pass(exc, acknowledged, failed)
            push_error = exc
        except DeviceNotAuthorized as exc:
            return self._refused_pass(exc, acknowledged, failed)
        try:
            pulled = self._pull_catalog_when_due(pull_catalog)
        except (TransientError, RejectedError) as exc:
            if push_error is None and push:
                return self._failed_pass(exc, acknowledged, failed)
            log.warning("catalog pull failed: %s", exc)  # the push's error is the pass's
            pulled = False
        except DeviceNotAuthorized as exc:
            return self._refused_pass(exc, acknowledged, failed)
        if push_error is not None:  # ready notices wait for the pushes (or a link push)
            return self._failed_pass(push_error, acknowledged, failed)
        now = utcnow()
        self._pull_ready_when_due(pull_ready, now)
        if push:
            self.backoff.succeeded()
            self._offline_failure = False
        if self._logo_retry_at is not None and now >= self._logo_retry_at:
            self._fetch_receipt_logo()
        if acknowledged or pulled:
            with UnitOfWork(self.database.session_factory) as uow:
                put_setting(uow.session, SettingKey.LAST_SYNC, now.isoformat())
                uow.commit()
        if push:
            self._update(last_success_at=now, last_error=None, next_attempt_in_s=0.0)
        self.refresh_counts()
        return PassResult(acknowledged, failed, None, 0.0)

    def _pull_catalog_when_due(self, pull_catalog: bool | None) -> bool:
        """Pull the catalog if asked to (True), or if due (None); whether it was pulled."""
        now = utcnow()
        if not (
            pull_catalog
            or (
                pull_catalog is None
                and (self._catalog_due_at is None or now >= self._catalog_due_at)
            )
        ):
            return False
        every_s = self.settings.catalog_interval_s
        if self.linked:
            every_s = LINKED_CATALOG_INTERVAL_S
        # Planned before the pull: a push heard during it (`wake`) clears this again,
        # so the next pass pulls what the push announced instead of waiting 10 min.
        self._catalog_due_at = now + timedelta(seconds=every_s)
        try:
            self.pull_catalog()
        except BaseException:
            self._catalog_due_at = None  # not pulled: still due
            raise
        return True

    def _pull_ready_when_due(self, pull_ready: bool | None, now: datetime) -> None:
        """Ask for this till's ready orders if asked to (True), or if due (None)."""
        if pull_ready or (
            pull_ready is None and (self._ready_due_at is None or now >= self._ready_due_at)
        ):
            every_s = LINKED_READY_INTERVAL_S if self.linked else self.ready_interval_s
            self._ready_due_at = now + timedelta(seconds=every_s)
            try:
                self.pull_ready()
            except SyncError as exc:  # a notice is a courtesy: the sales already went through
                log.warning("order-ready poll failed: %s", exc)

    def _failed_pass(
        self, exc: TransientError | RejectedError, acknowledged: int, failed: int
    ) -> PassResult:
        """Back off after a transient failure, or after the catalog feed refused us (keep
        selling, say so)."""
        if isinstance(exc, TransientError):
            delay_s = self.backoff.failed(exc.retry_after_s)
            self._offline_failure = exc.offline
            if exc.offline:  # no answer at all; an HTTP error status leaves the light alone
                self._update(online=False)
            self._update(last_error=str(exc), next_attempt_in_s=delay_s)
        else:
            delay_s = self.backoff.failed()
            self._update(last_error=f"catalog: {exc}", next_attempt_in_s=delay_s)
        self.refresh_counts()
        return PassResult(acknowledged, failed, str(exc), delay_s)

    def _refused_pass(self, exc: DeviceNotAuthorized, acknowledged: int, failed: int) -> PassResult:
        delay_s = self.backoff.failed()
        self._refused(exc)
        self._update(next_attempt_in_s=delay_s)
        self.refresh_counts()
        return PassResult(acknowledged, failed, str(exc), delay_s)

    def _push_one_batch(self, due_by: datetime) -> tuple[int, int] | None:
        """Send one run of items due by `due_by`, of one kind; None when nothing is due.

        Three steps, and the database is never locked across the network: read the run
        (short read), send it (no transaction open, so checkout is never blocked by a slow
        server), then record acknowledgements and failures (short write).
        """
        with UnitOfWork(self.database.session_factory) as uow:
            run = [
                _Outgoing(item.id, item.kind, item.entity_id, item.payload)
                for item in uow.outbox.due_run(due_by, self.settings.batch_size)
            ]
            waiting = uow.outbox.counts()
            own = self_report(uow.session) if run else None
        if not run or own is None:
            return None
        # Sent with the batch for the back office's sync health: what still waits after it,
        # and what the link's heartbeat says too (a till whose link is down reports them here).
        till_status = TillStatusV1(
            pending_sales=max(waiting.pending - len(run), 0),
            needs_attention=waiting.needs_attention,
            app_version=APP_VERSION,
            last_sale_at=own.last_sale_at,
            catalog_version=own.catalog_version,
        )
        errors: dict[int, str] = {}
        ready: list[tuple[_Outgoing, BaseModel]] = []
        for outgoing in run:
            try:
                ready.append((outgoing, self._parse(outgoing.kind, outgoing.payload)))
            except ValidationError as exc:
                errors[outgoing.queue_id] = f"payload unreadable: {exc}"
        acked: list[int] = []
        if ready:
            try:
                result = self._send(run[0].kind, [model for _, model in ready], till_status)
            except RejectedError as exc:
                errors.update({outgoing.queue_id: str(exc) for outgoing, _ in ready})
            else:
                self._answered()
                by_id = {r.id.lower(): r for r in result.results}
                for outgoing, _ in ready:
                    outcome = by_id.get(outgoing.entity_id.lower())
                    if outcome is not None and outcome.acknowledged:
                        acked.append(outgoing.queue_id)
                    elif outcome is None:
                        errors[outgoing.queue_id] = "the server returned no result for this item"
                    else:
                        detail = outcome.error.message if outcome.error else ""
                        errors[outgoing.queue_id] = f"{outcome.status}: {detail}".strip(": ")
        with UnitOfWork(self.database.session_factory) as uow:
            now = utcnow()
            uow.outbox.acknowledge(acked)
            if errors:
                failing = uow.session.scalars(
                    select(SyncQueueItem).where(SyncQueueItem.id.in_(list(errors)))
                )
                for item in failing:
                    record_failure(item, errors[item.id], now=now, policy=self.policy, rng=self.rng)
            uow.commit()
        return len(acked), len(errors)

    @staticmethod
    def _parse(kind: str, payload: str) -> BaseModel:
        if kind == QueueKind.ORDER.value:
            return OrderV1.model_validate_json(payload)
        parsed: BaseModel = EVENT_ADAPTER.validate_json(payload)
        return parsed

    def _send(self, kind: str, models: list[BaseModel], status: TillStatusV1) -> BatchResultV1:
        if kind == QueueKind.ORDER.value:
            return self.client.push_orders(OrderBatchV1(orders=tuple(models), till_status=status))
        return self.client.push_events(EventBatchV1(events=tuple(models), till_status=status))

    def pull_catalog(self) -> int:
        """Apply catalog pages after the stored cursor; each page commits with its cursor."""
        applied = 0
        for _ in range(MAX_CATALOG_PAGES_PER_PASS):
            with UnitOfWork(self.database.session_factory) as uow:
                cursor = str(get_setting(uow.session, SettingKey.CATALOG_CURSOR, ""))
            page = self.client.catalog_page(cursor, self.settings.catalog_page_size)
            self._answered()
            with UnitOfWork(self.database.session_factory) as uow:
                apply_catalog_page(uow.session, page)
                uow.commit()
            applied += len(page.changes)
            self._update(catalog_version=page.catalog_version)
            if not page.has_more:
                break
        self._fetch_receipt_logo()
        return applied

    def _fetch_receipt_logo(self) -> None:
        """The pulled settings may name a new receipt logo: fetch it now. Never raises: a
        failure is tried again after LOGO_RETRY_S, and receipts print meanwhile."""
        try:
            done = fetch_receipt_logo(self.database, self.client)
        except (SyncError, SQLAlchemyError) as exc:  # offline, or a disk that refuses it
            log.warning("receipt logo not fetched: %s", exc)
            done = False
        self._logo_retry_at = None if done else utcnow() + timedelta(seconds=LOGO_RETRY_S)

    def pull_ready(self) -> list[OrderReadyV1]:
        """Ask which of this terminal's orders became ready after the stored cursor.

        The cursor is a server time (the newest `ready_at` seen), kept in the settings, so a
        restart neither repeats nor loses a notice. A terminal without a cursor yet (paired
        before notices existed) takes the current state as its starting point: no flood of
        old orders. New orders go to the listeners and wait for `take_ready`.
        """
        with UnitOfWork(self.database.session_factory) as uow:
            cursor = get_setting(uow.session, SettingKey.READY_CURSOR) or None
        page = self.client.ready_orders(cursor)
        self._answered()
        fresh = list(page.orders) if cursor else []
        latest = max((order.ready_at for order in page.orders), default=None)
        moved_to = latest.isoformat() if latest else (cursor or page.server_time.isoformat())
        if moved_to != cursor:
            with UnitOfWork(self.database.session_factory) as uow:
                put_setting(uow.session, SettingKey.READY_CURSOR, moved_to)
                uow.commit()
        if fresh:
            with self._lock:
                self._ready_notices.extend(fresh)
                listeners = list(self._ready_listeners)
            for listener in listeners:
                try:
                    listener(fresh)
                except Exception:  # a broken screen must not stop the sync
                    log.exception("order-ready listener failed")
        return fresh

    # --- the online light ---

    def _answered(self) -> None:
        """The server answered an authenticated request: online, and this device is trusted."""
        self._answered_at = time.monotonic()
        self._update(online=True, device_authorized=True)

    def _refused(self, exc: SyncError) -> None:
        """The server refuses this device's credentials: not online, and a manager must pair."""
        self._update(online=False, device_authorized=False, last_error=str(exc))

    def probe_once(self) -> bool | None:
        """Ping the server (authenticated, short timeout) unless it answered moments ago.

        Returns the online flag afterwards. A 403 on the ping (the token is valid but no
        longer for this tenant or device) counts as refused credentials, like a 401.
        """
        if self.linked:  # the link's answered pings keep the light
            return self.state.online
        answered_at = self._answered_at
        if (
            answered_at is not None
            and time.monotonic() - answered_at < self.settings.probe_interval_s
        ):
            return self.state.online
        was_online = self.state.online
        try:
            self.client.ping(self.settings.probe_timeout_s)
        except DeviceNotAuthorized as exc:
            self._refused(exc)
        except RejectedError as exc:
            if exc.status_code == 403:
                self._refused(DeviceNotAuthorized(str(exc)))
            else:
                self._update(online=False, last_error=f"ping: {exc}")
        except TransientError as exc:  # silence, or an answer that is not an authenticated one
            self._update(online=False, last_error=str(exc))
        else:
            self._answered()
            if was_online is False and self._offline_failure:
                # The link is back: a backoff meant for a dead network would only delay sales.
                self.backoff.succeeded()
                self.nudge()
            if was_online is False and self.link is not None:
                self.link.retry_now()  # the server answers again: reopen the socket now
        return self.state.online

    # --- background worker ---

    def start(self) -> None:
        """Run passes and probes on a background thread (never the UI thread).

        A pass schedules the next one when it ends (after the backoff delay, or the idle
        interval), so passes never overlap; the probe runs on its own interval.
        """
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(2)}, timezone="UTC"
        )
        self._scheduler = scheduler
        scheduler.start()
        self._schedule_probe(0.0)
        self._schedule_pass(0.0)
        self._clock_watch = threading.Event()
        threading.Thread(
            target=self._watch_clock, args=(self._clock_watch,), name="sync-clock", daemon=True
        ).start()
        if self.settings.live_link:
            from pos_desktop.sync.link import TillLink  # the link drives this engine

            self.link = TillLink(self)
            self.link.start()

    def stop(self) -> None:
        """Stop after the running pass; what is unsent stays in the outbox."""
        scheduler, self._scheduler = self._scheduler, None
        self._clock_watch.set()
        if self.link is not None:
            self.link.stop()
            self.link = None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self.client.close()

    def _watch_clock(self, stopped: threading.Event) -> None:
        """The scheduler times its jobs by the wall clock: set back by hours, it would wait
        hours before the next pass and probe. Each look compares every job's wall-clock due
        time with the monotonic one it was planned for; a job due later than planned was
        scheduled by a clock that has moved since (the jump itself, or a pass that read the
        clock just before the jump and added its successor just after), and is made due now.
        Each then schedules its successor by the new clock."""
        offset = time.time() - time.monotonic()
        while not stopped.wait(CLOCK_WATCH_S):
            moved_s = time.time() - time.monotonic() - offset
            jumped = abs(moved_s) >= CLOCK_JUMP_S
            if jumped:
                offset += moved_s
                log.warning("the wall clock moved %+.0f s: sync pass and probe run now", moved_s)
            self._make_due_what_the_clock_delayed(everything=jumped)

    def _make_due_what_the_clock_delayed(self, *, everything: bool) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        for job_id, due_at in list(self._planned_due.items()):
            job = scheduler.get_job(job_id)
            if job is None or job.next_run_time is None:
                continue  # running now: it schedules its successor afresh
            wall_wait_s = (job.next_run_time - utcnow()).total_seconds()
            late_by_s = wall_wait_s - (due_at - time.monotonic())
            if everything or late_by_s > CLOCK_JUMP_S:
                with contextlib.suppress(JobLookupError):  # it just started running
                    scheduler.modify_job(job_id, next_run_time=utcnow())

    def _add_timed_job(self, job_id: str, run: Callable[[], None], delay_s: float) -> None:
        """Add `run` as job `job_id` due in `delay_s`, remembering when that is by the
        monotonic clock for the clock watch (planned first: a watch between the two lines
        sees the old job due earlier than planned, which it leaves alone)."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        self._planned_due[job_id] = time.monotonic() + delay_s
        scheduler.add_job(
            run,
            "date",
            run_date=utcnow() + timedelta(seconds=delay_s),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
            # The job is added from the end of the running one (or made due by a nudge while
            # it ends): with one instance allowed the scheduler skips it as a second instance
            # and drops it, and it would never run again. Runs still never overlap: the next
            # one exists only once the running one is over.
            max_instances=2,
        )

    def _schedule_pass(self, delay_s: float) -> None:
        with self._lock:
            if self._nudged:
                delay_s, self._nudged = 0.0, False
        self._add_timed_job("pass", self._tick, delay_s)

    def nudge(self) -> None:
        """Something was just sold: push now, unless the link is backing off."""
        if self.backoff.failures:
            return
        self._bring_pass_forward()

    def _bring_pass_forward(self) -> None:
        """Run the next pass now (while backing off, `_tick` makes it a pull-only one)."""
        if self._scheduler is None:
            return
        try:
            self._scheduler.modify_job("pass", next_run_time=utcnow())
        except JobLookupError:  # a pass is running: the next one starts right after it
            with self._lock:
                self._nudged = True

    # --- the live link (pos_desktop.sync.link calls these from its thread) ---

    def wake(self, *, catalog: bool = False, ready: bool = False) -> None:
        """A push said the catalog or this till's ready orders changed: pull them now.

        Even while the pushes back off (the orders endpoint answered 503 to a batch, say): a
        push over the link proves the server reachable, so the catalog or the ready orders
        are fetched at once, by a pull-only pass brought forward (`_tick`). The pushes keep
        the time their backoff chose: a price change does not knock once more on an orders
        endpoint that is failing, nor does each of the link's retries after a catalog push.
        """
        if catalog:
            self._catalog_due_at = None
        if ready:
            self._ready_due_at = None
        self._bring_pass_forward()

    def link_up(self) -> None:
        """The link is open: it drives the light now; pull what pushes missed while it was down."""
        self.linked = True
        self.backoff.succeeded()
        self._answered()
        self.wake(catalog=True, ready=True)

    def link_alive(self) -> None:
        """The server answered the link's ping."""
        self._answered()

    def link_down(self) -> None:
        """The link broke or hung: the light goes off until a probe or the link says otherwise."""
        self.linked = False
        self._update(online=False)

    def link_refused(self, reason: str) -> None:
        """The server refuses this device on the link (revoked, paired again)."""
        self.linked = False
        self._refused(DeviceNotAuthorized(reason))

    def _tick(self) -> None:
        """One scheduled pass. Run before the pushes' backoff is over (a `wake`, a clock
        jump), it only pulls, then the pushes' pass is planned for when it was due."""
        resumes_at = self._pushes_resume_at
        if self.backoff.failures and resumes_at is not None and time.monotonic() < resumes_at:
            try:
                self.run_pass(push=False)
            except Exception:  # a bug must not stop the worker for good; log and go on
                log.exception("sync pull failed")
            finally:
                self._schedule_pass(max(resumes_at - time.monotonic(), 0.0))
            return
        delay_s = self.idle_interval_s
        try:
            result = self.run_pass()
            delay_s = result.delay_s or self.idle_interval_s
        except Exception:  # a bug must not stop the worker for good; log and try later
            log.exception("sync pass failed")
            delay_s = self.backoff.failed()
        finally:
            self._pushes_resume_at = time.monotonic() + delay_s
            self._schedule_pass(delay_s)

    def _schedule_probe(self, delay_s: float) -> None:
        """The next probe `delay_s` after this one ended: a slow ping never piles up."""
        self._add_timed_job("probe", self._probe_tick, delay_s)

    def _probe_tick(self) -> None:
        try:
            self.probe_once()
        except Exception:  # a bug must not leave the light stuck; log and probe again
            log.exception("sync probe failed")
        finally:
            refused = not self.state.device_authorized
            self._schedule_probe(
                max(self.settings.probe_interval_s, REFUSED_PROBE_INTERVAL_S)
                if refused
                else self.settings.probe_interval_s
            )
