"""`kiosk-kitchen`: the kitchen screen app (placeholder until the kitchen issue lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-kitchen` console script."""
    print("kiosk-kitchen: the kitchen screen is not built yet.", file=sys.stderr)
    return 2
