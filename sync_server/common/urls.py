"""Routes of the common app: the health probes (collected by `sync_server.config.urls`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from sync_server.common import health

urlpatterns: list[URLPattern] = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
