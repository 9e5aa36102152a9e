"""Writes of the kitchen, as the API, the socket and the order ingest call them.

Routing (`kitchen.stations`) is pure; the outlet's sequence and the screens' nudge live in
`kitchen.sequences`; tickets for orders and cancelled lines in `kitchen.tickets`; cook
actions in `kitchen.actions`. Every write takes the outlet's sequence counter row lock first
and tickets second, in that order everywhere, so writers of one outlet queue instead of
deadlocking, and sequences commit in the order they were handed out. Screens are nudged only
after the transaction commits.
"""

from sync_server.kitchen.actions import (
    kitchen_ticket_act,
    kitchen_ticket_bump,
    kitchen_ticket_bump_item,
    kitchen_ticket_recall,
    kitchen_ticket_recall_last,
    kitchen_ticket_start,
)
from sync_server.kitchen.sequences import CHANGED_EVENT
from sync_server.kitchen.stations import (
    FALLBACK_STATION,
    CatalogStations,
    KitchenLine,
    kitchen_lines_routed,
    outlet_group,
    station_code,
    station_group,
)
from sync_server.kitchen.tickets import (
    KitchenOrder,
    kitchen_tickets_cancel_lines,
    kitchen_tickets_create_for_new_orders,
    kitchen_tickets_create_for_order,
    read_catalog_stations,
)

__all__ = [
    "CHANGED_EVENT",
    "FALLBACK_STATION",
    "CatalogStations",
    "KitchenLine",
    "KitchenOrder",
    "kitchen_lines_routed",
    "kitchen_ticket_act",
    "kitchen_ticket_bump",
    "kitchen_ticket_bump_item",
    "kitchen_ticket_recall",
    "kitchen_ticket_recall_last",
    "kitchen_ticket_start",
    "kitchen_tickets_cancel_lines",
    "kitchen_tickets_create_for_new_orders",
    "kitchen_tickets_create_for_order",
    "outlet_group",
    "read_catalog_stations",
    "station_code",
    "station_group",
]
