"""Every error the server returns, in one JSON shape: {"error", "message", "field", "code"}."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from shared.errors import ShapedError
from sync_server.common.error_codes import CommonErrorCode

logger = logging.getLogger("kiosk.errors")


class ErrorCategory(StrEnum):
    """Every value of "error" the server sends (docs/server.md lists them; a test compares)."""

    BAD_REQUEST = "bad_request"
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    SERVER_ERROR = "server_error"
    REJECTED = "rejected"
    """Only inside a sync batch's per-item result or a kitchen socket's ack."""


ERROR_CATEGORIES: Final = tuple(category.value for category in ErrorCategory)
"""Every value of "error" the server sends, the one list docs/server.md documents; `rejected`
appears only inside a sync batch's per-item result or a kitchen socket's ack."""

# HTTP status -> the "error" category clients switch on.
_CATEGORY_BY_STATUS = {
    400: ErrorCategory.BAD_REQUEST,
    401: ErrorCategory.NOT_AUTHENTICATED,
    403: ErrorCategory.PERMISSION_DENIED,
    404: ErrorCategory.NOT_FOUND,
    405: ErrorCategory.METHOD_NOT_ALLOWED,
    406: ErrorCategory.NOT_ACCEPTABLE,
    409: ErrorCategory.CONFLICT,
    413: ErrorCategory.PAYLOAD_TOO_LARGE,
    415: ErrorCategory.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCategory.THROTTLED,
    500: ErrorCategory.SERVER_ERROR,
    503: ErrorCategory.UNAVAILABLE,
}
_STATUS_BY_CATEGORY = {category: code for code, category in _CATEGORY_BY_STATUS.items()} | {
    ErrorCategory.VALIDATION_ERROR: 400,
    ErrorCategory.PARSE_ERROR: 400,
    ErrorCategory.REJECTED: 400,
}


class Refused(ShapedError):
    """The one application error: a service refuses, naming the category, code and field.

    Services raise it (never a DRF exception); `api_exception_handler` answers it in the error
    shape with the category's status, a socket or a sync batch reports it as `rejected`.
    `code` is a member of the app's error-code enum (`<app>/error_codes.py`), or the code of
    a `shared` error passed on (the engine's `out_of_range` on a promotion rule).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        category: ErrorCategory = ErrorCategory.BAD_REQUEST,
        field: str | None = None,
    ) -> None:
        super().__init__(message, field=field, code=str(code))
        self.category = category
        self.error = category.value

    @property
    def status(self) -> int:
        """The HTTP status of the category."""
        return _STATUS_BY_CATEGORY[self.category]


class ItemRefused(Refused):
    """A synced item that cannot apply (a shift, void, refund or customer event): answered
    `rejected` with `code` and `field`, never a request error, so the rest of the batch
    flows on."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field, category=ErrorCategory.REJECTED)


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
"""Database errors a retry can fix: unreachable, connection lost, deadlock, lock timeout."""
DATABASE_RETRY_AFTER_S = 5
"""What a client is told to wait when the database failed in a way a retry can fix."""


def database_unavailable_body() -> dict[str, Any]:
    """The answer when the database is unreachable, deadlocked or timed out: nothing was
    wrong with the request, so a 503 with Retry-After (a terminal backs off its link and
    keeps the items as they are) rather than a 500 or a refusal of the items."""
    return error_body(
        error="unavailable",
        message="the database is unavailable; try again shortly",
        code=CommonErrorCode.DATABASE_UNAVAILABLE,
    )


def _category_of(status_code: int) -> str:
    """The documented category of a status; an unlisted 4xx is `bad_request`."""
    fallback = ErrorCategory.SERVER_ERROR if status_code >= 500 else ErrorCategory.BAD_REQUEST
    return _CATEGORY_BY_STATUS.get(status_code, fallback).value


class KioskJSONParser(JSONParser):
    """DRF's JSON parser, but JSON nested deeper than Python's recursion limit (100,000 `[`) is
    a 400 `parse_error` like any other malformed body, not a RecursionError and a 500."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from error


