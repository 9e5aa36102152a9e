"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    """Sign-in and user management."""

    INVALID_CREDENTIALS = "invalid_credentials"
    USER_INACTIVE = "user_inactive"
    USER_NOT_FOUND = "user_not_found"
    ROLE_FORBIDDEN = "role_forbidden"
    ROLE_RANK = "role_rank"
    SELF_DELETE = "self_delete"
