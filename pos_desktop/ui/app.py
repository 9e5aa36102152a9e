"""Start the cashier app: `run(data_dir)` is what `kiosk-pos` with no subcommand calls."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.collector import collect_on_this_thread
from pos_desktop.ui.i18n import Language
from pos_desktop.ui.main_window import MainWindow
from pos_desktop.ui.theme import STYLESHEET


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, styled for touch (reused when one exists, as in tests)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Kiosk POS")
    app.setStyleSheet(STYLESHEET)
    collect_on_this_thread(app)  # never let a worker thread free Qt objects
    return app


def build_window(till: TerminalTill, *, kiosk: bool = False) -> MainWindow:
    """The main window over a till, in the language saved in the terminal's settings."""
    language = Language()
    if till.is_paired():
        language.switch(till.settings().language)
    return MainWindow(till, language=language, kiosk=kiosk)


def run(data_dir: Path, *, kiosk: bool = False) -> int:
    """Open the terminal in `data_dir` and run the cashier app until it is closed.

    `kiosk` shows it full screen without a frame; otherwise it opens at 1280x800.
    """
    app = application()
    till = TerminalTill.open(data_dir)
    try:
        window = build_window(till, kiosk=kiosk)
        if kiosk:
            window.showFullScreen()
        else:
            window.resize(1280, 800)
            window.show()
        return int(app.exec())
    finally:
        till.close()
