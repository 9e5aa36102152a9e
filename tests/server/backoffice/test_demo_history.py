"""The demo tenant's history: sold through the real ingest, closed shifts that add up."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sync_server.backoffice import selectors as backoffice_selectors
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.models import KitchenTicket, TicketStatus
from sync_server.orders.models import Order, OrderStatus, Refund
from sync_server.reports import selectors
from sync_server.reports.demo_history import demo_history_create
from sync_server.shifts.models import Shift, ShiftStatus
from sync_server.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_demo_history_is_sold_through_the_ingest_and_adds_up(demo_tenant: Tenant) -> None:
    made = demo_history_create(tenant=demo_tenant, days=4, seed=3)
    assert made > 40
    assert demo_history_create(tenant=demo_tenant, days=4) == 0  # once only
    zone = ZoneInfo(demo_tenant.time_zone)
    today = timezone.localdate(timezone=zone)
    period = backoffice_selectors.Period(first=today - timedelta(days=6), last=today, zone=zone)
    with tenant_atomic(demo_tenant):
        assert Order.objects.count() == made
        assert Order.objects.exclude(flags="").count() == 0  # priced as the server prices
        assert Order.objects.filter(status=OrderStatus.VOIDED).exists()
        assert Refund.objects.exists()
        shifts = list(Shift.objects.all())
        assert len(shifts) == 8 and {shift.status for shift in shifts} == {ShiftStatus.CLOSED}
        for shift in shifts:  # the till's Z figures equal the server's recount, line by line
            server = backoffice_selectors.shift_figures_on_server(tenant=demo_tenant, shift=shift)
            lines = backoffice_selectors.z_report_lines(shift=shift, server=server)
            assert [line.name for line in lines if line.differs] == []
        open_tickets = KitchenTicket.objects.exclude(status=TicketStatus.DONE).exclude(
            status=TicketStatus.CANCELLED
        )
        assert KitchenTicket.objects.exists() and not open_tickets.exists()
        rolled = selectors.period_figures(
            tenant=demo_tenant, first=period.first, last=period.last, outlet=None
        )
        counted = backoffice_selectors.period_figures_by_order(
            tenant=demo_tenant, period=period, outlet=None
        )
    assert rolled == counted and rolled.order_count > 0
