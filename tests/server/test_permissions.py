"""The permission matrix: docs/permissions.md equals the code, and every cell holds over HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sync_server.accounts.models import Role
from sync_server.accounts.permissions import ACTIONS, HIDDEN_FIELDS, MATRIX, RESOURCES
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.auth import KITCHEN_ROLES
from sync_server.orders.models import Order
from sync_server.shifts.services import shift_ensure
from sync_server.tenants.models import Tenant, Terminal
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


def _make_order(tenant: Tenant) -> Order:
    """A stored sale of the main till (terminals write orders through the sync ingest)."""
    terminal = Terminal.objects.get(outlet__code="main", code="t1")
    now = timezone.now()
    shift = shift_ensure(
        tenant=tenant,
        shift_id=uuid.uuid4(),
        outlet_id=terminal.outlet_id,
        terminal_id=terminal.id,
        opened_at=now,
    )
    order = Order(
        tenant=tenant,
        outlet_id=terminal.outlet_id,
        terminal=terminal,
        shift=shift,
        receipt_number=f"MAIN-T1-{uuid.uuid4().int % 10**6:06d}",
        currency=tenant.currency,
        ordered_at=now,
        received_at=now,
        subtotal_minor=10_000,
        total_minor=10_000,
        digest="0" * 64,
    )
    order.save()
    return order


# Read-only over REST: the orders endpoints have no write methods, so a write is 405 for all.
ORDERS_CASE = ResourceCase(
    "orders", _make_order, lambda tenant: {"note": "forged"}, {"note": "changed"}
)
CASES = (*RESOURCE_CASES, ORDERS_CASE)


def test_every_resource_in_the_matrix_is_exercised() -> None:
    assert {case.name for case in CASES} == set(RESOURCES)


def test_kitchen_doc_table_equals_the_kitchen_roles() -> None:
    text = DOC.read_text(encoding="utf-8")
    header, *rows = _table_rows(text[text.index("## Kitchen endpoints") :], "endpoint")
    assert header[1:] == ["kitchen screen", *ROLES]
    assert len(rows) == 4
    for _endpoint, screen, *cells in rows:
        assert screen == "yes"
        allowed = {role for role, cell in zip(ROLES, cells, strict=True) if cell == "yes"}
        assert allowed == {str(role) for role in KITCHEN_ROLES}


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
    for case in CASES
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
    elif case is ORDERS_CASE and action in {"create", "update", "delete"}:
        assert answer.status_code == 405, answer.content
        assert answer.json()["code"] == "method_not_allowed"
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
