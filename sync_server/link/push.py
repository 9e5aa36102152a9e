"""Pushes to linked tills: Channels group messages sent after the commit that caused them.

Groups: `link.t.<tenant>` (every linked device of a tenant: catalog changes) and
`link.d.<terminal>` (one device: order ready, revoked, status request). On the Redis layer a
group spans every server node, so a write on one node reaches a till linked to another.
Channel layers deliver at most once: a push is a nudge, the till's cursors stay the truth.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger("kiosk.link")

CATALOG_EVENT = "link.catalog"
READY_EVENT = "link.ready"
REVOKED_EVENT = "link.revoked"
STATUS_REQUEST_EVENT = "link.status_request"


def tenant_group(tenant_id: uuid.UUID) -> str:
    return f"link.t.{tenant_id.hex}"


def device_group(terminal_id: uuid.UUID) -> str:
    return f"link.d.{terminal_id.hex}"


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send one group message from synchronous code; a failure is logged, never raised (the
    write that caused it stands, and the till catches up from its cursors)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        log.exception("link push to %s failed", group)


def send_after_commit(group: str, message: dict[str, Any]) -> None:
    """`send_now` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, message))


_pending_catalog: dict[uuid.UUID, int] = {}
_pending_lock = threading.Lock()


def catalog_changed(tenant_id: uuid.UUID, version: int) -> None:
    """A feed row of `tenant_id` was written at `version`: one push per commit, not per row.

    Every write registers a flush after commit; the first flush of a commit sends the highest
    version noted and the others find nothing left. A rolled-back write leaves its note for
    the tenant's next commit: one spurious nudge, which costs a till one empty pull.
    """
    with _pending_lock:
        _pending_catalog[tenant_id] = max(version, _pending_catalog.get(tenant_id, 0))
    transaction.on_commit(lambda: _flush_catalog(tenant_id))


def _catalog_version_key(tenant_id: uuid.UUID) -> str:
    return f"kiosk:link-catalog-version:{tenant_id.hex}"


def pushed_catalog_version(tenant_id: uuid.UUID) -> int:
    """The newest catalog version pushed for the tenant (0 when the cache does not know)."""
    try:
        return int(cache.get(_catalog_version_key(tenant_id)) or 0)
    except Exception:  # the cache is a help, never a requirement
        log.exception("link: reading the pushed catalog version failed")
        return 0


def _flush_catalog(tenant_id: uuid.UUID) -> None:
    with _pending_lock:
        version = _pending_catalog.pop(tenant_id, None)
    if version is None:
        return
    try:
        if version > pushed_catalog_version(tenant_id):  # a race only makes it lag a push
            cache.set(_catalog_version_key(tenant_id), version, timeout=None)
    except Exception:
        log.exception("link: keeping the pushed catalog version failed")
    send_now(tenant_group(tenant_id), {"type": CATALOG_EVENT, "catalog_version": version})


def order_ready(terminal_id: uuid.UUID, order: dict[str, Any]) -> None:
    """After commit: tell the till that sold the order (an `OrderReadyV1` as JSON data)."""
    send_after_commit(device_group(terminal_id), {"type": READY_EVENT, "order": order})


def device_revoked(terminal_id: uuid.UUID, *, reason: str) -> None:
    """After commit: the terminal's links check their pairing and close if it ended (a link
    of the new pairing, when the terminal was paired again, stays)."""
    send_after_commit(device_group(terminal_id), {"type": REVOKED_EVENT, "reason": reason})


def status_request(terminal_id: uuid.UUID) -> None:
    """Ask a linked till to report its status now."""
    send_now(device_group(terminal_id), {"type": STATUS_REQUEST_EVENT})
