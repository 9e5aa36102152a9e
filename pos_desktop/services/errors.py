"""Service errors carrying the project's error shape {"error","message","field","code"}."""

from __future__ import annotations

from shared.errors import ShapedError


class ServiceError(ShapedError):
    """A refusal the screen shows to the cashier; never a crash."""


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
