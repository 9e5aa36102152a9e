"""`kiosk-server`: the cloud server's command line (placeholder until the server core lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-server` console script."""
    print("kiosk-server: the sync server is not built yet.", file=sys.stderr)
    return 2
