"""Kitchen services on the database: routing, gap-free sequences, idempotent actions, voids,
order ready, nudges after commit, and tenant isolation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from shared.protocol import KitchenTicketV1
from sync_server.catalog.models import Product
from sync_server.common.errors import Refused
from sync_server.common.tenancy import TenantContextMissing, tenant_atomic
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.kitchen.selectors import (
    kitchen_orders_ready,
    kitchen_replay,
    kitchen_ticket_wire,
)
from sync_server.kitchen.services import (
    KitchenLine,
    kitchen_ticket_act,
    kitchen_ticket_bump,
    kitchen_ticket_bump_item,
    kitchen_ticket_recall,
    kitchen_ticket_recall_last,
    kitchen_ticket_start,
    kitchen_tickets_cancel_lines,
    outlet_group,
    station_code,
    station_group,
)
from sync_server.tenants.models import Outlet, Tenant

from .conftest import kitchen_lines, place_order

pytestmark = pytest.mark.django_db


def test_one_ticket_per_station_resolved_from_product_then_outlet_default(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    with tenant_atomic(demo_tenant):
        bar_product = Product.objects.filter(kitchen_station="bar").first()
        assert bar_product is not None
    lines = [
        KitchenLine(line_id=uuid.uuid4(), name="Latte", quantity=2, product_id=bar_product.id),
        KitchenLine(line_id=uuid.uuid4(), name="Fries", quantity=1, station="grill"),
        KitchenLine(line_id=uuid.uuid4(), name="Mystery", quantity=1, modifiers=("Spicy",)),
    ]
    tickets = place_order(demo_tenant, main_outlet, lines, table="7", printed_offline=True)
    by_station = {t.station: t for t in tickets}
    assert set(by_station) == {"bar", "grill", main_outlet.default_kitchen_station}
    assert [item["name"] for item in by_station["bar"].items] == ["Latte"]
    assert by_station[main_outlet.default_kitchen_station].items[0]["modifiers"] == ["Spicy"]
    assert all(t.already_printed and t.table == "7" for t in tickets)
    assert sorted(t.sequence for t in tickets) == [1, 2, 3]


def test_sequences_have_no_gaps_and_a_replayed_order_makes_nothing_new(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    order_id = uuid.uuid4()
    first = place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"), order_id=order_id)
    again = place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"), order_id=order_id)
    assert {t.id for t in again} == {t.id for t in first}
    second = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    with tenant_atomic(demo_tenant):
        sequences = sorted(KitchenTicket.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3]
    assert second[0].sequence == 3


def test_actions_are_idempotent_by_state_and_by_request_id(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    started = kitchen_ticket_start(tenant=demo_tenant, ticket_id=ticket.id)
    assert started.status == TicketStatus.STARTED and started.started_at is not None
    request_id = uuid.uuid4()
    bumped = kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id, request_id=request_id)
    assert bumped.status == TicketStatus.DONE and bumped.sequence == 3
    recalled = kitchen_ticket_recall(tenant=demo_tenant, ticket_id=ticket.id)
    assert recalled.status == TicketStatus.STARTED and recalled.done_at is None
    # The same bump request arriving again (a resend after reconnect) does not bump again.
    repeat = kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id, request_id=request_id)
    assert repeat.status == TicketStatus.STARTED and repeat.sequence == recalled.sequence
    # A fresh bump works; bumping a done ticket again changes nothing (no new sequence).
    done = kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id)
    still = kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id, request_id=uuid.uuid4())
    assert still.sequence == done.sequence and still.status == TicketStatus.DONE
    with pytest.raises(Refused) as reused:
        kitchen_ticket_recall(tenant=demo_tenant, ticket_id=ticket.id, request_id=request_id)
    assert reused.value.status == 409


def test_bumping_every_item_bumps_the_ticket_and_makes_the_order_ready(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    bar, grill = place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"))  # by station
    bar = kitchen_ticket_bump(tenant=demo_tenant, ticket_id=bar.id)
    assert kitchen_orders_ready(tenant=demo_tenant) == []
    for item in grill.items:
        grill = kitchen_ticket_bump_item(
            tenant=demo_tenant, ticket_id=grill.id, line_id=uuid.UUID(item["line_id"])
        )
    assert grill.status == TicketStatus.DONE
    [ready] = kitchen_orders_ready(tenant=demo_tenant, outlet_id=main_outlet.id)
    assert ready.order_id == grill.order_id and ready.receipt_number == grill.receipt_number
    kitchen_ticket_recall(tenant=demo_tenant, ticket_id=bar.id)
    assert kitchen_orders_ready(tenant=demo_tenant) == []
    with pytest.raises(Refused) as unknown:
        kitchen_ticket_bump_item(tenant=demo_tenant, ticket_id=grill.id, line_id=uuid.uuid4())
    assert unknown.value.field == "line_id"


def test_recall_last_undoes_the_most_recent_bump_of_the_station(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    [first] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    [second] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    [other] = place_order(demo_tenant, main_outlet, kitchen_lines("bar"))
    for ticket in (first, second, other):
        kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id)
    recalled = kitchen_ticket_recall_last(
        tenant=demo_tenant, outlet_id=main_outlet.id, station="grill"
    )
    assert recalled.id == second.id and recalled.status == TicketStatus.NEW
    with pytest.raises(Refused):
        kitchen_ticket_act(tenant=demo_tenant, ticket_id=first.id, action="bump", station="bar")


def test_voids_and_refunds_take_quantities_off_tickets(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    lines = kitchen_lines("grill", "grill", "bar")
    _bar, grill = place_order(demo_tenant, main_outlet, lines)
    refunded = kitchen_tickets_cancel_lines(
        tenant=demo_tenant, order_id=grill.order_id, cancelled={lines[1].line_id: 1}
    )
    grill = next(t for t in refunded if t.station == "grill")
    assert [i["cancelled_quantity"] for i in grill.items] == [0, 1]
    assert grill.status == TicketStatus.NEW
    voided = kitchen_tickets_cancel_lines(tenant=demo_tenant, order_id=grill.order_id)
    assert {t.status for t in voided} == {TicketStatus.CANCELLED}
    assert all(i["cancelled_quantity"] == i["quantity"] for t in voided for i in t.items)
    assert kitchen_orders_ready(tenant=demo_tenant) == []


def test_replay_returns_changes_after_a_sequence_and_open_tickets_when_fresh(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    bar, grill = place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"))  # by station
    kitchen_ticket_bump(tenant=demo_tenant, ticket_id=grill.id)
    fresh = kitchen_replay(tenant=demo_tenant, outlet_id=main_outlet.id, station=None, after=0)
    assert [t.id for t in fresh.tickets] == [bar.id] and fresh.sequence == 3
    after_one = kitchen_replay(tenant=demo_tenant, outlet_id=main_outlet.id, station=None, after=1)
    assert [(t.id, t.status, t.sequence) for t in after_one.tickets] == [(grill.id, "done", 3)]
    bar_only = kitchen_replay(tenant=demo_tenant, outlet_id=main_outlet.id, station="bar", after=0)
    assert [t.station for t in bar_only.tickets] == ["bar"]


def test_screens_are_nudged_only_after_commit(
    demo_tenant: Tenant, main_outlet: Outlet, django_capture_on_commit_callbacks: Any
) -> None:
    layer = get_channel_layer()
    assert layer is not None
    whole = async_to_sync(layer.new_channel)()
    grill = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(outlet_group(main_outlet.id), whole)
    async_to_sync(layer.group_add)(station_group(main_outlet.id, "grill"), grill)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place_order(demo_tenant, main_outlet, kitchen_lines("grill", "bar"))
    assert len(callbacks) == 1  # registered, not sent: the transaction has not committed
    callbacks[0]()
    to_all = async_to_sync(layer.receive)(whole)
    assert (to_all["type"], to_all["after"], to_all["sequence"]) == ("kitchen.changed", 0, 2)
    assert sorted(ticket["station"] for ticket in to_all["tickets"]) == ["bar", "grill"]
    to_grill = async_to_sync(layer.receive)(grill)
    assert [KitchenTicketV1.model_validate(t).station for t in to_grill["tickets"]] == ["grill"]


def test_tickets_of_one_tenant_are_invisible_to_another(
    demo_tenant: Tenant, rival_tenant: Tenant, main_outlet: Outlet
) -> None:
    [ticket] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    with pytest.raises(TenantContextMissing):
        KitchenTicket.objects.count()
    with tenant_atomic(rival_tenant):
        assert not KitchenTicket.objects.filter(id=ticket.id).exists()
        if connection.vendor == "postgresql":  # under the ORM too: row-level security
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM kitchen_kitchenticket")
                assert cursor.fetchone()[0] == 0
    with pytest.raises(Refused) as foreign:
        kitchen_ticket_bump(tenant=rival_tenant, ticket_id=ticket.id)
    assert foreign.value.status == 404


def test_free_text_stations_become_wire_codes(demo_tenant: Tenant, main_outlet: Outlet) -> None:
    assert station_code("Hot line / wok") == "Hot-line-wok"
    assert station_code("  ") == "kitchen" and station_code(None) == "kitchen"
    with tenant_atomic(demo_tenant):
        product = Product.objects.filter(kitchen_station="bar").first()
        assert product is not None
        Product.objects.filter(id=product.id).update(kitchen_station="Cold bar (upstairs)")
    line = KitchenLine(line_id=uuid.uuid4(), name="Iced tea", quantity=1, product_id=product.id)
    [ticket] = place_order(demo_tenant, main_outlet, [line])
    assert ticket.station == "Cold-bar-upstairs"
    assert kitchen_ticket_wire(ticket).station == "Cold-bar-upstairs"


def test_a_recall_last_replay_answers_only_the_outlet_and_station_it_was_made_for(
    demo_tenant: Tenant, main_outlet: Outlet
) -> None:
    with tenant_atomic(demo_tenant):
        mall: Outlet = Outlet.objects.get(code="mall")
    [at_mall] = place_order(demo_tenant, mall, kitchen_lines("grill"))
    [at_main] = place_order(demo_tenant, main_outlet, kitchen_lines("grill"))
    for ticket in (at_mall, at_main):
        kitchen_ticket_bump(tenant=demo_tenant, ticket_id=ticket.id)
    request_id = uuid.uuid4()
    recalled = kitchen_ticket_recall_last(
        tenant=demo_tenant, outlet_id=mall.id, station="grill", request_id=request_id
    )
    assert recalled.id == at_mall.id
    again = kitchen_ticket_recall_last(
        tenant=demo_tenant, outlet_id=mall.id, station="grill", request_id=request_id
    )
    assert again.id == at_mall.id  # a true replay: the same ticket, nothing recalled twice
    for outlet_id, station in ((main_outlet.id, "grill"), (main_outlet.id, None), (mall.id, "bar")):
        with pytest.raises(Refused) as refused:
            kitchen_ticket_recall_last(
                tenant=demo_tenant, outlet_id=outlet_id, station=station, request_id=request_id
            )
        assert (refused.value.status, refused.value.code) == (409, "conflict")
    with tenant_atomic(demo_tenant):
        assert KitchenTicket.objects.get(id=at_main.id).status == TicketStatus.DONE
