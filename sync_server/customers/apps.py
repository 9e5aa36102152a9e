"""App config of customers."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """A tenant's customers, groups (for member promotions) and loyalty points."""

    name = "sync_server.customers"
    label = "customers"
