"""`kiosk-server seed_demo_history [--days N]`: weeks of demo sales made through the ingest."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync_server.reports.demo_history import DAYS, demo_history_create
from sync_server.tenants.models import Tenant


class Command(BaseCommand):
    """Runs once per tenant: a tenant with orders already is left alone."""

    help = "Sell a few weeks of history at the demo tenant's outlets through the real ingest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="demo", help="slug of the tenant (default: demo)")
        parser.add_argument("--days", type=int, default=DAYS, help=f"days back (default {DAYS})")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']!r}: run seed_demo first")
        started = time.perf_counter()
        made = demo_history_create(tenant=tenant, days=options["days"])
        if options.get("verbosity", 1) >= 1:
            if made:
                seconds = time.perf_counter() - started
                self.stdout.write(f"{tenant.slug}: {made:,} orders of history in {seconds:.1f} s")
            else:
                self.stdout.write(f"{tenant.slug}: has orders already, no history added")
