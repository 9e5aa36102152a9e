"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class PromotionErrorCode(StrEnum):
    """Promotion rules."""

    NOT_OBJECT = "not_object"
    UNKNOWN_FIELD = "unknown_field"
