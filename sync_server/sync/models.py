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


class DeviceStatus(TenantOwnedModel):
    """What the server last heard from one terminal or kitchen screen, for the sync health page.

    `last_seen_at` moves with any authenticated call (pings included, at most every
    `SEEN_WRITE_EVERY_S`); `last_sync_at` with each pushed batch, which also carries what the
    till reports of itself (`TillStatusV1`): sales still waiting to be sent, items needing a
    manager's attention, its app version, its newest sale and its catalog version (the last
    two also come with its link heartbeat; a batch only moves them forward).
    """

    terminal = models.OneToOneField(Terminal, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    pending_sales = models.IntegerField(null=True, blank=True)
    needs_attention = models.IntegerField(null=True, blank=True)
    app_version = models.CharField(max_length=40, blank=True, default="")
    last_sale_at = models.DateTimeField(null=True, blank=True)
    """The till's newest local sale, from its link heartbeat or its pushed batches."""
    catalog_version = models.BigIntegerField(null=True, blank=True)
    """The catalog version the till holds, from its link heartbeat or its pushed batches."""

    def __str__(self) -> str:
        return f"status of {self.terminal_id}"
