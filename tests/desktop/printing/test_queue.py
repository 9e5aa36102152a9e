"""The print queue: a sale never waits for a printer; jobs wait, retry and print once it is back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from pos_desktop.printing.connection import send_bytes
from pos_desktop.printing.document import PrintDocument, document_to_json
from pos_desktop.printing.paper import PAPER_80
from pos_desktop.printing.queue import (
    MemoryJobStore,
    PrintQueue,
    QueuedJob,
    Sender,
)
from pos_desktop.printing.render_escpos import render_escpos
from pos_desktop.printing.samples import SAMPLE_ORDER_ID
from pos_desktop.retry import RetryPolicy
from tests.desktop.printing.escpos_decoder import decode
from tests.desktop.printing.fake_printer import FakeNetworkPrinter

FAST = RetryPolicy(base_s=0.02, cap_s=0.1, max_attempts=1000)
WAIT_S = 5.0


class StatusLog:
    """Collects job states from the queue's listener and lets a test wait for one (bounded)."""

    def __init__(self) -> None:
        self.seen: list[QueuedJob] = []
        self._changed = threading.Condition()

    def __call__(self, job: QueuedJob) -> None:
        with self._changed:
            self.seen.append(job)
            self._changed.notify_all()

    def wait_for(self, job_id: str, status: str, timeout_s: float = WAIT_S) -> QueuedJob:
        with self._changed:
            assert self._changed.wait_for(
                lambda: any(j.id == job_id and j.status == status for j in self.seen), timeout_s
            ), f"job never became {status}: {[(j.status, j.last_error) for j in self.seen]}"
            return next(j for j in self.seen if j.id == job_id and j.status == status)

    def statuses(self, job_id: str) -> list[str]:
        with self._changed:
            return [j.status for j in self.seen if j.id == job_id]


@pytest.fixture
def status_log() -> StatusLog:
    return StatusLog()


class SwitchablePrinter:
    """A sender that fails like an offline printer until it is switched on."""

    def __init__(self, error: Exception) -> None:
        self.up = threading.Event()
        self.error = error
        self.received: list[bytes] = []

    def __call__(self, target: str, payload: bytes) -> None:
        self.received.append(payload)
        if not self.up.is_set():
            raise self.error


@contextmanager
def running_queue(
    status_log: StatusLog,
    sender: Sender = send_bytes,
    policy: RetryPolicy = FAST,
    store: MemoryJobStore | None = None,
) -> Iterator[PrintQueue]:
    """A started queue reporting to `status_log`, stopped afterwards."""
    print_queue = PrintQueue(store or MemoryJobStore(), sender=sender, policy=policy)
    print_queue.add_listener(status_log)
    print_queue.start()
    try:
        yield print_queue
    finally:
        print_queue.stop()


@pytest.fixture
def queue(status_log: StatusLog) -> Iterator[PrintQueue]:
    with running_queue(status_log) as print_queue:
        yield print_queue


def test_receipt_reaches_the_network_printer(
    queue: PrintQueue,
    status_log: StatusLog,
    fake_printer: FakeNetworkPrinter,
    receipt: PrintDocument,
) -> None:
    payload = render_escpos(receipt, PAPER_80)
    job = queue.enqueue(
        "receipt",
        fake_printer.url,
        payload,
        document_json=document_to_json(receipt),
        order_id=SAMPLE_ORDER_ID,
    )
    printed = status_log.wait_for(job.id, "printed")
    assert fake_printer.wait_for_jobs(1) == [payload]
    assert printed.attempts == 1 and printed.printed_at is not None
    assert status_log.statuses(job.id) == ["pending", "printing", "printed"]
    assert decode(fake_printer.jobs[0]).qr_codes[0].data.decode() == SAMPLE_ORDER_ID
    assert '"kind": "receipt"' in printed.document_json


def test_dead_printer_never_blocks_the_sale_and_prints_when_back(
    queue: PrintQueue, status_log: StatusLog, refused_port: int, receipt: PrintDocument
) -> None:
    url = f"tcp://127.0.0.1:{refused_port}"
    payload = render_escpos(receipt, PAPER_80)
    started = time.monotonic()
    first = queue.enqueue("receipt", url, payload)
    second = queue.enqueue("kitchen", url, payload + b"second")
    assert time.monotonic() - started < 0.2  # the cashier goes on with the next sale
    assert first.status == "pending"

    failed_once = _wait_for_failures(status_log, first.id, 2)
    assert failed_once.status == "pending"
    assert "refused" in (failed_once.last_error or "").lower()
    assert status_log.statuses(second.id) == ["pending"]  # waits behind the first, in order

    printer = FakeNetworkPrinter(port=refused_port)  # the printer comes back
    try:
        status_log.wait_for(second.id, "printed")
        assert printer.wait_for_jobs(2) == [payload, payload + b"second"]
        assert queue.get(first.id).status == "printed"  # type: ignore[union-attr]
    finally:
        printer.close()


