"""Kitchen routing as pure functions: which station cooks which line, without a database."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from typing import Any

from sync_server.kitchen import stations
from sync_server.kitchen.stations import (
    FALLBACK_STATION,
    CatalogStations,
    KitchenLine,
    items_by_station,
    kitchen_lines_routed,
    line_stations,
    outlet_group,
    station_code,
    station_group,
)

PRODUCT, PLAIN_PRODUCT, CATEGORY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
CATALOG = CatalogStations(
    products={PRODUCT: ("grill", CATEGORY), PLAIN_PRODUCT: ("", CATEGORY)},
    categories={CATEGORY: "bar"},
)


def _line(name: str, station: str | None = None, **kwargs: Any) -> KitchenLine:
    return KitchenLine(
        **{"line_id": uuid.uuid4(), "name": name, "quantity": 1, **kwargs}, station=station
    )


def test_routing_with_the_batch_stations_matches_routing_that_reads_them() -> None:
    """Moved from tests/server/test_kitchen_ingest_path.py: routing needs no database now."""
    lines = [
        _line("own station", "pass", product_id=PRODUCT),
        _line("product's", product_id=PRODUCT),
        _line("category's via product", product_id=PLAIN_PRODUCT),
        _line("unknown product, sent category", product_id=uuid.uuid4(), category_id=CATEGORY),
        _line("retail", product_id=uuid.uuid4()),
    ]
    assert line_stations(lines, CATALOG) == ["pass", "grill", "bar", "bar", ""]
    routed = kitchen_lines_routed(lines, catalog=CATALOG)
    assert [(line.name, line.station) for line in routed] == [
        ("own station", "pass"),
        ("product's", "grill"),
        ("category's via product", "bar"),
        ("unknown product, sent category", "bar"),
    ]


def test_the_server_s_category_of_a_known_product_wins_over_the_one_sent() -> None:
    other_category = uuid.uuid4()
    catalog = CatalogStations(
        products={PLAIN_PRODUCT: ("", CATEGORY)},
        categories={CATEGORY: "bar", other_category: "grill"},
    )
    line = _line("latte", product_id=PLAIN_PRODUCT, category_id=other_category)
    assert line_stations([line], catalog) == ["bar"]


def test_items_go_to_the_outlet_default_when_no_station_claims_them() -> None:
    lines = [
        _line("Nasi goreng", product_id=PRODUCT, modifiers=(" extra egg ", " "), note="no chilli"),
        _line("Water", product_id=uuid.uuid4(), quantity=0),
        _line("  ", "Hot line"),
    ]
    by_station = items_by_station(lines, catalog=CATALOG, default_station="")
    assert sorted(by_station) == sorted(["grill", FALLBACK_STATION, "Hot-line"])
    (nasi,) = by_station["grill"]
    assert (nasi["name"], nasi["modifiers"], nasi["note"]) == (
        "Nasi goreng",
        ["extra egg"],
        "no chilli",
    )
    assert by_station[FALLBACK_STATION][0]["quantity"] == 1  # never a ticket item of 0
    assert by_station["Hot-line"][0]["name"] == "item"
    assert list(items_by_station(lines[1:2], catalog=CATALOG, default_station="pass")) == ["pass"]


def test_station_names_become_wire_codes_and_group_names() -> None:
    assert station_code("Hot line / grill") == "Hot-line-grill"
    assert station_code("  ") == FALLBACK_STATION
    assert station_code(None) == FALLBACK_STATION
    assert len(station_code("x" * 100)) == 40
    outlet = uuid.uuid4()
    assert outlet_group(outlet) == f"kitchen.{outlet.hex}"
    assert station_group(outlet, "bar") == f"kitchen.{outlet.hex}.bar"


def test_routing_reads_no_database() -> None:
    """The routing module imports nothing of Django: its callers read the catalog."""
    source = Path(stations.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not imported & {"django", "channels", "rest_framework", "asgiref"}
