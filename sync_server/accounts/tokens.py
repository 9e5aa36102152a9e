"""Refresh tokens whose revocation record holds only what revocation needs: jti and expiry.

simplejwt's blacklist app keeps each refresh token in full, with its user, in a table outside
row-level security: any tenant's role could read every tenant's live refresh tokens there. A
spent or revoked token is known by its `jti` alone, so that is all this class writes.
"""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch


def spent_record(token: Token) -> OutstandingToken:
    """The revocation row of a token (made on first need): jti and expiry, no token, no user."""
    record, _ = OutstandingToken.objects.get_or_create(
        jti=str(token[api_settings.JTI_CLAIM]),
        defaults={
            "user": None,
            "token": "",
            "created_at": token.current_time,
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    return record


class KioskRefreshToken(RefreshToken):
    """A refresh token that is recorded only when it is spent or revoked, by jti."""

    @classmethod
    def for_user(cls, user: Any) -> KioskRefreshToken:
        # Token.for_user, skipping BlacklistMixin's copy of the whole token into the table.
        token: KioskRefreshToken = Token.for_user.__func__(cls, user)  # type: ignore[attr-defined]
        return token

    def outstand(self) -> OutstandingToken:
        return spent_record(self)

    def blacklist(self) -> BlacklistedToken:
        return BlacklistedToken.objects.get_or_create(token=spent_record(self))[0]
