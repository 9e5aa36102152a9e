"""`kiosk-server kitchen_ticket`: put test tickets on an outlet's screens (demo, e2e, bench).

Goes through `kitchen_tickets_create_for_order`, the same routing, sequences and after-commit
nudge as the order ingest's tickets, so they are stored and shown like real ones.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared.protocol import format_receipt_number
from sync_server.common.tenancy import tenant_atomic
from sync_server.kitchen.services import KitchenLine, kitchen_tickets_create_for_order
from sync_server.tenants.models import Outlet, Tenant


class Command(BaseCommand):
    help = "Create kitchen tickets for made-up orders (one line per station given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="demo")
        parser.add_argument("--outlet", default="main", help="outlet code")
        parser.add_argument("--station", action="append", default=None)
        parser.add_argument("--count", type=int, default=1, help="how many orders")
        parser.add_argument("--table", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']!r}")
        with tenant_atomic(tenant):
            outlet = Outlet.objects.filter(code=options["outlet"]).first()
        if outlet is None:
            raise CommandError(f"no outlet {options['outlet']!r} in {tenant.slug}")
        stations = options["station"] or [outlet.default_kitchen_station]
        for number in range(options["count"]):
            order_id = uuid.uuid4()
            tickets = kitchen_tickets_create_for_order(
                tenant=tenant,
                outlet=outlet,
                order_id=order_id,
                receipt_number=format_receipt_number(outlet.code, "KT", 1 + order_id.int % 10**6),
                table=options["table"],
                lines=[
                    KitchenLine(
                        line_id=uuid.uuid4(), name=f"Test item {number + 1}", quantity=1, station=s
                    )
                    for s in stations
                ],
            )
            for ticket in tickets:
                self.stdout.write(f"{ticket.id} {ticket.station} {ticket.sequence}")
