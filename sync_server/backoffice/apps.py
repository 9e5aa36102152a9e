"""App config of the back office."""

from __future__ import annotations

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "sync_server.backoffice"
    label = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        from sync_server.backoffice import audit

        audit.connect()
