"""OpenAPI: the kitchen endpoints' authentication is the same JWT bearer scheme."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class KitchenJWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """A user's or a paired kitchen screen's access token, as a bearer JWT."""

    target_class = "sync_server.kitchen.auth.KitchenJWTAuthentication"
    name = "kitchenJwtAuth"
