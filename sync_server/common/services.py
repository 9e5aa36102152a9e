"""Write helpers every app's services share: create in the tenant, apply fields, soft delete,
insert unless the id exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import connections, models, router

from sync_server.common.tenancy import TenantOwnedModel, VersionedModel

V = TypeVar("V", bound=VersionedModel)
T = TypeVar("T", bound=TenantOwnedModel)


def same_fields(source: object, *names: str) -> dict[str, Any]:
    """The source's attributes under the same names (a wire model's fields as row columns)."""
    return {name: getattr(source, name) for name in names}


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


def insert_if_absent(instance: models.Model) -> bool:
    """INSERT ... ON CONFLICT (pk) DO NOTHING: True when this call created the row.

    The database decides, so concurrent inserts of one id make exactly one row; a loser waits
    for the winner's commit and then sees its row.
    """
    model = type(instance)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    assert model._meta.pk is not None
    pk = quote(str(model._meta.pk.column))
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() is not None
