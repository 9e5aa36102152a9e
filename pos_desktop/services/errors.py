"""Service errors carrying the project's error shape {"error","message","field","code"}."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError

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


P = ParamSpec("P")
R = TypeVar("R")


def refused_when_not_written(
    what: str, consequence: str = ""
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A use case whose write the till's disk refuses (full, failing) becomes a `StateError`
    coded `not_saved` that says so, instead of a raw database error. The unit of work rolls the
    transaction back, so nothing stored changes; `consequence` tells the cashier what follows
    (for a sale: it is not paid, take no money)."""

    def wrap(use_case: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(use_case)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return use_case(*args, **kwargs)
            except (sqlite3.OperationalError, SQLAlchemyOperationalError) as error:
                reason = getattr(error, "orig", None) or error
                raise StateError(
                    f"{what} was not saved{consequence}: the till could not write it to its "
                    f"disk ({reason}). Free space or call support, then try again.",
                    code="not_saved",
                ) from error

        return guarded

    return wrap
