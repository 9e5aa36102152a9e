"""Identifiers made on the terminal: UUIDv7 strings, sortable by creation time."""

from datetime import UTC, datetime

import uuid6


def new_id() -> str:
    """A fresh UUIDv7 as text; the terminal makes ids so offline rows never collide."""
    return str(uuid6.uuid7())


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (one clock for the whole terminal)."""
    return datetime.now(UTC)
