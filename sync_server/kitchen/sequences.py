"""The outlet's ticket sequence and the screens' nudge: every kitchen write takes the counter
row lock first (tickets second, everywhere), so writers of one outlet queue instead of
deadlocking and sequences commit in the order they were handed out; screens are nudged only
after the transaction commits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any, Final

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connections, router, transaction
from django.utils import timezone

from sync_server.kitchen.models import KitchenSequence, KitchenTicket
from sync_server.kitchen.selectors import kitchen_ticket_wire
from sync_server.kitchen.stations import outlet_group, station_group
from sync_server.tenants.models import Outlet

log = logging.getLogger("kiosk.kitchen")

CHANGED_EVENT: Final = "kitchen.changed"
"""Channels message type of the nudge; the consumer's handler is `kitchen_changed`."""


def lock_counter(outlet: Outlet) -> KitchenSequence:
    """The outlet's counter row, locked until commit (made on first use, race-free)."""
    KitchenSequence.objects.bulk_create(
        [KitchenSequence(tenant_id=outlet.tenant_id, outlet=outlet)], ignore_conflicts=True
    )
    counter: KitchenSequence = KitchenSequence.objects.select_for_update().get(outlet=outlet)
    return counter


def take(counter: KitchenSequence, count: int = 1) -> int:
    """Hand out `count` sequences from the locked counter; returns the first one."""
    first = counter.last_sequence + 1
    counter.last_sequence += count
    KitchenSequence.objects.filter(pk=counter.pk).update(last_sequence=counter.last_sequence)
    return first


def lock_and_take(outlet: Outlet, count: int) -> int:
    """Lock the outlet's counter and hand out `count` sequences in one statement (UPDATE ...
    RETURNING: the row lock is taken by the same statement); the first one. The row is made on
    first use, race-free. Same lock order as `lock_counter` + `take`: counter, then tickets."""
    connection = connections[router.db_for_write(KitchenSequence)]
    table = connection.ops.quote_name(KitchenSequence._meta.db_table)
    outlet_field = KitchenSequence._meta.get_field("outlet")
    outlet_param = outlet_field.get_db_prep_value(outlet.id, connection)
    sql = (
        f"UPDATE {table} SET last_sequence = last_sequence + %s, updated_at = %s "
        "WHERE outlet_id = %s RETURNING last_sequence"
    )
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, timezone.now(), outlet_param])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]) - count + 1
        KitchenSequence.objects.bulk_create(
            [KitchenSequence(tenant_id=outlet.tenant_id, outlet=outlet)], ignore_conflicts=True
        )
    raise RuntimeError(f"no kitchen counter for outlet {outlet.id}")


def nudge_after_commit(outlet_id: uuid.UUID, tickets: Sequence[KitchenTicket]) -> None:
    """Tell the outlet's screens after commit, carrying the changed tickets.

    The message says which outlet sequences it covers (`after` < s <= `sequence`): a consumer
    that has sent exactly up to `after` forwards the tickets at once; one that is behind holds
    it briefly for the nudges before it, then reads the gap from the database. Channel layers
    deliver at most once, so a lost message only delays a ticket until the next one or the
    consumer's periodic check. Screens listen on the outlet's group; the per-station groups
    still get their station's tickets, for screens of the previous release during an update.
    """
    sequences = [ticket.sequence for ticket in tickets]
    wire = [kitchen_ticket_wire(ticket).model_dump(mode="json") for ticket in tickets]
    span = {"type": CHANGED_EVENT, "after": min(sequences) - 1, "sequence": max(sequences)}
    messages = {outlet_group(outlet_id): {**span, "tickets": wire}}
    for station in sorted({ticket.station for ticket in tickets}):
        mine = [raw for raw in wire if raw["station"] == station]
        messages[station_group(outlet_id, station)] = {**span, "tickets": mine}

    async def send_all(layer: Any) -> None:
        for group, message in messages.items():
            try:
                await layer.group_send(group, message)
            except Exception:  # the commit stands; screens catch up on their next check
                log.exception("kitchen nudge to %s failed", group)

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            # One hop into the event loop for every group of the change, not one per group.
            try:
                async_to_sync(send_all)(layer)
            except Exception:  # the commit stands; screens catch up on their next check
                log.exception("kitchen nudge for outlet %s failed", outlet_id)

    transaction.on_commit(send)
