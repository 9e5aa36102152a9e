"""Reads of the kitchen: replay after a sequence, the wire form, speed report, orders ready."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.db.models import QuerySet

from shared.protocol import KitchenItemV1, KitchenTicketV1, OrderReadyV1
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import (
    OPEN_STATUSES,
    KitchenOrderReady,
    KitchenSequence,
    KitchenTicket,
)
from sync_server.tenants.models import Tenant

REPLAY_LIMIT: Final = 2000
"""At most this many tickets per replay; a screen gone longer simply asks again from there."""


def kitchen_ticket_wire(ticket: KitchenTicket) -> KitchenTicketV1:
    """The ticket as sent to screens and returned by the HTTP actions."""
    return KitchenTicketV1(
        id=ticket.id,
        order_id=ticket.order_id,
        outlet_id=ticket.outlet_id,
        station=ticket.station,
        sequence=ticket.sequence,
        receipt_number=ticket.receipt_number,
        table=ticket.table,
        customer_name=ticket.customer_name,
        status=ticket.status,
        items=tuple(KitchenItemV1.model_validate(item) for item in ticket.items),
        already_printed=ticket.already_printed,
        created_at=ticket.created_at,
        started_at=ticket.started_at,
        done_at=ticket.done_at,
        ordered_at=ticket.ordered_at,
    )


@dataclass(frozen=True)
class Replay:
    """Tickets a screen is missing, and the outlet sequence it has once it took them."""

    tickets: list[KitchenTicketV1]
    sequence: int
    complete: bool


def kitchen_replay(
    *, tenant: Tenant | uuid.UUID, outlet_id: uuid.UUID, station: str | None, after: int
) -> Replay:
    """Every change after `after` (a fresh screen, `after` 0: the open tickets).

    The counter is read first: every ticket at or below it has committed (it is written in
    the same transaction as its ticket, under its row lock), so nothing below the returned
    sequence can still appear later.
    """
    with tenant_atomic(tenant):
        upto = (
            KitchenSequence.objects.filter(outlet_id=outlet_id)
            .values_list("last_sequence", flat=True)
            .first()
        ) or 0
        tickets = KitchenTicket.objects.filter(
            outlet_id=outlet_id, sequence__gt=after, sequence__lte=upto
        )
        if station:
            tickets = tickets.filter(station=station)
        if after == 0:
            tickets = tickets.filter(status__in=OPEN_STATUSES)
        page = list(tickets.order_by("sequence")[: REPLAY_LIMIT + 1])
        complete = len(page) <= REPLAY_LIMIT
        page = page[:REPLAY_LIMIT]
        sequence = upto if complete else page[-1].sequence
        return Replay([kitchen_ticket_wire(t) for t in page], sequence, complete)


def kitchen_ticket_list(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID | None = None,
    station: str = "",
    status: str = "",
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> QuerySet[KitchenTicket]:
    """Tickets for the kitchen-speed report (call inside the tenant's transaction), oldest first."""
    tickets = KitchenTicket.objects.all()
    if outlet_id:
        tickets = tickets.filter(outlet_id=outlet_id)
    if station:
        tickets = tickets.filter(station=station)
    if status:
        tickets = tickets.filter(status=status)
    if created_from:
        tickets = tickets.filter(created_at__gte=created_from)
    if created_to:
        tickets = tickets.filter(created_at__lt=created_to)
    return tickets.order_by("created_at", "sequence")


def kitchen_orders_ready(
    *, tenant: Tenant, outlet_id: uuid.UUID | None = None, ready_since: datetime | None = None
) -> list[OrderReadyV1]:
    """Orders every station finished, for the terminals' sync ("order ready" notice)."""
    with tenant_atomic(tenant):
        records = KitchenOrderReady.objects.filter(ready_at__isnull=False)
        if outlet_id:
            records = records.filter(outlet_id=outlet_id)
        if ready_since:
            records = records.filter(ready_at__gt=ready_since)
        return [
            OrderReadyV1(
                order_id=record.order_id,
                receipt_number=record.receipt_number,
                ready_at=record.ready_at,
            )
            for record in records.order_by("ready_at")
            if record.ready_at is not None
        ]


@dataclass(frozen=True)
class StationSpeed:
    """How fast one station cooked: bumped tickets and their prep time percentiles."""

    station: str
    done: int
    open: int
    median_prep_seconds: int | None
    p90_prep_seconds: int | None


def kitchen_speed(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> list[StationSpeed]:
    """Per station: tickets bumped and still open, and the median and 90th percentile of the
    time from a ticket reaching the kitchen to its bump (call inside the tenant's transaction).
    """
    rows = kitchen_ticket_list(
        tenant=tenant, outlet_id=outlet_id, created_from=created_from, created_to=created_to
    ).values_list("station", "status", "created_at", "done_at")
    prep: dict[str, list[int]] = {}
    still_open: dict[str, int] = {}
    for station, status, created_at, done_at in rows:
        prep.setdefault(station, [])
        if status in OPEN_STATUSES:
            still_open[station] = still_open.get(station, 0) + 1
        elif done_at is not None and status == "done":
            prep[station].append(int((done_at - created_at).total_seconds()))
    return [
        StationSpeed(
            station=station,
            done=len(times),
            open=still_open.get(station, 0),
            median_prep_seconds=_percentile(times, 50),
            p90_prep_seconds=_percentile(times, 90),
        )
        for station, times in sorted(prep.items())
    ]


def _percentile(values: list[int], percent: int) -> int | None:
    """Nearest-rank percentile (an actual ticket's time, never an interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))  # ceil(percent/100 * n)
    return ordered[rank - 1]
