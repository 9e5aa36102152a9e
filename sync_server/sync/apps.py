"""App config of the sync protocol."""

from django.apps import AppConfig


class SyncConfig(AppConfig):
    """Ingest of orders and events from devices, and the catalog feed they pull."""

    name = "sync_server.sync"
    label = "sync"
    default_auto_field = "django.db.models.BigAutoField"
