"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class ShiftErrorCode(StrEnum):
    """Shift events synced from terminals."""

    ALREADY_OPEN = "already_open"
    ALREADY_CLOSED = "already_closed"
    ID_TAKEN = "id_taken"
    WRONG_SHIFT = "wrong_shift"
