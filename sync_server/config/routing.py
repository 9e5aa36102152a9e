"""WebSocket routes of the ASGI app, gathered from each app's `routing.websocket_urlpatterns`.

The kitchen app adds `sync_server/kitchen/routing.py` with a `websocket_urlpatterns`
list; nothing here needs to change.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from sync_server.common.discovery import collect_from_apps

websocket_urlpatterns: list[URLPattern | URLResolver] = collect_from_apps(
    "routing", "websocket_urlpatterns"
)
