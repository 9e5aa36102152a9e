"""Reads of tenants, outlets and terminals."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from sync_server.tenants.models import Outlet, Tenant, Terminal


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """A live tenant by URL slug (the registry has no RLS: it is read before any scope)."""
    return Tenant.objects.filter(slug=slug, deleted_at__isnull=True).first()


def tenant_list(*, search: str = "") -> QuerySet[Tenant]:
    queryset = Tenant.objects.filter(deleted_at__isnull=True)
    if search:
        queryset = queryset.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("slug")


def outlet_list(*, tenant: Tenant, search: str = "") -> QuerySet[Outlet]:
    queryset = Outlet.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("code", "id")


def terminal_list(
    *, tenant: Tenant, search: str = "", outlet: uuid.UUID | None = None, kind: str = ""
) -> QuerySet[Terminal]:
    queryset = Terminal.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if outlet is not None:
        queryset = queryset.filter(outlet_id=outlet)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("code", "id")


def receipt_logo_bytes(*, tenant: Tenant, sha256: str) -> bytes | None:
    """The stored logo when `sha256` names the tenant's current one; None otherwise (no logo,
    an older one, another business's, or a file lost from storage)."""
    name = tenant.receipt_logo.name
    if not name or not tenant.receipt_logo_sha256 or sha256 != tenant.receipt_logo_sha256:
        return None
    try:
        with default_storage.open(name, "rb") as file:
            return bytes(file.read())
    except OSError:
        return None
