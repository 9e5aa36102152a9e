"""WebSocket route of the kitchen screens (collected by `sync_server.config.routing`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path

from sync_server.kitchen.consumers import KitchenConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    re_path(
        r"^ws/(?P<tenant_slug>[-a-zA-Z0-9_]+)/kitchen/(?P<outlet_id>[0-9a-fA-F-]{32,36})/$",
        KitchenConsumer.as_asgi(),
    ),
]
