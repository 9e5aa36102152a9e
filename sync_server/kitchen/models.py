"""Kitchen tickets, the per-outlet sequence counter, the action log and the order-ready record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sync_server.common.tenancy import TenantOwnedModel


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    STARTED = "started", "Started"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.STARTED)


class KitchenSequence(TenantOwnedModel):
    """The last sequence handed out in an outlet. Its row lock serialises allocation, so
    sequences commit in order and a screen asking for "after N" never skips one in flight."""

    outlet = models.OneToOneField(
        "tenants.Outlet", on_delete=models.CASCADE, related_name="kitchen_sequence"
    )
    last_sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.outlet_id}: {self.last_sequence}"


class KitchenTicket(TenantOwnedModel):
    """One station's part of one order.

    `sequence` is taken afresh from the outlet's counter on every change (created, started,
    bumped, recalled, items cancelled), so "everything after N" is every change a screen missed.
    `items` is a list of `KitchenItemV1` dicts: the ticket is read and written whole.
    """

    outlet = models.ForeignKey("tenants.Outlet", on_delete=models.PROTECT, related_name="+")
    order_id = models.UUIDField()
    receipt_number = models.CharField(max_length=64)
    station = models.CharField(max_length=40)
    sequence = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    table = models.CharField(max_length=40, blank=True, default="")
    customer_name = models.CharField(max_length=200, blank=True, default="")
    items = models.JSONField(default=list)
    already_printed = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    ordered_at = models.DateTimeField(null=True, blank=True)
    """The sale's time at the till: a ticket made after an outage is timed from it."""

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "sequence"], name="kitchen_ticket_sequence_unique_per_outlet"
            ),
            models.UniqueConstraint(
                fields=["outlet", "order_id", "station"],
                name="kitchen_ticket_one_per_order_and_station",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "order_id"], name="kitchen_ticket_order"),
            models.Index(fields=["outlet", "station", "done_at"], name="kitchen_ticket_done"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.station} #{self.sequence}"


class KitchenAction(TenantOwnedModel):
    """One cook action by request id: a repeat of the same request id changes nothing again."""

    request_id = models.UUIDField()
    ticket = models.ForeignKey(KitchenTicket, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=16)
    line_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "request_id"], name="kitchen_action_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.request_id}"


class KitchenOrderReady(TenantOwnedModel):
    """Whether every station finished an order, and when: the terminal shows "order ready"."""

    outlet = models.ForeignKey("tenants.Outlet", on_delete=models.PROTECT, related_name="+")
    order_id = models.UUIDField()
    receipt_number = models.CharField(max_length=64)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "order_id"],
                condition=Q(deleted_at__isnull=True),
                name="kitchen_order_ready_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} ready={self.ready_at}"
