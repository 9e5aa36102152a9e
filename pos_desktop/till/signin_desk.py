"""The sign-in desk: pairing (or the demo café), PIN sign-in, a manager's PIN, sign-out."""

from __future__ import annotations

from pos_desktop.services import auth, shifts
from pos_desktop.services.auth import SignedIn
from pos_desktop.services.errors import ServiceError
from pos_desktop.sync.engine import SyncState as SyncEngineState
from pos_desktop.till.catalog_desk import CatalogDesk
from pos_desktop.till.context import TillContext, refuse
from pos_desktop.till.views import CashierView, Progress


class SignInDesk:
    """Who this terminal is and who sells at it."""

    def __init__(self, context: TillContext, catalog: CatalogDesk) -> None:
        self._context = context
        self._catalog = catalog
        self._paired = False

    def is_paired(self) -> bool:
        # Polled from the UI thread: once true it stays true, so read the disk until then only.
        if not self._paired:
            terminal = self._context.terminal
            self._paired = terminal.identity() is not None and terminal.has_catalog()
        return self._paired

    def pair(self, server_url: str, code: str, progress: Progress) -> None:
        context = self._context
        progress(0, 0)
        try:
            context.terminal.pair(server_url, code, device_name="cashier app")
        except ServiceError as error:
            raise refuse(error) from error
        context.start_engine()
        engine = context.engine
        assert engine is not None

        def listener(state: SyncEngineState) -> None:
            progress(state.catalog_version, 0)

        engine.add_listener(listener)
        try:
            engine.pull_catalog()
        finally:
            engine.remove_listener(listener)  # the pairing screen goes away after this
        self._catalog.forget()
        progress(1, 1)

    def use_demo(self) -> None:
        """Sell offline with the built-in demo café (no server needed)."""
        self._context.terminal.ensure_demo_catalog()
        self._catalog.forget()

    def sign_in(self, pin: str) -> SignedIn:
        """The cashier of this PIN (not yet selling: the till swaps the cart over)."""
        return self._context.call(auth.sign_in_by_pin, pin=pin)

    def verify_manager(self, pin: str) -> CashierView:
        approval = self._context.approval(pin, "sync_attention")  # checked, not stored
        return CashierView(approval.manager_id, "", "manager")

    def unsynced_warning(self) -> str | None:
        return self._context.call(shifts.unsynced_warning)

    def logout(self) -> None:
        with self._context.lock:
            self._context.cashier = None
