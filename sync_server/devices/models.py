"""A one-time pairing code (only its hash) and a pairing: the credential a device holds."""

from __future__ import annotations

from django.db import models

from sync_server.common.tenancy import TenantOwnedModel
from sync_server.tenants.models import Terminal


class PairingCode(TenantOwnedModel):
    """A short code an owner reads out to a terminal; valid once, for ten minutes.

    Only an HMAC of the code is stored, so a database dump cannot pair a device.
    """

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.UUIDField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pairing code for {self.terminal_id}"


class DevicePairing(TenantOwnedModel):
    """One successful pairing; device tokens name it, so re-pairing or revoking ends them."""

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="+")
    device_name = models.CharField(max_length=120, blank=True, default="")
    app_version = models.CharField(max_length=40, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["terminal", "revoked_at"], name="devicepairing_live_idx")]

    def __str__(self) -> str:
        return f"pairing {self.id} of {self.terminal_id}"
