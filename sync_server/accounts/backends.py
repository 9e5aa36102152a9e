"""Password login across tenants without opening row-level security wide."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from sync_server.accounts.models import User
from sync_server.accounts.selectors import login_scope_for_username, user_in_scope


class TenantScopedBackend(BaseBackend):
    """Find the user's tenant by exact username, then read the user inside that tenant."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        scope = login_scope_for_username(username=username)
        user = None if scope is None else user_in_scope(scope=scope, username=username)
        if user is None:
            User().set_password(password)  # same hashing work as a real check: no timing oracle
            return None
        if not user.is_active or (user.tenant is not None and not user.tenant.is_active):
            return None
        return user if user.check_password(password) else None

    def get_user(self, user_id: Any) -> User | None:
        return None  # JWT only: there are no sessions
