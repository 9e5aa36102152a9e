"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class CommonErrorCode(StrEnum):
    """Codes any API answers with: tenancy, the request's shape, the server's state."""

    TENANT_MISMATCH = "tenant_mismatch"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_COLOUR = "invalid_colour"
    MALFORMED_JSON = "malformed_json"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    SUSPICIOUS = "suspicious"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    DATABASE_UNAVAILABLE = "database_unavailable"
    SERVER_ERROR = "server_error"
    ERROR = "error"
    """An API path failed in a way none of the above names (a Django error page)."""
