"""App config of the catalog."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """What a tenant sells and how it is taxed."""

    name = "sync_server.catalog"
    label = "catalog"
