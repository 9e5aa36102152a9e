"""`kiosk-kitchen`: pair a kitchen screen with the cloud, then run it.

kiosk-kitchen --data-dir D pair --server URL --code CODE [--station grill]
kiosk-kitchen --data-dir D [--station grill]
kiosk-kitchen --data-dir D --server URL --pair-code CODE   # pair if needed, then run
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos_desktop.config import default_data_dir
from pos_desktop.credentials import CredentialStoreUnavailable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-kitchen", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir() / "kitchen")
    parser.add_argument("--station", default=None, help="only this station's tickets")
    parser.add_argument("--server", default=None, help="server URL, with --pair-code")
    parser.add_argument("--pair-code", default=None, help="pair first if this folder is not paired")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check the data folder, pairing, screen and keyring; exit",
    )
    commands = parser.add_subparsers(dest="command")
    pair = commands.add_parser("pair", help="trade a pairing code for this screen's credentials")
    pair.add_argument("--server", required=True, dest="pair_server")
    pair.add_argument("--code", required=True)
    pair.add_argument("--station", default=None, dest="pair_station")
    demo = commands.add_parser("demo", help="pair as the demo owner if needed, then run")
    demo.add_argument("--server", required=True, dest="demo_server")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-kitchen` console script."""
    from pos_desktop.kitchen.pairing import PairingError, load_device, pair_kitchen

    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir
    if args.self_check:
        from pos_desktop.kitchen.self_check import kitchen_self_check

        return kitchen_self_check(data_dir, args.station)
    try:
        if args.command == "pair":
            device = pair_kitchen(
                data_dir=data_dir,
                server_url=args.pair_server,
                code=args.code,
                station=args.pair_station or args.station,
            )
            where = f"{device.tenant_slug}/{device.outlet_code}"
            print(f"paired kitchen screen {device.device_id} to {where}")
            return 0
        if args.command == "demo":
            from pos_desktop.kitchen.demo import ensure_demo_pairing

            ensure_demo_pairing(
                data_dir=data_dir, server_url=args.demo_server, station=args.station
            )
        loaded = load_device(data_dir)
        if loaded is None and args.pair_code and args.server:
            loaded = pair_kitchen(
                data_dir=data_dir, server_url=args.server, code=args.pair_code, station=args.station
            )
        if loaded is None:
            print(
                f"kiosk-kitchen: {data_dir} is not paired; run "
                "`kiosk-kitchen --data-dir DIR pair --server URL --code CODE` first",
                file=sys.stderr,
            )
            return 2
    except (PairingError, CredentialStoreUnavailable) as exc:
        print(f"kiosk-kitchen: {exc}", file=sys.stderr)
        return 1
    from pos_desktop.kitchen.app import run_kitchen
    from pos_desktop.xcb_check import ensure_xcb_libraries

    if not ensure_xcb_libraries(is_root=False):  # names the packages; never installs them
        return 1
    return run_kitchen(data_dir=data_dir, device=loaded, station=args.station)


if __name__ == "__main__":
    raise SystemExit(main())
