"""App config of shifts."""

from django.apps import AppConfig


class ShiftsConfig(AppConfig):
    """Shifts and cash movements of terminals."""

    name = "sync_server.shifts"
    label = "shifts"
    default_auto_field = "django.db.models.BigAutoField"
