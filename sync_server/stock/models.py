"""Stock movements: every change of a stock level, with its reason and what caused it.

The level itself stays in `orders.StockLevel` (one upsert per batch in the ingest); a movement
row is written next to each change in the same transaction, so the history sums to the level.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from sync_server.common.tenancy import TenantScopedManager, UnscopedManager


class MovementReason(models.TextChoices):
    SALE = "sale", "sale"
    REFUND = "refund", "refund"
    VOID = "void", "void"
    RECEIVED = "received", "received"
    WASTED = "wasted", "wasted"
    COUNTED = "counted", "counted"


class StockMovement(models.Model):
    """`delta` units of a product at an outlet (negative: out), why, and from which order or
    by whom; tenant-owned (fail-closed manager, row-level security)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    outlet_id = models.UUIDField()
    product_id = models.UUIDField()
    at = models.DateTimeField(default=timezone.now)
    delta = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=MovementReason.choices)
    order_id = models.UUIDField(null=True, blank=True)
    user_id = models.UUIDField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")

    objects: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()
    unscoped: ClassVar[UnscopedManager[Any]] = UnscopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "outlet_id", "at"], name="stockmove_outlet_at"),
            models.Index(fields=["tenant", "product_id", "at"], name="stockmove_product_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason} {self.delta:+d}"
