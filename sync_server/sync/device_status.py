"""Record what the server hears from each device, for the back office's sync health page."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from shared.protocol import TillStatusV1
from sync_server.common.tenancy import Statement, tenant_atomic_joined, tenant_statements
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


FORWARD_ONLY = ("last_sale_at", "catalog_version")
"""Fields a pushed batch only moves forward: the greater of the held and the sent is kept.

Both only grow on a till (the time of its newest sale, the version of the catalog it holds),
and a batch's status is read before its push while the server writes it after the ingest: a
heartbeat heard in between (`link_status_record`) is newer and must not be undone by it.
Taking the greater of the two is that rule without comparing clocks of two messages. What a
batch leaves out (an older till, or `last_sale_at` None before its first sale) leaves the
held value alone. The heartbeat itself, heard in order on the till's one socket, still sets
them as they are."""


def _synced_fields(till_status: TillStatusV1 | None) -> dict[str, object]:
    now = timezone.now()
    fields: dict[str, object] = {"last_seen_at": now, "last_sync_at": now}
    if till_status is not None:
        fields.update(
            pending_sales=till_status.pending_sales,
            needs_attention=till_status.needs_attention,
            app_version=till_status.app_version,
        )
        if till_status.last_sale_at is not None:
            fields["last_sale_at"] = till_status.last_sale_at
        if "catalog_version" in till_status.model_fields_set:  # a till older than it omits it
            fields["catalog_version"] = till_status.catalog_version
    return fields


def device_synced(*, tenant: Tenant, device: Device, till_status: TillStatusV1 | None) -> None:
    """Note a pushed batch, with what the till reported of itself when it sent one."""
    _upsert(tenant=tenant, device=device, fields=_synced_fields(till_status))


def device_synced_statement(
    *, tenant: Tenant, device: Device, till_status: TillStatusV1 | None
) -> Statement:
    """PostgreSQL: `device_synced` as one upsert statement, for the ingest to send with the
    orders it stores (one commit per push instead of two)."""
    fields = _synced_fields(till_status)
    return _upsert_sql(tuple(fields)), _row_params(tenant, device, fields)


def _row_params(tenant: Tenant, device: Device, fields: dict[str, object]) -> list[object]:
    now = timezone.now()
    row = DeviceStatus(
        tenant=tenant, terminal_id=device.terminal_id, created_at=now, updated_at=now, **fields
    )
    return [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for field in DeviceStatus._meta.concrete_fields
    ]


def _upsert_sql(columns: Sequence[str]) -> str:
    """INSERT of a whole row ... ON CONFLICT (terminal) DO UPDATE of `columns` only; those of
    `FORWARD_ONLY` to the greater of the held and the new value (PostgreSQL's GREATEST skips
    a NULL: a row that held none takes the new one)."""
    table = DeviceStatus._meta.db_table
    names = ", ".join(f'"{field.column}"' for field in DeviceStatus._meta.concrete_fields)
    marks = ", ".join(["%s"] * len(DeviceStatus._meta.concrete_fields))
    updates = ", ".join(
        f'"{name}" = GREATEST("{table}"."{name}", EXCLUDED."{name}")'
        if name in FORWARD_ONLY
        else f'"{name}" = EXCLUDED."{name}"'
        for name in (*columns, "updated_at")
    )
    return (
        f'INSERT INTO "{table}" ({names}) VALUES ({marks}) '
        f'ON CONFLICT ("terminal_id") DO UPDATE SET {updates}'
    )


def _upsert(*, tenant: Tenant, device: Device, fields: dict[str, object]) -> None:
    """One INSERT ... ON CONFLICT (terminal) DO UPDATE: concurrent calls never collide.

    On PostgreSQL one round trip with the tenant setting (`tenant_statements`: outside a
    transaction its own implicit one), where a transaction took four: every push pays it.
    Elsewhere (SQLite, the one-machine default) one transaction: the upsert of the other
    fields, then an UPDATE per `FORWARD_ONLY` field that moves it only if it is behind."""
    if connection.vendor == "postgresql":
        params = _row_params(tenant, device, fields)
        tenant_statements(tenant, [(_upsert_sql(tuple(fields)), params)])
        return
    with tenant_atomic_joined(tenant):
        DeviceStatus.objects.bulk_create(
            [DeviceStatus(tenant=tenant, terminal_id=device.terminal_id, **fields)],
            update_conflicts=True,
            unique_fields=["terminal"],
            update_fields=[name for name in (*fields, "updated_at") if name not in FORWARD_ONLY],
        )
        for name in FORWARD_ONLY:  # the insert took them; an update only moves them forward
            if name in fields:
                behind = Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lt": fields[name]})
                DeviceStatus.objects.filter(behind, terminal_id=device.terminal_id).update(
                    **{name: fields[name]}
                )
