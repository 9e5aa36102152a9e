"""Where writes become pushes: post_save receivers, so the apps that write need no edit.

- a row the catalog feed serves (`sync.feed.SOURCES`) -> `catalog_changed` to its tenant;
- an order's ready row turning ready -> `order_ready` to the till that sold it;
- a terminal leaving the active state, or paired again -> `device_revoked` to its links;
- a business suspended (or deleted) -> `device_revoked` to every link and kitchen socket of it.

Bulk `QuerySet.update()` sends no signal: revocations done that way (a reused refresh token)
are caught by the link's own check of the pairing on each status heartbeat.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Final

from django.db.models import Model
from django.db.models.signals import post_save

from sync_server.devices.models import DevicePairing
from sync_server.kitchen.models import KitchenOrderReady
from sync_server.link import push
from sync_server.orders.models import Order
from sync_server.sync.feed import SOURCES
from sync_server.tenants.models import Tenant, Terminal, TerminalStatus

log = logging.getLogger("kiosk.link")
FEED_TABLES: Final = frozenset(source.table for source in SOURCES)
TENANT_TABLE: Final = "tenants_tenant"


def _feed_row_saved(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    table = sender._meta.db_table
    if table not in FEED_TABLES:
        return
    tenant_id = instance.pk if table == TENANT_TABLE else getattr(instance, "tenant_id", None)
    version = getattr(instance, "version", None)
    if isinstance(tenant_id, uuid.UUID) and isinstance(version, int):
        push.catalog_changed(tenant_id, version)


def _order_ready_saved(instance: KitchenOrderReady, **kwargs: Any) -> None:
    if instance.ready_at is None:
        return
    try:  # the kitchen's write must stand whatever happens here: a push is only a nudge
        terminal_id = (
            Order.objects.filter(id=instance.order_id).values_list("terminal_id", flat=True).first()
        )
    except Exception:
        log.exception(
            "link: the till of order %s was not found for its ready push", instance.order_id
        )
        return
    if terminal_id is None:
        return
    order = {
        "protocol_version": 1,
        "order_id": str(instance.order_id),
        "receipt_number": instance.receipt_number,
        "ready_at": instance.ready_at.isoformat(),
    }
    push.order_ready(terminal_id, order)


def _terminal_saved(instance: Terminal, created: bool = False, **kwargs: Any) -> None:
    if created:
        return
    if instance.status != TerminalStatus.ACTIVE or instance.deleted_at is not None:
        push.device_revoked(instance.id, reason="revoked")


def _pairing_saved(instance: DevicePairing, created: bool = False, **kwargs: Any) -> None:
    if created:  # every older pairing of the terminal ended in the same transaction
        push.device_revoked(instance.terminal_id, reason="repaired")
    elif instance.revoked_at is not None:
        push.device_revoked(instance.terminal_id, reason="revoked")


def _tenant_saved(instance: Tenant, created: bool = False, **kwargs: Any) -> None:
    if created:
        return
    if not instance.is_active or instance.deleted_at is not None:
        # Each socket checks its own standing and closes; a resumed business's devices stay.
        push.send_after_commit(
            push.tenant_group(instance.id), {"type": push.REVOKED_EVENT, "reason": "suspended"}
        )


def connect() -> None:
    """Connect the receivers once (the app's `ready`)."""
    post_save.connect(_feed_row_saved, dispatch_uid="link-feed-row")
    post_save.connect(_order_ready_saved, sender=KitchenOrderReady, dispatch_uid="link-ready")
    post_save.connect(_terminal_saved, sender=Terminal, dispatch_uid="link-terminal")
    post_save.connect(_pairing_saved, sender=DevicePairing, dispatch_uid="link-pairing")
    post_save.connect(_tenant_saved, sender=Tenant, dispatch_uid="link-tenant")
