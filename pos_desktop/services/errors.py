"""Service errors carrying the project's error shape {"error","message","field","code"}."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the screen shows to the cashier; never a crash."""

    error = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_error(self) -> dict[str, str | None]:
        """The error in the wire shape, for logs, the CLI's --json and the screens."""
        return {
            "error": self.error,
            "message": self.message,
            "field": self.field,
            "code": self.code,
        }


class NotFound(ServiceError):
    error = "not_found"


class InvalidInput(ServiceError):
    error = "invalid"


class StateError(ServiceError):
    """The action does not fit the current state (no open shift, order already voided)."""

    error = "state"


class AuthError(ServiceError):
    """Wrong PIN, locked out, or a role that may not do this."""

    error = "auth"


class ApprovalRequired(ServiceError):
    """The action needs a manager's PIN first (discount over threshold, void, refund)."""

    error = "approval_required"
