"""The report both apps' `--self-check` print: one line per check, exit 0 or 1.

Kept apart from the cashier app's own checks so the kitchen screen's bundle does not pull in
the till's database, printing and pricing code.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pos_desktop.credentials import CredentialStoreUnavailable, secure_backend


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it passed, what was found."""

    name: str
    ok: bool
    detail: str


def guarded(name: str, probe: Callable[[], str]) -> Check:
    """Run one probe; any failure becomes a failed line with its reason, never a traceback."""
    try:
        return Check(name, True, probe())
    except Exception as error:  # the report must name every failure, whatever it is
        return Check(name, False, f"{type(error).__name__}: {error}")


def data_folder_check(data_dir: Path) -> Check:
    """The folder exists (made if missing) and this user may write in it."""

    def probe() -> str:
        data_dir.mkdir(parents=True, exist_ok=True)
        marker = data_dir / f".self-check-{uuid.uuid4().hex}"
        marker.write_text("ok", encoding="ascii")
        marker.unlink()
        return str(data_dir)

    return guarded("data folder", probe)


def keyring_check(*, paired: bool, has_credentials: Callable[[], bool]) -> Check:
    """A keyring that may hold the device credentials, and (when paired) holding them."""

    def probe() -> str:
        backend = secure_backend()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if paired and not has_credentials():
            raise CredentialStoreUnavailable(
                f"{name} holds no credentials for this paired folder; pair it again"
            )
        return name + (", device credentials present" if paired else ", not paired yet")

    return guarded("keyring", probe)


def report(app_name: str, checks: list[Check]) -> str:
    """The printed report: one line per check, then the verdict."""
    width = max(len(check.name) for check in checks)
    lines = [f"{app_name} self-check"]
    lines += [
        f"  {'ok  ' if check.ok else 'FAIL'} {check.name:<{width}}  {check.detail}"
        for check in checks
    ]
    failed = [check.name for check in checks if not check.ok]
    lines.append("result: ok" if not failed else f"result: FAILED ({', '.join(failed)})")
    return "\n".join(lines)


def finish(app_name: str, checks: list[Check]) -> int:
    """Print the report; 0 when every check passed, else 1."""
    print(report(app_name, checks))
    sys.stdout.flush()
    return 0 if all(check.ok for check in checks) else 1


def render_offscreen(name: str, build: Callable[[], object]) -> Check:
    """Build a top-level widget, lay it out at 1280x800 and grab it as a picture."""

    def probe() -> str:
        from PySide6.QtWidgets import QApplication, QWidget

        app = QApplication.instance() or QApplication([sys.argv[0]])
        widget = build()
        assert isinstance(widget, QWidget)
        widget.resize(1280, 800)
        widget.show()
        app.processEvents()
        picture = widget.grab()
        widget.close()
        if picture.isNull() or picture.width() < 100:
            raise RuntimeError("the screen drew nothing")
        return f"{picture.width()}x{picture.height()} on Qt's {QApplication.platformName()}"

    return guarded(name, probe)


def offscreen() -> None:
    """Draw without a display: the check must pass over SSH and on a headless build box."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
