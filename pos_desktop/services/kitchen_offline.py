"""Kitchen tickets when the cloud is down: decided at checkout, printed here after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from pos_desktop.printing.from_store import kitchen_tickets_for_order
from pos_desktop.printing.queue import PrintQueue, QueuedJob
from pos_desktop.printing.service import PrintService
from pos_desktop.printing.settings import load_printer_settings
from pos_desktop.store.models import Order
from pos_desktop.store.uow import UnitOfWork
from shared.protocol import OrderLineV1

log = logging.getLogger(__name__)


def kitchen_stations(lines: Sequence[OrderLineV1]) -> set[str]:
    """The stations that get a ticket: like the server, a line no station claims makes none."""
    return {line.kitchen_station for line in lines if line.kitchen_station}


def prints_kitchen_offline(
    session: Session, *, cloud_unreachable: bool, lines: Sequence[OrderLineV1]
) -> bool:
    """Must this sale's kitchen tickets print on this terminal's kitchen printers?

    Only while the cloud is unreachable (online, the screens get the tickets from the
    server), only for an order with kitchen items, and only when every station of the order
    has a printer: the order is then marked "printed offline" and the server files its
    tickets "already printed". Half an order on paper and half unmarked on the screens would
    be cooked twice, so a station without a printer leaves the whole order to the screens.
    """
    if not cloud_unreachable:
        return False
    stations = kitchen_stations(lines)
    if not stations:
        return False
    settings = load_printer_settings(session)
    return all(settings.kitchen_printer(station) for station in stations)


def enqueue_kitchen_tickets(
    new_uow: Callable[[], UnitOfWork], queue: PrintQueue, order_id: str
) -> list[QueuedJob]:
    """Queue the printed-offline tickets of a committed order, one per station.

    Reads the order in its own unit of work and closes it before queueing (the queue writes
    its jobs in its own transaction). Returns at once, the queue sends and retries; a failure
    here is logged, never raised: the sale is already paid and on disk.
    """
    try:
        with new_uow() as uow:
            order = uow.session.get(Order, order_id)
            if order is None:
                return []
            settings = load_printer_settings(uow.session)
            tickets = kitchen_tickets_for_order(
                uow.session, order, offline=True, default_station=""
            )
        service = PrintService(queue, settings)
        jobs = [service.print_kitchen_ticket(ticket) for ticket in tickets if ticket.station]
        return [job for job in jobs if job is not None]
    except Exception:  # a broken printer setting must not undo "paid"
        log.exception("kitchen tickets of order %s could not be queued", order_id)
        return []
