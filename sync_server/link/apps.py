"""App config of the live link."""

from django.apps import AppConfig


class LinkConfig(AppConfig):
    """Till WebSockets: pushes after commits (catalog, ready, revoked) and status heartbeats."""

    name = "sync_server.link"
    label = "link"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sync_server.link import hooks

        hooks.connect()
