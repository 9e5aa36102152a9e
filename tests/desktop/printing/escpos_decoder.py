"""A strict ESC/POS decoder for tests: it knows the commands we send and fails on anything else."""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, LF = 0x1B, 0x1D, 0x0A

# ESC t n -> Python codec, for the code pages our printers are told to use.
CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}


class UnknownCommand(AssertionError):
    """The byte stream holds a command this decoder (and so our renderer's contract) lacks."""


@dataclass
class Style:
    """The printer's text state at one moment."""

    align: str = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False
    invert: bool = False


@dataclass(frozen=True)
class Line:
    """A printed text line with the style it was printed in (style at its first character)."""

    text: str
    align: str
    bold: bool
    double_width: bool
    double_height: bool
    invert: bool


@dataclass
class Qr:
    """A native QR code: GS ( k model, dot size, error level, stored data, print."""

    model: int = 0
    size: int = 0
    error_level: int = 0
    data: bytes = b""
    printed: bool = False


@dataclass
class Image:
    """A raster image (GS v 0)."""

    width_dots: int
    height_dots: int


@dataclass
class Printout:
    """What the printer would do with the bytes, in order."""

    events: list[Line | Qr | Image | str] = field(default_factory=list)
    code_pages: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        """Text lines only."""
        return [e for e in self.events if isinstance(e, Line)]

    @property
    def texts(self) -> list[str]:
        """The text of each line."""
        return [line.text for line in self.lines]

    @property
    def qr_codes(self) -> list[Qr]:
        """QR codes that were printed."""
        return [e for e in self.events if isinstance(e, Qr) and e.printed]

    def count(self, name: str) -> int:
        """How often a bare command ("init", "cut", "drawer", "feed") occurred."""
        return sum(1 for e in self.events if e == name)


def decode(data: bytes) -> Printout:
    """Decode `data`; raises UnknownCommand on any byte sequence we do not expect to send."""
    out = Printout()
    style = Style()
    codec = "ascii"
    pending = bytearray()
    pending_style: Style | None = None
    qr = Qr()
    i = 0

    def need(count: int) -> bytes:
        if i + count > len(data):
            raise UnknownCommand(f"truncated command at byte {i}: {data[i - 2 : i + 4]!r}")
        return data[i : i + count]

    def flush_line() -> None:
        nonlocal pending, pending_style
        used = pending_style or style
        out.events.append(
            Line(
                pending.decode(codec),
                used.align,
                used.bold,
                used.double_width,
                used.double_height,
                used.invert,
            )
        )
        pending = bytearray()
        pending_style = None

    while i < len(data):
        byte = data[i]
        i += 1
        if byte == LF:
            flush_line()
        elif byte >= 0x20 and byte != 0x7F:
            if pending_style is None:
                pending_style = Style(**vars(style))
            pending.append(byte)
        elif byte == ESC:
            command = need(1)[0]
            i += 1
            if command == ord("@"):
                style, codec = Style(), "ascii"
                out.events.append("init")
            elif command == ord("t"):
                page = need(1)[0]
                i += 1
                if page not in CODE_PAGES:
                    raise UnknownCommand(f"code page {page} not expected")
                codec = CODE_PAGES[page]
                out.code_pages.append(page)
            elif command == ord("!"):
                mode = need(1)[0]
                i += 1
                if mode & ~0x30:
                    raise UnknownCommand(f"ESC ! {mode:#x}: only size bits are expected")
                style.double_height = bool(mode & 0x10)
                style.double_width = bool(mode & 0x20)
            elif command == ord("E"):
                style.bold = _flag(need(1)[0])
                i += 1
            elif command == ord("a"):
                style.align = {0: "left", 1: "center", 2: "right"}[_choice(need(1)[0], 3)]
                i += 1
            elif command == ord("d"):
                need(1)
                i += 1
                out.events.append("feed")
            elif command == ord("p"):
                pin, on_ms, off_ms = need(3)
                i += 3
                if pin not in (0, 1) or not on_ms or not off_ms:
                    raise UnknownCommand(f"bad drawer kick {pin} {on_ms} {off_ms}")
                out.events.append("drawer")
            else:
                raise UnknownCommand(f"unknown ESC {command:#04x} at byte {i - 2}")
        elif byte == GS:
            command = need(1)[0]
            i += 1
            if command == ord("B"):
                style.invert = _flag(need(1)[0])
                i += 1
            elif command == ord("V"):
                mode = need(1)[0]
                i += 1
                if mode in (65, 66):
                    need(1)
                    i += 1
                elif mode not in (0, 1):
                    raise UnknownCommand(f"unknown cut mode {mode}")
                out.events.append("cut")
            elif command == ord("(") and need(1) == b"k":
                i += 1
                p_low, p_high = need(2)
                i += 2
                body = need(p_low + 256 * p_high)
                i += len(body)
                qr = _qr_function(body, qr, out)
            elif command == ord("v") and need(1) == b"0":
                i += 1
                density, x_low, x_high, y_low, y_high = need(5)
                i += 5
                if density not in (0, 1, 2, 3):
                    raise UnknownCommand(f"bad raster density {density}")
                width_bytes, height = x_low + 256 * x_high, y_low + 256 * y_high
                need(width_bytes * height)
                i += width_bytes * height
                out.events.append(Image(width_bytes * 8, height))
            else:
                raise UnknownCommand(f"unknown GS {command:#04x} at byte {i - 2}")
        else:
            raise UnknownCommand(f"unexpected control byte {byte:#04x} at {i - 1}")
    if pending:
        raise UnknownCommand(f"text not ended by a line feed: {bytes(pending)!r}")
    return out


