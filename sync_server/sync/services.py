"""Idempotent ingest of order and event batches from paired terminals: the entry points.

Orders (`sync_server.sync.orders`) are checked, re-priced and stored a batch at a time with a
careful one-by-one path; events (`sync_server.sync.events`) apply one by one, each exactly
once; `sync_server.sync.batch` reads what a batch needs once, `sync_server.sync.results`
shapes each item's answer. The item's id is the idempotency key everywhere.
"""

from sync_server.sync.batch import OrderBatchContext, batch_context
from sync_server.sync.events import event_batch_ingest, event_ingest
from sync_server.sync.orders import (
    PreparedOrder,
    order_batch_ingest,
    order_ingest,
    order_prepare,
    order_rows,
    order_store_prepared,
)

__all__ = [
    "OrderBatchContext",
    "PreparedOrder",
    "batch_context",
    "event_batch_ingest",
    "event_ingest",
    "order_batch_ingest",
    "order_ingest",
    "order_prepare",
    "order_rows",
    "order_store_prepared",
]
