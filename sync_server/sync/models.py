"""The idempotency ledger of synced events: one row per event id, with its content digest."""

from __future__ import annotations

from django.db import models

from sync_server.common.tenancy import TenantOwnedModel
from sync_server.tenants.models import Terminal


class SyncEvent(TenantOwnedModel):
    """An applied shift, cash, void or refund event. Inserted in the same transaction as its
    effect, so an event is applied exactly once or not at all."""

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    flags = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