def _flag(value: int) -> bool:
    if value not in (0, 1):
        raise UnknownCommand(f"flag must be 0 or 1, not {value}")
    return value == 1


def _choice(value: int, count: int) -> int:
    if value >= count:
        raise UnknownCommand(f"choice {value} out of range")
    return value


def _qr_function(body: bytes, qr: Qr, out: Printout) -> Qr:
    """GS ( k with cn = '1' (QR): A model, C size, E error level, P store data, Q print."""
    if len(body) < 2 or body[0] != ord("1"):
        raise UnknownCommand(f"only QR 2D codes expected, got {body[:2]!r}")
    function, rest = body[1], body[2:]
    if function == ord("A"):
        if len(rest) != 2 or rest[0] not in (49, 50, 51):
            raise UnknownCommand(f"bad QR model {rest!r}")
        return Qr(model=rest[0] - 48)
    if function == ord("C") and len(rest) == 1:
        qr.size = rest[0]
    elif function == ord("E") and len(rest) == 1 and 48 <= rest[0] <= 51:
        qr.error_level = rest[0] - 48
    elif function == ord("P") and rest[:1] == b"0":
        qr.data = rest[1:]
    elif function == ord("Q") and rest == b"0":
        if not qr.model or not qr.data:
            raise UnknownCommand("QR printed before model and data were set")
        qr.printed = True
        out.events.append(qr)
        return Qr()
    else:
        raise UnknownCommand(f"unknown QR function {body!r}")
    return qr


def as_text(printout: Printout, columns: int) -> str:
    """The printout in the golden-file text form (the same form `render_text` writes)."""
    out: list[str] = []
    after_qr = False
    for event in printout.events:
        if isinstance(event, Qr):
            placeholder = f"[QR {event.data.decode()}]"
            while placeholder:
                out.append(placeholder[:columns].center(columns).rstrip())
                placeholder = placeholder[columns:]
        elif isinstance(event, Image):
            out.append("[LOGO]".center(columns).rstrip())
        elif isinstance(event, Line) and not (after_qr and event.text == ""):
            text = " ".join(event.text) if event.double_width else event.text
            if event.invert:
                text = f"** {text} **"
            if event.align == "center":
                text = text.center(columns).rstrip()
            out.append(text)
        after_qr = isinstance(event, Qr)
    return "\n".join(out) + "\n"
