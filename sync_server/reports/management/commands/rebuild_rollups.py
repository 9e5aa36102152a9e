"""`kiosk-server rebuild_rollups [--tenant SLUG]`: recount the sales rollups from the orders."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync_server.reports.rollups import rollups_rebuild
from sync_server.tenants.models import Tenant


class Command(BaseCommand):
    """The ingest keeps the rollups; this recounts them (after a bulk load, a restore or a
    change of the tenant's time zone), each tenant in one transaction."""

    help = "Recount the sales rollup tables of one tenant (--tenant) or of every tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="", help="slug of the tenant (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.order_by("slug")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"no tenant {options['tenant']!r}")
        for tenant in tenants:
            counted = rollups_rebuild(tenant=tenant)
            if options.get("verbosity", 1) >= 1:
                self.stdout.write(f"{tenant.slug}: rollups recounted from {counted:,} orders")
