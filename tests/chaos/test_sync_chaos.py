"""The done-when list of issue 5: no sale lost, none doubled, whatever fails in between.

Real `kiosk-server` on PostgreSQL, real `kiosk-pos` processes, loopback only; no mock of
our own API. Bounded: a few hundred orders per test and a timeout on every wait.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from pos_desktop.services.customers import create_customer
from pos_desktop.services.simulate import simulate_sales
from pos_desktop.terminal import Terminal
from tests.chaos.proxy import FaultPlan, FaultProxy
from tests.chaos.support import (
    CASHIER_PIN,
    Cloud,
    assert_same_orders_once,
    drain,
    integrity,
    local_order_ids,
    pair,
    run_cli,
    sigkill,
    simulate,
    start_cli,
    status,
    wait_until,
)
from tests.support import pg

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_500_offline_sales_arrive_once_when_the_server_comes_up(cloud: Cloud, till: Path) -> None:
    terminal_id = pair(cloud, till)
    cloud.server.stop()
    try:
        simulate(till, 500, seed=1)
        offline = status(till)
        assert offline["online"] is False and offline["pending"] == 501
    finally:
        cloud.server.start()
    drain(till)
    assert_same_orders_once(cloud, till, terminal_id, 500)


def test_server_killed_and_restarted_mid_push(cloud: Cloud, till: Path) -> None:
    terminal_id = pair(cloud, till)
    simulate(till, 600, seed=2)
    syncing = start_cli(till, "sync", "--until-empty", "--timeout", "240")
    try:
        wait_until(lambda: len(cloud.order_ids(terminal_id)) >= 50, 60, "the push started")
        cloud.server.kill()
        arrived_before_crash = len(cloud.order_ids(terminal_id))
        assert arrived_before_crash < 600, "the crash must land mid-push"
        time.sleep(1.0)
        cloud.server.start()
        assert syncing.wait(timeout=240) == 0
    finally:
        sigkill(syncing)
        cloud.server.start()
    assert_same_orders_once(cloud, till, terminal_id, 600)


def test_client_killed_at_random_moments_during_sync(cloud: Cloud, till: Path) -> None:
    terminal_id = pair(cloud, till)
    rng = random.Random(5)
    sold = 0
    for trial in range(30):
        terminal = Terminal(till)  # sell in-process between kills: quicker than a CLI start
        try:
            simulate_sales(terminal.uow, orders=15, seed=100 + trial, cashier_pin=CASHIER_PIN)
        finally:
            terminal.close()
        sold += 15
        syncing = start_cli(till, "sync", "--until-empty", "--timeout", "60")
        time.sleep(rng.uniform(0.3, 1.8))  # start-up, catalog pull, push: anywhere in there
        sigkill(syncing)
        assert integrity(till) == "ok", f"trial {trial}"
    drain(till)
    assert integrity(till) == "ok"
    assert_same_orders_once(cloud, till, terminal_id, sold)


def test_faulty_network_loses_and_doubles_nothing(cloud: Cloud, till: Path) -> None:
    plan = FaultPlan(
        drop=0.1, delay=0.1, reset_after=0.15, error_500=0.1, throttle_429=0.1, enabled=False
    )
    upstream = ("127.0.0.1", cloud.server.port)
    with FaultProxy(upstream, plan) as proxy:
        terminal_id = pair(cloud, till, server_url=proxy.url)
        simulate(till, 300, seed=3)
        plan.enabled = True
        drain(till, 300, "--batch-size", "10")  # ~40 requests, so every fault shows up
        plan.enabled = False
        injected = {fate: n for fate, n in proxy.counts.items() if fate != "pass"}
    assert set(injected) >= {"drop", "reset_after", "error_500", "throttle_429"}, injected
    assert_same_orders_once(cloud, till, terminal_id, 300)


def test_a_rejected_order_needs_attention_after_five_tries_and_stays(
    cloud: Cloud, till: Path
) -> None:
    terminal_id = pair(cloud, till)
    simulate(till, 5, seed=4)
    database = till / "terminal.sqlite3"
    with sqlite3.connect(database) as connection:  # a bug that sells for another outlet
        queue_id, payload = connection.execute(
            "SELECT id, payload FROM sync_queue WHERE kind = 'order' ORDER BY id LIMIT 1"
        ).fetchone()
        order = json.loads(payload)
        order["outlet_id"] = "00000000-0000-7000-8000-000000000000"
        connection.execute(
            "UPDATE sync_queue SET payload = ? WHERE id = ?", (json.dumps(order), queue_id)
        )
    for _ in range(40):  # each pass tries it once when its backoff allows: 5 tries ≤ ~16 s
        done = run_cli(till, "sync", "--once", timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        if status(till)["needs_attention"]:
            break
        time.sleep(0.5)
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT status, attempts, last_error, entity_id FROM sync_queue WHERE id = ?",
            (queue_id,),
        ).fetchone()
    assert row is not None, "the rejected order must stay in the outbox"
    assert (row[0], row[1]) == ("needs_attention", 5)
    assert row[2].startswith("rejected")
    assert row[3] not in cloud.order_ids(terminal_id)
    assert len(cloud.order_ids(terminal_id)) == 4  # the others went through
    assert row[3] in local_order_ids(till)


def test_a_customer_made_offline_reaches_the_cloud_and_the_other_tills(
    cloud: Cloud, till: Path, tmp_path: Path
) -> None:
    pair(cloud, till)
    terminal = Terminal(till)
    try:
        with terminal.uow() as uow:
            made = create_customer(uow, name="Dewi Anggraini", phone="0815 222", email="d@ex.id")
    finally:
        terminal.close()
    drain(till)
    admin_url = f"postgresql://postgres@{pg.HOST_PORT}/{cloud.server.database.name}"
    with psycopg.connect(admin_url) as connection:
        stored = connection.execute(
            "SELECT name, phone, email FROM customers_customer WHERE id = %s", (made.customer_id,)
        ).fetchone()
    assert stored == ("Dewi Anggraini", "0815 222", "d@ex.id")
    other_till = tmp_path / "other-till"
    pair(cloud, other_till)  # pairing downloads the catalog, customers included
    drain(other_till)
    with sqlite3.connect(other_till / "terminal.sqlite3") as connection:
        there = connection.execute(
            "SELECT name, phone FROM customers WHERE id = ?", (made.customer_id,)
        ).fetchone()
    assert there == ("Dewi Anggraini", "0815 222")
