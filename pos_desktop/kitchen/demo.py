"""Pairing the demo's kitchen screen without a person reading out a code (`make demo` only).

Signs in as the demo owner, asks the server for a one-time code for the kitchen screen `k1`
of outlet `main` (what an owner does in the back office), and pairs with it. Real screens are
paired with `kiosk-kitchen pair --code`, never with an owner's password.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from pos_desktop.kitchen.pairing import KitchenDevice, PairingError, load_device, pair_kitchen

DEMO_OWNER = "demo.owner"
DEMO_PASSWORD = "kiosk-demo"  # sync_server.demo_data.DEMO_PASSWORD


def demo_pairing_code(
    server_url: str,
    *,
    tenant_slug: str = "demo",
    outlet_code: str = "main",
    screen_code: str = "k1",
    username: str = DEMO_OWNER,
    password: str = DEMO_PASSWORD,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """A fresh pairing code for the demo kitchen screen, asked for as its owner."""
    with httpx.Client(base_url=server_url.rstrip("/"), timeout=10, transport=transport) as http:
        try:
            login = http.post("/api/auth/token/", json={"username": username, "password": password})
            if login.status_code != 200:
                raise PairingError(f"demo owner sign-in refused (HTTP {login.status_code})")
            headers = {"Authorization": f"Bearer {login.json()['access']}"}
            outlets = http.get(f"/api/{tenant_slug}/outlets/", headers=headers).json()["results"]
            outlet = next((o for o in outlets if o["code"] == outlet_code), None)
            terminals = http.get(
                f"/api/{tenant_slug}/terminals/", params={"page_size": 500}, headers=headers
            ).json()["results"]
            screen = next(
                (
                    t
                    for t in terminals
                    if outlet and t["code"] == screen_code and t["outlet"] == outlet["id"]
                ),
                None,
            )
            if screen is None:
                raise PairingError(f"no kitchen screen {screen_code!r} at outlet {outlet_code!r}")
            answer = http.post(
                f"/api/{tenant_slug}/terminals/{screen['id']}/pairing-code/", headers=headers
            )
        except httpx.HTTPError as exc:
            raise PairingError(f"cannot reach {server_url}: {exc}") from exc
    if answer.status_code not in (200, 201):
        raise PairingError(f"no pairing code (HTTP {answer.status_code}): {answer.text[:200]}")
    return str(answer.json()["code"])


def ensure_demo_pairing(
    *, data_dir: Path, server_url: str, station: str | None = None
) -> KitchenDevice:
    """The paired demo screen of `data_dir`, pairing it first if this folder never was."""
    device = load_device(data_dir)
    if device is not None:
        return device
    return pair_kitchen(
        data_dir=data_dir,
        server_url=server_url,
        code=demo_pairing_code(server_url),
        station=station,
    )
