"""Paper widths (58/80 mm) and code pages: what fits on a line and what the printer can show."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from escpos.capabilities import Profile, get_profile

# Python codecs for the ESC/POS code pages we drive; all are in python-escpos' default profile.
CODE_PAGE_CODECS = {"CP437": "cp437", "CP850": "cp850", "CP858": "cp858", "CP1252": "cp1252"}

# Typographic characters no printer code page has, mapped to the nearest plain character.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "−": "-",
        "•": "*",
        "·": ".",
        "…": "...",
        "€": "EUR",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "ı": "i",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
    }
)


@dataclass(frozen=True)
class PaperProfile:
    """A paper width: columns of font A, printable dots, the python-escpos profile and code page."""

    width_mm: int
    columns: int
    dots: int
    escpos_profile: str = "default"
    code_page: str = "CP858"

    def __post_init__(self) -> None:
        if self.code_page not in CODE_PAGE_CODECS:
            raise ValueError(f"unsupported code page {self.code_page!r}")

    def escpos(self) -> Any:
        """A python-escpos profile with our column count and the named profile's features."""
        named = get_profile(self.escpos_profile)
        profile = Profile(columns=self.columns, features=dict(named.features))
        profile.profile_data = {
            **named.profile_data,
            "media": {"width": {"mm": self.width_mm, "pixels": self.dots}},
        }
        return profile

    def printable(self, text: str) -> str:
        """`text` as this printer can show it; see `printable_text`."""
        return printable_text(text, self.code_page)


PAPER_58 = PaperProfile(width_mm=58, columns=32, dots=384)
PAPER_80 = PaperProfile(width_mm=80, columns=48, dots=576)


def paper_for_width(width_mm: int, *, code_page: str = "CP858") -> PaperProfile:
    """The profile for a paper width in millimetres (58 or 80)."""
    base = {58: PAPER_58, 80: PAPER_80}.get(width_mm)
    if base is None:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm}")
    return PaperProfile(base.width_mm, base.columns, base.dots, base.escpos_profile, code_page)


def printable_text(text: str, code_page: str) -> str:
    """Make `text` printable in `code_page`, one column per character, deterministically.

    Characters the code page has are kept (so "Crème brûlée" stays accented); others lose their
    accents ("ő" -> "o") or become a plain equivalent; anything left is "?". Control characters
    are dropped so a product name can never smuggle a printer command (cut, drawer) onto paper.
    """
    codec = CODE_PAGE_CODECS[code_page]
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.category(char) in ("Cc", "Cf"):
            continue
        if unicodedata.category(char) == "Zs":
            out.append(" ")
            continue
        if _encodable(char, codec):
            out.append(char)
            continue
        plain = char.translate(_PLAIN)
        if plain != char and all(_encodable(c, codec) for c in plain):
            out.append(plain)
            continue
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(stripped if stripped and all(_encodable(c, codec) for c in stripped) else "?")
    return "".join(out)


def _encodable(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True
