"""The terminal's settings table: every key in one enum, read and written as JSON values."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from pos_desktop.store.models import Setting


class SettingKey(StrEnum):
    """Every row of the `settings` table; the values are the stored keys (never rename one)."""

    TERMINAL = "terminal"
    """The terminal's identity (`store.identity.TerminalIdentity`)."""
    TENANT = "tenant"
    """The tenant's settings as the catalog feed sent them (`TenantSettingsV1`)."""
    OUTLET = "outlet"
    """This terminal's outlet as the catalog feed sent it (`OutletV1`)."""
    CATALOG_CURSOR = "catalog_cursor"
    CATALOG_VERSION = "catalog_version"
    LAST_SYNC = "last_sync_at"
    READY_CURSOR = "ready_cursor"
    """The server time of the last "order ready" the terminal heard of (`sync/ready/?since=`)."""
    UI_SETTINGS = "ui_settings"
    """Where the cashier app keeps its screen settings, among them the language slips follow."""
    HELD_ORDERS = "held_orders"
    """The cashier's held (parked) carts, so a restart does not lose them."""
    PRINTING = "printing"
    """The printers of this terminal (`printing.settings.PrinterSettings`)."""
    PIN_THROTTLE = "pin_throttle"
    """Failed PIN sign-ins of this terminal, which slow the next tries down."""
    RECEIPT_LOGO = "receipt_logo"
    """The tenant's receipt logo as downloaded: `{"sha256": ..., "png_base64": ...}`."""


def get_setting(session: Session, key: SettingKey, default: Any = None) -> Any:
    """A stored setting's JSON value."""
    row = session.get(Setting, key.value)
    return default if row is None else row.value


def get_mapping(session: Session, key: SettingKey) -> dict[str, Any]:
    """A stored setting that holds an object; {} when absent or of another shape."""
    value = get_setting(session, key)
    return dict(value) if isinstance(value, dict) else {}


def put_setting(session: Session, key: SettingKey, value: Any) -> None:
    """Store a setting in the caller's transaction."""
    session.merge(Setting(key=key.value, value=value))
