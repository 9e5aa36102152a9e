"""The OpenAPI schema describes what the server sends (finding 8 of the hardening review)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sync_server.common.schema_view import CachedSchemaView

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


def test_the_schema_is_built_once_however_many_ask_at_once(
    anon_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drf-spectacular's generator is not safe to run twice at once (a 500 under load), and a
    build takes seconds: the view builds it once under a lock and serves that to everyone."""
    monkeypatch.setattr(CachedSchemaView, "_built", {})
    builds: list[int] = []
    build = SchemaGenerator.get_schema

    def counted(self: SchemaGenerator, *args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: APIClient().get("/api/schema/?format=json"), range(4)))
    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({answer.content for answer in answers}) == 1
    assert builds == [1]
    assert anon_client.get("/api/schema/?format=json&lang=id").status_code == 200
    assert builds == [1, 1]  # another language is its own build
