"""Checkout commit latency: the terminal's store vs plain sqlite3 writing the same rows.

One checkout commit = the receipt counter bump, an order with 5 lines and 2 payments, and
its outbox row, in one transaction, WAL with synchronous=FULL (an fsync per commit).

  store     the rows as `checkout()` writes them (`next_receipt_number` + `write_sale` in a
            UnitOfWork: a SQLAlchemy session whose transaction runs the statements
            `pos_desktop.store.prepared` compiled once), from rows already built: the figure
  sqlite3   the same rows, same schema, same pragmas, by hand with the sqlite3 module
  checkout  the whole `checkout()` service call, i.e. everything between "Pay" and "paid"
            (reads, live pricing, building the wire payload, the commit), for reference

The three writers take turns, order by order, each on its own database file, so disk
noise from other processes falls on all of them alike.

    .venv/bin/python bench/checkout.py [--orders N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import keyring
from keyring.backends.null import Keyring as NullKeyring

from pos_desktop.ids import new_id, utcnow
from pos_desktop.services.auth import SignedIn, sign_in_by_pin
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import (
    SaleRows,
    Tender,
    checkout,
    next_receipt_number,
    write_sale,
)
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN, demo_id
from pos_desktop.services.identity import terminal_identity
from pos_desktop.services.shifts import open_shift, open_shift_row
from pos_desktop.store.db import BUSY_TIMEOUT_MS
from pos_desktop.store.models import Order, SyncQueueItem
from pos_desktop.terminal import Terminal

PRODUCTS = ("Caffè latte", "Cappuccino", "Croissant", "Nasi goreng", "Jasmine tea")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _open_demo_terminal(data_dir: Path) -> tuple[Terminal, SignedIn, CatalogSnapshot]:
    terminal = Terminal(data_dir)
    terminal.ensure_demo_catalog()
    with terminal.uow() as uow:
        cashier = sign_in_by_pin(uow, pin=DEMO_CASHIER_PIN)
    with terminal.uow() as uow:
        open_shift(uow, cashier=cashier, opening_float_minor=500_000)
    with terminal.uow() as uow:
        snapshot = CatalogSnapshot.load(uow.session)
    return terminal, cashier, snapshot


def _cart(snapshot: CatalogSnapshot, cashier: SignedIn) -> tuple[CartSession, list[Tender]]:
    cart = CartSession(snapshot, cashier)
    for name in PRODUCTS:
        cart.add_product(str(demo_id(f"product:{name}")))
    due_minor = cart.priced().payable_minor
    return cart, [Tender("card", due_minor // 2), Tender("cash", due_minor - due_minor // 2)]


def checkout_writer(data_dir: Path) -> tuple[Callable[[], None], Terminal]:
    terminal, cashier, snapshot = _open_demo_terminal(data_dir)

    def one() -> None:
        cart, tenders = _cart(snapshot, cashier)
        with terminal.uow() as uow:
            checkout(uow, cart=cart, tenders=tenders, cashier=cashier)

    return one, terminal


def sample_rows(terminal: Terminal) -> SaleRows:
    """The rows of the last sale the checkout writer made, as `write_sale` takes them."""
    with terminal.uow() as uow:
        order = uow.session.query(Order).order_by(Order.created_at.desc()).first()
        assert order is not None and len(order.lines) == 5 and len(order.payments) == 2
        item = uow.session.query(SyncQueueItem).filter_by(entity_id=order.id).one()

        def columns(row: Any) -> dict[str, object]:
            return {c.key: getattr(row, c.key) for c in row.__table__.columns}

        return SaleRows(
            order=columns(order),
            lines=[columns(line) for line in order.lines],
            payments=[columns(p) for p in order.payments],
            approvals=[],
            outbox_payload=item.payload,
        )


def _fresh(rows: SaleRows) -> SaleRows:
    order_id = new_id()
    now = utcnow()
    return SaleRows(
        order=dict(rows.order, id=order_id, receipt_number="", created_at=now),
        lines=[dict(line, id=new_id(), order_id=order_id) for line in rows.lines],
        payments=[dict(p, id=new_id(), order_id=order_id, created_at=now) for p in rows.payments],
        approvals=[],
        outbox_payload=rows.outbox_payload,
    )


def store_writer(data_dir: Path, rows: SaleRows) -> tuple[Callable[[], None], Terminal]:
    terminal, _cashier, _snapshot = _open_demo_terminal(data_dir)
    with terminal.uow() as uow:
        identity = terminal_identity(uow.session)
    shift_id = _one_shift(terminal)

    def one() -> None:
        sale = _fresh(rows)
        with terminal.uow() as uow:
            sale.order.update(receipt_number=next_receipt_number(uow, identity), shift_id=shift_id)
            write_sale(uow, sale)
            uow.commit()

    return one, terminal


def _one_shift(terminal: Terminal) -> str:
    with terminal.uow() as uow:
        shift = open_shift_row(uow.session)
        assert shift is not None
        return shift.id


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _insert(connection: sqlite3.Connection, table: str, rows: list[dict[str, object]]) -> None:
    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    connection.executemany(
        f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
        [[_plain(row[name]) for name in names] for row in rows],
    )


def sqlite3_writer(data_dir: Path, rows: SaleRows) -> tuple[Callable[[], None], Terminal]:
    terminal, _cashier, _snapshot = _open_demo_terminal(data_dir)  # same schema by migrations
    shift_id = _one_shift(terminal)
    connection = sqlite3.connect(terminal.database.path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", f"busy_timeout={BUSY_TIMEOUT_MS}"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("INSERT OR IGNORE INTO counters (name, value) VALUES ('receipt', 0)")

    def one() -> None:
        sale = _fresh(rows)
        connection.execute("BEGIN IMMEDIATE")
        (number,) = connection.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'receipt' RETURNING value"
        ).fetchone()
        sale.order.update(receipt_number=f"DEMO-T1-{number:06d}", shift_id=shift_id)
        _insert(connection, "orders", [sale.order])
        _insert(connection, "order_lines", sale.lines)
        _insert(connection, "payments", sale.payments)
        now = _plain(sale.order["created_at"])
        connection.execute(
            "INSERT INTO sync_queue (kind, entity_id, payload, status, attempts,"
            " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("order", sale.order["id"], sale.outbox_payload, "pending", 0, now, now, now),
        )
        connection.execute("COMMIT")

    return one, terminal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    keyring.set_keyring(NullKeyring())  # type: ignore[no-untyped-call]  # never pairs
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        full, full_terminal = checkout_writer(base / "checkout")
        full()
        rows = sample_rows(full_terminal)
        writers = {
            "store": store_writer(base / "store", rows),
            "sqlite3": sqlite3_writer(base / "sqlite3", rows),
            "checkout": (full, full_terminal),
        }
        samples: dict[str, list[float]] = {name: [] for name in writers}
        for _ in range(args.orders):
            for name, (write_one, _terminal) in writers.items():
                started = time.perf_counter()
                write_one()
                samples[name].append(time.perf_counter() - started)
        for _write, terminal in writers.values():
            terminal.close()
    print(f"checkout commit: {args.orders} orders of 5 lines + 2 payments + outbox row each")
    labels = {
        "store": "store (as checkout writes)",
        "sqlite3": "plain sqlite3, same rows",
        "checkout": "whole checkout() service call",
    }
    for name, label in labels.items():
        print(
            f"  {label:32} p50 {percentile(samples[name], 0.5) * 1000:7.2f} ms"
            f"   p99 {percentile(samples[name], 0.99) * 1000:7.2f} ms"
        )
    for name in ("store", "checkout"):
        p50 = percentile(samples[name], 0.5) / percentile(samples["sqlite3"], 0.5)
        p99 = percentile(samples[name], 0.99) / percentile(samples["sqlite3"], 0.99)
        print(f"  ratio {name}/sqlite3: p50 {p50:.2f}x   p99 {p99:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
