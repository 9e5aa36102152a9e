"""The permission matrix: docs/permissions.md equals the code, and every cell holds over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from sync_server.accounts.models import Role
from sync_server.accounts.permissions import ACTIONS, HIDDEN_FIELDS, MATRIX, RESOURCES
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant
from tests.server.resources import RESOURCE_CASES, ResourceCase

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = [role.value for role in Role]
ERROR_KEYS = {"error", "message", "field", "code"}


def _table_rows(text: str, header_first_cell: str) -> list[list[str]]:
    rows: list[list[str]] = []
    in_table = False
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == header_first_cell:
            in_table, header = True, cells
            continue
        if in_table and line.startswith("|"):
            if not re.fullmatch(r"-+", cells[0]):
                rows.append(cells)
        elif in_table:
            break
    assert rows, f"no table starting with {header_first_cell!r}"
    return [header, *rows]


def test_permissions_doc_equals_the_code_matrix() -> None:
    header, *rows = _table_rows(DOC.read_text(encoding="utf-8"), "resource")
    assert header[2:] == ROLES
    documented: dict[str, dict[str, set[str]]] = {role: {} for role in ROLES}
    for resource, action, *cells in rows:
        assert action in ACTIONS and resource in RESOURCES
        for role, cell in zip(ROLES, cells, strict=True):
            assert cell in {"yes", "no"}
            if cell == "yes":
                documented[role].setdefault(resource, set()).add(action)
    in_code = {
        role: {resource: set(actions) for resource, actions in table.items() if actions}
        for role, table in MATRIX.items()
    }
    assert documented == in_code
    assert len(rows) == len(RESOURCES) * len(ACTIONS)


def test_every_resource_in_the_matrix_is_exercised() -> None:
    assert {case.name for case in RESOURCE_CASES} == set(RESOURCES)


def test_hidden_fields_doc_equals_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    _, *rows = _table_rows(text[text.index("## Hidden fields") :], "resource")
    documented = {
        (resource, field, frozenset(roles.split(", "))) for resource, field, roles in rows
    }
    in_code = {
        (resource, field, frozenset(str(role) for role in roles))
        for resource, fields in HIDDEN_FIELDS.items()
        for field, roles in fields.items()
    }
    assert documented == in_code


CELLS = [
    pytest.param(role, case, action, id=f"{role}-{case.name}-{action}")
    for role in ROLES
    for case in RESOURCE_CASES
    for action in ACTIONS
    if not (case.singleton and action == "list")  # a singleton's GET is its retrieve
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "case", "action"), CELLS)
def test_matrix_cell(
    role: str,
    case: ResourceCase,
    action: str,
    demo_tenant: Tenant,
    role_client: Callable[..., APIClient],
) -> None:
    client = role_client(role)
    answer = _call(client, case, action, demo_tenant)
    allowed = action in MATRIX[role][case.name]
    if allowed:
        assert answer.status_code in {200, 201, 204}, answer.content
    else:
        assert answer.status_code == 403, answer.content
        body = answer.json()
        assert set(body) == ERROR_KEYS and body["code"] == "role_forbidden"


def _call(client: APIClient, case: ResourceCase, action: str, tenant: Tenant) -> Any:
    slug = tenant.slug
    if action == "list":
        return client.get(case.list_url(slug))
    if action == "create":
        with tenant_atomic(tenant):
            payload = case.create(tenant)
        return client.post(case.list_url(slug), payload, format="json")
    target = case.make_in(tenant)
    url = case.detail_url(slug, target.pk)
    if action == "retrieve":
        return client.get(url)
    if action == "update":
        return client.patch(url, case.update, format="json")
    return client.delete(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_cost_is_hidden_from_exactly_the_listed_roles(
    role: str, role_client: Callable[..., APIClient], demo_tenant: Tenant
) -> None:
    client = role_client(role)
    listed = client.get("/api/demo/products/").json()["results"]
    detail = client.get(f"/api/demo/products/{listed[0]['id']}/").json()
    hidden = role in HIDDEN_FIELDS["products"]["cost_minor"]
    assert all(("cost_minor" in row) is not hidden for row in listed)
    assert ("cost_minor" in detail) is not hidden
    assert "price_minor" in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "target_role", "allowed"),
    [
        ("manager", "cashier", True),
        ("manager", "kitchen", True),
        ("manager", "manager", False),
        ("manager", "owner", False),
        ("admin", "manager", True),
        ("admin", "admin", False),
        ("owner", "admin", True),
        ("owner", "owner", False),
        ("super_admin", "owner", True),
    ],
)
def test_user_creation_respects_role_rank(
    actor: str, target_role: str, allowed: bool, role_client: Callable[..., APIClient]
) -> None:
    answer = role_client(actor).post(
        "/api/demo/users/",
        {"username": f"rank.{actor}.{target_role}", "role": target_role, "password": "long-pass-1"},
        format="json",
    )
    if allowed:
        assert answer.status_code == 201, answer.content
        assert answer.json()["role"] == target_role
    else:
        assert answer.status_code == 403 and answer.json()["code"] == "role_rank"


@pytest.mark.django_db
def test_manager_cannot_promote_a_cashier_to_owner(
    role_client: Callable[..., APIClient], user_of: Callable[..., Any]
) -> None:
    cashier = user_of("cashier")
    answer = role_client("manager").patch(
        f"/api/demo/users/{cashier.id}/", {"role": "owner"}, format="json"
    )
    assert answer.status_code == 403 and answer.json()["code"] == "role_rank"
