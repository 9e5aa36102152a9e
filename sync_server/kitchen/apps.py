"""App config of the kitchen (tickets, stations, the kitchen socket)."""

from django.apps import AppConfig


class KitchenConfig(AppConfig):
    """Kitchen tickets per outlet and station, their actions, and the order-ready record."""

    name = "sync_server.kitchen"
    label = "kitchen"
