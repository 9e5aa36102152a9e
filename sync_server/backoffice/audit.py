"""The audit recorder: one hook under every service, for the back office and the API alike.

`AuditMiddleware` notes the request being served; model signals on tenant-owned rows (and the
tenant's own settings row) then write an `AuditEntry` in the change's own transaction when a
person is behind the request: the back-office page's signed-in user, or the user DRF
authenticated on an API call (DRF puts it on the Django request too). Devices (the sync ingest,
kitchen screens) and background jobs have no person and are not audited here; their writes
have their own records (orders, tickets, movements).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

from sync_server.accounts.models import User
from sync_server.backoffice.models import AuditAction, AuditEntry
from sync_server.common.tenancy import TenantContextMissing, TenantOwnedModel, current_scope
from sync_server.tenants.models import Tenant

_request: ContextVar[HttpRequest | None] = ContextVar("kiosk_audit_request", default=None)
PLATFORM_USER = "audit_platform_user"
"""Request attribute naming the super admin on a platform page (no tenant desk there)."""

# Bookkeeping columns every write touches: not a change anyone made.
IGNORED = frozenset({"version", "updated_at", "created_at", "last_login"})
# Hashes are secrets too: the log says they changed, never what they are.
SECRET = frozenset({"pin_hash", "password", "code_hash"})
SECRET_MARK = "••••"


class AuditMiddleware:
    """Remember the request while it is served, so the signal handlers can find its person."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_actor() -> tuple[User, str] | None:
    """The person behind the current request and the door they came through, or None."""
    request = _request.get()
    if request is None:
        return None
    desk = getattr(request, "backoffice_desk", None)
    if desk is not None and isinstance(getattr(desk, "user", None), User):
        return desk.user, "backoffice"
    platform_user = getattr(request, PLATFORM_USER, None)  # a super admin's platform page
    if isinstance(platform_user, User):
        return platform_user, "backoffice"
    user = getattr(request, "user", None)
    if isinstance(user, User) and request.path.startswith("/api/"):
        return user, "api"
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's columns as JSON values (foreign keys as ids), bookkeeping left out."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in IGNORED:
            continue
        name = field.attname if field.is_relation else field.name
        values[name] = _plain(getattr(instance, field.attname))
    return values


def _tenant_of(instance: models.Model) -> Any:
    return instance.pk if isinstance(instance, Tenant) else getattr(instance, "tenant_id", None)


def _audited(sender: type[models.Model], instance: models.Model) -> bool:
    # (AuditEntry itself is no TenantOwnedModel: the log does not log itself.)
    if not issubclass(sender, TenantOwnedModel | Tenant):
        return False
    tenant_id = _tenant_of(instance)
    # Written only where the row's tenant is the transaction's (row-level security agrees).
    try:
        scope_tenant = current_scope().tenant_id
    except TenantContextMissing:  # a platform write outside any tenant (a new tenant)
        return False
    return tenant_id is not None and tenant_id == scope_tenant


def _remember_before(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    if current_actor() is None or not _audited(sender, instance) or instance._state.adding:
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(stored) if stored is not None else None  # type: ignore[attr-defined]


def _changes(
    before: dict[str, Any] | None, after: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if before is None:
        changed_after = dict(after)
        changed_before = None
    else:
        keys = [key for key in after if before.get(key) != after[key]]
        changed_before = {key: before.get(key) for key in keys}
        changed_after = {key: after[key] for key in keys}
    for side in (changed_before, changed_after):
        for key in SECRET & set(side or {}):
            side[key] = SECRET_MARK if side[key] else ""  # type: ignore[index]
    return changed_before, changed_after


def _record(instance: models.Model, action: str, before: Any, after: Any) -> None:
    actor = current_actor()
    if actor is None:
        return
    user, via = actor
    AuditEntry.objects.create(
        tenant_id=_tenant_of(instance),
        actor_id=user.pk,
        actor_name=user.username,
        via=via,
        action=action,
        entity=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **_: Any
) -> None:
    if current_actor() is None or not _audited(sender, instance):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    instance.__dict__.pop("_audit_before", None)
    changed_before, changed_after = _changes(before, snapshot(instance))
    if not created and not changed_after:
        return
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    if not created and changed_after.get("deleted_at") and not (before or {}).get("deleted_at"):
        action = AuditAction.DELETE
    _record(instance, action, changed_before, changed_after)


def _after_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    if current_actor() is None or not _audited(sender, instance):
        return
    _record(instance, AuditAction.DELETE, snapshot(instance), None)


def connect() -> None:
    """Called once from the app config: the hook under every write."""
    pre_save.connect(_remember_before, dispatch_uid="kiosk_audit_pre_save")
    post_save.connect(_after_save, dispatch_uid="kiosk_audit_post_save")
    post_delete.connect(_after_delete, dispatch_uid="kiosk_audit_post_delete")
