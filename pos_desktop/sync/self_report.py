"""What a till says of its own data to the cloud: its newest sale and the catalog it holds.

One place for both facts, read from the till's store: each pushed batch (`TillStatusV1`) and
each link heartbeat (`LinkStatusV1`) carry them, so a till whose link is down still shows
the back office its own last sale and its catalog version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_desktop.store.models import Order
from pos_desktop.store.settings import SettingKey, get_setting


@dataclass(frozen=True)
class SelfReport:
    """The till's newest local sale (None before the first, synced or not) and the catalog
    version it holds (0 before its first pull)."""

    last_sale_at: datetime | None
    catalog_version: int


def self_report(session: Session) -> SelfReport:
    """Read both facts in the caller's session (the push reads them with its outbox run)."""
    newest: datetime | None = session.scalar(select(func.max(Order.created_at)))
    if newest is not None and newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)  # SQLite keeps no offset; the till stores UTC
    return SelfReport(
        last_sale_at=newest,
        catalog_version=int(get_setting(session, SettingKey.CATALOG_VERSION, 0)),
    )
