"""`kiosk-pos`: the cashier terminal's command line (placeholder until the terminal core lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-pos` console script."""
    print("kiosk-pos: the cashier app is not built yet.", file=sys.stderr)
    return 2
