"""Backlog drain: time for one terminal to sync 10,000 offline orders to a local server.

Starts a real kiosk-server on a fresh PostgreSQL database (tests.support.server_process),
pairs a terminal, rings up the backlog offline through the same services as the screens
(`kiosk-pos simulate`), then times the sync engine's passes until the outbox is empty.
Target: under 60 s for 10,000 orders.

    .venv/bin/python bench/drain.py [--orders N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # tests.support starts the server, as the e2e tests do


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="orders per push (default: the terminal's)"
    )
    args = parser.parse_args()

    from tests.chaos.support import CASHIER_PIN, Cloud, cli_env, pair, run_cli
    from tests.support.server_process import running_server

    with tempfile.TemporaryDirectory() as scratch, running_server() as server:
        till = Path(scratch) / "till"
        pair(Cloud(server), till)
        started = time.perf_counter()
        sold = run_cli(
            till, "simulate", "--orders", str(args.orders), "--cashier", CASHIER_PIN, timeout=1800
        )
        assert sold.returncode == 0, sold.stderr
        selling_s = time.perf_counter() - started

        os.environ.update(cli_env(Path(scratch)))  # the same keyring file the CLI used
        from pos_desktop.terminal import Terminal

        terminal = Terminal(till)
        engine = terminal.sync_engine()
        if args.batch_size:
            engine.settings = replace(engine.settings, batch_size=args.batch_size)
        engine.refresh_counts()
        backlog = engine.state.pending
        started = time.perf_counter()
        passes = 0
        while engine.state.pending and passes < 10_000:
            result = engine.run_pass(pull_catalog=False)
            passes += 1
            if result.transient_error:
                print(f"  pass {passes}: {result.transient_error}", file=sys.stderr)
                time.sleep(min(result.delay_s, 5.0))
        drain_s = time.perf_counter() - started
        left = engine.state.pending + engine.state.needs_attention
        engine.client.close()
        terminal.close()

    batch = engine.settings.batch_size
    print(
        f"drain: {args.orders} orders ({backlog} outbox rows with shift events), batches of {batch}"
    )
    print(f"  offline selling through the services: {selling_s:6.1f} s")
    print(
        f"  sync to kiosk-server on PostgreSQL:    {drain_s:6.1f} s "
        f"({backlog / drain_s:,.0f} rows/s, {passes} passes, {left} left) (target < 60 s)"
    )
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
