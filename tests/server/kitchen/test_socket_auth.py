"""The kitchen socket never takes a long-lived token in its URL: a header, or a single-use
ticket from `POST kitchen/socket-ticket/` that expires in 30 s."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from sync_server.accounts.models import Role
from sync_server.config.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def _path(world: dict[str, Any], query: str) -> str:
    return f"/ws/demo/kitchen/{world['outlets']['main'].id}/?{query}"


async def _opens(world: dict[str, Any], query: str) -> bool:
    communicator = WebsocketCommunicator(application, _path(world, query))
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return bool(connected)


def _ticket(token: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post("/api/demo/kitchen/socket-ticket/")


async def test_a_token_in_the_url_is_refused(live_world: dict[str, Any]) -> None:
    assert not await _opens(live_world, f"token={live_world['tokens'][Role.KITCHEN]}")


@pytest.mark.parametrize("holder", [Role.KITCHEN, "kitchen_device"])
async def test_a_ticket_opens_one_socket_once(live_world: dict[str, Any], holder: str) -> None:
    answer = await database_sync_to_async(_ticket)(live_world["tokens"][holder])
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["expires_in"] == 30 and live_world["tokens"][holder] not in body["ticket"]
    assert await _opens(live_world, f"ticket={body['ticket']}")
    assert not await _opens(live_world, f"ticket={body['ticket']}")  # spent


async def test_a_made_up_ticket_and_a_cashier_are_refused(live_world: dict[str, Any]) -> None:
    assert not await _opens(live_world, "ticket=made-up")
    cashier = await database_sync_to_async(_ticket)(live_world["tokens"][Role.CASHIER])
    assert cashier.status_code == 403
    till = await database_sync_to_async(_ticket)(live_world["tokens"]["till_device"])
    assert till.status_code == 403
