"""The OpenAPI schema describes what the server sends (finding 8 of the hardening review)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_kitchen_ticket_list_is_documented_as_the_page_it_is(
    anon_client: APIClient, role_client: Any
) -> None:
    schema = anon_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/{tenant_slug}/kitchen/tickets/"]["get"]
    documented = _resolve(
        schema, operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert documented["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(documented["properties"])
    sent = role_client("owner").get("/api/demo/kitchen/tickets/")
    assert sent.status_code == 200 and set(sent.json()) == {"count", "next", "previous", "results"}
