"""A push Redis fails pauses the pushes for a while: a write does not wait out a silent Redis's
socket timeout again and again (the readiness test's seeding against a silent Redis did)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sync_server.link import push


class _FailingLayer:
    def __init__(self) -> None:
        self.sends = 0

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sends += 1
        raise TimeoutError("Redis did not answer")


def test_a_failed_push_pauses_pushes_and_the_cache_then_they_resume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = _FailingLayer()
    clock = [1000.0]
    monkeypatch.setattr(push, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(push.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(push, "_paused_until", 0.0)
    cache_reads: list[str] = []
    monkeypatch.setattr(push.cache, "get", lambda key: cache_reads.append(key))

    push.send_now(push.tenant_group(uuid.uuid4()), {"type": push.CATALOG_EVENT})
    assert layer.sends == 1  # tried, failed, logged, not raised
    push.send_now(push.tenant_group(uuid.uuid4()), {"type": push.CATALOG_EVENT})
    assert push.pushed_catalog_version(uuid.uuid4()) == 0
    assert layer.sends == 1 and cache_reads == []  # paused: neither Redis nor the cache asked

    clock[0] += push.PAUSE_AFTER_FAILURE_S + 1
    push.send_now(push.tenant_group(uuid.uuid4()), {"type": push.CATALOG_EVENT})
    assert layer.sends == 2  # tried again once the pause is over
