"""One log line per request (HTTP and WebSocket): who, which tenant, status, time; no secrets.

`RequestLogMiddleware` wraps the whole ASGI app, so it times everything and sees WebSocket
handshakes too; `RequestIdentityMiddleware` (Django) notes the tenant and the signed-in user
or device into a dict the outer wrapper placed in the ASGI scope. Query strings are never
logged as they came: `redact` blanks token, password and PIN values wherever they appear, and
the same filter sits on uvicorn's own loggers (its WebSocket lines print the query string).
`KIOSK_LOG_FORMAT=json` switches every handler to one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # settings import this module before Django is set up
    from django.http import HttpRequest, HttpResponseBase

ASGIScope = MutableMapping[str, Any]
ASGIMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[ASGIMessage]]
Send = Callable[[ASGIMessage], Awaitable[None]]
ASGIApp = Callable[[ASGIScope, Receive, Send], Awaitable[None]]

log = logging.getLogger("kiosk.request")

SCOPE_KEY: Final = "kiosk.request_log"
"""Where the identity of a request is noted in the ASGI scope (a dict shared by reference)."""

SECRET_PARAMETER: Final = re.compile(
    r"(?i)\b((?:access_|refresh_)?token|ticket|password|passwd|secret|pin)"
    r"(=|%3D|\"?\s*:\s*\"?)([^&\s\"',;}]+)"
)
BEARER: Final = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_WEBSOCKET_PATH: Final = re.compile(r"^/ws/(?P<tenant>[-a-zA-Z0-9_]+)/")
_API_PATH: Final = re.compile(r"^/api/(?P<tenant>[-a-zA-Z0-9_]+)/")
_NOT_TENANTS: Final = frozenset({"auth", "schema", "docs", "tenants", "pair"})


def redact(text: str) -> str:
    """`text` with the values of token/password/PIN parameters and bearer tokens blanked."""
    text = SECRET_PARAMETER.sub(r"\1\2[redacted]", text)
    return BEARER.sub(r"\1[redacted]", text)


class RedactFilter(logging.Filter):
    """Blank secrets in a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


_RECORD_FIELDS: Final = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(
            {k: v for k, v in record.__dict__.items() if k not in _RECORD_FIELDS and k[0] != "_"}
        )
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str, ensure_ascii=False)


def logging_config(log_format: str) -> dict[str, Any]:
    """The `dictConfig` of the server: Django's LOGGING and uvicorn's `log_config` both use it."""
    formatter: dict[str, Any] = (
        {"()": "sync_server.common.request_log.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "kiosk",
        "filters": ["redact"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "sync_server.common.request_log.RedactFilter"}},
        "formatters": {"kiosk": formatter},
        "handlers": {"console": handler},
        "loggers": {
            "kiosk": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # Replaced by kiosk.request: uvicorn's access line prints the query string.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def _tenant_from_path(path: str) -> str | None:
    match = _WEBSOCKET_PATH.match(path) or _API_PATH.match(path)
    if match is None or match["tenant"] in _NOT_TENANTS:
        return None
    return match["tenant"]


class RequestLogMiddleware:
    """ASGI wrapper: times each HTTP request and WebSocket session and logs one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        noted: dict[str, Any] = {}
        scope[SCOPE_KEY] = noted
        status = 0
        started = time.perf_counter()

        async def send_and_note(message: ASGIMessage) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = int(message["status"])
            elif kind == "websocket.accept":
                status = 101
            elif kind == "websocket.close" and status == 0:
                status = 403  # closed before the handshake finished: refused
            elif kind == "websocket.http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except BaseException:
            status = status or 500
            raise
        finally:
            self._log(scope, noted, status, time.perf_counter() - started)

    @staticmethod
    def _log(scope: ASGIScope, noted: dict[str, Any], status: int, seconds: float) -> None:
        path = str(scope.get("path", ""))
        fields: dict[str, Any] = {
            "method": scope.get("method", "WS") if scope["type"] == "http" else "WS",
            "path": redact(path),
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "tenant": noted.get("tenant") or _tenant_from_path(path),
            "user": noted.get("user"),
            "device": noted.get("device"),
            "client": (scope.get("client") or ("", 0))[0],
        }
        who = fields["user"] or fields["device"] or "-"
        log.info(
            "%s %s %s %.1fms tenant=%s by=%s",
            fields["method"],
            fields["path"],
            status,
            fields["duration_ms"],
            fields["tenant"] or "-",
            who,
            extra=fields,
        )


def note_request(scope: ASGIScope, **fields: str) -> None:
    """Add who made a request to its log line, from code that runs inside it (a consumer)."""
    noted = scope.get(SCOPE_KEY)
    if isinstance(noted, dict):
        noted.update(fields)


class RequestIdentityMiddleware:
    """Django middleware: note the tenant and the user or device that made the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        noted = getattr(request, "scope", {}).get(SCOPE_KEY)
        if isinstance(noted, dict):
            noted.update(identity_of(request))
        return response


def identity_of(request: HttpRequest) -> dict[str, str]:
    """Tenant slug and user name or device (`kind:terminal code`) of a finished request.

    DRF sets `request.user` on the Django request once it authenticated someone; before
    that (or for a refused token) there is nobody to name.
    """
    found: dict[str, str] = {}
    match = request.resolver_match
    if match is not None and match.kwargs.get("tenant_slug"):
        found["tenant"] = str(match.kwargs["tenant_slug"])
    actor = request.__dict__.get("user")
    if actor is None:
        return found
    terminal_code = getattr(actor, "terminal_code", None)
    if terminal_code is not None:
        found["device"] = f"{getattr(actor, 'kind', 'device')}:{terminal_code}"
        found.setdefault("tenant", str(getattr(actor, "tenant_slug", "")))
    elif getattr(actor, "username", None):
        found["user"] = str(actor.username)
    return found
