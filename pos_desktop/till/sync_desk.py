"""The sync desk: what the status bar shows, items needing a manager, kitchen-ready notices."""

from __future__ import annotations

from collections.abc import Sequence

from pos_desktop.ids import utcnow
from pos_desktop.services.attention import attention_label, export_items, retry_items
from pos_desktop.store.settings import SettingKey, get_setting
from pos_desktop.till.context import TillContext
from pos_desktop.till.views import AttentionItem, SyncStatus


class SyncDesk:
    """The outbox and the sync engine as the status screen and the window see them."""

    def __init__(self, context: TillContext) -> None:
        self._context = context

    def sync_status(self) -> SyncStatus:
        with self._context.terminal.uow() as uow:
            queue = uow.outbox.counts()
            catalog_version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
            attention = tuple(
                AttentionItem(
                    id=item.id,
                    kind=item.kind,
                    entity_id=item.entity_id,
                    label=attention_label(uow.session, item),
                    attempts=item.attempts,
                    last_error=(item.last_error or "")[:300],
                )
                for item in uow.outbox.needing_attention()
            )
        engine = self._context.engine
        state = engine.state if engine is not None else None
        return SyncStatus(
            online=bool(state and state.online),
            authorized=state.device_authorized if state else True,
            pending=queue.pending + queue.needs_attention,
            attention=attention,
            last_error=(state.last_error or "") if state else "",
            catalog_version=catalog_version,
        )

    def retry(self, item_id: int) -> None:
        self._context.call(retry_items, item_ids=[item_id])
        self._context.nudge()

    def export(self, item_id: int) -> str:
        folder = self._context.terminal.data_dir / "exports"
        path = self._context.call(export_items, folder=folder, stamp=f"{utcnow():%Y%m%dT%H%M%S}")
        return str(path)

    def take_ready_notices(self) -> Sequence[str]:
        """Receipt numbers of this terminal's orders the kitchen finished since last asked."""
        engine = self._context.engine
        if engine is None:
            return []
        return [order.receipt_number for order in engine.take_ready()]
