"""The OpenAPI schema view, built once per process, API version and language.

drf-spectacular's generator keeps module-wide state while it walks the views, so two requests
building the schema at once could break each other (seen as a 500 under load), and one build
takes seconds on a busy machine. The schema depends only on the code, never on who asks (it is
served public), so one build under a lock serves every later request.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    """`SpectacularAPIView` whose schema is generated once per (version, language)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _built: ClassVar[dict[tuple[str | None, str], dict[str, Any]]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)  # type: ignore[no-untyped-call]
        key = (version, translation.get_language() or "")
        with self._lock:
            schema = self._built.get(key)
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = generator.get_schema(  # type: ignore[no-untyped-call]
                    request=request, public=self.serve_public
                )
                self._built[key] = schema
        filename = self._get_filename(request, version)  # type: ignore[no-untyped-call]
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
