"""A till under fire, as its own process: the real services sell, the real sync engine relays.

    python -m tests.chaos.till_driver --data-dir DIR [--printer tcp://127.0.0.1:PORT]

The harness (`tests.chaos.fleet`) starts one per paired data folder and may SIGKILL it at
any moment. It reads one command a line on stdin and answers one JSON line on stdout:

  sell N SEED   ring up N sales through `simulate_sales` (one unit of work each, exactly as
                the screens pay); each sale nudges the sync worker and, with a printer, queues
                its receipt. Answers {"paid": [receipt numbers reported paid],
                "refused": [messages]}: a sale is reported paid only once `checkout` returned.
  checkpoint    truncate the WAL (so a full disk bites at the next sale)
  close         close the open shift (counted drawer = expected cash), as a manager would.
  state         {"pending", "needs_attention", "online", "jobs": {status: count}}
  quit          stop the worker and the print queue, then exit.

The sync worker runs with short delays (`CHAOS_SYNC`) so a trial lasts seconds, not minutes;
everything else (batching, backoff with full jitter, the probe) is the production code.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, SupportsIndex

from sqlalchemy import func, select

from pos_desktop.config import SyncSettings
from pos_desktop.ids import utcnow
from pos_desktop.printing.connection import send_bytes
from pos_desktop.printing.from_store import receipt_data_for_order
from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue
from pos_desktop.printing.service import PrintService
from pos_desktop.printing.settings import PrinterSettings
from pos_desktop.retry import RetryPolicy
from pos_desktop.services.errors import ServiceError
from pos_desktop.services.shifts import close_shift, open_shift_row, start_closing
from pos_desktop.services.simulate import outlet_cashier, simulate_sales
from pos_desktop.store.models import Order, PrintJob
from pos_desktop.terminal import Terminal

CHAOS_SYNC = SyncSettings(
    batch_size=20,
    backoff_base_s=0.2,
    backoff_cap_s=2.0,
    probe_interval_s=0.5,
    probe_timeout_s=1.0,
    connect_timeout_s=1.0,
    read_timeout_s=5.0,
    catalog_interval_s=2.0,
)
PRINT_RETRY = RetryPolicy(base_s=0.2, cap_s=1.0, max_attempts=8)
PRINT_TIMEOUT_S = 1.0


class Driver:
    def __init__(self, data_dir: Path, printer: str) -> None:
        self.terminal = Terminal(data_dir)
        self.engine = self.terminal.sync_engine(settings=CHAOS_SYNC)
        self.engine.idle_interval_s = 0.3
        self.printing: PrintService | None = None
        if printer:
            queue = PrintQueue(
                SqlJobStore(self.terminal.database.session_factory),
                sender=functools.partial(send_bytes, timeout_s=PRINT_TIMEOUT_S),
                policy=PRINT_RETRY,
            )
            queue.start()
            self.printing = PrintService(queue, PrinterSettings(receipt_printer=printer))
        self.engine.start()

    def sell(self, orders: int, seed: int) -> dict[str, Any]:
        paid: list[str] = []
        refused: list[str] = []
        for index in range(orders):
            try:
                result = simulate_sales(
                    self.terminal.uow, orders=1, seed=seed * 1000 + index, cashier_pin=None
                )
            except ServiceError as error:  # what the screen shows the cashier
                refused.append(f"{error.code}: {error.message}")
                continue
            except Exception as error:  # not a clear message: the harness counts it as a bug
                refused.append(f"unexpected {type(error).__name__}: {error}")
                continue
            assert result.last_receipt is not None
            paid.append(result.last_receipt)
            self.engine.nudge()
            if self.printing is not None:
                self._print(result.last_receipt)
        return {"paid": paid, "refused": refused}

    def _print(self, receipt_number: str) -> None:
        assert self.printing is not None
        try:
            with self.terminal.uow() as uow:
                order = uow.session.scalars(
                    select(Order).where(Order.receipt_number == receipt_number)
                ).one()
                data = receipt_data_for_order(uow.session, order)
            self.printing.print_receipt(data)
        except Exception as error:  # a receipt that cannot be queued never undoes the sale
            print(json.dumps({"log": f"receipt not queued: {error}"}), file=sys.stderr)

    def close(self) -> dict[str, Any]:
        with self.terminal.uow() as uow:
            if open_shift_row(uow.session) is None:
                return {"closed": None}
            cashier = outlet_cashier(uow)
        with self.terminal.uow() as uow:
            report = start_closing(uow)
        # Count exactly what is expected, in one "note" of that value (a zero drawer: none).
        expected = report.expected_cash_minor
        counted = {expected: 1} if expected > 0 else {}
        with self.terminal.uow() as uow:
            closed = close_shift(uow, cashier=cashier, counted=counted, confirm_unsynced=True)
        return {"closed": closed.shift_id, "expected_cash_minor": closed.expected_cash_minor}

    def checkpoint(self) -> dict[str, Any]:
        """Fold the WAL into the database and truncate it, as a quiet till does now and then:
        the next sale then needs fresh disk blocks (else it could reuse the WAL's own)."""
        raw = self.terminal.database.engine.raw_connection()  # outside any transaction
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
            assert row is not None
            busy, frames, moved = row
        finally:
            raw.close()
        return {"busy": busy, "frames": frames, "moved": moved}

    def state(self) -> dict[str, Any]:
        with self.terminal.uow() as uow:
            queue = uow.outbox.counts()
            jobs = Counter(
                dict(
                    uow.session.execute(
                        select(PrintJob.status, func.count()).group_by(PrintJob.status)
                    ).all()
                )
            )
        return {
            "pending": queue.pending,
            "needs_attention": queue.needs_attention,
            "online": self.engine.state.online,
            "jobs": dict(jobs),
            "now": utcnow().isoformat(),
        }

    def stop(self) -> None:
        self.engine.stop()
        if self.printing is not None:
            self.printing.queue.stop()
        self.terminal.close()


def _sleep_on_a_monotonic_wait(seconds: float | SupportsIndex) -> None:
    """`time.sleep` without clock_nanosleep, which libfaketime breaks (EINVAL) for a clock set
    back; a process whose wall clock jumps still sleeps by its monotonic clock this way."""
    threading.Event().wait(float(seconds))


def main() -> int:
    if os.environ.get("FAKETIME_TIMESTAMP_FILE"):
        time.sleep = _sleep_on_a_monotonic_wait
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--printer", default="")
    args = parser.parse_args()
    driver = Driver(args.data_dir, args.printer)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command, *rest = line.split()
        answer: dict[str, Any]
        try:
            if command == "sell":
                answer = driver.sell(int(rest[0]), int(rest[1]))
            elif command == "close":
                answer = driver.close()
            elif command == "checkpoint":
                answer = driver.checkpoint()
            elif command == "state":
                answer = driver.state()
            elif command == "quit":
                break
            else:
                answer = {"error": f"unknown command {command}"}
        except Exception as error:  # the harness decides; the driver keeps running
            traceback.print_exc()
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)
    driver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
