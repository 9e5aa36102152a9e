"""Schemathesis against a real `kiosk-server` on PostgreSQL, from `/api/schema/`, as the owner, a
manager, a cashier, the super admin and a paired till: no 5xx, every documented response
conforms to the schema, every error is in the JSON error shape.

Bounded in `make test` (about 60 s in all); `make fuzz` sets KIOSK_FUZZ_SECONDS and
KIOSK_FUZZ_EXAMPLES for a long run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.core.errors import UnsupportedSchema
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from sync_server.common.errors import ERROR_CATEGORIES
from tests.support.server_process import ServerProcess, running_server

FUZZ_SECONDS = float(os.environ.get("KIOSK_FUZZ_SECONDS") or 60)
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES") or 3)
ROLES = ("demo.owner", "demo.manager", "demo.cashier", "root", "till")
NOT_GENERATED = frozenset(
    {"POST /api/{tenant_slug}/sync/orders/", "POST /api/{tenant_slug}/sync/events/"}
)
"""Bodies schemathesis cannot generate from (nested pydantic wire models): the hypothesis
tests of tests/server/sync/test_hostile_payloads.py generate those payloads instead."""

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("KIOSK_TEST_DB", "postgres") != "postgres", reason="needs PostgreSQL"
    ),
    pytest.mark.timeout(int(FUZZ_SECONDS) + 300),
]


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer of the API is {"error", "message", "field", "code"}."""
    if response.status_code < 400:
        return None
    body = json.loads(response.content)
    if set(body) != {"error", "message", "field", "code"}:
        raise AssertionError(f"not the error shape: {body}")
    if body["error"] not in ERROR_CATEGORIES:
        raise AssertionError(f"undocumented error category {body['error']!r}")
    return None


CHECKS = [
    checks.not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    error_shape,
]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as running:
        yield running


def _login(server: ServerProcess, username: str) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/auth/token/",
        json={"username": username, "password": "kiosk-demo"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access"])


def _paired_till(server: ServerProcess, owner: str) -> str:
    headers = {"Authorization": f"Bearer {owner}"}
    terminals = httpx.get(f"{server.base_url}/api/demo/terminals/", headers=headers).json()
    till = next(row for row in terminals["results"] if row["code"] == "t1")
    code = httpx.post(
        f"{server.base_url}/api/demo/terminals/{till['id']}/pairing-code/", headers=headers
    ).json()["code"]
    paired = httpx.post(
        f"{server.base_url}/api/pair/", json={"protocol_version": 1, "code": code}, timeout=30
    )
    paired.raise_for_status()
    return str(paired.json()["access"])


@pytest.fixture(scope="module")
def schema(server: ServerProcess) -> Any:
    return schemathesis.openapi.from_url(f"{server.base_url}/api/schema/")


def _fuzz(server: ServerProcess, schema: Any, token: str, budget_s: float) -> tuple[list[str], int]:
    """Every operation with EXAMPLES generated cases (no shrinking) until the budget is spent;
    the failures found (one line each) and how many requests were sent."""
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    sent = 0
    deadline = time.monotonic() + budget_s
    for result in schema.get_all_operations():
        if time.monotonic() > deadline:
            break
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            if "tenant_slug" in case.path_parameters:
                case.path_parameters["tenant_slug"] = "demo"  # reach the views, not a 404
            nonlocal sent
            sent += 1
            response = case.call(base_url=server.base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            exercise()
        except UnsupportedSchema:
            if operation.label not in NOT_GENERATED:
                failures.append(f"{operation.label}: schemathesis cannot generate its input")
        except (Exception, BaseExceptionGroup) as error:  # one line per failing operation
            parts = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
            text = " ".join(" | ".join(str(part) for part in parts).split())
            failures.append(f"{operation.label}: {text[:500]}")
    return failures, sent


@pytest.fixture(scope="module")
def tokens(server: ServerProcess) -> dict[str, str]:
    """Every role's access token, taken before any fuzzing: the fuzzer's bad logins and
    pairing attempts soon hit the per-address limits (429), as they should."""
    found = {role: _login(server, role) for role in ROLES if role != "till"}
    found["till"] = _paired_till(server, found["demo.owner"])
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_schema_conformance(
    server: ServerProcess, schema: Any, tokens: dict[str, str], role: str
) -> None:
    failures, sent = _fuzz(server, schema, tokens[role], FUZZ_SECONDS / len(ROLES))
    assert not failures, "\n".join(failures) + "\n" + server.log()[-3000:]
    assert sent >= 50, f"only {sent} requests were sent"
