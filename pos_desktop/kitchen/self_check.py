"""`kiosk-kitchen --self-check`: can this screen show tickets? A short report, exit 0 or 1.

The kitchen screen keeps no database: its data folder holds `kitchen.json` (which outlet it
shows) and the keyring holds its device credentials. The check opens both, draws the ticket
board offscreen and connects to nothing.
"""

from __future__ import annotations

from pathlib import Path

from pos_desktop.ui.checks import (
    Check,
    data_folder_check,
    finish,
    keyring_check,
    offscreen,
    render_offscreen,
)


def kitchen_self_check(data_dir: Path, station: str | None = None) -> int:
    """The kitchen screen's self-check (see the module docstring)."""
    offscreen()
    from pos_desktop.credentials import DeviceCredentials
    from pos_desktop.kitchen.pairing import KitchenDevice, load_device

    checks = [data_folder_check(data_dir)]
    if not checks[0].ok:
        return finish("kiosk-kitchen", checks)
    device: KitchenDevice | None = None
    try:
        device = load_device(data_dir)
    except (OSError, ValueError, TypeError) as error:
        checks.append(Check("pairing", False, f"kitchen.json unreadable: {error}; pair again"))
    else:
        if device is None:
            checks.append(Check("pairing", True, "not paired yet: run `kiosk-kitchen pair`"))
        else:
            shown = station or device.station or "every station"
            where = f"{device.server_url} {device.tenant_slug}/{device.outlet_code}"
            checks.append(Check("pairing", True, f"{where}, {shown}"))
    checks.append(render_offscreen("ticket board", lambda: _board(device, station)))
    checks.append(
        keyring_check(
            paired=device is not None,
            has_credentials=lambda: DeviceCredentials(data_dir).refresh_token() is not None,
        )
    )
    return finish("kiosk-kitchen", checks)


def _board(device: object, station: str | None) -> object:
    from pos_desktop.kitchen.board import KitchenBoard
    from pos_desktop.kitchen.pairing import KitchenDevice
    from pos_desktop.kitchen.ui import KitchenWindow

    title = "Kitchen"
    if isinstance(device, KitchenDevice):
        title = f"Kitchen · {device.outlet_code}" + (f" · {station}" if station else "")
    return KitchenWindow(KitchenBoard(), title=title)
