"""App config of promotions."""

from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    """Happy hours, buy X get Y, bundles, member discounts."""

    name = "sync_server.promotions"
    label = "promotions"
