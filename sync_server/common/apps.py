"""App config of the cross-app foundation."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Holds the version counter and the `migrate` override that provisions the app role."""

    name = "sync_server.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sync_server.common import schema  # noqa: F401  (registers the OpenAPI auth scheme)
