"""Test data for the back office shared by server and browser tests (plain module)."""

from __future__ import annotations


def product_csv(rows: int, bad: dict[int, str] | None = None) -> str:
    """A product import CSV of `rows` good rows (`IMP-0000`...), with some replaced by `bad`."""
    lines = ["sku,name,price,category,active"]
    for index in range(rows):
        good = f"IMP-{index:04d},Imported {index},{10_000 + index},Coffee,yes"
        lines.append((bad or {}).get(index, good))
    return "\n".join(lines) + "\n"
