"""The long form of the proof (`make chaos`): many trials of every fault kind, one table.

    python -m tests.chaos.proof                  # KIOSK_CHAOS_TRIALS trials (default 1,000)
    KIOSK_CHAOS_SEED=123 python -m tests.chaos.proof     # replay a run's choices
    KIOSK_CHAOS_KINDS="clock jump,disk full" KIOSK_CHAOS_TRIALS=20 python -m tests.chaos.proof
    KIOSK_CHAOS_MINUTES=40 python -m tests.chaos.proof   # start no trial after 40 minutes

The seed is printed first; it fixes the order of the kinds and every choice inside a trial
(which till, when the kill lands, how long a cut lasts). Process timing is the machine's own,
so a replay takes the same steps, not the same microseconds. Exit status 1 when anything was
lost, doubled or missed, a fleet did not recover by itself, or the time budget ended the run
before every trial asked for had run (a shorter run is no proof).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.chaos.faults import KINDS, run_trial
from tests.chaos.fleet import ChaosFailure, Fleet, clean_base_dir
from tests.support.server_process import REPO_ROOT


@dataclass
class Row:
    """One fault kind's line of the table."""

    trials: int = 0
    sales: int = 0
    lost: int = 0
    doubled: int = 0
    missed: int = 0
    failed: int = 0
    recovery_s: list[float] = field(default_factory=list)


def trial_plan(seed: int, trials: int, kinds: list[str]) -> list[str]:
    """Every kind equally often (the remainder spread by the seed), in a seeded order."""
    rng = random.Random(seed)
    plan = [kinds[index % len(kinds)] for index in range(trials)]
    rng.shuffle(plan)
    return plan


def table(rows: dict[str, Row]) -> str:
    head = "| fault | trials | sales made | lost | doubled | tickets missed | recovery p50 | max |"
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    total = Row()
    for kind, row in rows.items():
        lines.append(_line(kind, row))
        total.trials += row.trials
        total.sales += row.sales
        total.lost += row.lost
        total.doubled += row.doubled
        total.missed += row.missed
        total.recovery_s.extend(row.recovery_s)
    lines.append(_line("**all**", total))
    return "\n".join(lines)


def _line(kind: str, row: Row) -> str:
    p50 = statistics.median(row.recovery_s) if row.recovery_s else 0.0
    most = max(row.recovery_s, default=0.0)
    return (
        f"| {kind} | {row.trials} | {row.sales} | {row.lost} | {row.doubled} | {row.missed} "
        f"| {p50:.1f} s | {most:.1f} s |"
    )


def commit_hash() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main() -> int:
    seed = int(os.environ.get("KIOSK_CHAOS_SEED") or random.SystemRandom().randrange(1 << 31))
    trials = int(os.environ.get("KIOSK_CHAOS_TRIALS", "1000"))
    # Unset (or empty) is no limit: `make chaos` runs every trial it was asked for.
    budget_s = 60 * float(os.environ.get("KIOSK_CHAOS_MINUTES") or "inf")
    chosen = os.environ.get("KIOSK_CHAOS_KINDS")
    kinds = [k.strip() for k in chosen.split(",")] if chosen else list(KINDS)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        print(f"unknown fault kinds {unknown}; known: {list(KINDS)}", file=sys.stderr)
        return 2
    print(
        f"chaos proof: seed {seed} (replay with KIOSK_CHAOS_SEED={seed}), {trials} trials, "
        f"commit {commit_hash()}",
        flush=True,
    )
    rows: dict[str, Row] = defaultdict(Row)
    for kind in kinds:
        rows[kind] = Row()
    seen_lost: set[str] = set()
    seen_doubled: set[str] = set()
    seen_missed: set[str] = set()
    failures: list[str] = []
    started = time.monotonic()
    base = clean_base_dir(Path(tempfile.gettempdir()) / f"kiosk-chaos-{os.getpid()}")
    rng = random.Random(seed)
    with Fleet.running(base, seed=seed) as fleet:
        for index, kind in enumerate(trial_plan(seed, trials, kinds)):
            if time.monotonic() - started > budget_s:
                print(f"time budget spent: {index} of {trials} trials run", flush=True)
                break
            if index and index % 100 == 0:
                print(f"after {index} trials:\n{table(rows)}", flush=True)
            row = rows[kind]
            try:
                trial = run_trial(fleet, kind, random.Random(rng.randrange(1 << 62)))
            except ChaosFailure as error:
                row.trials += 1
                row.failed += 1
                failures.append(f"trial {index} ({kind}): {error}")
                print(f"trial {index} {kind}: FAILED {error}", flush=True)
                fleet.heal()
                continue
            settled = trial.settled
            new_lost = set(settled.lost) - seen_lost
            new_doubled = set(settled.doubled) - seen_doubled
            new_missed = set(settled.tickets_missed + settled.tickets_doubled) - seen_missed
            seen_lost |= new_lost
            seen_doubled |= new_doubled
            seen_missed |= new_missed
            row.trials += 1
            row.sales += settled.sales
            row.lost += len(new_lost)
            row.doubled += len(new_doubled)
            row.missed += len(new_missed)
            row.recovery_s.append(settled.recovery_s)
            if not settled.ok:
                row.failed += 1
                failures.append(f"trial {index} ({kind}, {trial.notes}): {settled.explain()}")
            verdict = "ok" if settled.ok else f"FAILED {settled.explain()}"
            print(
                f"trial {index} {kind} ({trial.notes}): {settled.sales} sales, recovered in "
                f"{settled.recovery_s:.1f} s: {verdict}",
                flush=True,
            )
    minutes = (time.monotonic() - started) / 60
    ran = sum(row.trials for row in rows.values())
    print(f"\nseed {seed}, commit {commit_hash()}, {ran} trials in {minutes:.1f} min\n")
    print(table(rows))
    if failures:
        print(f"\n{len(failures)} trial(s) failed:", *failures[:20], sep="\n  ")
        return 1
    if ran < trials:
        print(f"\nincomplete: {ran} of {trials} trials ran before the time budget ended")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
