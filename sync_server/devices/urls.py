"""Routes of pairing (`/api/pair/`, `/api/<tenant>/terminals/<id>/pairing-code/`) and of the
receipt logo a paired till downloads (`/api/<tenant>/receipt-logo/<sha256>.png`)."""

from django.urls import URLPattern, path, re_path

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
    re_path(
        r"^receipt-logo/(?P<sha256>[0-9a-f]{64})\.png$",
        apis.ReceiptLogoApi.as_view(),
        name="device-receipt-logo",
    ),
]
