"""The fault kinds of the proof: each trial sells through the fault, heals it, lets the fleet
recover by itself and checks every invariant (`Fleet.settle`).

A trial is a function of the fleet and a seeded random source; the kind's name is the row of
the proof table. Timings (when the kill lands, how long a cut lasts) come from the seed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random

from tests.chaos.fleet import FAKETIME_LIB, ChaosFailure, Fleet, Settled

RECOVERY_TIMEOUT_S = 60.0
"""A fault healed must be recovered from within this (the kitchen's safety check is 15 s)."""


@dataclass
class Trial:
    kind: str
    settled: Settled
    notes: str = ""


def _maybe_close_a_shift(fleet: Fleet, rng: Random) -> None:
    """Now and then a cashier closes the shift mid-fault: its totals are checked too."""
    if rng.random() < 0.15:
        till = rng.choice(fleet.tills)
        if till.alive:
            till.ask("close", timeout_s=60)


def _sell(fleet: Fleet, rng: Random, low: int = 1, high: int = 2) -> None:
    """A few sales, each on a till picked at random (a trial stays a few seconds long)."""
    for _ in range(rng.randint(low, high)):
        alive = [till for till in fleet.tills if till.alive]
        if alive:
            rng.choice(alive).sell(1, rng.randrange(1 << 30))


def till_kill(fleet: Fleet, rng: Random) -> str:
    """SIGKILL a till while it sells (mid-checkout) and syncs; the harness starts it again."""
    till = rng.choice(fleet.tills)
    _sell(fleet, rng)
    till.send(f"sell {rng.randint(2, 6)} {rng.randrange(1 << 30)}")  # the answer never comes
    time.sleep(rng.uniform(0.0, 0.8))
    till.kill()
    return f"{till.data_dir.name} killed"


def server_kill(fleet: Fleet, rng: Random) -> str:
    """SIGKILL the server during ingest, catalog pulls (every 2 s) and kitchen fan-out."""
    _sell(fleet, rng, 2, 4)
    time.sleep(rng.uniform(0.0, 0.6))
    fleet.server.kill()
    _sell(fleet, rng)  # the tills keep selling while the cloud is down
    _maybe_close_a_shift(fleet, rng)
    return "server killed"


def database_terminate(fleet: Fleet, rng: Random) -> str:
    """`pg_terminate_backend` on every connection of the run's database, a few times, mid-ingest."""
    _sell(fleet, rng, 2, 4)
    terminated = 0
    for _ in range(rng.randint(1, 3)):
        time.sleep(rng.uniform(0.0, 0.4))
        terminated += fleet.terminate_database_backends()
        _sell(fleet, rng, 1, 1)
    return f"{terminated} backends terminated"


def redis_restart(fleet: Fleet, rng: Random) -> str:
    """The channel layer's Redis killed and started again while screens are connected."""
    _sell(fleet, rng)
    fleet.redis.kill()
    _sell(fleet, rng)
    time.sleep(rng.uniform(0.0, 1.0))
    fleet.redis.start()
    _sell(fleet, rng)
    return "redis restarted"


def _network(fleet: Fleet, rng: Random, **plan: float) -> None:
    for name, chance in plan.items():
        setattr(fleet.plan, name, chance)
    fleet.plan.enabled = True
    _sell(fleet, rng, 2, 4)
    time.sleep(rng.uniform(0.2, 1.0))
    _maybe_close_a_shift(fleet, rng)
    _sell(fleet, rng)
    for name in plan:
        setattr(fleet.plan, name, 0.0)


def network_cut(fleet: Fleet, rng: Random) -> str:
    """Till↔server and kitchen screen↔server cut (every request dropped, sockets reset)."""
    fleet.kitchen_link.set_mode("cut")
    _network(fleet, rng, drop=1.0)
    return "cut"


def network_slow(fleet: Fleet, rng: Random) -> str:
    """Every request held back 0.2–1.5 s; the kitchen link's every chunk held back."""
    fleet.kitchen_link.set_mode("slow")
    _network(fleet, rng, delay=1.0)
    return "slow"


def network_lossy(fleet: Fleet, rng: Random) -> str:
    """Requests dropped, 500s and 429s at random; the kitchen link stutters and resets."""
    fleet.kitchen_link.set_mode("lossy")
    _network(fleet, rng, drop=0.25, delay=0.15, error_500=0.1, throttle_429=0.05)
    return "lossy"


def network_answer_lost(fleet: Fleet, rng: Random) -> str:
    """The server did the work, the answer never arrived (TCP reset after the request)."""
    fleet.kitchen_link.reset_chance = 0.3
    fleet.kitchen_link.set_mode("lossy")
    try:
        _network(fleet, rng, reset_after=0.6)
    finally:
        fleet.kitchen_link.reset_chance = 0.05
    return "answer lost"


FILLER = ".chaos-filler"
MOST_SALES_ON_A_FULL_DISK = 40


def disk_full(fleet: Fleet, rng: Random) -> str:
    """The till's disk filled up: its sales are refused with a clear message, never reported
    paid, nothing stored is damaged; the other till sells on; space back, it sells again."""
    till = rng.choice(fleet.tills)
    if not fleet.disk_full_by_mount:
        raise ChaosFailure("the disk-full trial needs root to mount a small tmpfs per till")
    _sell(fleet, rng)
    filler = till.data_dir / FILLER
    paid_before = len(till.paid)
    refused_before = len(till.refused)
    try:
        till.ask("checkpoint")
        fill_disk(filler)
        for _ in range(MOST_SALES_ON_A_FULL_DISK):  # free pages inside the file go first
            if till.sell(1, rng.randrange(1 << 30))["refused"]:
                break
        till.sell(rng.randint(0, 2), rng.randrange(1 << 30))  # and it stays refused
        others = [other for other in fleet.tills if other is not till]
        for other in others:
            other.sell(1, rng.randrange(1 << 30))
    finally:
        filler.unlink(missing_ok=True)
    # A sale paid despite the full disk (SQLite had free pages left) is checked as stored.
    refused = len(till.refused) - refused_before
    if not refused:
        raise ChaosFailure(f"{till.data_dir.name} sold on a full disk (the fill did not bite)")
    till.sell(1, rng.randrange(1 << 30))
    if len(till.paid) == paid_before:
        raise ChaosFailure(f"{till.data_dir.name} did not sell again once space was back")
    return f"{refused} sale(s) refused on a full disk"


def fill_disk(filler: Path) -> None:
    """Write until the file system says no more."""
    block = b"\0" * (1 << 20)
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
    with contextlib.suppress(OSError), filler.open("ab") as handle:
        while True:  # the last partial megabyte, a page at a time
            handle.write(b"\0" * 4096)
            handle.flush()


def clock_jump(fleet: Fleet, rng: Random) -> str:
    """A till's clock moved back or forward by hours during its shift (its whole process)."""
    till = rng.choice(fleet.tills)
    hours = rng.choice((-1, 1)) * rng.randint(1, 9)
    _sell(fleet, rng)
    if not FAKETIME_LIB.exists():
        raise ChaosFailure(
            f"the clock trial needs libfaketime ({FAKETIME_LIB}): apt-get install libfaketime"
        )
    till.shift_clock(f"{hours:+d}h")
    time.sleep(0.2)
    seen = datetime.fromisoformat(till.ask("state")["now"])
    off_by_h = (seen - datetime.now(UTC)).total_seconds() / 3600
    if abs(off_by_h - hours) > 0.1:
        raise ChaosFailure(f"the till's clock is {off_by_h:+.2f} h off, not {hours:+d} h")
    _sell(fleet, rng, 2, 4)
    _maybe_close_a_shift(fleet, rng)
    _sell(fleet, rng)
    return f"{till.data_dir.name} clock {hours:+d} h"


def _printer(fleet: Fleet, rng: Random, mode: str) -> str:
    fleet.printer.set_mode(mode)
    started = time.monotonic()
    sold = 0
    for _ in range(rng.randint(1, 3)):
        sold += fleet.sell_everywhere(1)
    took = time.monotonic() - started
    if took > 5 * max(sold, 1):
        raise ChaosFailure(f"selling waited on the printer: {sold} sales in {took:.1f} s")
    time.sleep(rng.uniform(0.2, 0.8))
    return f"{sold} sales in {took:.1f} s"


def printer_hang(fleet: Fleet, rng: Random) -> str:
    """The receipt printer accepts the connection and never reads."""
    return _printer(fleet, rng, "hang")


def printer_vanish(fleet: Fleet, rng: Random) -> str:
    """The receipt printer disappears mid-job (reads a little, then resets)."""
    return _printer(fleet, rng, "vanish")


KINDS: dict[str, Callable[[Fleet, Random], str]] = {
    "till SIGKILL": till_kill,
    "server SIGKILL": server_kill,
    "PostgreSQL terminate": database_terminate,
    "Redis restart": redis_restart,
    "network cut": network_cut,
    "network slow": network_slow,
    "network lossy": network_lossy,
    "answer lost": network_answer_lost,
    "disk full": disk_full,
    "clock jump": clock_jump,
    "printer hangs": printer_hang,
    "printer vanishes": printer_vanish,
}


def run_trial(fleet: Fleet, kind: str, rng: Random) -> Trial:
    """One trial: the fault, the healing, the wait for recovery, the checks.

    Recovery time runs from the healing on: a killed server's or till's restart counts."""
    notes = KINDS[kind](fleet, rng)
    healing = time.monotonic()
    fleet.heal()
    healed_in_s = time.monotonic() - healing
    settled = fleet.settle(RECOVERY_TIMEOUT_S)
    settled.recovery_s += healed_in_s
    return Trial(kind, settled, notes)
