"""Which devices hold an open socket right now (a till's link, a kitchen screen's socket), for
the sync health page: one cache key per device, set on connect, renewed while it talks, gone
on disconnect or, should a server node die, when it expires.

The cache is the channel layer's Redis when several nodes serve (each node sees every socket),
and the process's memory on the single-machine default. It is a help, never a requirement: a
failure is logged and the page shows the device as not linked.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Final

from django.core.cache import cache

from shared.protocol_link import LINK_STATUS_EVERY_S

log = logging.getLogger("kiosk.link")

PRESENT_FOR_S: Final = int(3 * LINK_STATUS_EVERY_S)
"""A socket's mark lasts this long unless renewed (a till reports its status every minute)."""


def _key(terminal_id: uuid.UUID) -> str:
    return f"kiosk:link-up:{terminal_id.hex}"


async def socket_opened(terminal_id: uuid.UUID, channel_name: str) -> None:
    """Mark the device linked through this channel (also to renew the mark)."""
    try:
        await cache.aset(_key(terminal_id), channel_name, timeout=PRESENT_FOR_S)
    except Exception:
        log.exception("link presence: marking %s failed", terminal_id)


async def socket_closed(terminal_id: uuid.UUID, channel_name: str) -> None:
    """Clear the mark, unless a newer socket of the same device set it meanwhile."""
    try:
        if await cache.aget(_key(terminal_id)) == channel_name:
            await cache.adelete(_key(terminal_id))
    except Exception:
        log.exception("link presence: clearing %s failed", terminal_id)


def linked_devices(terminal_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The devices among `terminal_ids` with an open socket now."""
    ids = {_key(terminal_id): terminal_id for terminal_id in terminal_ids}
    if not ids:
        return set()
    try:
        found = cache.get_many(list(ids))
    except Exception:
        log.exception("link presence: reading failed")
        return set()
    return {ids[key] for key in found}
