"""Health probes for a load balancer or systemd: `/healthz` (alive) and `/readyz` (can serve).

`/healthz` touches nothing outside the process, so a database outage never gets a healthy
worker restarted. `/readyz` asks PostgreSQL for `SELECT 1` and sends to the channel layer, both
under one deadline: a dead or silent dependency answers 503 within READY_TIMEOUT_S, never hangs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse

log = logging.getLogger("kiosk.health")

READY_TIMEOUT_S: Final = 1.0
"""Deadline of each readiness check (they run side by side): the promised 2 s leave a second
for the request itself on a busy machine."""
PROBE_GROUP: Final = "kiosk.readyz"
"""A group no socket joins: a send to it is a round trip to Redis and nothing more."""


def healthz(request: HttpRequest) -> JsonResponse:
    """The process runs and serves HTTP."""
    return JsonResponse({"status": "ok"})


def _database_answers() -> None:
    """`SELECT 1` on a connection of this (pool) thread, closed after: no stale link is kept."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


async def _channel_layer_answers() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    await layer.group_send(PROBE_GROUP, {"type": "readyz.probe"})


async def _check(name: str, probe: asyncio.Future[None] | asyncio.Task[None]) -> str:
    try:
        await asyncio.wait_for(probe, timeout=READY_TIMEOUT_S)
    except TimeoutError:
        log.warning("readyz: %s did not answer within %.1f s", name, READY_TIMEOUT_S)
        return "timeout"
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        log.warning("readyz: %s failed: %s", name, type(error).__name__)
        return "unavailable"
    return "ok"


async def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the channel layer both answer in time, else 503."""
    database = asyncio.ensure_future(sync_to_async(_database_answers, thread_sensitive=False)())
    channel_layer = asyncio.ensure_future(_channel_layer_answers())
    results = await asyncio.gather(
        _check("database", database), _check("channel_layer", channel_layer)
    )
    checks = dict(zip(("database", "channel_layer"), results, strict=True))
    ready = all(result == "ok" for result in results)
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
        headers=None if ready else {"Retry-After": "5"},
    )
