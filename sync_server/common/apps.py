"""App config of the cross-app foundation."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Holds the version counter and the `migrate` override that provisions the app role."""

    name = "sync_server.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"
