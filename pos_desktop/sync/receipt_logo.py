"""Fetching the tenant's receipt logo after a catalog pull, on the sync worker's thread.

A sale never waits on it: the download happens between passes, and a till that is offline,
or meets a server that answers wrong, prints without the new logo (or with none) and tries
again on a later pass.
"""

from __future__ import annotations

import logging

from pos_desktop.store.db import Database
from pos_desktop.store.receipt_logo import keep_receipt_logo, missing_receipt_logo
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.sync.client import SyncClient

log = logging.getLogger(__name__)
MAX_LOGO_BYTES = 2_000_000
"""The server stores at most 576 × 576 grey dots: anything this large is not the logo."""


def fetch_receipt_logo(database: Database, client: SyncClient) -> bool:
    """Download the logo the tenant's settings name when this till does not keep it yet;
    True when nothing is left to fetch. Raises the client's SyncError when the link fails."""
    with UnitOfWork(database.session_factory) as uow:
        wanted = missing_receipt_logo(uow.session)
    if wanted is None:
        return True
    png = client.receipt_logo(wanted.path, MAX_LOGO_BYTES)
    with UnitOfWork(database.session_factory) as uow:
        if not keep_receipt_logo(uow.session, wanted.sha256, png):
            # The settings named a newer logo meanwhile, or the bytes were damaged.
            log.warning("receipt logo download did not match its hash; trying again later")
            return False
        uow.commit()
    return True
