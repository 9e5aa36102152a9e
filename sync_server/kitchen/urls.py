"""Kitchen HTTP routes, mounted under `api/<tenant_slug>/` by the URL map."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sync_server.kitchen.apis import (
    RecallLastApi,
    SocketTicketApi,
    SpeedApi,
    TicketActionApi,
    TicketListApi,
)

tenant_urlpatterns: list[URLPattern | URLResolver] = [
    path("kitchen/tickets/", TicketListApi.as_view(), name="kitchen-ticket-list"),
    path("kitchen/speed/", SpeedApi.as_view(), name="kitchen-speed"),
    path("kitchen/socket-ticket/", SocketTicketApi.as_view(), name="kitchen-socket-ticket"),
    path(
        "kitchen/tickets/<uuid:pk>/<slug:action>/",
        TicketActionApi.as_view(),
        name="kitchen-ticket-action",
    ),
    path(
        "kitchen/outlets/<uuid:outlet_id>/recall/",
        RecallLastApi.as_view(),
        name="kitchen-recall-last",
    ),
]
