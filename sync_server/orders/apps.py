"""App config of orders."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Orders, their lines, payments and refunds, and outlet stock levels."""

    name = "sync_server.orders"
    label = "orders"
    default_auto_field = "django.db.models.BigAutoField"
