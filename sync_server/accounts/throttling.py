"""Failed-login throttle: too many recent failures for a username, or from one address, is a 429.

Counters live in Django's cache: per process by default, shared across processes
when REDIS_URL is set. The per-address limit is higher than the per-username one
because many tills can sit behind one NAT address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.request import Request


def _limits(request: Request, username: str) -> list[tuple[str, int]]:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return [
        (f"login-fail:user:{username.lower()[:150]}", settings.KIOSK_LOGIN_FAILURE_LIMIT),
        (f"login-fail:addr:{address}", settings.KIOSK_LOGIN_ADDRESS_FAILURE_LIMIT),
    ]


def check_login_allowed(request: Request, username: str) -> None:
    """Raise Throttled while too many recent failures are recorded for this user or address."""
    if any(int(cache.get(key, 0)) >= limit for key, limit in _limits(request, username)):
        raise exceptions.Throttled(
            wait=settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS,
            detail="too many failed logins, try again later",
        )


def record_login_failure(request: Request, username: str) -> None:
    """Count one failure for the username and for the address, for the window."""
    window = settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS
    for key, _ in _limits(request, username):
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)


def clear_login_failures(request: Request, username: str) -> None:
    """A successful login forgives the username's failures (not the address's)."""
    cache.delete(_limits(request, username)[0][0])