def _wait_for_failures(status_log: StatusLog, job_id: str, count: int) -> QueuedJob:
    """Wait (bounded) until the job failed `count` times and went back to waiting."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        failures = [
            j
            for j in list(status_log.seen)
            if j.id == job_id and j.status == "pending" and j.last_error
        ]
        if len(failures) >= count:
            return failures[-1]
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not fail {count} times in {WAIT_S} s")


def test_sender_runs_on_the_worker_thread_not_the_callers(status_log: StatusLog) -> None:
    release = threading.Event()
    threads: list[str] = []

    def slow_printer(target: str, payload: bytes) -> None:
        threads.append(threading.current_thread().name)
        release.wait(WAIT_S)

    with running_queue(status_log, slow_printer) as queue:
        started = time.monotonic()
        job = queue.enqueue("receipt", "tcp://printer:9100", b"x\n")
        status_log.wait_for(job.id, "printing")
        assert time.monotonic() - started < 1.0
        assert queue.get(job.id).status == "printing"  # type: ignore[union-attr]
        release.set()
        status_log.wait_for(job.id, "printed")
        assert threads == ["print-queue tcp://printer:9100"]


def test_job_fails_after_max_attempts_and_can_be_retried(status_log: StatusLog) -> None:
    printer = SwitchablePrinter(ConnectionRefusedError("paper out"))
    with running_queue(status_log, printer, RetryPolicy(0.01, 0.02, 3)) as queue:
        job = queue.enqueue("report", "file:/dev/usb/lp0", b"z\n")
        failed = status_log.wait_for(job.id, "failed")
        assert failed.attempts == 3 and len(printer.received) == 3
        assert failed.last_error == "ConnectionRefusedError: paper out"
        printer.up.set()
        assert queue.retry(job.id) is not None
        printed = status_log.wait_for(job.id, "printed")
        assert printed.attempts == 1 and len(printer.received) == 4


def test_a_dead_printer_does_not_hold_back_another(
    queue: PrintQueue, status_log: StatusLog, refused_port: int, fake_printer: FakeNetworkPrinter
) -> None:
    stuck = queue.enqueue("kitchen", f"tcp://127.0.0.1:{refused_port}", b"bar\n")
    receipt = queue.enqueue("receipt", fake_printer.url, b"receipt\n")
    status_log.wait_for(receipt.id, "printed")
    assert fake_printer.wait_for_jobs(1) == [b"receipt\n"]
    assert queue.get(stuck.id).status in ("pending", "printing")  # type: ignore[union-attr]


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=30.0)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 5, 6, 20)] == [
        1.0,
        2.0,
        4.0,
        16.0,
        30.0,
        30.0,
    ]


def test_wake_skips_the_backoff(status_log: StatusLog) -> None:
    printer = SwitchablePrinter(OSError("offline"))
    with running_queue(status_log, printer, RetryPolicy(60.0, 60.0, 5)) as queue:
        job = queue.enqueue("test", "tcp://printer:9100", b"t\n")
        _wait_for_failures(status_log, job.id, 1)
        printer.up.set()
        queue.wake("tcp://printer:9100")  # e.g. a test print just worked
        status_log.wait_for(job.id, "printed", timeout_s=2.0)


def test_a_job_interrupted_by_a_crash_is_printed_after_restart(status_log: StatusLog) -> None:
    store = MemoryJobStore()
    sent: list[bytes] = []
    crashed = PrintQueue(store, sender=lambda target, payload: sent.append(payload))
    job = crashed.enqueue("receipt", "tcp://printer:9100", b"r\n")
    store.save(replace(job, status="printing", attempts=1))  # the process died mid-send
    with running_queue(status_log, lambda target, payload: sent.append(payload), store=store):
        status_log.wait_for(job.id, "printed")
        assert sent == [b"r\n"]


def test_a_hanging_printer_does_not_delay_another(status_log: StatusLog) -> None:
    """A printer that swallows the connection (until its timeout) holds only its own jobs."""
    release = threading.Event()
    delivered: list[str] = []

    def sender(target: str, payload: bytes) -> None:
        if target == "tcp://kitchen:9100":
            release.wait(WAIT_S)  # hangs like an unreachable host until the socket timeout
        delivered.append(target)

    with running_queue(status_log, sender) as queue:
        stuck = queue.enqueue("kitchen", "tcp://kitchen:9100", b"ticket\n")
        status_log.wait_for(stuck.id, "printing")
        receipt = queue.enqueue("receipt", "tcp://receipt:9100", b"receipt\n")
        status_log.wait_for(receipt.id, "printed", timeout_s=2.0)
        assert delivered == ["tcp://receipt:9100"]
        release.set()
        status_log.wait_for(stuck.id, "printed")


def test_retry_after_restart_restarts_the_printers_worker(status_log: StatusLog) -> None:
    store = MemoryJobStore()
    printer = SwitchablePrinter(OSError("offline"))
    with running_queue(status_log, printer, RetryPolicy(0.01, 0.01, 1), store) as queue:
        job = queue.enqueue("receipt", "tcp://printer:9100", b"r\n")
        status_log.wait_for(job.id, "failed")
    printer.up.set()
    with running_queue(status_log, printer, FAST, store) as queue:
        assert queue.retry(job.id) is not None
        status_log.wait_for(job.id, "printed")
