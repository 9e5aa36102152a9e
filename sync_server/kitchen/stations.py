"""Which station cooks what: pure functions over lines and the catalog's stations, no database.

A line's own station wins; otherwise its product's, then its category's; a line nobody claims
is retail and makes no ticket, unless it is handed to the kitchen directly (then the outlet's
default station takes it). Station names become wire codes; Channels groups are named here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from shared.protocol import KitchenItemV1

FALLBACK_STATION: Final = "kitchen"
STATION_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class KitchenLine:
    """One order line as the kitchen needs it. `station` wins when set; otherwise the product's
    station, then its category's, then the outlet default are tried, in that order."""

    line_id: uuid.UUID
    name: str
    quantity: int
    modifiers: tuple[str, ...] = ()
    note: str = ""
    station: str | None = None
    product_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None


def station_code(raw: str | None) -> str:
    """A station name as a wire code (`[A-Za-z0-9_.-]`, at most 40): the catalog lets owners
    type any text ("Hot line"), the protocol and Channels group names do not."""
    code = STATION_UNSAFE.sub("-", (raw or "").strip()).strip("-")[:40]
    return code or FALLBACK_STATION


def outlet_group(outlet_id: uuid.UUID) -> str:
    """Channels group of every screen of an outlet (a station screen picks its own tickets)."""
    return f"kitchen.{outlet_id.hex}"


def station_group(outlet_id: uuid.UUID, station: str) -> str:
    """Channels group of the screens of one station."""
    return f"kitchen.{outlet_id.hex}.{station}"


@dataclass(frozen=True)
class CatalogStations:
    """Stations a caller has already read from the catalog (the order ingest reads them once per
    batch): product id -> (the product's own station, its category id), and category id -> the
    category's station. Read with tombstones, like `read_catalog_stations` does."""

    products: Mapping[uuid.UUID, tuple[str, uuid.UUID | None]]
    categories: Mapping[uuid.UUID, str]


def line_stations(lines: Sequence[KitchenLine], catalog: CatalogStations) -> list[str]:
    """Each line's own station, else its product's, else its category's ("" when none names one).

    The category is the product's as the server knows it; a line whose product is unknown here
    falls back to the category the terminal sent.
    """
    stations = []
    for line in lines:
        if line.station:
            stations.append(line.station)
            continue
        product = catalog.products.get(line.product_id) if line.product_id else None
        category_id = product[1] if product is not None else line.category_id
        stations.append(
            (product[0] if product is not None else "")
            or (catalog.categories.get(category_id, "") if category_id else "")
        )
    return stations


def kitchen_lines_routed(
    lines: Sequence[KitchenLine], *, catalog: CatalogStations
) -> list[KitchenLine]:
    """The lines some station claims (the line's own, its product's or its category's), with
    that station filled in. Lines nobody claims (retail: bottled water) make no ticket; the
    outlet default only catches lines handed to `kitchen_tickets_create_for_order` directly.
    `catalog`: the stations the caller read (`read_catalog_stations`, or the batch's read)."""
    return [
        replace(line, station=station)
        for line, station in zip(lines, line_stations(lines, catalog), strict=True)
        if station
    ]


def items_by_station(
    lines: Sequence[KitchenLine], *, catalog: CatalogStations, default_station: str
) -> dict[str, list[dict[str, object]]]:
    """The ticket items of each station, in line order, cut to the wire's limits so every
    stored ticket can be sent; a line no station claims goes to `default_station` (the
    outlet's), and every station is a wire code."""
    default = default_station or FALLBACK_STATION
    stations = [station_code(station or default) for station in line_stations(lines, catalog)]
    by_station: dict[str, list[dict[str, object]]] = {}
    for line, station in zip(lines, stations, strict=True):
        item = KitchenItemV1(
            line_id=line.line_id,
            name=line.name.strip()[:200] or "item",
            quantity=max(1, line.quantity),
            modifiers=tuple(m.strip()[:200] for m in line.modifiers if m.strip()),
            note=line.note[:1000],
        )
        by_station.setdefault(station, []).append(item.model_dump(mode="json"))
    return by_station
