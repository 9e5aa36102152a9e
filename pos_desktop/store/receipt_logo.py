"""The receipt logo this till keeps: which one the tenant's settings name, and the PNG it
downloaded, stored beside those settings so a slip prints it with no network and no file.

A logo counts only while its SHA-256 is the one the tenant's settings name: a logo the owner
replaced or removed stops printing with the catalog change that says so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pos_desktop.store.settings import SettingKey, get_mapping, put_setting


@dataclass(frozen=True)
class WantedLogo:
    """The logo the tenant's settings name: where to fetch it and what it hashes to."""

    path: str
    sha256: str


def wanted_receipt_logo(session: Session) -> WantedLogo | None:
    """The logo the tenant's settings name; None when the business has none."""
    tenant = get_mapping(session, SettingKey.TENANT)
    path = str(tenant.get("receipt_logo_url") or "")
    sha256 = str(tenant.get("receipt_logo_sha256") or "")
    return WantedLogo(path, sha256) if path and sha256 else None


def missing_receipt_logo(session: Session) -> WantedLogo | None:
    """The named logo when this till does not keep it yet (it must be downloaded)."""
    wanted = wanted_receipt_logo(session)
    if wanted is None or get_mapping(session, SettingKey.RECEIPT_LOGO).get("sha256") == (
        wanted.sha256
    ):
        return None
    return wanted


def keep_receipt_logo(session: Session, sha256: str, png: bytes) -> bool:
    """Store a downloaded logo in the caller's transaction, only if its bytes hash to
    `sha256` (a cut-short or wrong answer is never printed); whether it was kept."""
    if hashlib.sha256(png).hexdigest() != sha256:
        return False
    value = {"sha256": sha256, "png_base64": base64.b64encode(png).decode("ascii")}
    put_setting(session, SettingKey.RECEIPT_LOGO, value)
    return True


def receipt_logo_png(session: Session) -> bytes | None:
    """The PNG slips print at the top: the kept logo while it is the tenant's current one."""
    wanted = wanted_receipt_logo(session)
    kept = get_mapping(session, SettingKey.RECEIPT_LOGO)
    if wanted is None or kept.get("sha256") != wanted.sha256:
        return None
    try:
        return base64.b64decode(str(kept.get("png_base64", "")), validate=True) or None
    except (binascii.Error, ValueError):
        return None
