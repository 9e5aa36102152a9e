"""Manager approval by PIN alone: one PIN check, throttled like any PIN sign-in."""

from __future__ import annotations

from pos_desktop.config import DEFAULT_LOGIN, LoginSettings
from pos_desktop.ids import utcnow
from pos_desktop.services.auth import ManagerApproval, sign_in_by_pin
from pos_desktop.services.errors import AuthError
from pos_desktop.store.uow import UnitOfWork


def approve_by_pin(
    uow: UnitOfWork,
    pin: str,
    action: str,
    reason: str = "",
    *,
    settings: LoginSettings = DEFAULT_LOGIN,
) -> ManagerApproval:
    """The approval of whichever manager owns `pin`, for one action.

    The PIN is hashed once, by the sign-in; a wrong PIN counts against the terminal's
    throttle, and a cashier's own PIN is refused as not a manager's.
    """
    person = sign_in_by_pin(uow, pin=pin, settings=settings)
    if not person.is_manager:
        raise AuthError(
            f"{person.name} may not approve this.", field="manager_id", code="not_manager"
        )
    return ManagerApproval(manager_id=person.cashier_id, action=action, reason=reason, at=utcnow())
