"""WebSocket route of the till link (collected by `sync_server.config.routing`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path

from sync_server.link.consumers import TillLinkConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^ws/(?P<tenant_slug>[-a-zA-Z0-9_]+)/link/$", TillLinkConsumer.as_asgi()),
]
