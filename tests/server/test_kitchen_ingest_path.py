"""The ingest's path into the kitchen: counter made on first use and taken in one statement,
consecutive sequences, versions numbered, the order-ready row, stations from the batch's read."""

from __future__ import annotations

import uuid

from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenOrderReady, KitchenSequence, KitchenTicket
from sync_server.kitchen.services import (
    KitchenLine,
    kitchen_tickets_create_for_order,
)
from sync_server.tenants.models import Outlet, Tenant


def _line(name: str, station: str | None = None, **ids: uuid.UUID) -> KitchenLine:
    return KitchenLine(line_id=uuid.uuid4(), name=name, quantity=1, station=station, **ids)


def test_a_new_outlet_gets_its_counter_and_consecutive_sequences(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        outlet = Outlet(tenant=demo_tenant, code="pop-up", name="Pop-up")
        outlet.save()
        assert not KitchenSequence.objects.filter(outlet=outlet).exists()
        first_order, second_order = uuid.uuid4(), uuid.uuid4()
        first = kitchen_tickets_create_for_order(
            tenant=demo_tenant,
            outlet=outlet,
            order_id=first_order,
            receipt_number="POP-T1-000001",
            lines=[_line("Latte", "bar"), _line("Toast", "kitchen")],
            order_is_new=True,
        )
        second = kitchen_tickets_create_for_order(
            tenant=demo_tenant,
            outlet=outlet,
            order_id=second_order,
            receipt_number="POP-T1-000002",
            lines=[_line("Tea", "bar")],
            order_is_new=True,
        )
        assert [(t.station, t.sequence) for t in first] == [("bar", 1), ("kitchen", 2)]
        assert [t.sequence for t in second] == [3]
        assert KitchenSequence.objects.get(outlet=outlet).last_sequence == 3
        stored = list(KitchenTicket.objects.filter(outlet=outlet).order_by("sequence"))
        assert [t.sequence for t in stored] == [1, 2, 3]
        assert all(t.version > 0 for t in stored)  # numbered although inserted in bulk
        assert (
            KitchenOrderReady.objects.filter(order_id__in=[first_order, second_order]).count() == 2
        )
