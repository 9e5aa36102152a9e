"""`migrate` as the table owner, then provision the app role (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DEFAULT_DB_ALIAS

from sync_server.common.db_roles import OWNER_ALIAS, provision_app_role


class Command(DjangoMigrateCommand):
    """Django's migrate, redirected to the owner connection on PostgreSQL."""

    help = "Apply migrations as DATABASE_OWNER_URL and grant the DATABASE_URL role DML only."

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("database") == DEFAULT_DB_ALIAS and OWNER_ALIAS in settings.DATABASES:
            options["database"] = OWNER_ALIAS
        super().handle(*args, **options)
        if options["database"] == OWNER_ALIAS:
            role = provision_app_role(using=OWNER_ALIAS)
            if role and options.get("verbosity", 1) >= 1:
                self.stdout.write(f"App role {role}: DML on tables, usage on sequences.")
