"""Notes and coins per currency, largest first: one table for quick tender and shift counts."""

from __future__ import annotations

DENOMINATIONS_MINOR: dict[str, tuple[int, ...]] = {
    "IDR": (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100),
    "USD": (10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1),
    "EUR": (10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "SGD": (10_000, 5_000, 1_000, 500, 200, 100, 50, 20, 10, 5),
    "MYR": (10_000, 5_000, 2_000, 1_000, 500, 100, 50, 20, 10, 5),
}
"""In minor units; a tenant setting would override this table once the server sends one."""


def denominations_for(currency: str) -> tuple[int, ...]:
    """The drawer's notes and coins for `currency` (ISO code), largest first; () if unknown."""
    return DENOMINATIONS_MINOR.get(currency.upper(), ())
