"""The terminal's identity as the use cases need it: required for a sale, moved by a manager."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from pos_desktop.services.errors import InvalidInput, StateError
from pos_desktop.store.identity import TerminalIdentity, read_identity, save_identity


def terminal_identity(session: Session) -> TerminalIdentity:
    """The stored identity; StateError when the terminal has neither pairing nor demo data."""
    identity = read_identity(session)
    if identity is None:
        raise StateError(
            "This terminal is not paired and has no catalog.", field=None, code="not_paired"
        )
    return identity


def change_server_url(session: Session, server_url: str) -> TerminalIdentity | None:
    """Move a paired terminal to another server address (the manager's settings screen).

    The identity's `server_url` is the one place the address lives: the sync engine and so
    the online state (and with it the kitchen-print decision) follow it. An empty address
    keeps the current one; an unpaired terminal (demo) learns its address when it pairs, so
    nothing is stored for it here.
    """
    identity = read_identity(session)
    wanted = server_url.strip().rstrip("/")
    if identity is None or identity.server_url is None or not wanted:
        return identity
    parts = urlsplit(wanted)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "Enter the server address as http(s)://host[:port].",
            field="server_url",
            code="bad_server_url",
        )
    if wanted != identity.server_url:
        identity = replace(identity, server_url=wanted)
        save_identity(session, identity)
    return identity
