"""The answers of a sync batch, item by item: refused, duplicate or conflict, and the guard
that turns one item's crash into that item's refusal instead of the whole request's."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from shared.protocol import ErrorV1, ItemResultV1
from sync_server.common.errors import DATABASE_UNAVAILABLE, ErrorCategory
from sync_server.orders.models import Order, flags_tuple
from sync_server.sync.error_codes import SyncErrorCode
from sync_server.sync.models import SyncEvent

log = logging.getLogger("kiosk.sync")
T = TypeVar("T")


def item_error(message: str, *, code: str, field: str | None = None) -> ErrorV1:
    return ErrorV1(error=ErrorCategory.REJECTED, message=message, field=field, code=code)


def item_id_of(raw: Any, index: int) -> str:
    """The id a result is keyed by; an item without a readable id (not a UUID: too long, a lone
    surrogate, ...) is named by its position, so the answer never echoes arbitrary input."""
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        try:
            return str(uuid.UUID(raw["id"]))
        except ValueError:
            pass
    return f"#{index}"


def rejected(item_id: str, error: ErrorV1) -> ItemResultV1:
    return ItemResultV1(id=item_id, status="rejected", error=error)


def _stored_answer(
    item_id: uuid.UUID, digest: str, stored: Mapping[str, Any] | None
) -> ItemResultV1:
    """Answer for an id already stored: duplicate (same digest) or conflict (another one)."""
    if stored is None:  # the id exists, but under another tenant
        return rejected(
            str(item_id), item_error("this id is taken", code=SyncErrorCode.ID_TAKEN, field="id")
        )
    if stored["digest"] == digest:
        return ItemResultV1(
            id=str(item_id),
            status="duplicate",
            flags=flags_tuple(stored["flags"]),
            received_at=stored["received_at"],
        )
    return ItemResultV1(
        id=str(item_id),
        status="conflict",
        error=ErrorV1(
            error=ErrorCategory.CONFLICT,
            message="this id was stored with other content; nothing changed",
            field="id",
            code=SyncErrorCode.CONFLICT,
        ),
        flags=flags_tuple(stored["flags"]),
        received_at=stored["received_at"],
    )


def stored_results(
    model: type[Order] | type[SyncEvent], digests: Mapping[uuid.UUID, str]
) -> dict[uuid.UUID, ItemResultV1]:
    """`_stored_answer` for many ids already stored, read in one query."""
    stored = {
        row["id"]: row
        for row in model.objects.filter(id__in=list(digests)).values(
            "id", "digest", "flags", "received_at"
        )
    }
    return {
        item_id: _stored_answer(item_id, digest, stored.get(item_id))
        for item_id, digest in digests.items()
    }


def stored_result(
    model: type[Order] | type[SyncEvent], item_id: uuid.UUID, digest: str
) -> ItemResultV1:
    """Answer for an id already stored: duplicate (same digest) or conflict (another one)."""
    return stored_results(model, {item_id: digest})[item_id]


def guarded(item_id: str, ingest: Callable[..., T], **kwargs: Any) -> T | ItemResultV1:
    """One item's ingest; a bug in it rejects that item (its transaction rolled back) instead
    of failing the batch, so the terminal flags it for a manager and the rest flow on.

    A database that is down, deadlocked or timed out is not the item's fault: that error
    goes up and the whole request is a 503 with Retry-After, so the terminal backs off and
    sends the batch again (what did commit comes back `duplicate`)."""
    try:
        return ingest(**kwargs)
    except DATABASE_UNAVAILABLE:
        raise
    except Exception:
        log.exception("ingest of %s failed", item_id)
        return rejected(
            item_id,
            item_error("the server could not store this item", code=SyncErrorCode.SERVER_ERROR),
        )
