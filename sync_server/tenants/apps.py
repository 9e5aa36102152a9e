"""App config of tenants, outlets and terminals."""

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """The tenant registry and each tenant's outlets and devices."""

    name = "sync_server.tenants"
    label = "tenants"
