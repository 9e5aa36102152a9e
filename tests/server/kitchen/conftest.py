"""Kitchen server fixtures: the demo outlet `main`, order lines, and committed data for sockets.

Socket tests need rows other threads can see, so `committed_db` lets them write for real and
deletes every kitchen row afterwards (the demo world itself is left as it was).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from sync_server.accounts.models import User
from sync_server.accounts.services import tokens_for_user
from sync_server.common.tenancy import tenant_atomic
from sync_server.devices.models import DevicePairing, PairingCode
from sync_server.devices.services import device_pair, pairing_code_create
from sync_server.kitchen.models import (
    KitchenAction,
    KitchenOrderReady,
    KitchenSequence,
    KitchenTicket,
)
from sync_server.kitchen.services import KitchenLine, kitchen_tickets_create_for_order
from sync_server.tenants.models import Outlet, Tenant, Terminal

_receipts = iter(range(1, 10**6))


def kitchen_lines(*stations: str, name: str = "Nasi goreng") -> list[KitchenLine]:
    """One line per station code given (explicit station, as the ingest resolves it)."""
    return [
        KitchenLine(line_id=uuid.uuid4(), name=f"{name} {n}", quantity=1 + n, station=station)
        for n, station in enumerate(stations)
    ]


def place_order(
    tenant: Tenant, outlet: Outlet, lines: list[KitchenLine], **extra: Any
) -> list[KitchenTicket]:
    """What the order ingest does after storing an order: tickets in the same transaction."""
    return kitchen_tickets_create_for_order(
        tenant=tenant,
        outlet=outlet,
        order_id=extra.pop("order_id", uuid.uuid4()),
        receipt_number=f"MAIN-T1-{next(_receipts):06d}",
        lines=lines,
        **extra,
    )


def pair_device(tenant: Tenant, terminal_code: str, outlet_code: str = "main") -> str:
    """Pair a seeded device (`k1`: the kitchen screen of `main`, `t1`: its till) through the
    pairing service, as `kiosk-kitchen pair` does over HTTP; returns its access token."""
    with tenant_atomic(tenant):
        terminal = Terminal.objects.get(outlet__code=outlet_code, code=terminal_code)
    issued = pairing_code_create(tenant=tenant, terminal=terminal)
    return device_pair(code=issued.code, device_name="test screen").access


def wipe_kitchen(*tenants: Tenant) -> None:
    """Delete every kitchen row and pairing the committed tests made (the seed has neither)."""
    for tenant in tenants:
        with tenant_atomic(tenant):
            DevicePairing.objects.all().delete()
            PairingCode.objects.all().delete()
            KitchenAction.objects.all().delete()
            KitchenOrderReady.objects.all().delete()
            KitchenTicket.objects.all().delete()
            KitchenSequence.objects.all().delete()


@pytest.fixture
def main_outlet(demo_tenant: Tenant) -> Outlet:
    with tenant_atomic(demo_tenant):
        outlet: Outlet = Outlet.objects.get(code="main")
        return outlet


@pytest.fixture
def committed_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access without the per-test transaction: writes commit and other threads
    (the consumer's) see them. Kitchen rows are deleted afterwards."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            wipe_kitchen(*Tenant.objects.filter(slug__in=["demo", "rival"]))
            connections.close_all()


@pytest.fixture
def live_world(committed_db: None) -> dict[str, Any]:
    """Demo tenant, its outlets and users, read outside any test transaction."""
    demo = Tenant.objects.get(slug="demo")
    rival = Tenant.objects.get(slug="rival")
    with tenant_atomic(demo):
        outlets = {o.code: o for o in Outlet.objects.all()}
        users = {u.role: u for u in User.objects.all()}
    with tenant_atomic(rival):
        rival_owner = User.objects.get(username="rival.owner")
    tokens = {role: tokens_for_user(user)["access"] for role, user in users.items()}
    tokens["rival_owner"] = tokens_for_user(rival_owner)["access"]
    tokens["kitchen_device"] = pair_device(demo, "k1")
    tokens["till_device"] = pair_device(demo, "t1")
    return {"demo": demo, "rival": rival, "outlets": outlets, "users": users, "tokens": tokens}
