"""Who this terminal is: the identity stored once paired (or set up as the demo terminal)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from pos_desktop.store.settings import SettingKey, get_setting, put_setting
from shared.protocol import PairResponseV1


@dataclass(frozen=True)
class TerminalIdentity:
    """Who this terminal is: ids for the wire, codes for receipt numbers, where to sync."""

    tenant_slug: str
    outlet_id: str
    outlet_code: str
    terminal_id: str
    terminal_code: str
    server_url: str | None

    @property
    def paired(self) -> bool:
        return self.server_url is not None


def read_identity(session: Session) -> TerminalIdentity | None:
    """The stored identity; None before pairing or the demo set-up."""
    value = get_setting(session, SettingKey.TERMINAL)
    return TerminalIdentity(**value) if value else None


def save_identity(session: Session, identity: TerminalIdentity) -> None:
    """Store the identity in the caller's transaction."""
    put_setting(session, SettingKey.TERMINAL, asdict(identity))


def save_pairing(session: Session, pairing: PairResponseV1, server_url: str) -> None:
    """Remember the paired identity (the tokens go to the keyring, never here)."""
    save_identity(
        session,
        TerminalIdentity(
            tenant_slug=pairing.tenant_slug,
            outlet_id=str(pairing.outlet_id),
            outlet_code=pairing.outlet_code,
            terminal_id=str(pairing.terminal_id),
            terminal_code=pairing.terminal_code,
            server_url=server_url,
        ),
    )
