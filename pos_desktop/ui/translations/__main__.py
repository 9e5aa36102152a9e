"""Rebuild `kiosk_pos_id.ts` and `.qm`: lupdate the screens, fill in Indonesian, lrelease."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from pos_desktop.ui.translations import EXTRA_MESSAGES, INDONESIAN, INHERITED_CONTEXTS

HERE = Path(__file__).parent
UI_DIR = HERE.parent
TS_FILE = HERE / "kiosk_pos_id.ts"
QM_FILE = HERE / "kiosk_pos_id.qm"
TOOLS = Path(sys.executable).parent


def _message(context: ET.Element, source: str) -> None:
    message = ET.SubElement(context, "message")
    ET.SubElement(message, "source").text = source
    ET.SubElement(message, "translation")


def build() -> list[str]:
    """Regenerate the .ts and .qm; returns the source texts left untranslated."""
    sources = sorted(str(p) for p in UI_DIR.rglob("*.py") if "translations" not in p.parts)
    scratch = HERE / "_lupdate.ts"
    subprocess.run(
        [str(TOOLS / "pyside6-lupdate"), *sources, "-ts", str(scratch), "-no-obsolete"],
        check=True,
        capture_output=True,
    )
    tree = ET.parse(scratch)
    scratch.unlink()
    root = tree.getroot()
    root.set("language", "id_ID")
    contexts = {c.findtext("name"): c for c in root.iter("context")}
    for base, children in INHERITED_CONTEXTS.items():
        if base not in contexts:
            continue
        base_sources = [m.findtext("source") or "" for m in contexts[base].iter("message")]
        for child in children:
            context = contexts.get(child)
            if context is None:
                context = ET.SubElement(root, "context")
                ET.SubElement(context, "name").text = child
                contexts[child] = context
            known = {m.findtext("source") for m in context.iter("message")}
            for source in base_sources:
                if source not in known:
                    _message(context, source)
    for name, extra in EXTRA_MESSAGES.items():
        context = contexts.get(name)
        if context is None:
            context = ET.SubElement(root, "context")
            ET.SubElement(context, "name").text = name
        for source in extra:
            _message(context, source)
    missing = []
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        for attribute in ("type",):
            translation.attrib.pop(attribute, None)
        if source in INDONESIAN:
            translation.text = INDONESIAN[source]
        else:
            translation.set("type", "unfinished")
            missing.append(source)
        for location in message.findall("location"):
            message.remove(location)
    ET.indent(tree)
    tree.write(TS_FILE, encoding="utf-8", xml_declaration=True)
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), str(TS_FILE), "-qm", str(QM_FILE)],
        check=True,
        capture_output=True,
    )
    return missing


if __name__ == "__main__":
    left = build()
    print(f"{TS_FILE.name}: {len(left)} untranslated")
    for text in left:
        print(f"  {text!r}")
