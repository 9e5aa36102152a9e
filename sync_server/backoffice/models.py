"""The audit log: one row per change a person made in the back office or over the API."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from sync_server.common.tenancy import TenantScopedManager, UnscopedManager


class AuditAction(models.TextChoices):
    CREATE = "create", "create"
    UPDATE = "update", "update"
    DELETE = "delete", "delete"


class AuditEntry(models.Model):
    """Who changed what, when, through which door, and the changed fields before and after.

    Tenant-owned like every tenant table (fail-closed manager, row-level security); written in
    the transaction of the change itself, so a change that rolls back leaves no entry. Secrets
    (PIN and password hashes) are noted as changed, never stored.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor_id = models.UUIDField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True, default="")
    via = models.CharField(max_length=16)  # "backoffice" or "api"
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    entity = models.CharField(max_length=64)  # "catalog.product"
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()
    unscoped: ClassVar[UnscopedManager[Any]] = UnscopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "at"], name="audit_tenant_at"),
            models.Index(fields=["tenant", "entity", "object_id"], name="audit_tenant_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.entity}"
