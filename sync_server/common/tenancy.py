"""Fail-closed multi-tenancy: the tenant in context, `tenant_atomic`, and tenant-owned models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from sync_server.tenants.models import Tenant

# Value of `app.tenant_id` for platform rows (super admins, who belong to no tenant).
PLATFORM_SETTING = "platform"


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was queried with no tenant in context: refuse, never return all rows."""


class TenantMismatch(RuntimeError):
    """A row of one tenant was about to be written while another tenant is in context."""


@dataclass(frozen=True)
class TenantScope:
    """Whose rows the current code may see: one tenant, or the platform (tenant_id None)."""

    tenant_id: uuid.UUID | None

    @property
    def setting(self) -> str:
        """The value written to PostgreSQL's `app.tenant_id` for this scope."""
        return PLATFORM_SETTING if self.tenant_id is None else str(self.tenant_id)


_current_scope: ContextVar[TenantScope | None] = ContextVar("kiosk_tenant_scope", default=None)


def current_scope() -> TenantScope:
    """The scope in context, or TenantContextMissing: there is no 'all tenants' default."""
    scope = _current_scope.get()
    if scope is None:
        raise TenantContextMissing(
            "no tenant in context: enter tenant_atomic(tenant) before touching tenant data"
        )
    return scope


def current_tenant_id() -> uuid.UUID:
    """The tenant id in context; the platform scope has none and is refused too."""
    scope = current_scope()
    if scope.tenant_id is None:
        raise TenantContextMissing("the platform scope has no tenant")
    return scope.tenant_id


