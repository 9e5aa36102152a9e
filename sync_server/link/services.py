"""The link's database work: who a socket is, whether its pairing still counts, its status."""

from __future__ import annotations

from django.utils import timezone

from shared.protocol_link import LinkStatusV1
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.auth import Device, device_from_token
from sync_server.devices.models import DevicePairing
from sync_server.sync.models import DeviceStatus
from sync_server.tenants.models import TerminalKind, TerminalStatus

LINK_KINDS = frozenset({TerminalKind.TERMINAL, TerminalKind.KITCHEN})


def link_device(*, raw_token: str, tenant_slug: str) -> Device | None:
    """The live device of a socket's token on this tenant's URL, or None: refuse."""
    device = device_from_token(raw_token) if raw_token else None
    if device is None or device.tenant_slug != tenant_slug or device.kind not in LINK_KINDS:
        return None
    return device


def _pairing_live(device: Device) -> bool:
    return DevicePairing.objects.filter(
        id=device.pairing_id,
        terminal_id=device.terminal_id,
        revoked_at__isnull=True,
        terminal__status=TerminalStatus.ACTIVE,
        terminal__deleted_at__isnull=True,
        tenant__is_active=True,  # a suspended business's tills get 403s, not a live link
    ).exists()


def link_device_live(*, device: Device) -> bool:
    """Whether the device's pairing still counts (not revoked, not paired again, active)."""
    with tenant_atomic(device.tenant_id):
        return _pairing_live(device)


def link_status_record(*, device: Device, status: LinkStatusV1) -> bool:
    """Keep a till's heartbeat status for the sync health page; False (nothing kept) when the
    device's pairing no longer counts, so the link closes."""
    now = timezone.now()
    fields: dict[str, object] = {
        "last_seen_at": now,
        "pending_sales": status.pending_sales,
        "needs_attention": status.needs_attention,
        "app_version": status.app_version,
        "last_sale_at": status.last_sale_at,
        "catalog_version": status.catalog_version,
    }
    with tenant_atomic(device.tenant_id):
        if not _pairing_live(device):
            return False
        # One INSERT ... ON CONFLICT (terminal) DO UPDATE, as the sync batches' status write.
        DeviceStatus.objects.bulk_create(
            [DeviceStatus(tenant_id=device.tenant_id, terminal_id=device.terminal_id, **fields)],
            update_conflicts=True,
            unique_fields=["terminal"],
            update_fields=[*fields, "updated_at"],
        )
    return True
