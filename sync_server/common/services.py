"""Write helpers every app's services share: create in the tenant, apply fields, soft delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sync_server.common.tenancy import TenantOwnedModel, VersionedModel

V = TypeVar("V", bound=VersionedModel)
T = TypeVar("T", bound=TenantOwnedModel)


def create_owned(model: type[T], *, tenant: Any, data: Mapping[str, Any]) -> T:
    """Insert a tenant-owned row for `tenant` (the tenant in context must be the same)."""
    instance = model(tenant=tenant, **data)
    instance.save()
    return instance


def apply_fields(instance: V, data: Mapping[str, Any]) -> V:
    """Set the given fields and save once: one version bump per write.

    Constraints are the database's job; a violation becomes a 409 in the API.
    """
    for name, value in data.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def soft_delete(instance: V) -> V:
    """Tombstone the row: it disappears from lists but stays for the change feed."""
    instance.soft_delete()
    return instance
