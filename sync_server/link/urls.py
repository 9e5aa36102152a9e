"""Link HTTP routes, mounted under `api/<tenant_slug>/` by the URL map."""

from __future__ import annotations

from django.urls import URLPattern, path

from sync_server.link.apis import LinkSocketTicketApi, StatusRequestApi

tenant_urlpatterns: list[URLPattern] = [
    path("link/socket-ticket/", LinkSocketTicketApi.as_view(), name="link-socket-ticket"),
    path(
        "link/terminals/<uuid:pk>/status-request/",
        StatusRequestApi.as_view(),
        name="link-status-request",
    ),
]
