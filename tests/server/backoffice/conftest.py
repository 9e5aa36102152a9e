"""Back-office fixtures: a browser-like client that signs in through the real form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sync_server.demo_data import DEMO_PASSWORD
from tests.server.sync.conftest import demo_products, pair_device  # noqa: F401 - fixtures

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def post_form(
    client: Client, path: str, data: dict[str, Any], form: str | None = None, **headers: Any
) -> Any:
    """POST as a browser does: with the CSRF token of the page holding the form (`form`,
    by default the same path)."""
    token = csrf_from(client.get(form or path).text)
    return client.post(path, {**data, "csrfmiddlewaretoken": token}, **headers)


def sign_in(client: Client, username: str, password: str = DEMO_PASSWORD) -> object:
    """GET the form, POST it with its CSRF token, as a browser does; the POST's response."""
    form = client.get("/backoffice/login/")
    assert form.status_code == 200
    return client.post(
        "/backoffice/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf_from(form.text)},
    )


@pytest.fixture
def browser(db: None) -> Callable[[str], Client]:
    """`browser("demo.owner")`: a CSRF-enforcing client signed in as that demo user."""

    def make(username: str) -> Client:
        client = Client(enforce_csrf_checks=True)
        answer = sign_in(client, username)
        assert answer.status_code == 302, getattr(answer, "content", b"")[:500]
        return client

    return make
