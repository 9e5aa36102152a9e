"""Before a window opens on Linux/X11: are the system libraries of Qt's xcb plugin there?

PySide6 wheels carry Qt but not the X11 client libraries its `xcb` platform plugin links to
(libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, ...). Without them Qt aborts with "could not
load the Qt platform plugin xcb", which names no package. `missing_libraries()` asks `ldd` of
the plugin which libraries it cannot find; `ensure_xcb_libraries()` installs their Debian
packages when it runs as root, and otherwise prints the one `apt-get install` line to run.
Offscreen and other platforms need none of this and are never checked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, TextIO

NOT_FOUND: Final = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
SONAME: Final = re.compile(r"^(lib[\w+.-]+?)\.so\.(\d+)")
DEBIAN_PACKAGES: Final = {
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libz.so.1": "zlib1g",
}
"""Libraries whose Debian package name does not follow the `libxcb-foo.so.N -> libxcb-fooN`
rule (`package_of` applies the rule to everything else)."""


def package_of(library: str) -> str:
    """The Debian/Ubuntu package that ships a shared library (`libxcb-icccm.so.4` ->
    `libxcb-icccm4`)."""
    if library in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[library]
    match = SONAME.match(library)
    if match is None:
        return library
    name, version = match.groups()
    name = name.lower()
    # Debian policy: a name ending in a digit gets a dash before the soname version.
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def xcb_plugin() -> Path | None:
    """The installed PySide6's xcb platform plugin, None when this Qt has none."""
    try:
        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def ldd_of_xcb_plugin() -> str:
    """What `ldd` says of the plugin ("" when there is no plugin or no ldd to ask)."""
    plugin = xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return ""
    done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False)
    return done.stdout


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries `ldd` could not find, each once, in the order it named them."""
    return list(dict.fromkeys(NOT_FOUND.findall(ldd_output)))


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will open its windows through xcb: on Linux, an X display and no other
    platform asked for (`QT_QPA_PLATFORM=offscreen` for tests and screenshots)."""
    if not sys.platform.startswith("linux"):
        return False
    platform = environ.get("QT_QPA_PLATFORM", "").strip()
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    return bool(environ.get("DISPLAY"))


def install_command(packages: list[str]) -> list[str]:
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def _apt_install(packages: list[str]) -> int:
    """As root: refresh the package lists once, then install (the demo's own output shows)."""
    subprocess.run(["apt-get", "update", "-q"], check=False)
    return subprocess.run(install_command(packages), check=False).returncode


def ensure_xcb_libraries(
    *,
    environ: Mapping[str, str] = os.environ,
    ldd: Callable[[], str] | None = None,
    is_root: bool | None = None,
    install: Callable[[list[str]], int] | None = None,
    has_apt: bool | None = None,
    out: TextIO | None = None,
) -> bool:
    """True when Qt's windows can open; otherwise installs (root) or says what to run.

    Every collaborator can be handed in, so a test can name a missing library without
    removing one from the machine.
    """
    out = out or sys.stderr
    ldd = ldd or ldd_of_xcb_plugin
    install = install or _apt_install
    if not uses_xcb(environ):
        return True
    missing = missing_libraries(ldd())
    if not missing:
        return True
    packages = list(dict.fromkeys(package_of(library) for library in missing))
    has_apt = shutil.which("apt-get") is not None if has_apt is None else has_apt
    is_root = (os.geteuid() == 0) if is_root is None else is_root
    print(
        "The windows need system libraries that are missing: "
        + ", ".join(f"{library} ({package_of(library)})" for library in missing)
        + ".",
        file=out,
    )
    if has_apt and is_root:
        print("Installing them: " + " ".join(install_command(packages)), file=out, flush=True)
        if install(packages) == 0 and not missing_libraries(ldd()):
            return True
        print("The installation did not provide them all; see apt-get's output above.", file=out)
        return False
    if has_apt:
        print("Install them, then start again:", file=out)
        print("  sudo " + " ".join(["apt-get", "install", *packages]), file=out)
    else:
        print("Install them with your system's package manager, then start again.", file=out)
    return False
