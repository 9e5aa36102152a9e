"""A shift of one terminal (Odoo's session) and the cash put in or taken out during it."""

from __future__ import annotations

from django.db import models

from sync_server.common.tenancy import TenantOwnedModel
from sync_server.tenants.models import Outlet, Terminal


class ShiftStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Shift(TenantOwnedModel):
    """Ids come from the terminal. A shift first seen through an order is `provisional` until
    its `shift_opened` event arrives (events and orders travel in separate batches)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ShiftStatus.choices, default=ShiftStatus.OPEN)
    provisional = models.BooleanField(default=False)
    cashier_id = models.UUIDField(null=True, blank=True)
    opened_at = models.DateTimeField()
    opening_float_minor = models.BigIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.UUIDField(null=True, blank=True)
    counted = models.JSONField(default=list, blank=True)
    counted_cash_minor = models.BigIntegerField(null=True, blank=True)
    expected_cash_minor = models.BigIntegerField(null=True, blank=True)
    """What the terminal expected in the drawer."""
    difference_minor = models.BigIntegerField(null=True, blank=True)
    server_expected_cash_minor = models.BigIntegerField(null=True, blank=True)
    """What the server expects from the orders, refunds and cash movements it holds."""
    server_difference_minor = models.BigIntegerField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    late_order_count = models.IntegerField(default=0)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["tenant", "terminal", "opened_at"], name="shift_term_idx")]

    def __str__(self) -> str:
        return f"shift {self.id} ({self.status})"


class CashMovement(TenantOwnedModel):
    """Cash into or out of the drawer, with the reason; the id is the event id."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    direction = models.CharField(max_length=3, choices=[("in", "In"), ("out", "Out")])
    amount_minor = models.BigIntegerField()
    reason = models.TextField(blank=True, default="")
    cashier_id = models.UUIDField(null=True, blank=True)
    approved_by = models.UUIDField(null=True, blank=True)
    """The manager whose PIN approved it at the till."""
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.direction} {self.amount_minor}"
