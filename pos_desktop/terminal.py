"""One terminal's data folder wired together: database, credentials, identity, sync engine."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, select

from pos_desktop.config import DEFAULT_SYNC, SyncSettings
from pos_desktop.credentials import DeviceCredentials, secure_backend
from pos_desktop.services.demo_catalog import install_demo_catalog
from pos_desktop.services.errors import StateError
from pos_desktop.store.db import Database
from pos_desktop.store.identity import TerminalIdentity, read_identity, save_pairing
from pos_desktop.store.models import Order
from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.client import SyncClient, pair
from pos_desktop.sync.engine import SyncEngine
from shared.protocol import PairResponseV1


class Terminal:
    """The application object the CLI and the Qt screens share (one per data folder)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.database = Database(data_dir)
        self.credentials = DeviceCredentials(data_dir)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work: one per user action."""
        return UnitOfWork(self.database.session_factory)

    def close(self) -> None:
        self.database.dispose()

    def identity(self) -> TerminalIdentity | None:
        """Who this terminal is, None before pairing or demo set-up."""
        with self.uow() as uow:
            return read_identity(uow.session)

    def pair(
        self,
        server_url: str,
        code: str,
        *,
        device_name: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> TerminalIdentity:
        """Pair with the cloud; refuses a folder that already sold as another terminal.

        A paired folder may be paired again with a new code of the same terminal (its
        credentials were revoked or lost): every sale it holds stays and syncs afterwards.
        """
        secure_backend()  # fail before spending the one-time code
        current = self.identity()
        repairing = current is not None and current.paired
        if not repairing:
            with self.uow() as uow:
                if uow.session.scalar(select(func.count()).select_from(Order)):
                    raise StateError(
                        "This data folder holds sales of a demo terminal; pair a fresh folder.",
                        code="has_demo_sales",
                    )
        response = pair(
            server_url, code, device_name=device_name, device_kind="terminal", transport=transport
        )
        if current is not None and repairing and not _same_terminal(current, response):
            raise StateError(
                f"This code is for terminal {response.terminal_code}, but this data folder "
                f"sells as {current.terminal_code}: ask for a code of {current.terminal_code}.",
                code="other_terminal",
            )
        self.credentials.store_tokens(access=response.access, refresh=response.refresh)
        with self.uow() as uow:
            save_pairing(uow.session, response, server_url.rstrip("/"))
            if not repairing:
                put_setting(uow.session, SettingKey.CATALOG_CURSOR, "")
                put_setting(uow.session, SettingKey.CATALOG_VERSION, 0)
                # Order-ready notices start from now: nothing of this folder was sold before.
                put_setting(uow.session, SettingKey.READY_CURSOR, response.server_time.isoformat())
            uow.commit()
        identity = self.identity()
        assert identity is not None
        return identity

    def ensure_demo_catalog(self) -> None:
        """An unpaired folder with no catalog gets the built-in demo one (offline selling)."""
        with self.uow() as uow:
            if read_identity(uow.session) is None:
                install_demo_catalog(uow.session)
                uow.commit()

    def has_catalog(self) -> bool:
        with self.uow() as uow:
            return get_setting(uow.session, SettingKey.TENANT) is not None

    def sync_engine(
        self,
        *,
        settings: SyncSettings = DEFAULT_SYNC,
        transport: httpx.BaseTransport | None = None,
    ) -> SyncEngine:
        """A sync engine for this paired terminal (its own sessions, its own thread on start)."""
        identity = self.identity()
        if identity is None or identity.server_url is None:
            raise StateError("Pair this terminal first.", code="not_paired")
        client = SyncClient(
            identity.server_url,
            identity.tenant_slug,
            self.credentials,
            settings=settings,
            transport=transport,
        )
        return SyncEngine(self.database, client, settings=settings)


def _same_terminal(identity: TerminalIdentity, response: PairResponseV1) -> bool:
    """Whether a pairing answer names the terminal (and tenant) this folder already is."""
    return identity.terminal_id == str(response.terminal_id) and (
        identity.tenant_slug == response.tenant_slug
    )
