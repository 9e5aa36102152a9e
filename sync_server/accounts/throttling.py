"""Throttles of the endpoints anyone may call: too many failed logins for a username or from one
address, or too many pairing attempts from one address, is a 429 with `Retry-After`.

The back office's sign-in form counts into the same counters as the API's token login.
Counters live in Django's cache: per process by default, shared across processes
when REDIS_URL is set. The per-address limit is higher than the per-username one
because many tills can sit behind one NAT address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request


def _limits(request: Request | HttpRequest, username: str) -> list[tuple[str, int]]:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return [
        (f"login-fail:user:{username.lower()[:150]}", settings.KIOSK_LOGIN_FAILURE_LIMIT),
        (f"login-fail:addr:{address}", settings.KIOSK_LOGIN_ADDRESS_FAILURE_LIMIT),
    ]


def check_login_allowed(request: Request | HttpRequest, username: str) -> None:
    """Raise Throttled while too many recent failures are recorded for this user or address."""
    if any(int(cache.get(key, 0)) >= limit for key, limit in _limits(request, username)):
        raise exceptions.Throttled(
            wait=settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS,
            detail="too many failed logins, try again later",
        )


def _count(key: str, window: int) -> int:
    """Add one to a counter that lives `window` seconds from its first count; the new value."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def record_login_failure(request: Request | HttpRequest, username: str) -> None:
    """Count one failure for the username and for the address, for the window."""
    window = settings.KIOSK_LOGIN_FAILURE_WINDOW_SECONDS
    for key, _ in _limits(request, username):
        _count(key, window)


def check_pair_allowed(request: Request) -> None:
    """Count a pairing attempt of the client address; raise Throttled past the limit.

    Every attempt counts, good or bad: pairing codes are short, so guessing them must stay slow,
    and a real shop pairs a handful of devices, not ten a minute.
    """
    window = settings.KIOSK_PAIR_WINDOW_SECONDS
    address = request.META.get("REMOTE_ADDR", "unknown")
    if _count(f"pair:addr:{address}", window) > settings.KIOSK_PAIR_LIMIT:
        raise exceptions.Throttled(wait=window, detail="too many pairing attempts, try again later")


def clear_login_failures(request: Request | HttpRequest, username: str) -> None:
    """A successful login forgives the username's failures (not the address's)."""
    cache.delete(_limits(request, username)[0][0])
