"""Sequences under concurrent writers: many order transactions of one outlet at once still
number their tickets 1..N with no gap and no duplicate (the counter row lock serialises them)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections

from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenTicket
from sync_server.kitchen.services import kitchen_ticket_bump

from .conftest import kitchen_lines, place_order

WRITERS = 6
ORDERS_EACH = 8


@pytest.mark.timeout(120)
def test_concurrent_orders_and_bumps_get_gap_free_unique_sequences(
    live_world: dict[str, Any],
) -> None:
    demo, outlet = live_world["demo"], live_world["outlets"]["main"]
    failures: list[BaseException] = []
    issued: list[int] = []  # every sequence handed out, as the writers saw it
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        try:
            start.wait(10)
            for _ in range(ORDERS_EACH):
                tickets = place_order(demo, outlet, kitchen_lines("grill", "bar"))
                issued.extend(ticket.sequence for ticket in tickets)
                issued.append(kitchen_ticket_bump(tenant=demo, ticket_id=tickets[0].id).sequence)
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with tenant_atomic(demo):
        tickets = list(KitchenTicket.objects.filter(outlet=outlet))
    # Each order takes 2 sequences and each bump 1 more: together exactly 1..N, once each.
    changes = WRITERS * ORDERS_EACH * 3
    assert sorted(issued) == list(range(1, changes + 1))
    assert len(tickets) == WRITERS * ORDERS_EACH * 2
    sequences = sorted(t.sequence for t in tickets)
    assert len(set(sequences)) == len(sequences) and sequences[-1] == changes
    bumped = [t for t in tickets if t.status == "done"]
    assert len(bumped) == WRITERS * ORDERS_EACH
