"""`kiosk-server seed_demo`: create or refresh the demo tenants, users and catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sync_server.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    """Idempotent: run it as often as you like."""

    help = "Seed the demo tenant `demo` (Kopi Kiosk), tenant `rival` and super admin `root`."

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = seed_demo()
        if options.get("verbosity", 1) < 1:
            return
        self.stdout.write(f"Seeded tenants: {', '.join(sorted(tenants))}")
        for account in DEMO_ACCOUNTS:
            pin = f" PIN {account.pin}" if account.pin else ""
            self.stdout.write(f"  {account.username} / {DEMO_PASSWORD} ({account.role}){pin}")