def scope_is_active(scope: TenantScope, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when `scope` is already in force (context and, on PostgreSQL, the transaction)."""
    return _current_scope.get() == scope and connections[using].in_atomic_block


def _scope_for(tenant: Tenant | uuid.UUID | None) -> TenantScope:
    if tenant is None:
        return TenantScope(tenant_id=None)
    if isinstance(tenant, uuid.UUID):
        return TenantScope(tenant_id=tenant)
    return TenantScope(tenant_id=tenant.pk)


def _apply_scope(scope: TenantScope, using: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # is_local=true: the setting dies with the transaction, so a pooled
        # connection never carries one tenant into the next request.
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [scope.setting])


@contextmanager
def tenant_atomic(
    tenant: Tenant | uuid.UUID | None, *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Open a transaction for one tenant (None: the platform scope) and set RLS's tenant.

    This is the one way services enter a tenant's data. Nesting is allowed (a
    savepoint); on the way out the outer tenant is put back.
    """
    scope = _scope_for(tenant)
    token = _current_scope.set(scope)
    try:
        with transaction.atomic(using=using):
            _apply_scope(scope, using)
            yield
        outer = token.old_value
        if isinstance(outer, TenantScope) and connections[using].in_atomic_block:
            _apply_scope(outer, using)
    finally:
        _current_scope.reset(token)


@contextmanager
def tenant_atomic_joined(
    tenant: Tenant | uuid.UUID | None, *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """`tenant_atomic`, except inside a transaction already scoped to this tenant: then it joins
    that transaction without a savepoint or a second `set_config` (an error aborts the whole
    caller's transaction). For writes that only ever belong with their caller's, such as an
    order's kitchen tickets, where a savepoint would cost round trips and save nothing."""
    if scope_is_active(_scope_for(tenant), using=using):
        with transaction.atomic(using=using, savepoint=False):
            yield
        return
    with tenant_atomic(tenant, using=using):
        yield


Statement = tuple[str, Sequence[Any]]
"""SQL with `%s` placeholders and its parameters."""


def tenant_statements(
    tenant: Tenant | uuid.UUID, statements: Sequence[Statement], *, using: str = DEFAULT_DB_ALIAS
) -> list[list[tuple[Any, ...]]]:
    """Run `statements` for one tenant in ONE round trip on PostgreSQL; the rows of each.

    The tenant's `set_config(..., true)` and the statements go as one simple-protocol query,
    which PostgreSQL runs in order as one transaction (outside an atomic block it is its own
    implicit transaction: committed or rolled back whole, and the setting dies with it). A
    request's hot path pays one round trip here where `tenant_atomic` pays four (BEGIN,
    `set_config`, the statement, COMMIT). Inside an atomic block the setting of the scope in
    context (none: empty, which matches no row) is put back at the end. Parameters are bound
    by the client (Django's psycopg cursor), as for every ORM query.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise NotImplementedError("tenant_statements runs on PostgreSQL only")
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        # Server-side binding sends one statement per query: the setting and the statements
        # could no longer share one implicit transaction. Refuse loudly rather than degrade.
        raise ImproperlyConfigured("tenant_statements needs client-side parameter binding")
    parts = ["SELECT set_config('app.tenant_id', %s, true)"]
    params: list[Any] = [_scope_for(tenant).setting]
    for sql, values in statements:
        parts.append(sql)
        params.extend(values)
    if connection.in_atomic_block:
        outer = _current_scope.get()
        parts.append("SELECT set_config('app.tenant_id', %s, true)")
        params.append(outer.setting if outer is not None else "")
    rows: list[list[tuple[Any, ...]]] = []
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(parts), params)
        for _ in statements:
            cursor.nextset()
            rows.append(cursor.fetchall() if cursor.description else [])
    return rows


@contextmanager
def platform_atomic(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The platform scope: only rows that belong to no tenant (super admins)."""
    with tenant_atomic(None, using=using):
        yield


M = TypeVar("M", bound=models.Model)


class TenantScopedManager(models.Manager[M], Generic[M]):
    """Default manager of tenant-owned models: the tenant in context, or an exception."""

    include_tombstones: ClassVar[bool] = True

    def get_queryset(self) -> models.QuerySet[M]:
        scope = current_scope()
        queryset = super().get_queryset()
        if scope.tenant_id is None:
            queryset = queryset.filter(tenant__isnull=True)
        else:
            queryset = queryset.filter(tenant_id=scope.tenant_id)
        if not self.include_tombstones:
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset


class LiveTenantManager(TenantScopedManager[M], Generic[M]):
    """Tenant-scoped and without soft-deleted rows: what APIs and services normally want."""

    include_tombstones = False


class UnscopedManager(models.Manager[M], Generic[M]):
    """Explicit bypass for migrations and cross-tenant jobs; PostgreSQL RLS still applies."""


def next_version(using: str = DEFAULT_DB_ALIAS) -> int:
    """Next value of the one catalog version sequence (a counter row on SQLite)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval('kiosk_version_seq')")
        else:
            cursor.execute(
                "UPDATE common_versioncounter SET value = value + 1 WHERE id = 1 RETURNING value"
            )
        row = cursor.fetchone()
    return int(row[0])


def next_versions(count: int, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """`count` fresh versions in one round trip on PostgreSQL (rows written in bulk)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return [next_version(using) for _ in range(count)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('kiosk_version_seq') FROM generate_series(1, %s)", [count])
        return [int(row[0]) for row in cursor.fetchall()]


class VersionedModel(models.Model):
    """A row the catalog change feed pages by: version bumped on every write, soft delete."""

    version = models.BigIntegerField(default=0, editable=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version = next_version(kwargs.get("using") or self._state.db or DEFAULT_DB_ALIAS)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)

    def soft_delete(self) -> None:
        """Tombstone the row (it stays for the change feed) and bump its version."""
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])


class TenantOwnedModel(VersionedModel):
    """Base of every tenant-owned row: UUID key, `tenant` FK, fail-closed managers, RLS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[LiveTenantManager[Any]] = LiveTenantManager()
    with_tombstones: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()
    unscoped: ClassVar[UnscopedManager[Any]] = UnscopedManager()

    # Rows with tenant NULL are allowed only where a subclass says so (users).
    allows_platform_rows: ClassVar[bool] = False

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        scope = current_scope()
        if self.tenant_id is None and scope.tenant_id is not None:
            self.tenant_id = scope.tenant_id
        if self.tenant_id is None and not self.allows_platform_rows:
            raise TenantMismatch(f"{type(self).__name__} needs a tenant")
        if self.tenant_id != scope.tenant_id:
            raise TenantMismatch(
                f"{type(self).__name__} of tenant {self.tenant_id} written in scope {scope.setting}"
            )
        super().save(*args, **kwargs)


class VersionCounter(models.Model):
    """SQLite stand-in for PostgreSQL's `kiosk_version_seq` (single row, id 1)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        app_label = "common"

    def __str__(self) -> str:
        return str(self.value)
