"""Cook actions on tickets: start, bump, recall, bump one item, recall the last bump.

Idempotent twice over: by state (bumping a bumped ticket changes nothing) and by request id
(a repeated request answers with the ticket it changed). Each change takes the outlet's
counter lock first, gets a new sequence so screens that reconnect see it, and nudges them
after commit.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.error_codes import KitchenErrorCode
from sync_server.kitchen.models import (
    OPEN_STATUSES,
    KitchenAction,
    KitchenTicket,
    TicketStatus,
)
from sync_server.kitchen.sequences import lock_counter
from sync_server.kitchen.tickets import ticket_save_change
from sync_server.tenants.models import Tenant


def _apply(ticket: KitchenTicket, action: str, line_id: uuid.UUID | None) -> bool:
    """Change the locked ticket for one action; False when it is already in that state."""
    now = timezone.now()
    if action == "start":
        if ticket.status != TicketStatus.NEW:
            return False
        ticket.status, ticket.started_at = TicketStatus.STARTED, now
        return True
    if action == "bump":
        if ticket.status not in OPEN_STATUSES:
            return False
        ticket.status, ticket.done_at = TicketStatus.DONE, now
        return True
    if action == "recall":
        if ticket.status != TicketStatus.DONE:
            return False
        ticket.status = TicketStatus.STARTED if ticket.started_at else TicketStatus.NEW
        ticket.done_at = None
        return True
    if action == "bump_item":
        item = next((i for i in ticket.items if i["line_id"] == str(line_id)), None)
        if item is None:
            raise Refused(
                "no such line on this ticket", code=KitchenErrorCode.UNKNOWN_LINE, field="line_id"
            )
        if item["done"] or ticket.status not in OPEN_STATUSES:
            return False
        item["done"] = True
        if all(i["done"] or i["cancelled_quantity"] >= i["quantity"] for i in ticket.items):
            ticket.status, ticket.done_at = TicketStatus.DONE, now
        return True
    raise Refused(
        f"unknown action {action!r}", code=KitchenErrorCode.UNKNOWN_ACTION, field="action"
    )


def kitchen_ticket_act(
    *,
    tenant: Tenant,
    ticket_id: uuid.UUID,
    action: str,
    request_id: uuid.UUID | None = None,
    line_id: uuid.UUID | None = None,
    outlet_id: uuid.UUID | None = None,
    station: str | None = None,
) -> KitchenTicket:
    """Start, bump, recall or bump one item; idempotent by request id, and by state.

    `outlet_id`/`station` limit a screen to its own tickets. A repeated request id returns the
    ticket as it stands without changing it again.
    """
    with tenant_atomic(tenant):
        found = KitchenTicket.objects.filter(id=ticket_id).select_related("outlet").first()
        if found is None or (outlet_id is not None and found.outlet_id != outlet_id):
            raise Refused(
                "no such ticket",
                code=KitchenErrorCode.NOT_FOUND,
                category=ErrorCategory.NOT_FOUND,
                field="ticket_id",
            )
        if station and found.station != station:
            raise Refused(
                "that ticket belongs to another station",
                code=KitchenErrorCode.STATION_MISMATCH,
                category=ErrorCategory.PERMISSION_DENIED,
            )
        counter = lock_counter(found.outlet)
        if request_id is not None:
            prior = KitchenAction.objects.filter(request_id=request_id).first()
            if prior is not None:
                if prior.ticket_id != ticket_id or prior.action != action:
                    raise Refused(
                        "request id reused for another action",
                        code=KitchenErrorCode.CONFLICT,
                        category=ErrorCategory.CONFLICT,
                    )
                current: KitchenTicket = KitchenTicket.objects.get(id=ticket_id)
                return current
        ticket: KitchenTicket = KitchenTicket.objects.select_for_update().get(id=ticket_id)
        if _apply(ticket, action, line_id):
            ticket_save_change(ticket, counter)
        if request_id is not None:
            try:
                with transaction.atomic():
                    KitchenAction(
                        tenant=tenant,
                        request_id=request_id,
                        ticket=ticket,
                        action=action,
                        line_id=line_id,
                    ).save()
            except IntegrityError as exc:  # the same id used at another outlet meanwhile
                raise Refused(
                    "request id reused for another action",
                    code=KitchenErrorCode.CONFLICT,
                    category=ErrorCategory.CONFLICT,
                ) from exc
        return ticket


def kitchen_ticket_start(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="start", request_id=request_id
    )


def kitchen_ticket_bump(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="bump", request_id=request_id
    )


def kitchen_ticket_recall(
    *, tenant: Tenant, ticket_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant, ticket_id=ticket_id, action="recall", request_id=request_id
    )


def kitchen_ticket_bump_item(
    *, tenant: Tenant, ticket_id: uuid.UUID, line_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> KitchenTicket:
    return kitchen_ticket_act(
        tenant=tenant,
        ticket_id=ticket_id,
        action="bump_item",
        line_id=line_id,
        request_id=request_id,
    )


def kitchen_ticket_recall_last(
    *,
    tenant: Tenant,
    outlet_id: uuid.UUID,
    station: str | None,
    request_id: uuid.UUID | None = None,
) -> KitchenTicket:
    """Undo the most recent bump of a station (of the whole outlet when station is None)."""
    with tenant_atomic(tenant):
        if request_id is not None:
            prior = KitchenAction.objects.filter(request_id=request_id).first()
            if prior is not None:
                # A replay answers with the ticket it recalled, but only to a caller of the same
                # outlet (and station): another screen's request id gets nothing of its ticket.
                recalled: KitchenTicket | None = KitchenTicket.objects.filter(
                    id=prior.ticket_id
                ).first()
                if (
                    recalled is None
                    or prior.action != "recall"
                    or recalled.outlet_id != outlet_id
                    or (station and recalled.station != station)
                ):
                    raise Refused(
                        "request id reused for another action",
                        code=KitchenErrorCode.CONFLICT,
                        category=ErrorCategory.CONFLICT,
                    )
                return recalled
        done = KitchenTicket.objects.filter(outlet_id=outlet_id, status=TicketStatus.DONE)
        if station:
            done = done.filter(station=station)
        last = done.order_by("-done_at", "-sequence").first()
        if last is None:
            raise Refused(
                "nothing to recall",
                code=KitchenErrorCode.NOTHING_TO_RECALL,
                category=ErrorCategory.CONFLICT,
            )
        return kitchen_ticket_act(
            tenant=tenant, ticket_id=last.id, action="recall", request_id=request_id
        )
