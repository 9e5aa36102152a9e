"""App config of the sales rollups and reports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Rollup tables the ingest maintains, read by the back office's dashboard and reports."""

    name = "sync_server.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
