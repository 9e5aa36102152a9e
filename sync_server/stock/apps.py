"""App config of stock movements."""

from __future__ import annotations

from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "sync_server.stock"
    label = "stock"
    verbose_name = "Stock"