class KioskJSONRenderer(JSONRenderer):
    """DRF's JSON renderer that can always encode: an answer echoing a lone UTF-16 surrogate
    (an error naming the bad value or key) is written with ASCII escapes instead of failing
    to encode as UTF-8 and turning a 400 into a 500."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)


class _AsciiJSONRenderer(JSONRenderer):
    ensure_ascii = True


def error_body(
    *, error: str, message: str, code: str, field: str | None = None
) -> dict[str, str | None]:
    """The one error shape."""
    return {"error": error, "message": message, "field": field, "code": code}


def _first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[str | None, str, str]:
    """(field path, message, code) of the first error in a DRF error tree."""
    if isinstance(detail, dict):
        if not detail:
            return (".".join(path) or None, "invalid", "invalid")
        key, value = next(iter(detail.items()))
        nested = path if key in {"non_field_errors", "detail"} else (*path, str(key))
        return _first_error(value, nested)
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            if item in ({}, [], None):
                continue
            nested_path = (
                path if isinstance(item, exceptions.ErrorDetail | str) else (*path, str(index))
            )
            return _first_error(item, nested_path)
        return (".".join(path) or None, "invalid", "invalid")
    code = getattr(detail, "code", None) or "invalid"
    return (".".join(path) or None, str(detail), str(code))


def _rollback_request_transaction(view: Any) -> None:
    # An error answer must not commit half a write: roll back the transaction the
    # view opened (TenantApi/PlatformApi), never one the caller owns.
    if getattr(view, "owns_transaction", False) and connection.in_atomic_block:
        transaction.set_rollback(True)


def _refused_response(refused: Refused, context: dict[str, Any]) -> Response:
    """A service's refusal in the error shape, with its category's status."""
    status_code, category = refused.status, refused.category
    headers: dict[str, str] = {}
    if status_code == status.HTTP_401_UNAUTHORIZED:
        # As DRF does for its own 401s: name the scheme, or answer 403 where there is none.
        view, request = context.get("view"), context.get("request")
        scheme = view.get_authenticate_header(request) if view and request else None
        if scheme:
            headers["WWW-Authenticate"] = str(scheme)
        else:
            status_code, category = 403, ErrorCategory.PERMISSION_DENIED
    body = error_body(
        error=category.value, message=refused.message, field=refused.field, code=refused.code
    )
    return Response(body, status=status_code, headers=headers)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: map every exception, known or not, to the error shape."""
    _rollback_request_transaction(context.get("view"))
    if isinstance(exc, Refused):
        return _refused_response(exc, context)
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if isinstance(exc, RequestDataTooBig):
        body = error_body(
            error="payload_too_large",
            message="the request body is too large",
            code=CommonErrorCode.TOO_LARGE,
        )
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        logger.warning("suspicious request: %s", exc)
        body = error_body(
            error="bad_request", message="the request was refused", code=CommonErrorCode.SUSPICIOUS
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("database unavailable in %s: %s", context.get("view"), exc)
        return Response(
            database_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
    if isinstance(exc, IntegrityError):
        logger.info("integrity conflict: %s", exc)
        body = error_body(
            error="conflict",
            message="the change conflicts with existing data (a duplicate or a row in use)",
            code=CommonErrorCode.CONFLICT,
        )
        return Response(body, status=status.HTTP_409_CONFLICT)

    if not isinstance(exc, exceptions.APIException):
        logger.exception("unexpected error in %s", context.get("view"), exc_info=exc)
        body = error_body(
            error="server_error", message="internal server error", code=CommonErrorCode.SERVER_ERROR
        )
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait) + 1)
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]

    field, message, code = _first_error(exc.detail)
    if isinstance(exc.detail, dict) and "code" in exc.detail and "detail" in exc.detail:
        # simplejwt's InvalidToken: {"detail", "code", "messages"}
        field, message, code = None, str(exc.detail["detail"]), str(exc.detail["code"])
    category = "validation_error" if isinstance(exc, exceptions.ValidationError) else None
    if isinstance(exc, exceptions.ParseError):
        category, code = ErrorCategory.PARSE_ERROR.value, CommonErrorCode.MALFORMED_JSON.value
    category = category or _category_of(exc.status_code)
    return Response(
        error_body(error=category, message=message, field=field, code=code),
        status=exc.status_code,
        headers=headers,
    )


def json_error_response(status_code: int, message: str, code: str) -> JsonResponse:
    """An error answer for paths DRF never sees (unknown URL, crash outside a view)."""
    category = _category_of(status_code)
    return JsonResponse(error_body(error=category, message=message, code=code), status=status_code)


class JsonErrorMiddleware:
    """Turns Django's HTML 404/405/500 pages for API paths into the JSON error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type and _is_api(request):
            message = {404: "no such endpoint", 405: "method not allowed"}.get(
                response.status_code, "request failed"
            )
            code = {
                404: CommonErrorCode.NOT_FOUND,
                405: CommonErrorCode.METHOD_NOT_ALLOWED,
            }.get(response.status_code, CommonErrorCode.ERROR)
            return json_error_response(response.status_code, message, code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("database unavailable at %s: %s", request.path, exception)
            response = JsonResponse(database_unavailable_body(), status=503)
            response["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
            return response
        logger.exception("unexpected error at %s", request.path, exc_info=exception)
        return json_error_response(500, "internal server error", "server_error")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
