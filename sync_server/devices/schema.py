"""OpenAPI: device tokens are simplejwt bearer tokens too (imported by the device views)."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class DeviceJWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """A paired device's access token (`POST /api/pair/`, `/api/auth/token/refresh/`)."""

    target_class = "sync_server.devices.auth.DeviceJWTAuthentication"
    name = "deviceJwtAuth"
