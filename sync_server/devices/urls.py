"""Routes of pairing: `/api/pair/` and `/api/<tenant>/terminals/<id>/pairing-code/`."""

from django.urls import URLPattern, path

from sync_server.devices import apis

urlpatterns: list[URLPattern] = [
    path("api/pair/", apis.PairApi.as_view(), name="device-pair"),
]

tenant_urlpatterns: list[URLPattern] = [
    path(
        "terminals/<uuid:pk>/pairing-code/",
        apis.PairingCodeApi.as_view(),
        name="terminal-pairing-code",
    ),
]
