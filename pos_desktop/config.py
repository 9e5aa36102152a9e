"""Where a terminal keeps its data, and the tunables of the terminal core in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "kiosk-pos"
APP_AUTHOR = "Kiosk POS"
APP_VERSION = "0.1.0"


def default_data_dir() -> Path:
    """The platform's per-user data folder (e.g. ~/.local/share/kiosk-pos on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class SyncSettings:
    """How the sync worker paces itself; tests shrink the delays, production keeps these."""

    batch_size: int = 100
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    max_item_failures: int = 5
    probe_interval_s: float = 2.0
    probe_timeout_s: float = 2.0
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 30.0
    catalog_page_size: int = 500
    catalog_interval_s: float = 60.0
    live_link: bool = True
    """Hold the live link (pushes and heartbeats) while the engine runs."""


@dataclass(frozen=True)
class LoginSettings:
    """Wrong-PIN throttling: after `free_attempts` misses each further miss locks longer."""

    free_attempts: int = 3
    lock_base_s: float = 30.0
    lock_cap_s: float = 900.0


DEFAULT_SYNC = SyncSettings()
DEFAULT_LOGIN = LoginSettings()
