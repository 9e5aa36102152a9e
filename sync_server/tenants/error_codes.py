"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class TenantErrorCode(StrEnum):
    """Tenants, outlets and their settings."""

    RESERVED = "reserved"
    INVALID_TIME_ZONE = "invalid_time_zone"
    OUT_OF_RANGE = "out_of_range"
    IN_USE = "in_use"
