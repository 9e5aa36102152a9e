"""Pushes to linked tills: Channels group messages sent after the commit that caused them.

Groups: `link.t.<tenant>` (every linked device of a tenant: catalog changes) and
`link.d.<terminal>` (one device: order ready, revoked, status request). On the Redis layer a
group spans every server node, so a write on one node reaches a till linked to another.
Channel layers deliver at most once: a push is a nudge, the till's cursors stay the truth.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, Final

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


PAUSE_AFTER_FAILURE_S: Final = 30.0
"""After Redis failed a push (down, or silent until its socket timeout), pushes and the pushed
version's cache are skipped this long: a write does not wait out the timeout again and again
(a back-office save, a seeding run of many transactions). Pushes are nudges; tills poll."""

_paused_until = 0.0
_pause_lock = threading.Lock()


def _paused() -> bool:
    return time.monotonic() < _paused_until


def _pause(what: str) -> None:
    global _paused_until
    with _pause_lock:
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_S
    log.exception("%s failed: link pushes paused for %.0f s", what, PAUSE_AFTER_FAILURE_S)


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send one group message from synchronous code; a failure is logged, never raised (the
    write that caused it stands, and the till catches up from its cursors)."""
    layer = get_channel_layer()
    if layer is None or _paused():
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        _pause(f"link push to {group}")


def send_after_commit(group: str, message: dict[str, Any]) -> None:
    """`send_now` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, message))


class _CatalogPush:
    """One transaction's catalog push for one tenant: sent once, after the commit, with the
    highest version its surviving writes reached (nothing if none survived).

    Kept last among the transaction's commit hooks, with no savepoint of its own, so it
    outlives any savepoint's rollback and runs after every `_CatalogWrites` of its tenant:
    those carry the versions, and a rolled-back savepoint's are dropped with it. An outer
    rollback drops it too. One push per commit however many savepoints the writes took (an
    import updates each row in a savepoint of its own).
    """

    __slots__ = ("depths", "tenant_id", "version")

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.tenant_id = tenant_id
        self.version = 0
        self.depths: dict[tuple[Any, ...], _CatalogWrites] = {}
        """The writes noted per savepoint depth (savepoint ids are never reused, so a depth
        rolled back never comes again)."""

    def __call__(self) -> None:
        if self.version:
            _push_catalog(self.tenant_id, self.version)


class _CatalogWrites:
    """The highest version written at one savepoint depth: a commit hook that lives and dies
    with that depth, handing its version to the transaction's `_CatalogPush` when it ran."""

    __slots__ = ("push", "version")

    def __init__(self, push: _CatalogPush, version: int) -> None:
        self.push = push
        self.version = version

    def __call__(self) -> None:
        self.push.version = max(self.push.version, self.version)


def catalog_changed(tenant_id: uuid.UUID, version: int, *, using: str | None = None) -> None:
    """A feed row of `tenant_id` was written at `version`: one push per commit, not per row
    nor per savepoint (a 10,000-row import is one push, not 10,000).

    Outside a transaction the push goes at once. Inside one the push rides on the
    transaction's commit hooks (`_CatalogPush`, `_CatalogWrites`): a rolled-back write, or
    savepoint, pushes nothing, and two concurrent transactions each push their own version.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _push_catalog(tenant_id, version)
        return
    hooks = connection.run_on_commit  # Django's (savepoint ids, callback, robust) entries
    found = next(
        (
            index
            for index in range(len(hooks) - 1, -1, -1)
            if isinstance(hooks[index][1], _CatalogPush) and hooks[index][1].tenant_id == tenant_id
        ),
        None,
    )
    if found is None:
        push, entry = _CatalogPush(tenant_id), None
    else:
        entry = hooks[found]
        push = entry[1]
    depth = tuple(connection.savepoint_ids)
    writes = push.depths.get(depth)
    if writes is not None:
        writes.version = max(writes.version, version)
        return
    writes = push.depths[depth] = _CatalogWrites(push, version)
    transaction.on_commit(writes, using=using)
    if found is not None:
        del hooks[found]
    hooks.append(entry or (set(), push, False))  # last again, and in no savepoint


def _catalog_version_key(tenant_id: uuid.UUID) -> str:
    return f"kiosk:link-catalog-version:{tenant_id.hex}"


def pushed_catalog_version(tenant_id: uuid.UUID) -> int:
    """The newest catalog version pushed for the tenant (0 when the cache does not know)."""
    if _paused():
        return 0
    try:
        return int(cache.get(_catalog_version_key(tenant_id)) or 0)
    except Exception:  # the cache is a help, never a requirement
        _pause("link: reading the pushed catalog version")
        return 0


def _push_catalog(tenant_id: uuid.UUID, version: int) -> None:
    try:
        if version > pushed_catalog_version(tenant_id) and not _paused():  # a race: one lag
            cache.set(_catalog_version_key(tenant_id), version, timeout=None)
    except Exception:
        _pause("link: keeping the pushed catalog version")
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
