"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class SyncErrorCode(StrEnum):
    """Per-item refusals of a sync batch and the catalog feed's cursor."""

    WRONG_TERMINAL = "wrong_terminal"
    WRONG_OUTLET = "wrong_outlet"
    WRONG_CURRENCY = "wrong_currency"
    WRONG_SHIFT = "wrong_shift"
    UNKNOWN_PRODUCT = "unknown_product"
    ID_TAKEN = "id_taken"
    CONFLICT = "conflict"
    CONFLICT_ID = "conflict_id"
    DUPLICATE_CHILD_ID = "duplicate_child_id"
    SERVER_ERROR = "server_error"
    BAD_CURSOR = "bad_cursor"
