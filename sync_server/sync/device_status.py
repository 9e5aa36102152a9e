"""Record what the server hears from each device, for the back office's sync health page."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from shared.protocol import TillStatusV1
from sync_server.common.tenancy import tenant_atomic_joined
from sync_server.devices.auth import Device
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import Tenant

SEEN_WRITE_EVERY_S = 30
"""A ping every few seconds writes `last_seen_at` at most this often (per server process)."""


def device_seen(*, tenant: Tenant, device: Device) -> None:
    """Note that an authenticated call of `device` was answered (throttled: pings are frequent)."""
    if not cache.add(f"kiosk:device-seen:{device.terminal_id}", 1, timeout=SEEN_WRITE_EVERY_S):
        return
    _upsert(tenant=tenant, device=device, fields={"last_seen_at": timezone.now()})


def device_synced(*, tenant: Tenant, device: Device, till_status: TillStatusV1 | None) -> None:
    """Note a pushed batch, with what the till reported of itself when it sent one."""
    now = timezone.now()
    fields: dict[str, object] = {"last_seen_at": now, "last_sync_at": now}
    if till_status is not None:
        fields.update(
            pending_sales=till_status.pending_sales,
            needs_attention=till_status.needs_attention,
            app_version=till_status.app_version,
        )
    _upsert(tenant=tenant, device=device, fields=fields)


def _upsert(*, tenant: Tenant, device: Device, fields: dict[str, object]) -> None:
    """One INSERT ... ON CONFLICT (terminal) DO UPDATE: concurrent calls never collide."""
    with tenant_atomic_joined(tenant):
        DeviceStatus.objects.bulk_create(
            [DeviceStatus(tenant=tenant, terminal_id=device.terminal_id, **fields)],
            update_conflicts=True,
            unique_fields=["terminal"],
            update_fields=[*fields, "updated_at"],
        )
