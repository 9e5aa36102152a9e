"""Wiring of the kitchen screen: board, window, socket thread and token keeper for one device."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from pos_desktop.kitchen.board import KitchenBoard, Thresholds
from pos_desktop.kitchen.client import KitchenSocketClient, kitchen_socket_url
from pos_desktop.kitchen.pairing import (
    KitchenDevice,
    PairingError,
    TokenKeeper,
    fetch_outlet_settings,
)
from pos_desktop.kitchen.ui import KitchenWindow, SocketBridge
from pos_desktop.retry import RetryPolicy
from pos_desktop.ui.collector import collect_on_this_thread

log = logging.getLogger(__name__)


class _ThresholdsLoaded(QObject):
    loaded = Signal(object)


@dataclass
class KitchenScreen:
    """A running screen: tests and the demo reach its parts through this."""

    board: KitchenBoard
    window: KitchenWindow
    client: KitchenSocketClient
    bridge: SocketBridge

    def close(self) -> None:
        self.client.stop()
        self.window.close()


def open_kitchen_screen(
    *,
    board: KitchenBoard,
    url: str,
    tokens: TokenKeeper | None = None,
    token: str | None = None,
    title: str = "Kitchen",
    backoff: RetryPolicy | None = None,
) -> KitchenScreen:
    """Build the window over `board` and start its socket; call from the Qt thread."""
    window = KitchenWindow(board, title=title)
    bridge = SocketBridge(window)
    bridge.message_received.connect(window.apply_message)
    bridge.online_changed.connect(window.set_online)

    def current_token() -> str:
        if tokens is not None:
            return tokens.access_token()
        return token or ""

    def refresh() -> None:
        if tokens is not None:
            tokens.refresh()

    client = KitchenSocketClient(
        url=url,
        access_token=current_token,
        refresh_token=refresh,
        last_sequence=lambda: board.last_sequence,
        pending_actions=board.pending_actions,
        on_message=bridge.on_message,
        on_online=bridge.on_online,
        backoff=backoff,
    )
    window.action_requested.connect(client.send)
    client.start()
    return KitchenScreen(board=board, window=window, client=client, bridge=bridge)


def outlet_thresholds(*, device: KitchenDevice, tokens: TokenKeeper) -> Thresholds | None:
    """The outlet's timer colours from the catalog feed; None keeps the defaults (300/600 s)."""
    try:
        outlet = fetch_outlet_settings(device=device, tokens=tokens)
    except (PairingError, OSError) as exc:
        log.warning("outlet settings not loaded, default timer colours: %s", exc)
        return None
    except Exception:  # a start-up nicety must never take the screen down
        log.exception("outlet settings not loaded")
        return None
    return Thresholds.from_outlet(outlet) if outlet is not None else None


def run_kitchen(*, data_dir: Path, device: KitchenDevice, station: str | None) -> int:
    """Run the screen of a paired device until its window is closed."""
    app = QApplication.instance() or QApplication([])
    collect_on_this_thread(app)  # the socket thread must never free Qt objects
    tokens = TokenKeeper(data_dir=data_dir, device=device)
    board = KitchenBoard(station_filter=None)
    station = station or device.station
    screen = open_kitchen_screen(
        board=board,
        url=kitchen_socket_url(device.server_url, device.tenant_slug, device.outlet_id, station),
        tokens=tokens,
        title=f"Kitchen · {device.outlet_code}" + (f" · {station}" if station else ""),
    )
    thresholds_loaded = _ThresholdsLoaded()

    def apply_thresholds(thresholds: object) -> None:
        assert isinstance(thresholds, Thresholds)
        board.thresholds = thresholds
        screen.window.tick()

    thresholds_loaded.loaded.connect(apply_thresholds)

    def load_thresholds() -> None:
        thresholds = outlet_thresholds(device=device, tokens=tokens)
        if thresholds is not None:
            thresholds_loaded.loaded.emit(thresholds)

    threading.Thread(target=load_thresholds, name="kitchen-outlet", daemon=True).start()
    screen.window.show()
    try:
        return app.exec()
    finally:
        screen.client.stop()
