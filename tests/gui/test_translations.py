"""Every text the screens mark for translation has its Indonesian, in the file the app ships."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from pos_desktop.ui.translations import INDONESIAN

UI_DIR = Path(__file__).resolve().parents[2] / "pos_desktop" / "ui"
SHIPPED_TS = UI_DIR / "translations" / "kiosk_pos_id.ts"


def _sources_in_code(scratch: Path) -> set[str]:
    """What `pyside6-lupdate` finds in the screens today (the same scan the build runs)."""
    sources = sorted(str(p) for p in UI_DIR.rglob("*.py") if "translations" not in p.parts)
    found = scratch / "found.ts"
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run(
        [str(lupdate), *sources, "-ts", str(found), "-no-obsolete"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {m.findtext("source") or "" for m in ET.parse(found).getroot().iter("message")}


def test_every_screen_text_is_translated_in_the_shipped_file(tmp_path: Path) -> None:
    in_code = _sources_in_code(tmp_path)
    assert len(in_code) > 100  # the scan really read the screens
    assert sorted(in_code - INDONESIAN.keys()) == []  # run `python -m pos_desktop.ui.translations`
    shipped = {
        m.findtext("source") or "": m.findtext("translation") or ""
        for m in ET.parse(SHIPPED_TS).getroot().iter("message")
    }
    assert sorted(source for source in in_code if not shipped.get(source)) == []
