"""OpenAPI for resource views: Input/Output/Filter serializers become request, response, params."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema


class ResourceSchema(AutoSchema):
    """Reads the nested serializers our views declare instead of guessing."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return self.method == "GET" and bool(getattr(self.view, "is_list_view", False))

    def get_request_serializer(self) -> Any:
        if self.method in {"POST", "PATCH", "PUT"}:
            return getattr(self.view, "InputSerializer", None)
        return None

    def get_response_serializers(self) -> Any:
        if self.method == "DELETE":
            return None
        return getattr(self.view, "OutputSerializer", None)

    def get_override_parameters(self) -> list[Any]:
        filters = getattr(self.view, "FilterSerializer", None)
        if self._is_list_view() and filters is not None:
            return [filters]
        return []

    def get_operation_id(self) -> str:
        resource = str(getattr(self.view, "resource", "") or "api").replace("-", "_")
        if self._is_list_view():
            action = "list"
        else:
            action = {"GET": "retrieve", "POST": "create", "PATCH": "update", "PUT": "replace"}.get(
                self.method, self.method.lower()
            )
            action = "delete" if self.method == "DELETE" else action
        return f"{resource}_{action}"


class TenantJWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """Our JWT authentication is simplejwt's bearer scheme."""

    target_class = "sync_server.accounts.authentication.TenantJWTAuthentication"
    name = "jwtAuth"
