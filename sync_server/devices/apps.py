"""App config of paired devices."""

from django.apps import AppConfig


class DevicesConfig(AppConfig):
    """Pairing codes and pairings of terminals and kitchen screens."""

    name = "sync_server.devices"
    label = "devices"
    default_auto_field = "django.db.models.BigAutoField"
