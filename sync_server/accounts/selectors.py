"""Reads of users, including the one cross-tenant read login needs."""

from __future__ import annotations

import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet

from sync_server.accounts.models import User
from sync_server.common.tenancy import (
    PLATFORM_SETTING,
    TenantScope,
    scope_is_active,
    tenant_atomic,
)
from sync_server.tenants.models import Tenant


def login_scope_for_username(*, username: str) -> TenantScope | None:
    """Whose rows a username lives in, before any tenant is known (None: no such user).

    On PostgreSQL this calls `kiosk_login_scope()`, a SECURITY DEFINER function
    that returns only the tenant id of one exact username; the app role itself
    cannot read other tenants' users. See docs/server.md.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT kiosk_login_scope(%s)", [username])
            row = cursor.fetchone()
        value = row[0] if row else None
        if value is None:
            return None
        return TenantScope(tenant_id=None if value == PLATFORM_SETTING else uuid.UUID(value))
    # SQLite has no RLS: the bypass manager is the honest equivalent here.
    found = list(
        User.unscoped.filter(username=username, deleted_at__isnull=True).values_list(
            "tenant_id", flat=True
        )[:1]
    )
    return TenantScope(tenant_id=found[0]) if found else None


def user_in_scope(*, scope: TenantScope, **lookup: object) -> User | None:
    """Load one live user inside its own tenant (or platform) scope; None when absent."""
    if scope_is_active(scope):  # the usual request: token tenant == URL tenant
        return User.objects.select_related("tenant").filter(**lookup).first()
    with tenant_atomic(scope.tenant_id):
        return User.objects.select_related("tenant").filter(**lookup).first()


def user_list(*, tenant: Tenant, search: str = "", role: str = "") -> QuerySet[User]:
    """Users of the tenant in context, optionally searched and filtered by role."""
    queryset = User.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    if role:
        queryset = queryset.filter(role=role)
    return queryset.order_by("username")
