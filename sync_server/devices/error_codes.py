"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class DeviceErrorCode(StrEnum):
    """Pairing, device tokens and what a device may call."""

    INVALID_PAIRING_CODE = "invalid_pairing_code"
    WRONG_DEVICE_KIND = "wrong_device_kind"
    REVOKED = "revoked"
    DEVICE_REVOKED = "device_revoked"
    REFRESH_REUSED = "refresh_reused"
    DEVICE_KIND = "device_kind"
    TENANT_SUSPENDED = "tenant_suspended"
