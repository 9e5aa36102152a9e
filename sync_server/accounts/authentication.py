"""JWT authentication that reads the user inside the token's own tenant scope."""

from __future__ import annotations

import uuid

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import Token

from sync_server.accounts.error_codes import AccountErrorCode
from sync_server.accounts.models import User
from sync_server.accounts.selectors import user_in_scope
from sync_server.common.tenancy import TenantScope


def scope_from_claims(token: Token) -> TenantScope:
    """The tenant (or platform) scope a token was issued in."""
    raw = token.get("tenant_id")
    try:
        return TenantScope(tenant_id=uuid.UUID(str(raw)) if raw else None)
    except ValueError as error:
        raise InvalidToken("token has a malformed tenant claim") from error


class TenantJWTAuthentication(JWTAuthentication):
    """Bearer JWT; the user row is read under RLS in the tenant named by the token."""

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        user_id = validated_token.get("user_id")
        if not user_id:
            raise InvalidToken("token contained no recognizable user identification")
        try:
            user = user_in_scope(
                scope=scope_from_claims(validated_token), id=uuid.UUID(str(user_id))
            )
        except ValueError as error:
            raise InvalidToken("token has a malformed user claim") from error
        if user is None:
            raise AuthenticationFailed("user not found", code=AccountErrorCode.USER_NOT_FOUND)
        if not user.is_active or (user.tenant is not None and not user.tenant.is_active):
            raise AuthenticationFailed("user is inactive", code=AccountErrorCode.USER_INACTIVE)
        return user


class CredentialsOnly(BaseAuthentication):
    """For the login/refresh/logout endpoints: no bearer needed, but failures stay 401."""

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
