"""Switchable interface language (English, Indonesian) through Qt's own QTranslator and .qm files.

Source strings are English inside `tr()` calls. `translations/kiosk_pos_id.ts` is made
by `pyside6-lupdate` and compiled by `pyside6-lrelease` (both ship with PySide6-Essentials)
into the `.qm` that is loaded here; `python -m pos_desktop.ui.translations` redoes both.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

TRANSLATIONS_DIR = Path(__file__).with_name("translations")
LANGUAGES: dict[str, str] = {"en": "English", "id": "Bahasa Indonesia"}
"""Language code -> its own name, as the settings screen lists it."""
_current = "en"


def current_language() -> str:
    """The code of the language the screens are in, for words kept outside Qt's catalog
    (payment methods are named once for till, slips and back office, in `shared`)."""
    return _current


class Language:
    """The one installed translator of the app; switching replaces it."""

    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self.code = "en"

    def switch(self, code: str) -> bool:
        """Install `code` (English needs no file); False when its .qm is missing."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before choosing a language")
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self._set("en")
        if code == "en":
            return True
        translator = QTranslator(app)
        if not translator.load(str(TRANSLATIONS_DIR / f"kiosk_pos_{code}.qm")):
            return False
        app.installTranslator(translator)
        self._translator = translator
        self._set(code)
        return True

    def _set(self, code: str) -> None:
        global _current
        self.code = _current = code
