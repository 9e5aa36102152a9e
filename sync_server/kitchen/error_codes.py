"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class KitchenErrorCode(StrEnum):
    """Cook actions over HTTP and the kitchen socket."""

    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TENANT_MISMATCH = "tenant_mismatch"
    OUTLET_MISMATCH = "outlet_mismatch"
    STATION_MISMATCH = "station_mismatch"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_LINE = "unknown_line"
    NOTHING_TO_RECALL = "nothing_to_recall"
    CONFLICT = "conflict"
