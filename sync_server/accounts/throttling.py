"""Failed-login throttle: after N failures per username or per client address, 429."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.request import Request


def _keys(request: Request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return [f"login-fail:user:{username.lower()[:150]}", f"login-fail:addr:{address}"]


def check_login_allowed(request: Request, username: str) -> None:
    """Raise Throttled while too many recent failures are recorded for this user or address."""
    limit = settings.KIOSK_LOGIN_FAILURE_LIMIT
    if any(int(cache.get(key, 0)) >= limit for key in _keys(request, username)):
        raise exceptions.Throttled(
            wait=settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS,
            detail="too many failed logins, try again later",
        )


def record_login_failure(request: Request, username: str) -> None:
    """Count one failure for the username and for the address, for the window."""
    window = settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(request, username):
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=window)


def clear_login_failures(request: Request, username: str) -> None:
    """A successful login forgives the username's failures (not the address's)."""
    cache.delete(_keys(request, username)[0])
