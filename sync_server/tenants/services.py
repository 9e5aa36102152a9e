"""Writes of tenants (super admin), outlets and terminals."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.services import apply_fields, create_owned, soft_delete
from sync_server.tenants.error_codes import TenantErrorCode
from sync_server.tenants.models import Outlet, Tenant, Terminal


@transaction.atomic
def tenant_create(**fields: Any) -> Tenant:
    """Register a business (super admin only)."""
    tenant = Tenant(**fields)
    tenant.save()
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, **fields: Any) -> Tenant:
    """Change a tenant's settings; the version bump ships them to terminals. A new time zone
    recounts the sales rollups, whose days and hours are the tenant's local ones."""
    from sync_server.reports.rollups import rollups_rebuild

    zone = tenant.time_zone
    tenant = apply_fields(tenant, fields)
    if tenant.time_zone != zone:
        rollups_rebuild(tenant=tenant)
    return tenant


@transaction.atomic
def tenant_delete(*, tenant: Tenant) -> None:
    """Tombstone and deactivate a tenant: its users can no longer sign in."""
    apply_fields(tenant, {"is_active": False, "deleted_at": timezone.now()})


@transaction.atomic
def outlet_create(*, tenant: Tenant, **fields: Any) -> Outlet:
    return create_owned(Outlet, tenant=tenant, data=fields)


@transaction.atomic
def outlet_update(*, tenant: Tenant, outlet: Outlet, **fields: Any) -> Outlet:
    return apply_fields(outlet, fields)


@transaction.atomic
def outlet_delete(*, tenant: Tenant, outlet: Outlet) -> None:
    """Refuse while live terminals belong to the outlet (409)."""
    if Terminal.objects.filter(outlet=outlet).exists():
        raise Refused(
            "the outlet still has terminals",
            code=TenantErrorCode.IN_USE,
            category=ErrorCategory.CONFLICT,
        )
    soft_delete(outlet)


@transaction.atomic
def terminal_create(*, tenant: Tenant, **fields: Any) -> Terminal:
    """Register a device slot; pairing the real device is a separate step (issue 4)."""
    return create_owned(Terminal, tenant=tenant, data=fields)


@transaction.atomic
def terminal_update(*, tenant: Tenant, terminal: Terminal, **fields: Any) -> Terminal:
    return apply_fields(terminal, fields)


@transaction.atomic
def terminal_delete(*, tenant: Tenant, terminal: Terminal) -> None:
    soft_delete(terminal)
