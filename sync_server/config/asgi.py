"""ASGI entry point: Channels' ProtocolTypeRouter with Django HTTP and the WebSocket routes."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_server.config.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

from sync_server.config.env import ENV, signing_key

signing_key(ENV)  # SecretKeyRefused: never serve tokens signed with a missing or weak key
# Django must be set up before anything imports models (routing, consumers).
django_asgi_app = get_asgi_application()

from sync_server.common.request_log import RequestLogMiddleware  # noqa: E402
from sync_server.config.routing import websocket_urlpatterns  # noqa: E402

application = RequestLogMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": URLRouter(websocket_urlpatterns),
        }
    )
)
