"""Back-office sessions: who is signed in, read under RLS in the user's own tenant scope.

Django's `get_user` cannot be used: before a scope is known the app role can read no user row
(see `login_scope_for_username`). So the session keeps the scope next to the user id, and the
user is re-read inside that scope on every request, with the password hash check Django's
`login()` would do (changing the password ends every session).
"""

from __future__ import annotations

import uuid

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils.crypto import constant_time_compare

from sync_server.accounts.models import User
from sync_server.accounts.selectors import user_in_scope
from sync_server.common.tenancy import PLATFORM_SETTING, TenantScope

SCOPE_SESSION_KEY = "kiosk_scope"
TENANT_CHOICE_SESSION_KEY = "kiosk_backoffice_tenant"
"""The tenant slug a super admin picked (other users' tenant comes from the user)."""
LANGUAGE_SESSION_KEY = "kiosk_backoffice_language"


def session_scope(request: HttpRequest) -> TenantScope | None:
    """The scope the signed-in user lives in, from the session; None when nobody is signed in."""
    raw = request.session.get(SCOPE_SESSION_KEY)
    if not isinstance(raw, str) or SESSION_KEY not in request.session:
        return None
    if raw == PLATFORM_SETTING:
        return TenantScope(tenant_id=None)
    try:
        return TenantScope(tenant_id=uuid.UUID(raw))
    except ValueError:
        return None


def signed_in_user(request: HttpRequest, scope: TenantScope) -> User | None:
    """The live, active user of the session, read in `scope`; None if gone or password changed."""
    try:
        user_id = uuid.UUID(str(request.session.get(SESSION_KEY)))
    except ValueError:
        return None
    user = user_in_scope(scope=scope, id=user_id)
    if user is None or not user.is_active:
        return None
    if user.tenant is not None and not user.tenant.is_active:
        return None
    if not constant_time_compare(
        str(request.session.get(HASH_SESSION_KEY, "")), user.get_session_auth_hash()
    ):
        return None
    return user


def sign_in(request: HttpRequest, user: User) -> None:
    """Start a fresh session for `user` (new session key and CSRF token: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(user.pk)
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    request.session[SCOPE_SESSION_KEY] = TenantScope(tenant_id=user.tenant_id).setting
    rotate_token(request)


def sign_out(request: HttpRequest) -> None:
    """End the session server-side (the row is deleted, a copied cookie is worthless)."""
    request.session.flush()
