"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class OrderErrorCode(StrEnum):
    """Voids and refunds synced from terminals."""

    ORDER_UNKNOWN = "order_unknown"
    ALREADY_VOIDED = "already_voided"
    ORDER_VOIDED = "order_voided"
    UNKNOWN_LINE = "unknown_line"
    OVER_REFUND = "over_refund"
