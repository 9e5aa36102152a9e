"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class CustomerErrorCode(StrEnum):
    """Customers, also those a terminal creates offline."""

    ID_TAKEN = "id_taken"
    INVALID_EMAIL = "invalid_email"
